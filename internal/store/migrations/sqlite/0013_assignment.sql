-- Assignment and snooze (issue 4). Each agent's availability, capacity and
-- skills; who owns a ticket to the end; snoozed tickets; and the assignment
-- rule of each group or inbox, with its round-robin cursor kept here so
-- every node continues the same rotation.
CREATE TABLE agent_status (
  user_id INTEGER PRIMARY KEY REFERENCES users(id) ON DELETE CASCADE,
  availability TEXT NOT NULL DEFAULT 'offline',
  capacity INTEGER NOT NULL DEFAULT 10,
  skills TEXT NOT NULL DEFAULT '[]',
  updated_at INTEGER NOT NULL
);

CREATE TABLE ticket_ownership (
  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  own_to_end INTEGER NOT NULL DEFAULT 0,
  updated_at INTEGER NOT NULL
);

-- A row exists while the ticket sleeps; waking deletes it.
CREATE TABLE ticket_snoozes (
  ticket_id INTEGER PRIMARY KEY REFERENCES tickets(id) ON DELETE CASCADE,
  until_at INTEGER NOT NULL,
  reason TEXT NOT NULL DEFAULT '',
  notify_user_id INTEGER,
  created_by INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE INDEX ticket_snoozes_until ON ticket_snoozes(until_at);

-- Exactly one of group_id and inbox_id is set.
CREATE TABLE assignment_rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  group_id INTEGER UNIQUE REFERENCES agent_groups(id) ON DELETE CASCADE,
  inbox_id INTEGER UNIQUE REFERENCES inboxes(id) ON DELETE CASCADE,
  mode TEXT NOT NULL,
  return_on_reply TEXT NOT NULL DEFAULT 'unavailable',
  rr_cursor INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
