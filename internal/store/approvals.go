package store

import (
	"database/sql"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// ApprovalDraft is a reply waiting for, or through, approval before sending
// (internal/approvals owns the rules).
type ApprovalDraft struct {
	ID              int64
	TicketID        int64
	AuthorID        int64
	State           string // pending, returned, approved, sent
	Body            string // plain text
	HTMLBody        string // as the composer produced it (sanitised by the domain)
	CC              []string
	ApproverComment string
	DecidedBy       int64 // who returned, approved or sent it last; 0 while undecided
	CommentID       int64 // the public comment once sent
	CreatedAt       time.Time
	UpdatedAt       time.Time
	DecidedAt       time.Time
	SentAt          time.Time
	// Files attached to the draft (approval_draft_files); filled by
	// internal/approvals, not a column.
	Files []*model.Attachment
}

// ApprovalEvent is one transition of a draft, for its history.
type ApprovalEvent struct {
	ID        int64
	DraftID   int64
	TicketID  int64
	ActorID   int64
	Action    string // submitted, resubmitted, edited, returned, approved, sent
	Note      string
	CreatedAt time.Time
}

const approvalDraftCols = `id, ticket_id, author_id, state, body, html_body, cc, approver_comment, decided_by, comment_id,
	created_at, updated_at, decided_at, sent_at`

func scanApprovalDraft(sc scanner) (*ApprovalDraft, error) {
	var (
		d                ApprovalDraft
		cc               string
		decidedBy, cid   nullInt
		created, updated int64
		decided, sent    sql.NullInt64
	)
	err := sc.Scan(&d.ID, &d.TicketID, &d.AuthorID, &d.State, &d.Body, &d.HTMLBody, &cc, &d.ApproverComment, &decidedBy, &cid,
		&created, &updated, &decided, &sent)
	if err != nil {
		return nil, err
	}
	if cc != "" {
		d.CC = strings.Split(cc, " ")
	}
	d.DecidedBy, d.CommentID = decidedBy.Int64, cid.Int64
	d.CreatedAt, d.UpdatedAt, d.DecidedAt, d.SentAt = fromMS(created), fromMS(updated), fromNullMS(decided), fromNullMS(sent)
	return &d, nil
}

func approvalDraftArgs(d *ApprovalDraft) []any {
	return []any{d.TicketID, d.AuthorID, d.State, d.Body, d.HTMLBody, strings.Join(d.CC, " "), d.ApproverComment,
		nullID(d.DecidedBy), nullID(d.CommentID), ms(d.CreatedAt), ms(d.UpdatedAt), nullMS(d.DecidedAt), nullMS(d.SentAt)}
}

const approvalDraftWriteCols = `ticket_id, author_id, state, body, html_body, cc, approver_comment, decided_by, comment_id,
	created_at, updated_at, decided_at, sent_at`

// InsertApprovalDraft stores a new draft and sets its id.
func (t *Tx) InsertApprovalDraft(d *ApprovalDraft) error {
	args := approvalDraftArgs(d)
	id, err := t.insert("INSERT INTO approval_drafts ("+approvalDraftWriteCols+") VALUES ("+placeholders(len(args))+")", args...)
	d.ID = id
	return err
}

// UpdateApprovalDraft rewrites a draft.
func (t *Tx) UpdateApprovalDraft(d *ApprovalDraft) error {
	cols := strings.Split(approvalDraftWriteCols, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c) + " = ?"
	}
	res, err := t.exec("UPDATE approval_drafts SET "+strings.Join(cols, ", ")+" WHERE id = ?", append(approvalDraftArgs(d), d.ID)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

// ApprovalDraft returns one draft.
func (t *Tx) ApprovalDraft(id int64) (*ApprovalDraft, error) {
	d, err := scanApprovalDraft(t.queryRow("SELECT "+approvalDraftCols+" FROM approval_drafts WHERE id = ?", id))
	return d, t.wrap(err)
}

// ApprovalDraftForUpdate returns one draft, locked until the transaction
// ends (PostgreSQL; SQLite has one writer), so two decisions on one draft
// apply one after the other and the second sees the first's state.
func (t *Tx) ApprovalDraftForUpdate(id int64) (*ApprovalDraft, error) {
	d, err := scanApprovalDraft(t.queryRow("SELECT "+approvalDraftCols+" FROM approval_drafts WHERE id = ?"+t.d.lockSuffix(), id))
	return d, t.wrap(err)
}

// TicketApprovalDrafts lists a ticket's drafts, oldest first; with open
// only those not yet sent.
func (t *Tx) TicketApprovalDrafts(ticketID int64, open bool) ([]*ApprovalDraft, error) {
	q := "SELECT " + approvalDraftCols + " FROM approval_drafts WHERE ticket_id = ?"
	if open {
		q += " AND state <> 'sent'"
	}
	return queryAll(t, scanApprovalDraft, q+" ORDER BY id", ticketID)
}

// ApprovalDraftsByState lists drafts in one state on tickets not deleted,
// oldest change first.
func (t *Tx) ApprovalDraftsByState(state string, limit int) ([]*ApprovalDraft, error) {
	return queryAll(t, scanApprovalDraft, "SELECT "+approvalDraftCols+" FROM approval_drafts WHERE state = ? AND ticket_id NOT IN "+
		"(SELECT id FROM tickets WHERE deleted_at IS NOT NULL) ORDER BY updated_at, id LIMIT ?", state, limit)
}

// CountApprovalDrafts counts drafts in one state on tickets not deleted.
func (t *Tx) CountApprovalDrafts(state string) (int64, error) {
	return t.count("SELECT COUNT(*) FROM approval_drafts WHERE state = ? AND ticket_id NOT IN (SELECT id FROM tickets WHERE deleted_at IS NOT NULL)", state)
}

// InsertApprovalEvent appends to a draft's history.
func (t *Tx) InsertApprovalEvent(e *ApprovalEvent) error {
	id, err := t.insert("INSERT INTO approval_events (draft_id, ticket_id, actor_id, action, note, created_at) VALUES (?, ?, ?, ?, ?, ?)",
		e.DraftID, e.TicketID, e.ActorID, e.Action, e.Note, ms(e.CreatedAt))
	e.ID = id
	return err
}

// TicketApprovalEvents lists the history of every draft of a ticket, in order.
func (t *Tx) TicketApprovalEvents(ticketID int64) ([]*ApprovalEvent, error) {
	return queryAll(t, func(sc scanner) (*ApprovalEvent, error) {
		var (
			e       ApprovalEvent
			created int64
		)
		err := sc.Scan(&e.ID, &e.DraftID, &e.TicketID, &e.ActorID, &e.Action, &e.Note, &created)
		e.CreatedAt = fromMS(created)
		return &e, err
	}, "SELECT id, draft_id, ticket_id, actor_id, action, note, created_at FROM approval_events WHERE ticket_id = ? ORDER BY id", ticketID)
}

// ApprovalDraftFiles returns the files attached to drafts, by draft, in the
// order they were attached.
func (t *Tx) ApprovalDraftFiles(draftIDs ...int64) (map[int64][]*model.Attachment, error) {
	out := map[int64][]*model.Attachment{}
	if len(draftIDs) == 0 {
		return out, nil
	}
	type row struct {
		draft int64
		att   *model.Attachment
	}
	rows, err := queryAll(t, func(sc scanner) (row, error) {
		var (
			r       row
			a       model.Attachment
			comment nullInt
			token   nullString
			created int64
		)
		err := sc.Scan(&r.draft, &a.ID, &comment, &token, &a.FileName, &a.ContentType, &a.Size, &a.SHA256, &a.Inline, &created)
		a.CommentID, a.UploadToken, a.CreatedAt = comment.Int64, token.String, fromMS(created)
		r.att = &a
		return r, err
	}, "SELECT f.draft_id, a.id, a.comment_id, a.upload_token, a.file_name, a.content_type, a.size, a.sha256, a.inline, a.created_at"+
		" FROM approval_draft_files f JOIN attachments a ON a.id = f.attachment_id WHERE f.draft_id IN ("+placeholders(len(draftIDs))+
		") ORDER BY a.id", int64Args(draftIDs)...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.draft] = append(out[r.draft], r.att)
	}
	return out, nil
}

// FreeUploadAttachments returns an upload token's attachments that neither
// a comment nor a draft has claimed yet.
func (t *Tx) FreeUploadAttachments(token string) ([]*model.Attachment, error) {
	return queryAll(t, scanAttachment, "SELECT "+attachmentCols+" FROM attachments WHERE upload_token = ? AND comment_id IS NULL"+
		" AND id NOT IN (SELECT attachment_id FROM approval_draft_files) ORDER BY id", token)
}

// AddApprovalDraftFile links an unclaimed attachment to a draft.
func (t *Tx) AddApprovalDraftFile(draftID, attachmentID int64) error {
	_, err := t.exec("INSERT INTO approval_draft_files (attachment_id, draft_id) VALUES (?, ?)", attachmentID, draftID)
	return err
}

// RemoveApprovalDraftFile unlinks a file from a draft and deletes the
// attachment row while no comment has claimed it (its bytes stay in the
// blob store, shared by content).
func (t *Tx) RemoveApprovalDraftFile(draftID, attachmentID int64) error {
	res, err := t.exec("DELETE FROM approval_draft_files WHERE draft_id = ? AND attachment_id = ?", draftID, attachmentID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	_, err = t.exec("DELETE FROM attachments WHERE id = ? AND comment_id IS NULL", attachmentID)
	return err
}

// ApprovalDraftOfFile returns the ticket of the draft an attachment is
// attached to (ErrNotFound when none).
func (t *Tx) ApprovalDraftOfFile(attachmentID int64) (ticketID int64, err error) {
	err = t.queryRow("SELECT d.ticket_id FROM approval_draft_files f JOIN approval_drafts d ON d.id = f.draft_id WHERE f.attachment_id = ?",
		attachmentID).Scan(&ticketID)
	return ticketID, t.wrap(err)
}
