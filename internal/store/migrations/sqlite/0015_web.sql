-- Browser sign-ins of the web UI. Only a hash of the session id is kept, so
-- a copy of the database cannot be used to sign in. A browser session
-- (remember = false) expires after a short idle time; "remember me" keeps
-- it for 30 days from sign-in. last_seen_at is refreshed at most once a
-- minute, and shown to the user in their session list.
CREATE TABLE web_sessions (
  id INTEGER PRIMARY KEY,
  token_hash TEXT NOT NULL UNIQUE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  last_seen_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  remember INTEGER NOT NULL DEFAULT 0,
  user_agent TEXT NOT NULL DEFAULT ''
);
CREATE INDEX web_sessions_user ON web_sessions(user_id);

-- Password reset links sent by mail: single use, short-lived, hashed.
CREATE TABLE web_password_resets (
  token_hash TEXT PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  created_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at INTEGER
);
CREATE INDEX web_password_resets_user ON web_password_resets(user_id);

-- The queue pages read tickets per status in updated_at order. Migration
-- 0014 added an index that also starts with status; without statistics
-- about it the SQLite planner prefers it and sorts every unsolved ticket
-- (0.5 s a page at a million tickets instead of 10 ms). Refresh them.
ANALYZE tickets;
