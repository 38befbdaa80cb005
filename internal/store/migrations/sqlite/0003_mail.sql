-- Shared inboxes (受信箱): each has addresses, a brand, a default group,
-- a signature and its own incoming/outgoing mail settings. Secrets inside
-- the settings JSON are encrypted by the mail package before they get here.
CREATE TABLE inboxes (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL,
  brand_id INTEGER REFERENCES brands(id),
  default_group_id INTEGER REFERENCES agent_groups(id),
  signature TEXT NOT NULL DEFAULT '',
  auto_ack INTEGER NOT NULL DEFAULT 0,
  auto_ack_subject TEXT NOT NULL DEFAULT '',
  auto_ack_body TEXT NOT NULL DEFAULT '',
  ticket_token TEXT NOT NULL DEFAULT 'subject',
  legacy_charset TEXT NOT NULL DEFAULT '',
  incoming TEXT NOT NULL DEFAULT '{}',
  outgoing TEXT NOT NULL DEFAULT '{}',
  active INTEGER NOT NULL DEFAULT 1,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

-- One row per address; plus-addressing (support+anything@) is resolved by
-- stripping the +tag before the lookup.
CREATE TABLE inbox_addresses (
  address TEXT PRIMARY KEY,
  inbox_id INTEGER NOT NULL REFERENCES inboxes(id) ON DELETE CASCADE
);
CREATE INDEX inbox_addresses_inbox ON inbox_addresses(inbox_id);

-- Every mail in or out, with its raw bytes kept as a blob (sha256) so the
-- original is always downloadable. A message is stored here before the SMTP
-- listener answers 250 or the IMAP poller marks it seen.
CREATE TABLE mail_messages (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  inbox_id INTEGER REFERENCES inboxes(id),
  direction TEXT NOT NULL,
  message_id TEXT NOT NULL DEFAULT '',
  in_reply_to TEXT NOT NULL DEFAULT '',
  refs TEXT NOT NULL DEFAULT '',
  sha256 TEXT NOT NULL,
  size INTEGER NOT NULL,
  mail_from TEXT NOT NULL DEFAULT '',
  rcpt_to TEXT NOT NULL DEFAULT '',
  subject TEXT NOT NULL DEFAULT '',
  ticket_id INTEGER REFERENCES tickets(id) ON DELETE SET NULL,
  comment_id INTEGER REFERENCES comments(id) ON DELETE SET NULL,
  state TEXT NOT NULL,
  error TEXT NOT NULL DEFAULT '',
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  source TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
-- The same message arriving twice (redelivery, SMTP and IMAP) is stored once.
CREATE UNIQUE INDEX mail_messages_dedupe ON mail_messages(inbox_id, direction, message_id) WHERE message_id <> '';
CREATE INDEX mail_messages_message_id ON mail_messages(message_id);
CREATE INDEX mail_messages_ticket ON mail_messages(ticket_id, id);
CREATE INDEX mail_messages_state ON mail_messages(state, next_attempt_at);
