package store

import (
	"database/sql"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

const ticketCols = `t.id, t.external_id, t.subject, t.description, t.status, t.priority, t.type,
	t.requester_id, t.submitter_id, t.assignee_id, t.group_id, t.organization_id, t.brand_id, t.inbox_id,
	t.via, t.via_source, t.recipient, t.tags, t.custom_fields, t.collaborator_ids, t.followup_ids,
	t.via_followup_source_id, t.problem_id, t.is_public, t.due_at, t.created_at, t.updated_at, t.solved_at, t.deleted_at`

func scanTicket(sc scanner) (*model.Ticket, error) {
	var (
		tk                                           model.Ticket
		extID, priority, typ                         sql.NullString
		assignee, group, org, brand, inbox, fu, prob sql.NullInt64
		viaSource, tags, fields, collab, followups   string
		due, solved, deleted                         sql.NullInt64
		created, updated                             int64
	)
	err := sc.Scan(&tk.ID, &extID, &tk.Subject, &tk.Description, &tk.Status, &priority, &typ,
		&tk.RequesterID, &tk.SubmitterID, &assignee, &group, &org, &brand, &inbox,
		&tk.Via, &viaSource, &tk.Recipient, &tags, &fields, &collab, &followups,
		&fu, &prob, &tk.IsPublic, &due, &created, &updated, &solved, &deleted)
	if err != nil {
		return nil, err
	}
	tk.ExternalID, tk.Priority, tk.Type = extID.String, priority.String, typ.String
	tk.AssigneeID, tk.GroupID, tk.OrganizationID = assignee.Int64, group.Int64, org.Int64
	tk.BrandID, tk.InboxID, tk.ViaFollowupSourceID, tk.ProblemID = brand.Int64, inbox.Int64, fu.Int64, prob.Int64
	tk.ViaSource = fromJSON[map[string]any](viaSource)
	tk.Tags = tagList(tags)
	tk.CustomFields = fromJSON[[]model.FieldValue](fields)
	tk.CollaboratorIDs = fromJSON[[]int64](collab)
	tk.FollowupIDs = fromJSON[[]int64](followups)
	tk.DueAt, tk.SolvedAt, tk.DeletedAt = fromNullMS(due), fromNullMS(solved), fromNullMS(deleted)
	tk.CreatedAt, tk.UpdatedAt = fromMS(created), fromMS(updated)
	return &tk, nil
}

func ticketArgs(tk *model.Ticket) []any {
	return []any{nullStr(tk.ExternalID), tk.Subject, tk.Description, tk.Status, nullStr(tk.Priority), nullStr(tk.Type),
		tk.RequesterID, tk.SubmitterID, nullID(tk.AssigneeID), nullID(tk.GroupID), nullID(tk.OrganizationID),
		nullID(tk.BrandID), nullID(tk.InboxID), tk.Via, jsonText(orEmptyMap(tk.ViaSource)), tk.Recipient,
		tagText(tk.Tags), jsonText(orEmpty(tk.CustomFields)), jsonText(orEmpty(tk.CollaboratorIDs)),
		jsonText(orEmpty(tk.FollowupIDs)), nullID(tk.ViaFollowupSourceID), nullID(tk.ProblemID), tk.IsPublic,
		nullMS(tk.DueAt), ms(tk.CreatedAt), ms(tk.UpdatedAt), nullMS(tk.SolvedAt), nullMS(tk.DeletedAt)}
}

const ticketWriteCols = `external_id, subject, description, status, priority, type,
	requester_id, submitter_id, assignee_id, group_id, organization_id, brand_id, inbox_id,
	via, via_source, recipient, tags, custom_fields, collaborator_ids, followup_ids,
	via_followup_source_id, problem_id, is_public, due_at, created_at, updated_at, solved_at, deleted_at`

// InsertTicket stores a new ticket, sets tk.ID and writes its tag rows.
func (t *Tx) InsertTicket(tk *model.Ticket) error {
	args := ticketArgs(tk)
	cols := ticketWriteCols
	if tk.ID != 0 { // imports keep their ids
		cols = "id, " + cols
		args = append([]any{tk.ID}, args...)
	}
	id, err := t.insert("INSERT INTO tickets ("+cols+") VALUES ("+placeholders(len(args))+")", args...)
	if err != nil {
		return err
	}
	tk.ID = id
	return t.insertTicketTags(id, tk.Tags)
}

// UpdateTicket rewrites every column of an existing ticket; tag rows are
// replaced only when the tags changed.
func (t *Tx) UpdateTicket(tk *model.Ticket, tagsChanged bool) error {
	cols := strings.Split(ticketWriteCols, ",")
	for i, c := range cols {
		cols[i] = strings.TrimSpace(c) + " = ?"
	}
	args := append(ticketArgs(tk), tk.ID)
	res, err := t.exec("UPDATE tickets SET "+strings.Join(cols, ", ")+" WHERE id = ?", args...)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	if !tk.DeletedAt.IsZero() {
		// The search index holds live tickets only (see IndexTicket).
		if err := t.d.unindex(t, docTicket, tk.ID); err != nil {
			return err
		}
	}
	if !tagsChanged {
		return nil
	}
	if err := t.execLater("DELETE FROM ticket_tags WHERE ticket_id = ?", tk.ID); err != nil {
		return err
	}
	return t.insertTicketTags(tk.ID, tk.Tags)
}

func (t *Tx) insertTicketTags(id int64, tags []string) error {
	if len(tags) == 0 {
		return nil
	}
	args := make([]any, 0, 2*len(tags))
	rows := make([]string, len(tags))
	for i, tag := range tags {
		rows[i] = "(?, ?)"
		args = append(args, id, tag)
	}
	return t.execLater("INSERT INTO ticket_tags (ticket_id, tag) VALUES "+strings.Join(rows, ", "), args...)
}

// Ticket returns one ticket, deleted ones included (callers decide).
func (t *Tx) Ticket(id int64) (*model.Ticket, error) {
	tk, err := scanTicket(t.queryRow("SELECT "+ticketCols+" FROM tickets t WHERE t.id = ?", id))
	return tk, t.wrap(err)
}

// TicketForUpdate returns a ticket and locks it until the transaction ends,
// so concurrent updates to one ticket apply one after the other.
func (t *Tx) TicketForUpdate(id int64) (*model.Ticket, error) {
	tk, err := scanTicket(t.queryRow("SELECT "+ticketCols+" FROM tickets t WHERE t.id = ?"+t.d.lockSuffix(), id))
	return tk, t.wrap(err)
}

// TicketsByID returns the existing, undeleted tickets among ids, in id order.
func (t *Tx) TicketsByID(ids []int64) ([]*model.Ticket, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	return queryAll(t, scanTicket, "SELECT "+ticketCols+" FROM tickets t WHERE t.deleted_at IS NULL AND t.id IN ("+
		placeholders(len(ids))+") ORDER BY t.id", int64Args(ids)...)
}

// PurgeTicket removes a ticket for good (after soft deletion).
func (t *Tx) PurgeTicket(id int64) error {
	if err := t.d.unindex(t, docTicket, id); err != nil {
		return err
	}
	_, err := t.exec("DELETE FROM tickets WHERE id = ?", id)
	return err
}

// IndexTicket rebuilds the ticket's search document from its subject and
// every comment, so search sees the write in the same transaction.
//
// Soft-deleted tickets are left out of the index (UpdateTicket drops a
// ticket being deleted): search finds live tickets only, so a count of
// matches is the index's count, with nothing to subtract per deleted
// ticket (each subtraction was a full-text probe: 10,000 deleted tickets
// added 0.43–0.58 s to counting サーバー at a million).
func (t *Tx) IndexTicket(id int64) error {
	var subject, desc string
	var deleted sql.NullInt64
	if err := t.queryRow("SELECT subject, description, deleted_at FROM tickets WHERE id = ?", id).Scan(&subject, &desc, &deleted); err != nil {
		return t.wrap(err)
	}
	if deleted.Valid {
		return t.d.unindex(t, docTicket, id)
	}
	bodies, err := queryAll(t, func(sc scanner) (string, error) {
		var body string
		return body, sc.Scan(&body)
	}, "SELECT body FROM comments WHERE ticket_id = ? ORDER BY id", id)
	if err != nil {
		return err
	}
	return t.index(docTicket, id, ticketDoc(subject, desc, bodies))
}

// IndexNewTicket indexes a ticket created in this transaction from what its
// writer holds: its subject and the comments it was created with, in id
// order. It builds the document IndexTicket would read back, without the
// two queries (a ticket's creation is the hottest write).
func (t *Tx) IndexNewTicket(tk *model.Ticket, comments []*model.Comment) error {
	if !tk.DeletedAt.IsZero() {
		return t.d.unindex(t, docTicket, tk.ID)
	}
	bodies := make([]string, len(comments))
	for i, c := range comments {
		bodies[i] = c.Body
	}
	return t.index(docTicket, tk.ID, ticketDoc(tk.Subject, tk.Description, bodies))
}

// ticketDoc is a ticket's search document: the subject, then every
// comment's body (the description when there are none).
func ticketDoc(subject, desc string, bodies []string) []string {
	if len(bodies) == 0 {
		return []string{subject, desc}
	}
	return append([]string{subject}, bodies...)
}

// TicketTagCounts returns the most used ticket tags with their counts.
func (t *Tx) TicketTagCounts(limit int) ([]TagCount, error) {
	return queryAll(t, func(sc scanner) (TagCount, error) {
		var c TagCount
		return c, sc.Scan(&c.Name, &c.Count)
	}, `SELECT tag, COUNT(*) FROM ticket_tags GROUP BY tag ORDER BY COUNT(*) DESC, tag LIMIT ?`, limit)
}

// TagCount is a tag and how many records carry it.
type TagCount struct {
	Name  string
	Count int64
}

// TicketsWithExternalID returns tickets whose external_id is id.
func (t *Tx) TicketsWithExternalID(id string) ([]*model.Ticket, error) {
	return queryAll(t, scanTicket, "SELECT "+ticketCols+" FROM tickets t WHERE t.external_id = ? AND t.deleted_at IS NULL ORDER BY t.id", id)
}

// MaxTicketUpdate returns the newest updated_at, for cache headers and tests.
func (t *Tx) MaxTicketUpdate() (time.Time, error) {
	var v sql.NullInt64
	err := t.queryRow("SELECT MAX(updated_at) FROM tickets").Scan(&v)
	return fromNullMS(v), t.wrap(err)
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func orEmptyMap(m map[string]any) map[string]any {
	if m == nil {
		return map[string]any{}
	}
	return m
}

// TicketsCCing lists live tickets that copy in a user, newest first. The ids
// live in a JSON list on the ticket, so this scans; CC lists are looked up
// rarely (a user's "CC'd" tab), never on a hot path.
func (t *Tx) TicketsCCing(userID int64, limit int) ([]*model.Ticket, error) {
	return queryAll(t, scanTicket, "SELECT "+ticketCols+` FROM tickets t WHERE t.deleted_at IS NULL
		AND REPLACE(REPLACE(t.collaborator_ids, '[', ','), ']', ',') LIKE ? ORDER BY t.updated_at DESC LIMIT ?`,
		"%,"+strconv.FormatInt(userID, 10)+",%", limit)
}
