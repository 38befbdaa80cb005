package store

import (
	"fmt"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// ViewOrder is a view's grouping and sort; fields are Zendesk's view
// column names (nice_id, created, updated, status, assignee, …).
type ViewOrder struct {
	GroupBy   string
	GroupDesc bool
	SortBy    string
	SortDesc  bool
}

// viewSortExprs maps view columns to SQL over tickets t. Names come from
// the people and groups tables through a scalar subquery, which SQLite and
// PostgreSQL both run per row only for the rows being ordered.
var viewSortExprs = map[string]string{
	"nice_id":      "t.id",
	"id":           "t.id",
	"created":      "t.created_at",
	"updated":      "t.updated_at",
	"solved":       "t.solved_at",
	"due_date":     "t.due_at",
	"subject":      "t.subject",
	"status":       rankCase("t.status", model.Statuses),
	"priority":     rankCase("t.priority", model.Priorities),
	"type":         rankCase("t.type", model.TicketTypes),
	"assignee":     "(SELECT u.name FROM users u WHERE u.id = t.assignee_id)",
	"requester":    "(SELECT u.name FROM users u WHERE u.id = t.requester_id)",
	"submitter":    "(SELECT u.name FROM users u WHERE u.id = t.submitter_id)",
	"group":        "(SELECT g.name FROM agent_groups g WHERE g.id = t.group_id)",
	"organization": "(SELECT o.name FROM organizations o WHERE o.id = t.organization_id)",
	"brand":        "(SELECT b.name FROM brands b WHERE b.id = t.brand_id)",
}

// viewGroupExprs are the columns a view can group by: the raw value whose
// rows belong together (ids, not names; dates by UTC day).
var viewGroupExprs = map[string]string{
	"status": "t.status", "priority": "t.priority", "type": "t.type",
	"assignee": "t.assignee_id", "requester": "t.requester_id", "group": "t.group_id",
	"organization": "t.organization_id", "brand": "t.brand_id",
	"created": "t.created_at / 86400000", "updated": "t.updated_at / 86400000",
	"solved": "t.solved_at / 86400000", "due_date": "t.due_at / 86400000",
}

// ViewSortable and ViewGroupable report whether a column can order or
// group a view.
func ViewSortable(col string) bool  { return viewSortExprs[col] != "" }
func ViewGroupable(col string) bool { return viewGroupExprs[col] != "" }

// ViewKeyset reports whether a view in this order can page by cursor on
// (value, id); other orders page by position.
func ViewKeyset(o ViewOrder) bool {
	return o.GroupBy == "" && (o.SortBy == "nice_id" || o.SortBy == "id" || o.SortBy == "created" || o.SortBy == "updated")
}

// ViewCursorFor is the keyset position of tk in order o.
func ViewCursorFor(tk *model.Ticket, o ViewOrder) Cursor {
	switch o.SortBy {
	case "created":
		return Cursor{Value: ms(tk.CreatedAt), ID: tk.ID}
	case "updated":
		return Cursor{Value: ms(tk.UpdatedAt), ID: tk.ID}
	}
	return Cursor{Value: tk.ID, ID: tk.ID}
}

func viewOrderSQL(o ViewOrder) (string, error) {
	dir := func(desc bool) string {
		if desc {
			return " DESC"
		}
		return " ASC"
	}
	var parts []string
	if o.GroupBy != "" {
		g, ok := viewGroupExprs[o.GroupBy]
		if !ok {
			return "", fmt.Errorf("cannot group a view by %q", o.GroupBy)
		}
		parts = append(parts, g+dir(o.GroupDesc))
	}
	sortBy := o.SortBy
	if sortBy == "" {
		sortBy = "nice_id"
	}
	s, ok := viewSortExprs[sortBy]
	if !ok {
		return "", fmt.Errorf("cannot sort a view by %q", sortBy)
	}
	if s != "t.id" {
		parts = append(parts, s+dir(o.SortDesc))
	}
	parts = append(parts, "t.id"+dir(o.SortDesc))
	out := parts[0]
	for _, p := range parts[1:] {
		out += ", " + p
	}
	return out, nil
}

// ViewTickets returns one page of the tickets a view shows, in its order.
// page.After is honoured only for ViewKeyset orders.
func (t *Tx) ViewTickets(q ViewQuery, o ViewOrder, page Page) ([]*model.Ticket, error) {
	w, err := t.compileView(q)
	if err != nil {
		return nil, err
	}
	orderSQL, err := viewOrderSQL(o)
	if err != nil {
		return nil, err
	}
	if page.After != nil && ViewKeyset(o) {
		col := map[string]string{"created": "t.created_at", "updated": "t.updated_at"}[o.SortBy]
		if col == "" {
			col = "t.id"
		}
		op := ">"
		if o.SortDesc {
			op = "<"
		}
		w.add(fmt.Sprintf("(%s %s ? OR (%s = ? AND t.id %s ?))", col, op, col, op), page.After.Value, page.After.Value, page.After.ID)
	}
	query := "SELECT " + ticketCols + " FROM tickets t" + w.sql() + " ORDER BY " + orderSQL
	args := w.args
	if page.Limit > 0 {
		query += " LIMIT ?"
		args = append(args, page.Limit)
		if page.Offset > 0 {
			query += " OFFSET ?"
			args = append(args, page.Offset)
		}
	}
	return queryAll(t, scanTicket, query, args...)
}

// CountView counts the tickets a view shows.
func (t *Tx) CountView(q ViewQuery) (int64, error) {
	w, err := t.compileView(q)
	if err != nil {
		return 0, err
	}
	return t.count("SELECT COUNT(*) FROM tickets t"+w.sql(), w.args...)
}

// ViewGroup is one group of a grouped view: the raw grouping value (a
// string, an id, a UTC day number, or nil) and how many tickets have it.
type ViewGroup struct {
	Value any
	Count int64
}

// ViewGroups counts a view's tickets per value of its group_by column.
func (t *Tx) ViewGroups(q ViewQuery, o ViewOrder) ([]ViewGroup, error) {
	g, ok := viewGroupExprs[o.GroupBy]
	if !ok {
		return nil, fmt.Errorf("cannot group a view by %q", o.GroupBy)
	}
	w, err := t.compileView(q)
	if err != nil {
		return nil, err
	}
	dir := " ASC"
	if o.GroupDesc {
		dir = " DESC"
	}
	query := "SELECT " + g + ", COUNT(*) FROM tickets t" + w.sql() + " GROUP BY " + g + " ORDER BY " + g + dir
	return queryAll(t, func(sc scanner) (ViewGroup, error) {
		var (
			vg  ViewGroup
			raw any
		)
		err := sc.Scan(&raw, &vg.Count)
		switch x := raw.(type) {
		case []byte:
			vg.Value = string(x)
		default:
			vg.Value = x
		}
		return vg, err
	}, query, w.args...)
}
