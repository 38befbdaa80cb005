package store

import (
	"database/sql"
	"time"
)

// Followup opens an outbound task ticket Days days after the date a user
// keeps in user_fields[UserField] (a Kizuna extension; see
// docs/automations.md).
type Followup struct {
	ID        int64
	Title     string
	Active    bool
	UserField string
	Days      int64
	GroupID   int64
	Subject   string // template
	Body      string // template
	Priority  string
	Tags      []string
	CreatedBy int64
	// Scan position over users ordered by (updated_at, id): users changed
	// after it have not been looked at yet.
	ScanUpdatedAt, ScanUserID int64
	CreatedAt, UpdatedAt      time.Time
}

const followupCols = `id, title, active, user_field, days, group_id, subject, body, priority, tags, created_by,
	scan_updated_at, scan_user_id, created_at, updated_at`

func scanFollowup(sc scanner) (*Followup, error) {
	var (
		f                Followup
		group            sql.NullInt64
		tags             string
		created, updated int64
	)
	if err := sc.Scan(&f.ID, &f.Title, &f.Active, &f.UserField, &f.Days, &group, &f.Subject, &f.Body, &f.Priority, &tags,
		&f.CreatedBy, &f.ScanUpdatedAt, &f.ScanUserID, &created, &updated); err != nil {
		return nil, err
	}
	f.GroupID, f.Tags, f.CreatedAt, f.UpdatedAt = group.Int64, tagList(tags), fromMS(created), fromMS(updated)
	return &f, nil
}

// Followups lists follow-up rules by id; activeOnly skips inactive ones.
func (t *Tx) Followups(activeOnly bool) ([]*Followup, error) {
	q := "SELECT " + followupCols + " FROM followups"
	if activeOnly {
		q += " WHERE active = ?"
		return queryAll(t, scanFollowup, q+" ORDER BY id", true)
	}
	return queryAll(t, scanFollowup, q+" ORDER BY id")
}

// Followup loads one follow-up rule.
func (t *Tx) Followup(id int64) (*Followup, error) {
	f, err := scanFollowup(t.queryRow("SELECT "+followupCols+" FROM followups WHERE id = ?", id))
	return f, t.wrap(err)
}

// InsertFollowup stores a new follow-up rule and sets its ID.
func (t *Tx) InsertFollowup(f *Followup) error {
	id, err := t.insert(`INSERT INTO followups (title, active, user_field, days, group_id, subject, body, priority, tags, created_by,
		scan_updated_at, scan_user_id, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?, ?)`,
		f.Title, f.Active, f.UserField, f.Days, nullID(f.GroupID), f.Subject, f.Body, f.Priority, tagText(f.Tags), f.CreatedBy,
		ms(f.CreatedAt), ms(f.UpdatedAt))
	f.ID = id
	return err
}

// UpdateFollowup writes a rule's settings. A changed field or day count
// restarts the scan so every user's due date is worked out again; users
// already followed up stay done.
func (t *Tx) UpdateFollowup(f *Followup, rescan bool) error {
	res, err := t.exec(`UPDATE followups SET title = ?, active = ?, user_field = ?, days = ?, group_id = ?, subject = ?, body = ?,
		priority = ?, tags = ?, updated_at = ? WHERE id = ?`, f.Title, f.Active, f.UserField, f.Days, nullID(f.GroupID), f.Subject, f.Body,
		f.Priority, tagText(f.Tags), ms(f.UpdatedAt), f.ID)
	if err := affectedOne(res, err); err != nil || !rescan {
		return err
	}
	f.ScanUpdatedAt, f.ScanUserID = 0, 0
	return t.SetFollowupScan(f.ID, 0, 0)
}

// DeleteFollowup removes a rule and its schedule.
func (t *Tx) DeleteFollowup(id int64) error {
	if _, err := t.exec(`DELETE FROM followup_due WHERE followup_id = ?`, id); err != nil {
		return err
	}
	res, err := t.exec(`DELETE FROM followups WHERE id = ?`, id)
	return affectedOne(res, err)
}

// SetFollowupScan moves a rule's scan position over users.
func (t *Tx) SetFollowupScan(id, updatedAtMS, userID int64) error {
	_, err := t.exec(`UPDATE followups SET scan_updated_at = ?, scan_user_id = ? WHERE id = ?`, updatedAtMS, userID, id)
	return err
}

// ScheduleFollowup sets when a user is due for a rule; a user already
// followed up is left alone, so the ticket is opened once.
func (t *Tx) ScheduleFollowup(followupID, userID int64, due time.Time) error {
	_, err := t.exec(`INSERT INTO followup_due (followup_id, user_id, due_at) VALUES (?, ?, ?)
		ON CONFLICT (followup_id, user_id) DO UPDATE SET due_at = excluded.due_at WHERE followup_due.done_at IS NULL`,
		followupID, userID, ms(due))
	return err
}

// UnscheduleFollowup drops a user's pending follow-up (their date was
// removed); a done one is kept.
func (t *Tx) UnscheduleFollowup(followupID, userID int64) error {
	_, err := t.exec(`DELETE FROM followup_due WHERE followup_id = ? AND user_id = ? AND done_at IS NULL`, followupID, userID)
	return err
}

// FollowupDue is one user due for a rule.
type FollowupDue struct {
	FollowupID, UserID int64
	DueAt              time.Time
	DoneAt             time.Time
	TicketID           int64
}

// DueFollowups lists up to limit follow-ups due at now that are not done.
func (t *Tx) DueFollowups(followupID int64, now time.Time, limit int) ([]FollowupDue, error) {
	return queryAll(t, scanFollowupDue, `SELECT followup_id, user_id, due_at, done_at, ticket_id FROM followup_due
		WHERE done_at IS NULL AND due_at <= ? AND followup_id = ? ORDER BY due_at, user_id LIMIT ?`, ms(now), followupID, limit)
}

// FollowupsOf lists a user's follow-up schedule (API and tests).
func (t *Tx) FollowupsOf(followupID int64, userID int64) (*FollowupDue, error) {
	d, err := scanFollowupDue(t.queryRow(`SELECT followup_id, user_id, due_at, done_at, ticket_id FROM followup_due
		WHERE followup_id = ? AND user_id = ?`, followupID, userID))
	return &d, t.wrap(err)
}

func scanFollowupDue(sc scanner) (FollowupDue, error) {
	var (
		d            FollowupDue
		due          int64
		done, ticket sql.NullInt64
	)
	err := sc.Scan(&d.FollowupID, &d.UserID, &due, &done, &ticket)
	d.DueAt, d.DoneAt, d.TicketID = fromMS(due), fromNullMS(done), ticket.Int64
	return d, err
}

// FinishFollowup marks a user's follow-up done, with the ticket it opened
// (0: none, e.g. the user was suspended). It reports false when it was
// already done, by an earlier round or another node.
func (t *Tx) FinishFollowup(followupID, userID, ticketID int64, at time.Time) (bool, error) {
	res, err := t.exec(`UPDATE followup_due SET done_at = ?, ticket_id = ? WHERE followup_id = ? AND user_id = ? AND done_at IS NULL`,
		ms(at), nullID(ticketID), followupID, userID)
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}
