-- Triggers (Zendesk's business rules run on every ticket write) and
-- webhooks with their persistent delivery queue and log.
CREATE TABLE triggers (
  id BIGSERIAL PRIMARY KEY,
  title TEXT NOT NULL,
  raw_title TEXT NOT NULL DEFAULT '',
  description TEXT NOT NULL DEFAULT '',
  active BOOLEAN NOT NULL DEFAULT TRUE,
  position BIGINT NOT NULL,
  is_default BOOLEAN NOT NULL DEFAULT FALSE,
  category_id TEXT NOT NULL DEFAULT '',
  conditions TEXT NOT NULL,
  actions TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX triggers_position ON triggers(active, position, id);

CREATE TABLE webhooks (
  id BIGSERIAL PRIMARY KEY,
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
  created_by BIGINT NOT NULL DEFAULT 0,
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);

-- One row per call to make: queued → sending (claimed until
-- next_attempt_at, the lease) → success | failed, or back to queued with a
-- later next_attempt_at after a failed attempt.
CREATE TABLE webhook_invocations (
  id BIGSERIAL PRIMARY KEY,
  webhook_id BIGINT NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
  ticket_id BIGINT,
  source TEXT NOT NULL DEFAULT '',
  body TEXT NOT NULL,
  state TEXT NOT NULL,
  attempts BIGINT NOT NULL DEFAULT 0,
  next_attempt_at BIGINT NOT NULL,
  last_status BIGINT NOT NULL DEFAULT 0,
  last_error TEXT NOT NULL DEFAULT '',
  created_at BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
CREATE INDEX webhook_invocations_due ON webhook_invocations(state, next_attempt_at);
CREATE INDEX webhook_invocations_webhook ON webhook_invocations(webhook_id, id);

CREATE TABLE webhook_attempts (
  id BIGSERIAL PRIMARY KEY,
  invocation_id BIGINT NOT NULL REFERENCES webhook_invocations(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  status_code BIGINT NOT NULL DEFAULT 0,
  duration_ms BIGINT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  completed_at BIGINT NOT NULL
);
CREATE INDEX webhook_attempts_invocation ON webhook_attempts(invocation_id, id);
