package store

import (
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Queries behind the ticket operations mail work needs: merge, split and
// the per-customer timeline.

// MoveTicketMail re-links every mail of the tickets fromIDs to ticket to, so
// a reply to a merged ticket's Message-IDs threads onto the ticket it was
// merged into. It returns how many mails moved.
func (t *Tx) MoveTicketMail(fromIDs []int64, to int64, now time.Time) (int64, error) {
	if len(fromIDs) == 0 {
		return 0, nil
	}
	args := append([]any{to, ms(now)}, int64Args(fromIDs)...)
	res, err := t.exec("UPDATE mail_messages SET ticket_id = ?, updated_at = ? WHERE ticket_id IN ("+placeholders(len(fromIDs))+")", args...)
	if err != nil {
		return 0, err
	}
	n, _ := res.RowsAffected()
	return n, nil
}

// MoveComments moves comments (with their attachments, which hang off the
// comment) from one ticket to another, re-homing them under auditID of the
// new ticket, and moves the mails those comments came from or went out as.
// It returns ErrNotFound unless every comment was on ticket from.
func (t *Tx) MoveComments(ids []int64, from, to, auditID int64, now time.Time) error {
	if len(ids) == 0 {
		return nil
	}
	in := placeholders(len(ids))
	res, err := t.exec("UPDATE comments SET ticket_id = ?, audit_id = ? WHERE ticket_id = ? AND id IN ("+in+")",
		append([]any{to, auditID, from}, int64Args(ids)...)...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n != int64(len(ids)) {
		return ErrNotFound
	}
	_, err = t.exec("UPDATE mail_messages SET ticket_id = ?, updated_at = ? WHERE comment_id IN ("+in+")",
		append([]any{to, ms(now)}, int64Args(ids)...)...)
	return err
}

// TimelineScope picks whose tickets a timeline shows: one requester's, and
// with OrganizationID also every ticket of that organization.
type TimelineScope struct {
	RequesterID    int64
	OrganizationID int64 // 0: the requester's tickets only
}

// where returns the ticket condition (on alias t) and its arguments.
func (s TimelineScope) where() (string, []any) {
	if s.OrganizationID != 0 {
		// Each side of the OR has its own index (tickets_requester,
		// tickets_org); both dialects combine them.
		return "t.deleted_at IS NULL AND (t.requester_id = ? OR t.organization_id = ?)", []any{s.RequesterID, s.OrganizationID}
	}
	return "t.deleted_at IS NULL AND t.requester_id = ?", []any{s.RequesterID}
}

// TimelineBound is an exclusive upper bound for a newest-first keyset page:
// rows with time < At, or time = At and id < ID, come after it. Callers set
// ID to math.MaxInt64 or 0 to take all or none of the rows at exactly At.
type TimelineBound struct {
	At time.Time
	ID int64
}

func (b *TimelineBound) cond(timeCol, idCol string) (string, []any) {
	if b == nil {
		return "", nil
	}
	at := ms(b.At)
	return " AND (" + timeCol + " < ? OR (" + timeCol + " = ? AND " + idCol + " < ?))", []any{at, at, b.ID}
}

// TimelineTickets returns the scope's live tickets, latest activity first.
func (t *Tx) TimelineTickets(scope TimelineScope, before *TimelineBound, limit int) ([]*model.Ticket, error) {
	q, args := timelineTicketsSQL(scope, before, limit)
	return queryAll(t, scanTicket, q, args...)
}

// TimelineComments returns comments on the scope's tickets, newest first,
// without attachments.
func (t *Tx) TimelineComments(scope TimelineScope, before *TimelineBound, limit int) ([]*model.Comment, error) {
	q, args := timelineOfTicketsSQL(commentCols, "comments", scope, before, limit)
	return queryAll(t, scanComment, q, args...)
}

// TimelineMails returns the mails of the scope's tickets, newest first.
func (t *Tx) TimelineMails(scope TimelineScope, before *TimelineBound, limit int) ([]*model.MailMessage, error) {
	q, args := timelineOfTicketsSQL(mailCols, "mail_messages", scope, before, limit)
	return queryAll(t, scanMail, q, args...)
}

// The timeline's SQL is built apart from the methods so a test can check
// its query plan uses the indexes (tickets_requester, tickets_org,
// comments_ticket, mail_messages_ticket).
func timelineTicketsSQL(scope TimelineScope, before *TimelineBound, limit int) (string, []any) {
	w, args := scope.where()
	c, cargs := before.cond("t.updated_at", "t.id")
	return "SELECT " + ticketCols + " FROM tickets t WHERE " + w + c + " ORDER BY t.updated_at DESC, t.id DESC LIMIT ?", append(append(args, cargs...), limit)
}

func timelineOfTicketsSQL(cols, table string, scope TimelineScope, before *TimelineBound, limit int) (string, []any) {
	w, args := scope.where()
	c, cargs := before.cond("created_at", "id")
	return "SELECT " + cols + " FROM " + table + " WHERE ticket_id IN (SELECT t.id FROM tickets t WHERE " + w + ")" + c +
		" ORDER BY created_at DESC, id DESC LIMIT ?", append(append(args, cargs...), limit)
}

func latestCommentsSQL(ticketIDs []int64) (string, []any) {
	return "SELECT " + commentCols + " FROM comments WHERE id IN (SELECT MAX(id) FROM comments WHERE ticket_id IN (" +
		placeholders(len(ticketIDs)) + ") GROUP BY ticket_id)", int64Args(ticketIDs)
}

// LatestComments returns the newest comment of each ticket, by ticket id.
func (t *Tx) LatestComments(ticketIDs []int64) (map[int64]*model.Comment, error) {
	out := make(map[int64]*model.Comment, len(ticketIDs))
	if len(ticketIDs) == 0 {
		return out, nil
	}
	q, args := latestCommentsSQL(ticketIDs)
	list, err := queryAll(t, scanComment, q, args...)
	for _, c := range list {
		out[c.TicketID] = c
	}
	return out, err
}
