package store

import "time"

// Snooze is a ticket put aside until a time.
type Snooze struct {
	TicketID     int64
	Until        time.Time
	Reason       string
	NotifyUserID int64
	CreatedBy    int64
	CreatedAt    time.Time
}

const snoozeCols = "ticket_id, until_at, reason, notify_user_id, created_by, created_at"

func scanSnooze(sc scanner) (*Snooze, error) {
	var (
		s              Snooze
		until, created int64
		notify         nullInt
	)
	err := sc.Scan(&s.TicketID, &until, &s.Reason, &notify, &s.CreatedBy, &created)
	s.Until, s.CreatedAt, s.NotifyUserID = fromMS(until), fromMS(created), notify.Int64
	return &s, err
}

// SaveSnooze snoozes a ticket, replacing an earlier snooze.
func (t *Tx) SaveSnooze(s *Snooze) error {
	_, err := t.exec(`INSERT INTO ticket_snoozes (ticket_id, until_at, reason, notify_user_id, created_by, created_at) VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (ticket_id) DO UPDATE SET until_at = excluded.until_at, reason = excluded.reason, notify_user_id = excluded.notify_user_id,
created_by = excluded.created_by, created_at = excluded.created_at`,
		s.TicketID, ms(s.Until), s.Reason, nullID(s.NotifyUserID), s.CreatedBy, ms(s.CreatedAt))
	return err
}

// TicketSnooze returns a ticket's snooze; ErrNotFound when it is awake.
func (t *Tx) TicketSnooze(ticketID int64) (*Snooze, error) {
	s, err := scanSnooze(t.queryRow("SELECT "+snoozeCols+" FROM ticket_snoozes WHERE ticket_id = ?", ticketID))
	return s, t.wrap(err)
}

// DeleteSnooze wakes a ticket; ok is false when it was not snoozed. With a
// non-zero dueBy only a snooze due by then is deleted, so a round that
// repeats (or races a re-snooze) wakes nothing twice.
func (t *Tx) DeleteSnooze(ticketID int64, dueBy time.Time) (ok bool, err error) {
	q, args := "DELETE FROM ticket_snoozes WHERE ticket_id = ?", []any{ticketID}
	if !dueBy.IsZero() {
		q += " AND until_at <= ?"
		args = append(args, ms(dueBy))
	}
	res, err := t.exec(q, args...)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// DueSnoozes lists snoozes whose time has come, earliest first.
func (t *Tx) DueSnoozes(now time.Time, limit int) ([]*Snooze, error) {
	return queryAll(t, scanSnooze, "SELECT "+snoozeCols+" FROM ticket_snoozes WHERE until_at <= ? ORDER BY until_at, ticket_id LIMIT ?", ms(now), limit)
}

// Snoozes lists snoozed tickets, next to wake first.
func (t *Tx) Snoozes(limit int) ([]*Snooze, error) {
	return queryAll(t, scanSnooze, "SELECT "+snoozeCols+" FROM ticket_snoozes ORDER BY until_at, ticket_id LIMIT ?", limit)
}
