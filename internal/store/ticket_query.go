package store

import (
	"fmt"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
)

// TicketFilter selects tickets. Values within one field are alternatives
// (OR); different fields must all hold (AND). An id of 0 in AssigneeIDs,
// GroupIDs or OrganizationIDs means "none".
type TicketFilter struct {
	IDs                                       []int64
	Statuses, NotStatuses                     []string
	Priorities, NotPriorities                 []string
	Types, NotTypes                           []string
	Vias, NotVias                             []string
	AssigneeIDs, NotAssigneeIDs               []int64
	GroupIDs, NotGroupIDs                     []int64
	RequesterIDs, NotRequesterIDs             []int64
	SubmitterIDs, NotSubmitterIDs             []int64
	OrganizationIDs, NotOrganizationIDs       []int64
	BrandIDs, NotBrandIDs                     []int64
	InboxIDs                                  []int64
	Tags, NotTags                             []string
	ExternalIDs                               []string
	Created, Updated, Solved, Due             TimeRange
	Text                                      search.TextQuery
	Deleted                                   bool  // only soft-deleted tickets instead of live ones (never found by Text: they leave the index)
	VisibleToRequester, VisibleToOrganization int64 // end-user scope: own tickets, or own org's when shared
}

// TimeRange is [From, To); a zero bound is open.
type TimeRange struct{ From, To time.Time }

// TicketOrder sorts a ticket list. Field is one of id, created_at,
// updated_at, status, priority, type, subject, due_at, solved_at or relevance.
type TicketOrder struct {
	Field string
	Desc  bool
}

// Page selects a slice of a result: keyset (After) for the numeric sort
// fields, offset otherwise.
type Page struct {
	Limit  int
	Offset int
	After  *Cursor
}

// Cursor is the position of the last row seen: its sort value and id.
type Cursor struct {
	Value int64
	ID    int64
}

// keysetFields are sort fields whose values are non-null integers, so a
// (value, id) cursor orders them totally.
var keysetFields = map[string]bool{"id": true, "created_at": true, "updated_at": true}

// KeysetOrder reports whether a cursor can page through this order.
func KeysetOrder(field string) bool { return keysetFields[field] }

// CursorFor returns the cursor positioned at tk for the given order.
func CursorFor(tk *model.Ticket, field string) Cursor {
	switch field {
	case "created_at":
		return Cursor{Value: ms(tk.CreatedAt), ID: tk.ID}
	case "updated_at":
		return Cursor{Value: ms(tk.UpdatedAt), ID: tk.ID}
	}
	return Cursor{Value: tk.ID, ID: tk.ID}
}

// ListTickets returns one page of tickets matching f in the given order.
func (t *Tx) ListTickets(f TicketFilter, order TicketOrder, page Page) ([]*model.Ticket, error) {
	w := t.ticketWhere(f)
	if order.Field == "relevance" && w.join == "" {
		order.Field = "updated_at"
		order.Desc = true
	}
	if order.Field == "relevance" {
		return t.listByRelevance(f, w, page) // see relevance.go
	}
	orderSQL, err := ticketOrderSQL(order)
	if err != nil {
		return nil, err
	}
	if page.After != nil {
		col := "t." + order.Field
		op := ">"
		if order.Desc {
			op = "<"
		}
		w.add(fmt.Sprintf("(%s %s ? OR (%s = ? AND t.id %s ?))", col, op, col, op), page.After.Value, page.After.Value, page.After.ID)
	}
	q := "SELECT " + ticketCols + " FROM tickets t" + w.join + w.sql() + " ORDER BY " + orderSQL
	args := append(w.joinArgs, w.args...)
	if page.Limit > 0 {
		q += " LIMIT ?"
		args = append(args, page.Limit)
		if page.Offset > 0 {
			q += " OFFSET ?"
			args = append(args, page.Offset)
		}
	}
	return queryAll(t, scanTicket, q, args...)
}

// CountTickets counts tickets matching f.
func (t *Tx) CountTickets(f TicketFilter) (int64, error) {
	w := t.ticketWhere(f)
	if n, ok, err := t.countTextOnly(f, w); ok || err != nil {
		return n, err // see relevance.go
	}
	return t.count("SELECT COUNT(*) FROM tickets t"+w.join+w.sql(), append(w.joinArgs, w.args...)...)
}

func ticketOrderSQL(o TicketOrder) (string, error) {
	dir := " ASC"
	if o.Desc {
		dir = " DESC"
	}
	var expr string
	switch o.Field {
	case "", "id":
		return "t.id" + dir, nil
	case "created_at", "updated_at", "subject", "due_at", "solved_at":
		expr = "t." + o.Field
	case "status":
		expr = rankCase("t.status", model.Statuses)
	case "priority":
		expr = rankCase("t.priority", model.Priorities)
	case "type":
		expr = rankCase("t.type", model.TicketTypes)
	case "relevance":
		return "fs.rank DESC, t.id DESC", nil
	default:
		return "", fmt.Errorf("cannot sort tickets by %q", o.Field)
	}
	return expr + dir + ", t.id" + dir, nil
}

// rankCase orders an enumerated column by its life-cycle position.
func rankCase(col string, values []string) string {
	var b strings.Builder
	b.WriteString("CASE " + col)
	for i, v := range values {
		fmt.Fprintf(&b, " WHEN '%s' THEN %d", v, i+1)
	}
	b.WriteString(" ELSE 0 END")
	return b.String()
}

// where accumulates AND-ed conditions and an optional search join.
type where struct {
	parts    []string
	args     []any
	join     string
	joinArgs []any
}

func (w *where) add(cond string, args ...any) {
	w.parts = append(w.parts, cond)
	w.args = append(w.args, args...)
}

func (w *where) sql() string {
	if len(w.parts) == 0 {
		return ""
	}
	return " WHERE " + strings.Join(w.parts, " AND ")
}

func (w *where) strIn(col string, vals []string, negate bool) {
	if len(vals) == 0 {
		return
	}
	if negate {
		w.add("("+col+" IS NULL OR "+col+" NOT IN ("+placeholders(len(vals))+"))", stringArgs(vals)...)
		return
	}
	w.add(col+" IN ("+placeholders(len(vals))+")", stringArgs(vals)...)
}

// idIn handles id lists where 0 stands for NULL ("assignee:none").
func (w *where) idIn(col string, ids []int64, negate bool) {
	if len(ids) == 0 {
		return
	}
	var real []int64
	none := false
	for _, id := range ids {
		if id == 0 {
			none = true
		} else {
			real = append(real, id)
		}
	}
	var alts []string
	if len(real) > 0 {
		alts = append(alts, col+" IN ("+placeholders(len(real))+")")
	}
	if negate {
		c := "NOT (" + strings.Join(alts, " OR ") + ")"
		if len(alts) == 0 {
			c = col + " IS NOT NULL"
		} else if none {
			c = "(" + col + " IS NOT NULL AND " + c + ")"
		} else {
			c = "(" + col + " IS NULL OR " + c + ")"
		}
		w.add(c, int64Args(real)...)
		return
	}
	if none {
		alts = append(alts, col+" IS NULL")
	}
	w.add("("+strings.Join(alts, " OR ")+")", int64Args(real)...)
}

func (w *where) timeRange(col string, r TimeRange) {
	if !r.From.IsZero() {
		w.add(col+" >= ?", ms(r.From))
	}
	if !r.To.IsZero() {
		w.add(col+" < ?", ms(r.To))
	}
}

func (t *Tx) ticketWhere(f TicketFilter) *where {
	w := &where{}
	if f.Deleted {
		w.add("t.deleted_at IS NOT NULL")
	} else {
		w.add("t.deleted_at IS NULL")
	}
	if len(f.IDs) > 0 {
		w.add("t.id IN ("+placeholders(len(f.IDs))+")", int64Args(f.IDs)...)
	}
	w.strIn("t.status", f.Statuses, false)
	w.strIn("t.status", f.NotStatuses, true)
	w.strIn("t.priority", f.Priorities, false)
	w.strIn("t.priority", f.NotPriorities, true)
	w.strIn("t.type", f.Types, false)
	w.strIn("t.type", f.NotTypes, true)
	w.strIn("t.via", f.Vias, false)
	w.strIn("t.via", f.NotVias, true)
	w.strIn("t.external_id", f.ExternalIDs, false)
	w.idIn("t.assignee_id", f.AssigneeIDs, false)
	w.idIn("t.assignee_id", f.NotAssigneeIDs, true)
	w.idIn("t.group_id", f.GroupIDs, false)
	w.idIn("t.group_id", f.NotGroupIDs, true)
	w.idIn("t.requester_id", f.RequesterIDs, false)
	w.idIn("t.requester_id", f.NotRequesterIDs, true)
	w.idIn("t.submitter_id", f.SubmitterIDs, false)
	w.idIn("t.submitter_id", f.NotSubmitterIDs, true)
	w.idIn("t.organization_id", f.OrganizationIDs, false)
	w.idIn("t.organization_id", f.NotOrganizationIDs, true)
	w.idIn("t.brand_id", f.BrandIDs, false)
	w.idIn("t.brand_id", f.NotBrandIDs, true)
	w.idIn("t.inbox_id", f.InboxIDs, false)
	if len(f.Tags) > 0 {
		w.add("EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag IN ("+placeholders(len(f.Tags))+"))", stringArgs(f.Tags)...)
	}
	if len(f.NotTags) > 0 {
		w.add("NOT EXISTS (SELECT 1 FROM ticket_tags tt WHERE tt.ticket_id = t.id AND tt.tag IN ("+placeholders(len(f.NotTags))+"))", stringArgs(f.NotTags)...)
	}
	w.timeRange("t.created_at", f.Created)
	w.timeRange("t.updated_at", f.Updated)
	w.timeRange("t.solved_at", f.Solved)
	w.timeRange("t.due_at", f.Due)
	switch {
	case f.VisibleToOrganization != 0:
		w.add("(t.requester_id = ? OR t.organization_id = ?)", f.VisibleToRequester, f.VisibleToOrganization)
	case f.VisibleToRequester != 0:
		w.add("t.requester_id = ?", f.VisibleToRequester)
	}
	if len(f.Text.Clauses) > 0 {
		join, jargs, cond, cargs := t.textCondition(docTicket, "t.id", f.Text)
		w.join, w.joinArgs = join, jargs
		if cond != "" {
			w.add(cond, cargs...)
		}
	}
	return w
}
