package store

import (
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// MetricsRow is one ticket's row in ticket_metrics. State is the JSON fold
// state owned by internal/metrics; the other fields repeat its figures in
// columns for reports (minutes; nil = not reached yet).
type MetricsRow struct {
	TicketID, LastAuditID int64
	State                 string
	CreatedAt, UpdatedAt  time.Time
	SolvedAt              time.Time

	Replies, Reopens, AssigneeStations, GroupStations int64

	ReplyCal, ReplyBiz                     *int64
	FirstResolutionCal, FirstResolutionBiz *int64
	FullResolutionCal, FullResolutionBiz   *int64
	AgentWaitCal, AgentWaitBiz             int64
	RequesterWaitCal, RequesterWaitBiz     int64
	OnHoldCal, OnHoldBiz                   int64
}

const metricsCols = "ticket_id, last_audit_id, state, created_at, updated_at, solved_at"

func scanMetricsRow(sc scanner) (*MetricsRow, error) {
	var (
		m                MetricsRow
		created, updated int64
		solved           nullInt
	)
	if err := sc.Scan(&m.TicketID, &m.LastAuditID, &m.State, &created, &updated, &solved); err != nil {
		return nil, err
	}
	m.CreatedAt, m.UpdatedAt, m.SolvedAt = fromMS(created), fromMS(updated), fromNullMS(solved)
	return &m, nil
}

func nullInt64(p *int64) any {
	if p == nil {
		return nil
	}
	return *p
}

// UpsertTicketMetrics writes a ticket's metrics row, replacing the old one.
func (t *Tx) UpsertTicketMetrics(m *MetricsRow) error {
	return t.execLater(`INSERT INTO ticket_metrics (ticket_id, last_audit_id, state, created_at, updated_at, solved_at,
		replies, reopens, assignee_stations, group_stations, reply_calendar, reply_business,
		first_resolution_calendar, first_resolution_business, full_resolution_calendar, full_resolution_business,
		agent_wait_calendar, agent_wait_business, requester_wait_calendar, requester_wait_business, on_hold_calendar, on_hold_business)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id) DO UPDATE SET last_audit_id = excluded.last_audit_id, state = excluded.state,
		created_at = excluded.created_at, updated_at = excluded.updated_at, solved_at = excluded.solved_at,
		replies = excluded.replies, reopens = excluded.reopens, assignee_stations = excluded.assignee_stations,
		group_stations = excluded.group_stations, reply_calendar = excluded.reply_calendar, reply_business = excluded.reply_business,
		first_resolution_calendar = excluded.first_resolution_calendar, first_resolution_business = excluded.first_resolution_business,
		full_resolution_calendar = excluded.full_resolution_calendar, full_resolution_business = excluded.full_resolution_business,
		agent_wait_calendar = excluded.agent_wait_calendar, agent_wait_business = excluded.agent_wait_business,
		requester_wait_calendar = excluded.requester_wait_calendar, requester_wait_business = excluded.requester_wait_business,
		on_hold_calendar = excluded.on_hold_calendar, on_hold_business = excluded.on_hold_business`,
		m.TicketID, m.LastAuditID, m.State, ms(m.CreatedAt), ms(m.UpdatedAt), nullMS(m.SolvedAt),
		m.Replies, m.Reopens, m.AssigneeStations, m.GroupStations, nullInt64(m.ReplyCal), nullInt64(m.ReplyBiz),
		nullInt64(m.FirstResolutionCal), nullInt64(m.FirstResolutionBiz), nullInt64(m.FullResolutionCal), nullInt64(m.FullResolutionBiz),
		m.AgentWaitCal, m.AgentWaitBiz, m.RequesterWaitCal, m.RequesterWaitBiz, m.OnHoldCal, m.OnHoldBiz)
}

// TicketMetrics returns a ticket's metrics row.
func (t *Tx) TicketMetrics(ticketID int64) (*MetricsRow, error) {
	m, err := scanMetricsRow(t.queryRow("SELECT "+metricsCols+" FROM ticket_metrics WHERE ticket_id = ?", ticketID))
	return m, t.wrap(err)
}

// ListTicketMetrics pages metrics rows of live tickets by ticket id: after
// afterID (cursor style) or skipping offset rows (offset style).
func (t *Tx) ListTicketMetrics(afterID int64, offset, limit int) ([]*MetricsRow, error) {
	return queryAll(t, scanMetricsRow, `SELECT m.ticket_id, m.last_audit_id, m.state, m.created_at, m.updated_at, m.solved_at
		FROM ticket_metrics m JOIN tickets tk ON tk.id = m.ticket_id
		WHERE m.ticket_id > ? AND tk.deleted_at IS NULL ORDER BY m.ticket_id LIMIT ? OFFSET ?`, afterID, limit, offset)
}

// CountTicketMetrics counts the metrics rows of live tickets.
func (t *Tx) CountTicketMetrics() (int64, error) {
	return t.count("SELECT COUNT(*) FROM ticket_metrics m JOIN tickets tk ON tk.id = m.ticket_id WHERE tk.deleted_at IS NULL")
}

// TicketsWithoutMetrics lists ticket ids after afterID that have no
// metrics row yet (bulk-imported or seeded tickets), for the backfill.
func (t *Tx) TicketsWithoutMetrics(afterID int64, limit int) ([]int64, error) {
	return queryAll(t, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, `SELECT tk.id FROM tickets tk WHERE tk.id > ? AND NOT EXISTS (SELECT 1 FROM ticket_metrics m WHERE m.ticket_id = tk.id)
		ORDER BY tk.id LIMIT ?`, afterID, limit)
}

// CommentsByID returns comments (without attachments) by id.
func (t *Tx) CommentsByID(ids []int64) ([]*model.Comment, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(t, scanComment, "SELECT "+commentCols+" FROM comments WHERE id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
}
