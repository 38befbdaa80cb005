-- Timed work (automations, SLA warnings, snooze wake-ups, survey mails,
-- webhook retries) runs on one node at a time even when several
-- `kizuna serve` share a PostgreSQL database: a node does a round only
-- while it holds the round's lease.
CREATE TABLE leases (
  name TEXT PRIMARY KEY,
  holder TEXT NOT NULL,
  expires_at INTEGER NOT NULL
);
