-- Macros (Zendesk's /api/v2/macros): canned replies plus ticket actions.
-- restriction_type is '' (shared), 'Group' or 'User'; restriction_ids holds
-- the group ids or the one owner's id as a JSON array. search_text is the
-- title and description normalized (NFKC, lower case) for substring search.
CREATE TABLE macros (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  position INTEGER NOT NULL DEFAULT 0,
  actions TEXT NOT NULL DEFAULT '[]',
  restriction_type TEXT NOT NULL DEFAULT '',
  restriction_ids TEXT NOT NULL DEFAULT '[]',
  search_text TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- Uses per macro per hour (Unix hour), so usage_1h/24h/7d/30d are sums over
-- a window; rows older than 31 days are pruned as new uses come in.
CREATE TABLE macro_usage (
  macro_id INTEGER NOT NULL REFERENCES macros(id) ON DELETE CASCADE,
  hour INTEGER NOT NULL,
  uses INTEGER NOT NULL,
  PRIMARY KEY (macro_id, hour)
);
CREATE INDEX macro_usage_hour ON macro_usage (hour);
