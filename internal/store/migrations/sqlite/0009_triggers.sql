-- Triggers (Zendesk's business rules run on every ticket write) and
-- webhooks with their persistent delivery queue and log.
CREATE TABLE triggers (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  title TEXT NOT NULL,
  raw_title TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  active INTEGER NOT NULL DEFAULT 1,
  position INTEGER NOT NULL,
  is_default INTEGER NOT NULL DEFAULT 0,
  category_id TEXT NOT NULL DEFAULT '',
  conditions TEXT NOT NULL,
  actions TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX triggers_position ON triggers(active, position, id);

CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  endpoint TEXT NOT NULL,
  http_method TEXT NOT NULL,
  request_format TEXT NOT NULL,
  status TEXT NOT NULL,
  subscriptions TEXT NOT NULL DEFAULT '[]',
  auth_type TEXT NOT NULL DEFAULT '',
  auth_data TEXT NOT NULL DEFAULT '',
  custom_headers TEXT NOT NULL DEFAULT '{}',
  signing_secret TEXT NOT NULL,
  created_by INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One row per call to make: queued → sending (claimed until
-- next_attempt_at, the lease) → success | failed, or back to queued with a
-- later next_attempt_at after a failed attempt.
CREATE TABLE webhook_invocations (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  webhook_id INTEGER NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  ticket_id INTEGER,
  source TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  last_status INTEGER NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX webhook_invocations_due ON webhook_invocations(state, next_attempt_at);
CREATE INDEX webhook_invocations_webhook ON webhook_invocations(webhook_id, id);

CREATE TABLE webhook_attempts (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  invocation_id INTEGER NOT NULL REFERENCES webhook_invocations(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  status_code INTEGER NOT NULL DEFAULT 0,
  duration_ms INTEGER NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  completed_at INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_invocation ON webhook_attempts(invocation_id, id);
