package store

import (
	"database/sql"
	"time"
)

// InboxCount is one inbox's number of unsolved tickets.
type InboxCount struct {
	InboxID int64
	Count   int64
}

// WebInboxCounts counts the unsolved tickets of each inbox (one pass over
// the unsolved range; tickets_inbox_status serves the per-inbox lists).
// Inboxes without unsolved tickets are left out.
func (t *Tx) WebInboxCounts() ([]InboxCount, error) {
	return queryAll(t, func(sc scanner) (InboxCount, error) {
		var c InboxCount
		err := sc.Scan(&c.InboxID, &c.Count)
		return c, err
	}, `SELECT inbox_id, COUNT(*) FROM tickets
WHERE deleted_at IS NULL AND status IN (?, ?, ?, ?) AND inbox_id IS NOT NULL
GROUP BY inbox_id ORDER BY inbox_id`, unsolvedStatuses...)
}

// WebTopTags returns the limit tags most used on unsolved tickets, most
// used first (ties by name). CROSS JOIN makes SQLite start from the
// unsolved tickets (a range of the status index) and read each one's tags,
// instead of reading every tag of every ticket ever (3× slower at 100k
// tickets); PostgreSQL plans it as an inner join.
func (t *Tx) WebTopTags(limit int) ([]TagCount, error) {
	return queryAll(t, func(sc scanner) (TagCount, error) {
		var c TagCount
		err := sc.Scan(&c.Name, &c.Count)
		return c, err
	}, `SELECT tt.tag, COUNT(*) FROM tickets t CROSS JOIN ticket_tags tt
WHERE tt.ticket_id = t.id AND t.deleted_at IS NULL AND t.status IN (?, ?, ?, ?)
GROUP BY tt.tag ORDER BY COUNT(*) DESC, tt.tag LIMIT ?`, append(append([]any{}, unsolvedStatuses...), limit)...)
}

// SLADue is the state of a ticket's running SLA clocks: the earliest due
// time of an unfulfilled, running target, and whether any target is
// already breached (Breached is then the earliest breach).
type SLADue struct {
	Due      time.Time // zero: no running clock
	Breached time.Time // zero: none breached
}

// SLADueFor returns the SLA state of each of ids that has an active target,
// in one query (a queue page asks for its 50 tickets at once).
func (t *Tx) SLADueFor(ids []int64) (map[int64]SLADue, error) {
	out := map[int64]SLADue{}
	if len(ids) == 0 {
		return out, nil
	}
	rows, err := queryAll(t, func(sc scanner) (struct {
		id            int64
		due, breached sql.NullInt64
	}, error) {
		var r struct {
			id            int64
			due, breached sql.NullInt64
		}
		err := sc.Scan(&r.id, &r.due, &r.breached)
		return r, err
	}, "SELECT ticket_id, MIN(due_at), MIN(breached_at) FROM sla_targets WHERE fulfilled_at IS NULL AND ticket_id IN ("+
		placeholders(len(ids))+") GROUP BY ticket_id", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	for _, r := range rows {
		out[r.id] = SLADue{Due: fromNullMS(r.due), Breached: fromNullMS(r.breached)}
	}
	return out, nil
}

// CommentHit is a comment found by the web search, with its ticket.
type CommentHit struct {
	ID, TicketID, AuthorID int64
	Public                 bool
	Body                   string
	CreatedAt              time.Time
}

// CommentsOfTickets returns the comments of tickets ids, newest first, at
// most limit; the web search looks for the query's words in them.
func (t *Tx) CommentsOfTickets(ids []int64, limit int) ([]*CommentHit, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(t, func(sc scanner) (*CommentHit, error) {
		var (
			c       CommentHit
			created int64
		)
		err := sc.Scan(&c.ID, &c.TicketID, &c.AuthorID, &c.Public, &c.Body, &created)
		c.CreatedAt = fromMS(created)
		return &c, err
	}, "SELECT id, ticket_id, author_id, public, body, created_at FROM comments WHERE ticket_id IN ("+
		placeholders(len(ids))+") ORDER BY id DESC LIMIT ?", append(int64Args(ids), limit)...)
}
