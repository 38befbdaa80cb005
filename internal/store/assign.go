package store

import (
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// AgentStatus is an agent's availability for automatic assignment.
type AgentStatus struct {
	UserID       int64
	Availability string // online, away, offline
	Capacity     int
	Skills       []string
	UpdatedAt    time.Time
}

// AgentStatuses returns the saved status of each of ids that has one.
func (t *Tx) AgentStatuses(ids []int64) (map[int64]*AgentStatus, error) {
	out := map[int64]*AgentStatus{}
	if len(ids) == 0 {
		return out, nil
	}
	list, err := queryAll(t, func(sc scanner) (*AgentStatus, error) {
		var (
			s       AgentStatus
			skills  string
			updated int64
		)
		err := sc.Scan(&s.UserID, &s.Availability, &s.Capacity, &skills, &updated)
		s.Skills, s.UpdatedAt = fromJSON[[]string](skills), fromMS(updated)
		return &s, err
	}, "SELECT user_id, availability, capacity, skills, updated_at FROM agent_status WHERE user_id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	for _, s := range list {
		out[s.UserID] = s
	}
	return out, err
}

// SaveAgentStatus inserts or replaces an agent's status.
func (t *Tx) SaveAgentStatus(s *AgentStatus) error {
	skills := s.Skills
	if skills == nil {
		skills = []string{}
	}
	_, err := t.exec(`INSERT INTO agent_status (user_id, availability, capacity, skills, updated_at) VALUES (?, ?, ?, ?, ?)
ON CONFLICT (user_id) DO UPDATE SET availability = excluded.availability, capacity = excluded.capacity, skills = excluded.skills, updated_at = excluded.updated_at`,
		s.UserID, s.Availability, s.Capacity, jsonText(skills), ms(s.UpdatedAt))
	return err
}

// WorkingStatuses are the statuses that count against an agent's capacity.
var WorkingStatuses = []string{model.StatusNew, model.StatusOpen, model.StatusPending, model.StatusHold}

// AgentLoads counts, per agent of ids, the live tickets assigned to them
// whose status is one of statuses (created at or after since when set).
func (t *Tx) AgentLoads(ids []int64, statuses []string, since time.Time) (map[int64]int64, error) {
	out := map[int64]int64{}
	if len(ids) == 0 {
		return out, nil
	}
	q := "SELECT assignee_id, COUNT(*) FROM tickets WHERE assignee_id IN (" + placeholders(len(ids)) + ") AND deleted_at IS NULL"
	args := int64Args(ids)
	if len(statuses) > 0 {
		q += " AND status IN (" + placeholders(len(statuses)) + ")"
		args = append(args, stringArgs(statuses)...)
	}
	if !since.IsZero() {
		q += " AND created_at >= ?"
		args = append(args, ms(since))
	}
	type row struct{ id, n int64 }
	rows, err := queryAll(t, func(sc scanner) (row, error) {
		var r row
		err := sc.Scan(&r.id, &r.n)
		return r, err
	}, q+" GROUP BY assignee_id", args...)
	for _, r := range rows {
		out[r.id] = r.n
	}
	return out, err
}

// AssignedTicketIDs lists live tickets assigned to userID in statuses,
// oldest first.
func (t *Tx) AssignedTicketIDs(userID int64, statuses []string, limit int) ([]int64, error) {
	args := append([]any{userID}, stringArgs(statuses)...)
	args = append(args, limit)
	return t.ids("SELECT id FROM tickets WHERE assignee_id = ? AND deleted_at IS NULL AND status IN ("+placeholders(len(statuses))+") ORDER BY id LIMIT ?", args...)
}

// AssignmentRule is how a group's or an inbox's new tickets get an assignee.
type AssignmentRule struct {
	ID            int64
	GroupID       int64 // exactly one of GroupID and InboxID is set
	InboxID       int64
	Mode          string
	ReturnOnReply string
	Cursor        int64 // round-robin: the agent assigned last
	CreatedAt     time.Time
	UpdatedAt     time.Time
}

const ruleCols = "id, group_id, inbox_id, mode, return_on_reply, rr_cursor, created_at, updated_at"

func scanRule(sc scanner) (*AssignmentRule, error) {
	var (
		r                AssignmentRule
		group, inbox     nullInt
		created, updated int64
	)
	err := sc.Scan(&r.ID, &group, &inbox, &r.Mode, &r.ReturnOnReply, &r.Cursor, &created, &updated)
	r.GroupID, r.InboxID = group.Int64, inbox.Int64
	r.CreatedAt, r.UpdatedAt = fromMS(created), fromMS(updated)
	return &r, err
}

// InsertAssignmentRule stores a new rule; a second rule for the same group
// or inbox is ErrConflict.
func (t *Tx) InsertAssignmentRule(r *AssignmentRule) error {
	id, err := t.insert("INSERT INTO assignment_rules (group_id, inbox_id, mode, return_on_reply, rr_cursor, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
		nullID(r.GroupID), nullID(r.InboxID), r.Mode, r.ReturnOnReply, r.Cursor, ms(r.CreatedAt), ms(r.UpdatedAt))
	r.ID = id
	return err
}

// UpdateAssignmentRule rewrites a rule's settings (not its cursor).
func (t *Tx) UpdateAssignmentRule(r *AssignmentRule) error {
	return t.affectOne("UPDATE assignment_rules SET group_id = ?, inbox_id = ?, mode = ?, return_on_reply = ?, updated_at = ? WHERE id = ?",
		nullID(r.GroupID), nullID(r.InboxID), r.Mode, r.ReturnOnReply, ms(r.UpdatedAt), r.ID)
}

// DeleteAssignmentRule removes a rule.
func (t *Tx) DeleteAssignmentRule(id int64) error {
	return t.affectOne("DELETE FROM assignment_rules WHERE id = ?", id)
}

// AssignmentRule returns one rule.
func (t *Tx) AssignmentRule(id int64) (*AssignmentRule, error) {
	r, err := scanRule(t.queryRow("SELECT "+ruleCols+" FROM assignment_rules WHERE id = ?", id))
	return r, t.wrap(err)
}

// AssignmentRules lists every rule by id.
func (t *Tx) AssignmentRules() ([]*AssignmentRule, error) {
	return queryAll(t, scanRule, "SELECT "+ruleCols+" FROM assignment_rules ORDER BY id")
}

// AssignmentRuleFor returns the rule of a group (groupID set) or of an
// inbox; ErrNotFound when there is none.
func (t *Tx) AssignmentRuleFor(groupID, inboxID int64) (*AssignmentRule, error) {
	col, id := "group_id", groupID
	if groupID == 0 {
		col, id = "inbox_id", inboxID
	}
	r, err := scanRule(t.queryRow("SELECT "+ruleCols+" FROM assignment_rules WHERE "+col+" = ?", id))
	return r, t.wrap(err)
}

// LockAssignmentRule re-reads a rule and locks it until the transaction
// ends, so two nodes picking the next agent of one round-robin take turns
// and each sees the cursor the other left.
func (t *Tx) LockAssignmentRule(id int64) (*AssignmentRule, error) {
	r, err := scanRule(t.queryRow("SELECT "+ruleCols+" FROM assignment_rules WHERE id = ?"+t.d.lockSuffix(), id))
	return r, t.wrap(err)
}

// SetAssignmentCursor records the agent a round-robin rule assigned last.
func (t *Tx) SetAssignmentCursor(id, userID int64) error {
	return t.affectOne("UPDATE assignment_rules SET rr_cursor = ? WHERE id = ?", userID, id)
}

// OwnToEnd reports whether a ticket's assignee owns it to the end.
func (t *Tx) OwnToEnd(ticketID int64) (own bool, updated time.Time, err error) {
	var at int64
	err = t.queryRow("SELECT own_to_end, updated_at FROM ticket_ownership WHERE ticket_id = ?", ticketID).Scan(&own, &at)
	if err = t.wrap(err); err == ErrNotFound {
		return false, time.Time{}, nil
	}
	return own, fromMS(at), err
}

// SetOwnToEnd sets or clears a ticket's own-to-the-end flag.
func (t *Tx) SetOwnToEnd(ticketID int64, own bool, now time.Time) error {
	_, err := t.exec(`INSERT INTO ticket_ownership (ticket_id, own_to_end, updated_at) VALUES (?, ?, ?)
ON CONFLICT (ticket_id) DO UPDATE SET own_to_end = excluded.own_to_end, updated_at = excluded.updated_at`, ticketID, own, ms(now))
	return err
}
