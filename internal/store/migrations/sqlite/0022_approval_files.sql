-- Approval before sending: files attached to a draft (docs/web.md
-- "Approval before sending"). The attachment rows are ordinary uploads
-- (comment_id NULL) until the draft is sent, when the public comment
-- claims exactly the files still linked here. An attachment belongs to at
-- most one draft.
CREATE TABLE approval_draft_files (
  attachment_id INTEGER PRIMARY KEY REFERENCES attachments(id) ON DELETE CASCADE,
  draft_id INTEGER NOT NULL REFERENCES approval_drafts(id) ON DELETE CASCADE
);
CREATE INDEX approval_draft_files_draft ON approval_draft_files(draft_id, attachment_id);
