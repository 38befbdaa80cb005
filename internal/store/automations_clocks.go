package store

import (
	"database/sql"
	"fmt"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// TicketClock holds the moments an automation's "hours since" conditions
// count from. Zero times are "never".
type TicketClock struct {
	TicketID           int64
	Status             string
	StatusAt           time.Time // when the current status was set
	NewAt              time.Time // created
	OpenAt             time.Time // last set to open (likewise below)
	PendingAt          time.Time
	HoldAt             time.Time
	SolvedAt           time.Time
	AssignedAt         time.Time // last given an assignee
	RequesterUpdatedAt time.Time // last written by the requester
	AssigneeUpdatedAt  time.Time // last written by the assignee
	// The ticket's priority, type and tags, copied for filtering.
	Priority, Type string
	Tags           []string
}

const clockCols = `c.ticket_id, c.status, c.priority, c.type, c.tags, c.status_at, c.new_at, c.open_at, c.pending_at, c.hold_at,
	c.solved_at, c.assigned_at, c.requester_updated_at, c.assignee_updated_at`

func clockDest(c *TicketClock, tags *string, ns []sql.NullInt64) []any {
	d := []any{&c.TicketID, &c.Status, &c.Priority, &c.Type, tags}
	for i := range ns {
		d = append(d, &ns[i])
	}
	return d
}

func clockFill(c *TicketClock, tags string, ns []sql.NullInt64) {
	c.Tags = tagList(strings.TrimSpace(tags))
	ts := []*time.Time{&c.StatusAt, &c.NewAt, &c.OpenAt, &c.PendingAt, &c.HoldAt, &c.SolvedAt, &c.AssignedAt, &c.RequesterUpdatedAt, &c.AssigneeUpdatedAt}
	for i, p := range ts {
		*p = fromNullMS(ns[i])
	}
}

// Clock returns a ticket's clock, ErrNotFound when it has none.
func (t *Tx) Clock(ticketID int64) (*TicketClock, error) {
	var (
		c    TicketClock
		tags string
	)
	ns := make([]sql.NullInt64, 9)
	if err := t.queryRow("SELECT "+clockCols+" FROM ticket_clocks c WHERE c.ticket_id = ?", ticketID).Scan(clockDest(&c, &tags, ns)...); err != nil {
		return nil, t.wrap(err)
	}
	clockFill(&c, tags, ns)
	return &c, nil
}

// PutClock writes a ticket's clock, replacing any earlier one.
func (t *Tx) PutClock(c *TicketClock) error {
	return t.execLater(`INSERT INTO ticket_clocks (ticket_id, status, priority, type, tags, status_at, new_at, open_at, pending_at, hold_at,
			solved_at, assigned_at, requester_updated_at, assignee_updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET status = excluded.status, priority = excluded.priority, type = excluded.type,
			tags = excluded.tags, status_at = excluded.status_at, new_at = excluded.new_at,
			open_at = excluded.open_at, pending_at = excluded.pending_at, hold_at = excluded.hold_at, solved_at = excluded.solved_at,
			assigned_at = excluded.assigned_at, requester_updated_at = excluded.requester_updated_at,
			assignee_updated_at = excluded.assignee_updated_at`,
		c.TicketID, c.Status, c.Priority, c.Type, " "+tagText(c.Tags)+" ", ms(c.StatusAt), ms(c.NewAt), nullMS(c.OpenAt), nullMS(c.PendingAt),
		nullMS(c.HoldAt), nullMS(c.SolvedAt), nullMS(c.AssignedAt), nullMS(c.RequesterUpdatedAt), nullMS(c.AssigneeUpdatedAt))
}

// DropClock forgets a ticket that left the automations' reach (closed or
// deleted) together with its firing records.
func (t *Tx) DropClock(ticketID int64) error {
	if err := t.execLater(`DELETE FROM ticket_clocks WHERE ticket_id = ?`, ticketID); err != nil {
		return err
	}
	return t.execLater(`DELETE FROM automation_fires WHERE ticket_id = ?`, ticketID)
}

// TicketsWithoutClock lists up to limit live, not closed tickets with an
// id in (afterID, maxID] that have no clock yet (made before the
// automations existed, or bulk-loaded), by id; the scan walks the primary
// key, so a caller keeping afterID reads each ticket once.
func (t *Tx) TicketsWithoutClock(afterID, maxID int64, limit int) ([]int64, error) {
	return queryAll(t, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, `SELECT t.id FROM tickets t WHERE t.id > ? AND t.id <= ? AND t.status <> 'closed' AND t.deleted_at IS NULL
		AND NOT EXISTS (SELECT 1 FROM ticket_clocks c WHERE c.ticket_id = t.id) ORDER BY t.id LIMIT ?`, afterID, maxID, limit)
}

// MaxTicketID is the highest ticket id (0 with no tickets).
func (t *Tx) MaxTicketID() (int64, error) {
	return t.count(`SELECT COALESCE(MAX(id), 0) FROM tickets`)
}

// StaleClocks lists up to limit clocks whose ticket was closed or deleted
// by a path that runs no hooks (bulk loads, imports), to be dropped.
func (t *Tx) StaleClocks(limit int) ([]int64, error) {
	return queryAll(t, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, `SELECT c.ticket_id FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id
		WHERE t.status = 'closed' OR t.deleted_at IS NOT NULL LIMIT ?`, limit)
}

// ClockBound limits one clock field: at or before Before and/or after After
// (zero: no limit). Field is a TicketClock field name in snake case
// (status_at, new_at, open_at, pending_at, hold_at, solved_at, assigned_at,
// requester_updated_at, assignee_updated_at) or a ticket column
// (updated_at, due_at).
type ClockBound struct {
	Field         string
	Before, After time.Time
}

// ClockQuery selects candidate tickets for an automation: the SQL part of
// its conditions, on indexed columns. The caller checks the full rule.
type ClockQuery struct {
	Statuses []string // current status in; empty: any but closed
	// Priorities and Types, when not nil, are the values allowed ("" is
	// none).
	Priorities, Types []string
	Bounds            []ClockBound
	TagsAll           []string // has every one of these tags
	TagsNone          []string // has none of these tags
	AfterID           int64    // keyset: ticket id
	Limit             int
}

var clockFields = map[string]string{
	"status_at": "c.status_at", "new_at": "c.new_at", "open_at": "c.open_at", "pending_at": "c.pending_at",
	"hold_at": "c.hold_at", "solved_at": "c.solved_at", "assigned_at": "c.assigned_at",
	"requester_updated_at": "c.requester_updated_at", "assignee_updated_at": "c.assignee_updated_at",
	"updated_at": "t.updated_at", "due_at": "t.due_at",
}

// Candidate is a ticket with its clock.
type Candidate struct {
	Ticket *model.Ticket
	Clock  *TicketClock
}

// ClockCandidates returns up to q.Limit live, not closed tickets matching
// q, by ascending id.
func (t *Tx) ClockCandidates(q ClockQuery) ([]Candidate, error) {
	w := &where{}
	w.add("t.deleted_at IS NULL")
	w.add("c.ticket_id > ?", q.AfterID)
	if len(q.Statuses) > 0 {
		w.strIn("c.status", q.Statuses, false)
	} else {
		w.add("c.status <> 'closed'")
	}
	for _, f := range []struct {
		col  string
		vals []string
	}{{"c.priority", q.Priorities}, {"c.type", q.Types}} {
		if f.vals == nil {
			continue
		}
		if len(f.vals) == 0 {
			w.add("1 = 0")
			continue
		}
		w.add(f.col+" IN ("+placeholders(len(f.vals))+")", stringArgs(f.vals)...)
	}
	for _, b := range q.Bounds {
		col, ok := clockFields[b.Field]
		if !ok {
			return nil, fmt.Errorf("store: unknown clock field %q", b.Field)
		}
		if !b.Before.IsZero() {
			w.add(col+" <= ?", ms(b.Before))
		}
		if !b.After.IsZero() {
			w.add(col+" > ?", ms(b.After))
		}
	}
	for _, tag := range q.TagsAll {
		w.add(`c.tags LIKE ? ESCAPE '\'`, "% "+likeEscape(tag)+" %")
	}
	for _, tag := range q.TagsNone {
		w.add(`c.tags NOT LIKE ? ESCAPE '\'`, "% "+likeEscape(tag)+" %")
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 500
	}
	query := "SELECT " + ticketCols + ", " + clockCols + " FROM ticket_clocks c JOIN tickets t ON t.id = c.ticket_id" + w.sql() +
		" ORDER BY c.ticket_id LIMIT ?"
	return queryAll(t, func(sc scanner) (Candidate, error) {
		var (
			c    TicketClock
			tags string
		)
		ns := make([]sql.NullInt64, 9)
		tk, err := scanTicket(withExtra{sc, clockDest(&c, &tags, ns)})
		if err != nil {
			return Candidate{}, err
		}
		clockFill(&c, tags, ns)
		return Candidate{Ticket: tk, Clock: &c}, nil
	}, query, append(w.args, limit)...)
}

// withExtra scans a row's leading columns with the wrapped scanner's
// caller and the trailing ones into extra.
type withExtra struct {
	sc    scanner
	extra []any
}

func (w withExtra) Scan(dest ...any) error { return w.sc.Scan(append(dest, w.extra...)...) }

// RecordFire notes that automation a fired (or failed: errText) on ticket
// for the condition-match stamp. It reports false when that match was
// already recorded, by this round or another node: the caller must then
// not fire.
func (t *Tx) RecordFire(automationID, ticketID int64, stamp string, at time.Time, errText string) (bool, error) {
	res, err := t.exec(`INSERT INTO automation_fires (automation_id, ticket_id, stamp, fired_at, error) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (automation_id, ticket_id, stamp) DO NOTHING`, automationID, ticketID, stamp, ms(at), errText)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// CountFires counts the recorded firings of an automation (tests, stats).
func (t *Tx) CountFires(automationID int64) (int64, error) {
	return t.count(`SELECT COUNT(*) FROM automation_fires WHERE automation_id = ? AND error = ''`, automationID)
}

// ClockSources loads tickets and their whole audit trails (oldest first)
// in two queries, for rebuilding many clocks at once.
func (t *Tx) ClockSources(ids []int64) ([]*model.Ticket, map[int64][]*model.Audit, error) {
	if len(ids) == 0 {
		return nil, nil, nil
	}
	tks, err := t.TicketsByID(ids)
	if err != nil {
		return nil, nil, err
	}
	list, err := queryAll(t, scanAudit, "SELECT "+auditCols+" FROM audits WHERE ticket_id IN ("+placeholders(len(ids))+") ORDER BY ticket_id, id",
		int64Args(ids)...)
	if err != nil {
		return nil, nil, err
	}
	audits := map[int64][]*model.Audit{}
	for _, a := range list {
		audits[a.TicketID] = append(audits[a.TicketID], a)
	}
	return tks, audits, nil
}
