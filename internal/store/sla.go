package store

import (
	"database/sql"
	"time"
)

// SLAPolicy is a stored SLA policy; Filter and Metrics are JSON kept as the
// API has them (package sla decodes them).
type SLAPolicy struct {
	ID          int64
	Title       string
	Description string
	Position    int
	Filter      string // {"all": [...], "any": [...]}
	Metrics     string // [{"priority", "metric", "target", "business_hours"}]
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// SLATarget is one metric's clock on a ticket. It is active while
// FulfilledAt is zero and paused while DueAt is zero; UsedMS is the time
// (business or calendar) spent before RunningSince.
type SLATarget struct {
	TicketID      int64
	Metric        string
	PolicyID      int64
	StartedAt     time.Time
	DueAt         time.Time
	FulfilledAt   time.Time
	BreachedAt    time.Time
	WarnedAt      time.Time
	TargetMinutes int
	BusinessHours bool
	SameDay       bool // due at the close of the business day it started
	UsedMS        int64
	RunningSince  time.Time
}

const slaPolicyCols = "id, title, description, position, filter, policy_metrics, created_at, updated_at"

func scanSLAPolicy(sc scanner) (*SLAPolicy, error) {
	var (
		p                SLAPolicy
		created, updated int64
	)
	err := sc.Scan(&p.ID, &p.Title, &p.Description, &p.Position, &p.Filter, &p.Metrics, &created, &updated)
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return &p, err
}

// InsertSLAPolicy stores a policy; Position 0 puts it last.
func (t *Tx) InsertSLAPolicy(p *SLAPolicy) error {
	if p.Position <= 0 {
		n, err := t.count("SELECT COALESCE(MAX(position), 0) FROM sla_policies")
		if err != nil {
			return err
		}
		p.Position = int(n) + 1
	}
	id, err := t.insert("INSERT INTO sla_policies (title, description, position, filter, policy_metrics, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		p.Title, p.Description, p.Position, p.Filter, p.Metrics, ms(p.CreatedAt), ms(p.UpdatedAt))
	p.ID = id
	return err
}

// UpdateSLAPolicy rewrites a policy.
func (t *Tx) UpdateSLAPolicy(p *SLAPolicy) error {
	return t.affectOne("UPDATE sla_policies SET title = ?, description = ?, position = ?, filter = ?, policy_metrics = ?, updated_at = ? WHERE id = ?",
		p.Title, p.Description, p.Position, p.Filter, p.Metrics, ms(p.UpdatedAt), p.ID)
}

// DeleteSLAPolicy removes a policy; its active targets go with it.
func (t *Tx) DeleteSLAPolicy(id int64) error {
	if err := t.affectOne("DELETE FROM sla_policies WHERE id = ?", id); err != nil {
		return err
	}
	_, err := t.exec("DELETE FROM sla_targets WHERE policy_id = ? AND fulfilled_at IS NULL", id)
	return err
}

// SLAPolicy returns one policy.
func (t *Tx) SLAPolicy(id int64) (*SLAPolicy, error) {
	p, err := scanSLAPolicy(t.queryRow("SELECT "+slaPolicyCols+" FROM sla_policies WHERE id = ?", id))
	return p, t.wrap(err)
}

// SLAPolicies lists policies in the order they are matched.
func (t *Tx) SLAPolicies() ([]*SLAPolicy, error) {
	return queryAll(t, scanSLAPolicy, "SELECT "+slaPolicyCols+" FROM sla_policies ORDER BY position, id")
}

// SetSLAPolicyPosition moves one policy.
func (t *Tx) SetSLAPolicyPosition(id int64, pos int, now time.Time) error {
	return t.affectOne("UPDATE sla_policies SET position = ?, updated_at = ? WHERE id = ?", pos, ms(now), id)
}

const slaTargetCols = "ticket_id, metric, policy_id, started_at, due_at, fulfilled_at, breached_at, warned_at, target_minutes, business_hours, same_day, used_ms, running_since"

func scanSLATarget(sc scanner) (*SLATarget, error) {
	var (
		s                                SLATarget
		started                          int64
		due, fulfilled, breached, warned sql.NullInt64
		running                          sql.NullInt64
	)
	err := sc.Scan(&s.TicketID, &s.Metric, &s.PolicyID, &started, &due, &fulfilled, &breached, &warned,
		&s.TargetMinutes, &s.BusinessHours, &s.SameDay, &s.UsedMS, &running)
	s.StartedAt = fromMS(started)
	s.DueAt, s.FulfilledAt, s.BreachedAt, s.WarnedAt = fromNullMS(due), fromNullMS(fulfilled), fromNullMS(breached), fromNullMS(warned)
	s.RunningSince = fromNullMS(running)
	return &s, err
}

// SLATargets returns a ticket's targets by metric name.
func (t *Tx) SLATargets(ticketID int64) ([]*SLATarget, error) {
	return queryAll(t, scanSLATarget, "SELECT "+slaTargetCols+" FROM sla_targets WHERE ticket_id = ? ORDER BY metric", ticketID)
}

// SaveSLATarget inserts or replaces a ticket's target for its metric.
func (t *Tx) SaveSLATarget(s *SLATarget) error {
	_, err := t.exec(`INSERT INTO sla_targets (`+slaTargetCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
		ON CONFLICT (ticket_id, metric) DO UPDATE SET policy_id = excluded.policy_id, started_at = excluded.started_at,
		due_at = excluded.due_at, fulfilled_at = excluded.fulfilled_at, breached_at = excluded.breached_at,
		warned_at = excluded.warned_at, target_minutes = excluded.target_minutes, business_hours = excluded.business_hours, same_day = excluded.same_day,
		used_ms = excluded.used_ms, running_since = excluded.running_since`,
		s.TicketID, s.Metric, s.PolicyID, ms(s.StartedAt), nullMS(s.DueAt), nullMS(s.FulfilledAt), nullMS(s.BreachedAt),
		nullMS(s.WarnedAt), s.TargetMinutes, s.BusinessHours, s.SameDay, s.UsedMS, nullMS(s.RunningSince))
	return err
}

// DeleteSLATarget drops a ticket's target for metric.
func (t *Tx) DeleteSLATarget(ticketID int64, metric string) error {
	_, err := t.exec("DELETE FROM sla_targets WHERE ticket_id = ? AND metric = ?", ticketID, metric)
	return err
}

// SLATargetsDueBy returns up to limit active, not yet breached targets due
// at or before by, soonest first (uses sla_targets_unbreached_due).
func (t *Tx) SLATargetsDueBy(by time.Time, limit int) ([]*SLATarget, error) {
	return queryAll(t, scanSLATarget, "SELECT "+slaTargetCols+` FROM sla_targets
		WHERE fulfilled_at IS NULL AND breached_at IS NULL AND due_at IS NOT NULL AND due_at <= ?
		ORDER BY due_at LIMIT ?`, ms(by), limit)
}

// SLATargetsToWarn returns up to limit active targets due in (after, by]
// that have not been warned about.
func (t *Tx) SLATargetsToWarn(after, by time.Time, limit int) ([]*SLATarget, error) {
	return queryAll(t, scanSLATarget, "SELECT "+slaTargetCols+` FROM sla_targets
		WHERE fulfilled_at IS NULL AND breached_at IS NULL AND due_at > ? AND due_at <= ? AND warned_at IS NULL
		ORDER BY due_at LIMIT ?`, ms(after), ms(by), limit)
}

// MarkSLABreached sets breached_at unless another round already did; ok
// reports whether this call marked it, so a breach is recorded once.
func (t *Tx) MarkSLABreached(ticketID int64, metric string, at time.Time) (ok bool, err error) {
	res, err := t.exec("UPDATE sla_targets SET breached_at = ? WHERE ticket_id = ? AND metric = ? AND breached_at IS NULL AND fulfilled_at IS NULL",
		ms(at), ticketID, metric)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// MarkSLAWarned sets warned_at unless already set.
func (t *Tx) MarkSLAWarned(ticketID int64, metric string, at time.Time) (ok bool, err error) {
	res, err := t.exec("UPDATE sla_targets SET warned_at = ? WHERE ticket_id = ? AND metric = ? AND warned_at IS NULL AND fulfilled_at IS NULL",
		ms(at), ticketID, metric)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// FirstPublicStaffReply returns when the first public comment by a staff
// member was added to the ticket (zero if none).
func (t *Tx) FirstPublicStaffReply(ticketID int64) (time.Time, error) {
	var at sql.NullInt64
	err := t.queryRow(`SELECT MIN(c.created_at) FROM comments c JOIN users u ON u.id = c.author_id
		WHERE c.ticket_id = ? AND c.public = ? AND u.role <> 'end-user'`, ticketID, true).Scan(&at)
	return fromNullMS(at), t.wrap(err)
}
