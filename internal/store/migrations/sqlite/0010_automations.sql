-- Automations: Zendesk's time-based rules, evaluated every minute by one
-- node (see internal/automations).
CREATE TABLE automations (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  position INTEGER NOT NULL DEFAULT 0,
  conditions TEXT NOT NULL DEFAULT '{"all":[],"any":[]}',
  actions TEXT NOT NULL DEFAULT '[]',
  is_default INTEGER NOT NULL DEFAULT 0,
  default_key TEXT UNIQUE,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX automations_position ON automations(active, position, id);

-- The times an automation's "hours since" conditions count from, kept per
-- ticket by a write hook so a round never reads the audit trail. Closed
-- tickets have no row: automations ignore them, so the table holds only
-- the tickets still in play (tens of thousands at a million tickets).
CREATE TABLE ticket_clocks (
  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  status TEXT NOT NULL,
  status_at INTEGER NOT NULL,
  new_at INTEGER NOT NULL,
  open_at INTEGER,
  pending_at INTEGER,
  hold_at INTEGER,
  solved_at INTEGER,
  assigned_at INTEGER,
  requester_updated_at INTEGER,
  assignee_updated_at INTEGER,
  -- Copies of the ticket's priority, type and tags (" a b "), so that a
  -- round filters on this small table alone and reads only the tickets
  -- that may match.
  priority TEXT NOT NULL DEFAULT '',
  type TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT ''
);
CREATE INDEX ticket_clocks_status ON ticket_clocks(status, status_at);

-- One row per firing: (automation, ticket, stamp) where the stamp names the
-- condition-match (the clock values it counted from), so a repeated round
-- or a second node never fires the same match twice.
CREATE TABLE automation_fires (
  automation_id INTEGER NOT NULL,
  ticket_id INTEGER NOT NULL,
  stamp TEXT NOT NULL,
  fired_at INTEGER NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  PRIMARY KEY (automation_id, ticket_id, stamp)
);
CREATE INDEX automation_fires_ticket ON automation_fires(ticket_id);

-- Follow-ups (a Kizuna extension): N days after a date in a user field,
-- open an outbound task ticket for that user, once.
CREATE TABLE followups (
  id INTEGER PRIMARY KEY,
  title TEXT NOT NULL,
  active INTEGER NOT NULL DEFAULT 1,
  user_field TEXT NOT NULL,
  days INTEGER NOT NULL,
  group_id INTEGER,
  subject TEXT NOT NULL,
  body TEXT NOT NULL,
  priority TEXT NOT NULL DEFAULT '',
  tags TEXT NOT NULL DEFAULT '',
  created_by INTEGER NOT NULL,
  scan_updated_at INTEGER NOT NULL DEFAULT 0,
  scan_user_id INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE followup_due (
  followup_id INTEGER NOT NULL REFERENCES followups(id) ON DELETE CASCADE,
  user_id INTEGER NOT NULL REFERENCES users(id) ON DELETE CASCADE,
  due_at INTEGER NOT NULL,
  done_at INTEGER,
  ticket_id INTEGER,
  PRIMARY KEY (followup_id, user_id)
);
CREATE INDEX followup_due_pending ON followup_due(due_at) WHERE done_at IS NULL;

-- Small settings of the area, e.g. that the shipped automations were made
-- (so deleting one does not bring it back on the next start).
CREATE TABLE automation_settings (
  name TEXT PRIMARY KEY,
  value TEXT NOT NULL
);
