package store

import (
	"github.com/kizuna-desk/kizuna/internal/model"
)

const commentCols = "id, ticket_id, audit_id, author_id, public, body, html_body, via, metadata, created_at"

func scanComment(sc scanner) (*model.Comment, error) {
	var (
		c        model.Comment
		metadata string
		created  int64
	)
	if err := sc.Scan(&c.ID, &c.TicketID, &c.AuditID, &c.AuthorID, &c.Public, &c.Body, &c.HTMLBody, &c.Via, &metadata, &created); err != nil {
		return nil, err
	}
	c.Metadata = fromJSON[map[string]any](metadata)
	c.CreatedAt = fromMS(created)
	return &c, nil
}

// InsertComment stores a comment and links the attachments it carries.
func (t *Tx) InsertComment(c *model.Comment) error {
	const cols = "ticket_id, audit_id, author_id, public, body, html_body, via, metadata, created_at"
	args := []any{c.TicketID, c.AuditID, c.AuthorID, c.Public, c.Body, c.HTMLBody, c.Via, jsonText(orEmptyMap(c.Metadata)), ms(c.CreatedAt)}
	id, err := t.insertRow("comments", cols, args)
	if err != nil {
		return err
	}
	c.ID = id
	for i := range c.Attachments {
		a := &c.Attachments[i]
		a.CommentID = id
		if a.ID != 0 {
			if _, err := t.exec("UPDATE attachments SET comment_id = ? WHERE id = ?", id, a.ID); err != nil {
				return err
			}
			continue
		}
		if err := t.InsertAttachment(a); err != nil {
			return err
		}
	}
	return nil
}

// Comments returns a ticket's comments in order, with attachments, one page
// at a time (afterID = 0 starts at the beginning). publicOnly hides notes.
func (t *Tx) Comments(ticketID int64, publicOnly bool, afterID int64, limit int, desc bool) ([]*model.Comment, error) {
	q := "SELECT " + commentCols + " FROM comments WHERE ticket_id = ?"
	args := []any{ticketID}
	if publicOnly {
		q += " AND public = ?"
		args = append(args, true)
	}
	if afterID > 0 {
		if desc {
			q += " AND id < ?"
		} else {
			q += " AND id > ?"
		}
		args = append(args, afterID)
	}
	if desc {
		q += " ORDER BY id DESC"
	} else {
		q += " ORDER BY id"
	}
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	comments, err := queryAll(t, scanComment, q, args...)
	if err != nil || len(comments) == 0 {
		return comments, err
	}
	return comments, t.attachTo(comments)
}

// CountComments counts a ticket's comments.
func (t *Tx) CountComments(ticketID int64, publicOnly bool) (int64, error) {
	if publicOnly {
		return t.count("SELECT COUNT(*) FROM comments WHERE ticket_id = ? AND public = ?", ticketID, true)
	}
	return t.count("SELECT COUNT(*) FROM comments WHERE ticket_id = ?", ticketID)
}

// MakeCommentPrivate turns a public reply into an internal note (Zendesk's
// make_private), e.g. when it was sent to the wrong person.
func (t *Tx) MakeCommentPrivate(ticketID, commentID int64) error {
	res, err := t.exec("UPDATE comments SET public = ? WHERE id = ? AND ticket_id = ?", false, commentID, ticketID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}

func (t *Tx) attachTo(comments []*model.Comment) error {
	ids := make([]int64, len(comments))
	byID := make(map[int64]*model.Comment, len(comments))
	for i, c := range comments {
		ids[i] = c.ID
		byID[c.ID] = c
	}
	atts, err := queryAll(t, scanAttachment, "SELECT "+attachmentCols+" FROM attachments WHERE comment_id IN ("+placeholders(len(ids))+") ORDER BY id", int64Args(ids)...)
	if err != nil {
		return err
	}
	for _, a := range atts {
		c := byID[a.CommentID]
		c.Attachments = append(c.Attachments, *a)
	}
	return nil
}

const attachmentCols = "id, comment_id, upload_token, file_name, content_type, size, sha256, inline, created_at"

func scanAttachment(sc scanner) (*model.Attachment, error) {
	var (
		a       model.Attachment
		comment nullInt
		token   nullString
		created int64
	)
	if err := sc.Scan(&a.ID, &comment, &token, &a.FileName, &a.ContentType, &a.Size, &a.SHA256, &a.Inline, &created); err != nil {
		return nil, err
	}
	a.CommentID, a.UploadToken, a.CreatedAt = comment.Int64, token.String, fromMS(created)
	return &a, nil
}

// InsertAttachment records an attachment whose bytes are already stored.
func (t *Tx) InsertAttachment(a *model.Attachment) error {
	id, err := t.insert("INSERT INTO attachments (comment_id, upload_token, file_name, content_type, size, sha256, inline, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
		nullID(a.CommentID), nullStr(a.UploadToken), a.FileName, a.ContentType, a.Size, a.SHA256, a.Inline, ms(a.CreatedAt))
	a.ID = id
	return err
}

// Attachment returns one attachment.
func (t *Tx) Attachment(id int64) (*model.Attachment, error) {
	a, err := scanAttachment(t.queryRow("SELECT "+attachmentCols+" FROM attachments WHERE id = ?", id))
	return a, t.wrap(err)
}

// InsertUpload opens an upload token that collects attachments until a
// comment claims them.
func (t *Tx) InsertUpload(token string, userID int64, at int64) error {
	_, err := t.exec("INSERT INTO uploads (token, user_id, created_at) VALUES (?, ?, ?)", token, userID, at)
	return err
}

// UploadOwner returns the user who opened an upload token.
func (t *Tx) UploadOwner(token string) (int64, error) {
	var uid int64
	err := t.queryRow("SELECT user_id FROM uploads WHERE token = ?", token).Scan(&uid)
	return uid, t.wrap(err)
}

// UploadAttachments returns the unclaimed attachments of an upload token.
func (t *Tx) UploadAttachments(token string) ([]*model.Attachment, error) {
	return queryAll(t, scanAttachment, "SELECT "+attachmentCols+" FROM attachments WHERE upload_token = ? AND comment_id IS NULL ORDER BY id", token)
}

// DeleteUpload removes an upload token and its unclaimed attachments.
func (t *Tx) DeleteUpload(token string) error {
	if _, err := t.exec("DELETE FROM attachments WHERE upload_token = ? AND comment_id IS NULL", token); err != nil {
		return err
	}
	_, err := t.exec("DELETE FROM uploads WHERE token = ?", token)
	return err
}

const auditCols = "id, ticket_id, author_id, via, metadata, events, created_at"

func scanAudit(sc scanner) (*model.Audit, error) {
	var (
		a                model.Audit
		metadata, events string
		created          int64
	)
	if err := sc.Scan(&a.ID, &a.TicketID, &a.AuthorID, &a.Via, &metadata, &events, &created); err != nil {
		return nil, err
	}
	a.Metadata = fromJSON[map[string]any](metadata)
	a.Events = fromJSON[[]model.AuditEvent](events)
	a.CreatedAt = fromMS(created)
	return &a, nil
}

// InsertAudit appends an audit record. Audits are never updated: the trail is
// append-only.
func (t *Tx) InsertAudit(a *model.Audit) error {
	const cols = "ticket_id, author_id, via, metadata, events, created_at"
	args := []any{a.TicketID, a.AuthorID, a.Via, jsonText(orEmptyMap(a.Metadata)), jsonText(orEmpty(a.Events)), ms(a.CreatedAt)}
	id, err := t.insertRow("audits", cols, args)
	a.ID = id
	return err
}

// SetAuditEvents records the final events of an audit created in the same
// transaction; event ids are only known once the comment is stored.
func (t *Tx) SetAuditEvents(a *model.Audit) error {
	return t.execLater("UPDATE audits SET events = ? WHERE id = ?", jsonText(orEmpty(a.Events)), a.ID)
}

// Audits returns a ticket's audits in order, one page at a time.
func (t *Tx) Audits(ticketID int64, afterID int64, limit int, desc bool) ([]*model.Audit, error) {
	q := "SELECT " + auditCols + " FROM audits WHERE ticket_id = ?"
	args := []any{ticketID}
	if afterID > 0 {
		if desc {
			q += " AND id < ?"
		} else {
			q += " AND id > ?"
		}
		args = append(args, afterID)
	}
	if desc {
		q += " ORDER BY id DESC"
	} else {
		q += " ORDER BY id"
	}
	if limit > 0 {
		q += " LIMIT ?"
		args = append(args, limit)
	}
	return queryAll(t, scanAudit, q, args...)
}

// Audit returns one audit of a ticket.
func (t *Tx) Audit(ticketID, id int64) (*model.Audit, error) {
	a, err := scanAudit(t.queryRow("SELECT "+auditCols+" FROM audits WHERE ticket_id = ? AND id = ?", ticketID, id))
	return a, t.wrap(err)
}

// CountAudits counts a ticket's audits.
func (t *Tx) CountAudits(ticketID int64) (int64, error) {
	return t.count("SELECT COUNT(*) FROM audits WHERE ticket_id = ?", ticketID)
}

// TicketOfComment returns the ticket a comment belongs to.
func (t *Tx) TicketOfComment(commentID int64) (*model.Ticket, error) {
	tk, err := scanTicket(t.queryRow("SELECT "+ticketCols+" FROM tickets t JOIN comments c ON c.ticket_id = t.id WHERE c.id = ?", commentID))
	return tk, t.wrap(err)
}

// CommentIsPublic reports whether a comment is a public reply.
func (t *Tx) CommentIsPublic(commentID int64) (bool, error) {
	var public bool
	err := t.queryRow("SELECT public FROM comments WHERE id = ?", commentID).Scan(&public)
	return public, t.wrap(err)
}
