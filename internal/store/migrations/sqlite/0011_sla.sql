-- Business hours (Zendesk's schedules) with holidays, SLA policies and the
-- per-ticket SLA targets their clocks keep.
CREATE TABLE business_schedules (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  time_zone TEXT NOT NULL,
  intervals TEXT NOT NULL DEFAULT '[]',
  national_holidays TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE business_holidays (
  id INTEGER PRIMARY KEY,
  schedule_id INTEGER NOT NULL REFERENCES business_schedules(id) ON DELETE CASCADE,
  name TEXT NOT NULL,
  start_date TEXT NOT NULL,
  end_date TEXT NOT NULL,
  recurring INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX business_holidays_schedule ON business_holidays(schedule_id, start_date);

CREATE TABLE sla_policies (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL,
  filter TEXT NOT NULL,
  policy_metrics TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One row per ticket and metric; a target is active while fulfilled_at IS
-- NULL, paused while due_at IS NULL. used_ms is the (business or calendar)
-- time spent before running_since, so a pause keeps what was used;
-- same_day targets are due at the close of the business day they start on.
CREATE TABLE sla_targets (
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  metric TEXT NOT NULL,
  policy_id INTEGER NOT NULL,
  started_at INTEGER NOT NULL,
  due_at INTEGER,
  fulfilled_at INTEGER,
  breached_at INTEGER,
  warned_at INTEGER,
  target_minutes INTEGER NOT NULL,
  business_hours INTEGER NOT NULL DEFAULT 0,
  same_day INTEGER NOT NULL DEFAULT 0,
  used_ms INTEGER NOT NULL DEFAULT 0,
  running_since INTEGER,
  PRIMARY KEY (ticket_id, metric)
);
-- Active targets by due time (views "SLA at risk", next breach), and the
-- ones the minute job still has to warn about or mark breached.
CREATE INDEX sla_targets_active_due ON sla_targets(due_at) WHERE fulfilled_at IS NULL;
CREATE INDEX sla_targets_unbreached_due ON sla_targets(due_at) WHERE fulfilled_at IS NULL AND breached_at IS NULL;
