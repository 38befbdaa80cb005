-- Ticket field ids must never be reused: values of a deleted field stay in
-- tickets' custom_fields JSON and would reappear under a new field that got
-- the same id. SQLite reuses the highest rowid after a delete unless the key
-- is AUTOINCREMENT, so rebuild the table with it (PostgreSQL never reuses).
CREATE TABLE ticket_fields_new (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  type TEXT NOT NULL,
  title TEXT NOT NULL,
  description TEXT NOT NULL DEFAULT '',
  position INTEGER NOT NULL DEFAULT 0,
  active INTEGER NOT NULL DEFAULT 1,
  required INTEGER NOT NULL DEFAULT 0,
  options TEXT NOT NULL DEFAULT '[]',
  regexp TEXT NOT NULL DEFAULT '',
  tag TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
INSERT INTO ticket_fields_new (id, type, title, description, position, active, required, options, regexp, tag, created_at, updated_at)
  SELECT id, type, title, description, position, active, required, options, regexp, tag, created_at, updated_at FROM ticket_fields;
DROP TABLE ticket_fields;
ALTER TABLE ticket_fields_new RENAME TO ticket_fields;

-- Zendesk ticket-field attributes beyond what tickets need to validate
-- values: how the field shows in the customer portal and to agents. Kept in
-- their own table so the ticket_fields row stays what the tickets domain reads.
CREATE TABLE ticket_field_settings (
  field_id INTEGER PRIMARY KEY REFERENCES ticket_fields(id) ON DELETE CASCADE,
  title_in_portal TEXT NOT NULL DEFAULT '',
  visible_in_portal INTEGER NOT NULL DEFAULT 0,
  editable_in_portal INTEGER NOT NULL DEFAULT 0,
  required_in_portal INTEGER NOT NULL DEFAULT 0,
  collapsed_for_agents INTEGER NOT NULL DEFAULT 0,
  agent_description TEXT NOT NULL DEFAULT '',
  field_key TEXT
);
CREATE UNIQUE INDEX ticket_field_settings_key ON ticket_field_settings(field_key);
