-- Approval before sending (承認, docs/web.md "Approval before sending").
-- A user with approval_required may not post a public reply directly: they
-- submit a draft, which an approver sends on their behalf, approves back to
-- them, or returns with a comment.
ALTER TABLE users ADD COLUMN approval_required INTEGER NOT NULL DEFAULT 0;

-- One draft reply per row. state: pending, returned, approved, sent.
-- comment_id is the public comment once the draft was sent.
CREATE TABLE approval_drafts (
  id INTEGER PRIMARY KEY,
  ticket_id INTEGER NOT NULL REFERENCES tickets(id) ON DELETE CASCADE,
  author_id INTEGER NOT NULL REFERENCES users(id),
  state TEXT NOT NULL,
  body TEXT NOT NULL,
  html_body TEXT NOT NULL DEFAULT '',
  cc TEXT NOT NULL DEFAULT '',
  approver_comment TEXT NOT NULL DEFAULT '',
  decided_by INTEGER REFERENCES users(id),
  comment_id INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  decided_at INTEGER,
  sent_at INTEGER
);
CREATE INDEX approval_drafts_ticket ON approval_drafts(ticket_id, id);
CREATE INDEX approval_drafts_state ON approval_drafts(state, updated_at);

-- Every transition of a draft, in order: the history the ticket page shows.
-- action: submitted, resubmitted, edited, returned, approved, sent.
CREATE TABLE approval_events (
  id INTEGER PRIMARY KEY,
  draft_id INTEGER NOT NULL REFERENCES approval_drafts(id) ON DELETE CASCADE,
  ticket_id INTEGER NOT NULL,
  actor_id INTEGER NOT NULL REFERENCES users(id),
  action TEXT NOT NULL,
  note TEXT NOT NULL DEFAULT '',
  created_at INTEGER NOT NULL
);
CREATE INDEX approval_events_draft ON approval_events(draft_id, id);
