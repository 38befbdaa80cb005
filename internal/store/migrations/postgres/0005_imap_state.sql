-- Where the IMAP poller got to in each inbox's mailbox: UIDs are only
-- meaningful with their UIDVALIDITY, and every UID up to last_uid is stored
-- (or was skipped on purpose), so a restart resumes instead of rescanning.
CREATE TABLE imap_state (
  inbox_id BIGINT PRIMARY KEY REFERENCES inboxes(id) ON DELETE CASCADE,
  uidvalidity BIGINT NOT NULL,
  last_uid BIGINT NOT NULL,
  updated_at BIGINT NOT NULL
);
