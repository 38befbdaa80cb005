-- Ticket metrics (Zendesk's /api/v2/ticket_metrics): one row per ticket,
-- folded from the audit trail up to last_audit_id. state is the replay's
-- full state (JSON, owned by internal/metrics); the figure columns repeat
-- what reports slice on so they need not parse JSON. Minutes are NULL
-- while a figure is not reached yet (no reply, never solved).
CREATE TABLE ticket_metrics (
  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  last_audit_id INTEGER NOT NULL,
  state TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  solved_at INTEGER,
  replies INTEGER NOT NULL DEFAULT 0,
  reopens INTEGER NOT NULL DEFAULT 0,
  assignee_stations INTEGER NOT NULL DEFAULT 0,
  group_stations INTEGER NOT NULL DEFAULT 0,
  reply_calendar INTEGER,
  reply_business INTEGER,
  first_resolution_calendar INTEGER,
  first_resolution_business INTEGER,
  full_resolution_calendar INTEGER,
  full_resolution_business INTEGER,
  agent_wait_calendar INTEGER NOT NULL DEFAULT 0,
  agent_wait_business INTEGER NOT NULL DEFAULT 0,
  requester_wait_calendar INTEGER NOT NULL DEFAULT 0,
  requester_wait_business INTEGER NOT NULL DEFAULT 0,
  on_hold_calendar INTEGER NOT NULL DEFAULT 0,
  on_hold_business INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX ticket_metrics_updated ON ticket_metrics(updated_at, ticket_id);

-- CSAT: one row per ticket and solve. A solve makes an 'unoffered' row due
-- at due_at; the survey round offers it (mail with a token link, stored
-- only as a hash) and the requester's answer makes it good or bad. The
-- UNIQUE pair makes the offer once per solve even with several nodes.
-- Assignee, group, type and tags are recorded at offer and rating time so
-- reports slice ratings as the ticket was then.
CREATE TABLE satisfaction_ratings (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  solved_at INTEGER NOT NULL,
  score TEXT NOT NULL,
  comment TEXT NOT NULL DEFAULT '',
  reason_code INTEGER NOT NULL DEFAULT 0,
  token_hash TEXT UNIQUE,
  requester_id INTEGER NOT NULL,
  assignee_id INTEGER,
  group_id INTEGER,
  ticket_type TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '',
  brand_id INTEGER,
  inbox_id INTEGER,
  locale TEXT NOT NULL DEFAULT '',
  due_at INTEGER,
  offered_at INTEGER,
  rated_at INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  UNIQUE (ticket_id, solved_at)
);
CREATE INDEX satisfaction_ratings_due ON satisfaction_ratings(score, due_at);
CREATE INDEX satisfaction_ratings_updated ON satisfaction_ratings(updated_at, id);
CREATE INDEX satisfaction_ratings_ticket ON satisfaction_ratings(ticket_id, id);

-- Survey settings: scope 'account' (scope_id 0), 'brand' or 'inbox'; the
-- most specific row wins (inbox, then brand, then account).
CREATE TABLE satisfaction_settings (
  scope TEXT NOT NULL,
  scope_id INTEGER NOT NULL DEFAULT 0,
  enabled INTEGER NOT NULL,
  delay_minutes INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  PRIMARY KEY (scope, scope_id)
);
