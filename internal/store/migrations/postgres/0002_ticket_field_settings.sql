-- Zendesk ticket-field attributes beyond what tickets need to validate
-- values: how the field shows in the customer portal and to agents. Kept in
-- their own table so the ticket_fields row stays what the tickets domain reads.
CREATE TABLE ticket_field_settings (
  field_id BIGINT PRIMARY KEY REFERENCES ticket_fields(id) ON DELETE CASCADE,
  title_in_portal TEXT NOT NULL DEFAULT '',
  visible_in_portal BOOLEAN NOT NULL DEFAULT FALSE,
  editable_in_portal BOOLEAN NOT NULL DEFAULT FALSE,
  required_in_portal BOOLEAN NOT NULL DEFAULT FALSE,
  collapsed_for_agents BOOLEAN NOT NULL DEFAULT FALSE,
  agent_description TEXT NOT NULL DEFAULT '',
  field_key TEXT
);
CREATE UNIQUE INDEX ticket_field_settings_key ON ticket_field_settings(field_key);
