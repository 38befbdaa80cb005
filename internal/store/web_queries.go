package store

import (
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// unsolvedStatuses are the statuses of tickets still being worked on.
var unsolvedStatuses = []any{"new", "open", "pending", "hold"}

// QueueCounts are the web UI sidebar's built-in views for one agent.
type QueueCounts struct {
	Unassigned, Mine, Unsolved, Pending, SolvedRecently int64
}

// WebQueueCounts counts the sidebar views: unsolved and unassigned,
// unsolved and assigned to me, unsolved, pending (one pass over the
// unsolved range of the status index), and solved tickets touched since
// solvedSince (the status, updated_at index again).
func (t *Tx) WebQueueCounts(me int64, solvedSince time.Time) (QueueCounts, error) {
	var c QueueCounts
	err := t.queryRow(`SELECT
  COALESCE(SUM(CASE WHEN assignee_id IS NULL THEN 1 ELSE 0 END), 0),
  COALESCE(SUM(CASE WHEN assignee_id = ? THEN 1 ELSE 0 END), 0),
  COUNT(*),
  COALESCE(SUM(CASE WHEN status = 'pending' THEN 1 ELSE 0 END), 0)
FROM tickets WHERE deleted_at IS NULL AND status IN (?, ?, ?, ?)`, append([]any{me}, unsolvedStatuses...)...).
		Scan(&c.Unassigned, &c.Mine, &c.Unsolved, &c.Pending)
	if err != nil {
		return c, err
	}
	c.SolvedRecently, err = t.count("SELECT COUNT(*) FROM tickets WHERE status = 'solved' AND updated_at >= ? AND deleted_at IS NULL", ms(solvedSince))
	return c, err
}

// AgentLoad is one agent's share of the unsolved work.
type AgentLoad struct {
	UserID   int64
	Unsolved int64 // assigned and not yet solved
	NewToday int64 // of those, created since the start of today
}

// WebAgentLoad returns, per assignee with unsolved tickets, their count and
// how many of them were created since dayStart. "assignee_id + 0" keeps
// SQLite from walking tickets_assignee_status for the grouping, which reads
// every ticket ever assigned (0.4 s at a million tickets) instead of the
// unsolved ones from the status index (30 ms).
func (t *Tx) WebAgentLoad(dayStart time.Time) ([]AgentLoad, error) {
	const q = `SELECT assignee_id + 0, COUNT(*) FROM tickets
WHERE deleted_at IS NULL AND status IN (?, ?, ?, ?) AND assignee_id + 0 > 0%s GROUP BY assignee_id + 0`
	type pair struct{ id, n int64 }
	scan := func(sc scanner) (pair, error) {
		var p pair
		err := sc.Scan(&p.id, &p.n)
		return p, err
	}
	open, err := queryAll(t, scan, fmt.Sprintf(q, ""), unsolvedStatuses...)
	if err != nil {
		return nil, err
	}
	today, err := queryAll(t, scan, fmt.Sprintf(q, " AND created_at >= ?"), append(append([]any{}, unsolvedStatuses...), ms(dayStart))...)
	if err != nil {
		return nil, err
	}
	fresh := map[int64]int64{}
	for _, p := range today {
		fresh[p.id] = p.n
	}
	out := make([]AgentLoad, len(open))
	for i, p := range open {
		out[i] = AgentLoad{UserID: p.id, Unsolved: p.n, NewToday: fresh[p.id]}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].UserID < out[j].UserID })
	return out, nil
}

// StaffUsers lists active agents and admins by name, for the assignee
// picker and the team load panel.
func (t *Tx) StaffUsers(limit int) ([]*UserBrief, error) {
	return queryAll(t, func(sc scanner) (*UserBrief, error) {
		var u UserBrief
		err := sc.Scan(&u.ID, &u.Name, &u.Email, &u.Role)
		return &u, err
	}, `SELECT id, name, email, role FROM users WHERE role IN ('agent', 'admin') AND active = ? AND suspended = ? ORDER BY name, id LIMIT ?`, true, false, limit)
}

// UserBrief is the little of a user a list needs.
type UserBrief struct {
	ID          int64
	Name, Email string
	Role        string
}

// WebQueue selects a queue of the web UI ordered by updated_at: tickets in
// one of statuses, optionally only those with assignee (0: unassigned;
// nil: anyone), optionally updated since a time, optionally of one inbox
// (tickets_inbox_status) or carrying one tag (checked per ticket while
// walking the status range: right for the sidebar's top tags, which many
// tickets carry).
type WebQueue struct {
	Statuses []string
	Assignee *int64
	Since    time.Time
	InboxID  int64
	Tag      string
}

// WebQueuePage returns one page of q, newest (desc) or oldest first. Each
// status is read in order from its own index range and the ranges are
// merged, so a page costs about statuses × (offset+limit) index rows
// instead of sorting every unsolved ticket (64,000 of them on a desk of a
// million: 0.4 s per page through ListTickets).
func (t *Tx) WebQueuePage(q WebQueue, desc bool, limit, offset int) ([]*model.Ticket, error) {
	dir := " ASC"
	if desc {
		dir = " DESC"
	}
	order := " ORDER BY %[1]supdated_at" + dir + ", %[1]sid" + dir
	var parts []string
	var args []any
	for i, st := range q.Statuses {
		w := "t.deleted_at IS NULL AND t.status = ?"
		args = append(args, st)
		switch {
		case q.Assignee == nil:
		case *q.Assignee == 0:
			w += " AND t.assignee_id IS NULL"
		default:
			w += " AND t.assignee_id = ?"
			args = append(args, *q.Assignee)
		}
		if !q.Since.IsZero() {
			w += " AND t.updated_at >= ?"
			args = append(args, ms(q.Since))
		}
		if q.InboxID != 0 {
			w += " AND t.inbox_id = ?"
			args = append(args, q.InboxID)
		}
		if q.Tag != "" {
			w += " AND EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag = ?)"
			args = append(args, q.Tag)
		}
		args = append(args, offset+limit)
		parts = append(parts, fmt.Sprintf("SELECT * FROM (SELECT "+ticketCols+" FROM tickets t WHERE "+w+order+" LIMIT ?) s%d", "t.", i))
	}
	if len(parts) == 0 {
		return nil, nil
	}
	query := "SELECT * FROM (" + strings.Join(parts, " UNION ALL ") + ") u" + fmt.Sprintf(order, "u.") + " LIMIT ? OFFSET ?"
	return queryAll(t, scanTicket, query, append(args, limit, offset)...)
}

// WebMineCount counts the unsolved tickets assigned to one agent.
func (t *Tx) WebMineCount(assignee int64) (int64, error) {
	return t.count("SELECT COUNT(*) FROM tickets WHERE assignee_id = ? AND status IN (?, ?, ?, ?) AND deleted_at IS NULL",
		append([]any{assignee}, unsolvedStatuses...)...)
}
