-- Saved ticket views (Zendesk's /api/v2/views). Conditions and execution
-- are Zendesk's JSON shapes; they compile to SQL over tickets at query time
-- (see store/views_query.go). default_key names a shipped default view so
-- creating the defaults on start is idempotent; NULL for views people made.
CREATE TABLE views (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  raw_title TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  position INTEGER NOT NULL DEFAULT 0,
  conditions TEXT NOT NULL DEFAULT '{"all":[],"any":[]}',
  execution TEXT NOT NULL DEFAULT '{}',
  restriction_type TEXT NOT NULL DEFAULT '',
  restriction_ids TEXT NOT NULL DEFAULT '[]',
  default_key TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX views_position ON views(position, id);

-- Views filter live tickets by status first, then by priority, type,
-- assignee or group (few distinct values first, so skipping over them is
-- cheap); with deleted_at in the index such a count never reads table rows.
CREATE INDEX tickets_view_status ON tickets(status, priority, type, assignee_id, group_id, deleted_at);
-- "Recently solved" looks up solved_at ranges and sorts by it.
CREATE INDEX tickets_solved ON tickets(solved_at);
