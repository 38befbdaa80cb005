package api

import (
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// runView runs v for one page as the request asks (sort_by, sort_order,
// page/per_page or page[size]/page[after]) and fills body's paging.
func (s *Server) runView(r *http.Request, v *store.View, body map[string]any, withGroups bool) (*views.Page, store.ViewOrder, error) {
	p, err := parsePager(r)
	if err != nil {
		return nil, store.ViewOrder{}, err
	}
	q := r.URL.Query()
	sortBy, sortOrder := q.Get("sort_by"), q.Get("sort_order")
	if sortBy != "" && !store.ViewSortable(sortBy) {
		return nil, store.ViewOrder{}, badRequest("InvalidValue", "sort_by must be a view column such as nice_id, created, updated, status, priority, assignee / sort_by にはビューの列名を指定してください")
	}
	o := views.Order(v, sortBy, sortOrder)
	page := store.Page{Limit: p.Size, Offset: p.offset()}
	start := 0
	if p.Cursor {
		page = store.Page{Limit: p.Size + 1}
		if p.After != "" {
			val, id, err := decodeCursor(p.After)
			if err != nil {
				return nil, o, err
			}
			if id == -1 || !store.ViewKeyset(o) { // a position, for orders without a keyset
				start = int(max(0, val))
				page.Offset = start
			} else {
				page.After = &store.Cursor{Value: val, ID: id}
			}
		}
	}
	res, err := s.views().Run(r.Context(), currentUser(r), v, o, page, withGroups)
	if err != nil {
		return nil, o, err
	}
	if !p.Cursor {
		p.offsetLinks(body, res.Count.Value, len(res.Tickets))
		return res, o, nil
	}
	hasMore := len(res.Tickets) > p.Size
	if hasMore {
		res.Tickets = res.Tickets[:p.Size]
	}
	after, before := "", ""
	if n := len(res.Tickets); n > 0 {
		if store.ViewKeyset(o) {
			c := store.ViewCursorFor(res.Tickets[n-1], o)
			after = encodeCursor(c.Value, c.ID)
			c = store.ViewCursorFor(res.Tickets[0], o)
			before = encodeCursor(c.Value, c.ID)
		} else {
			after, before = encodeCursor(int64(start+n), -1), encodeCursor(int64(start), -1)
		}
	}
	p.cursorLinks(body, hasMore, after, before)
	body["count"] = res.Count.Value
	return res, o, nil
}

func (s *Server) executeView(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewFromPath(r)
	if err != nil {
		return err
	}
	return s.respondExecute(w, r, v)
}

func (s *Server) respondExecute(w http.ResponseWriter, r *http.Request, v *store.View) error {
	body := map[string]any{}
	res, o, err := s.runView(r, v, body, true)
	if err != nil {
		return err
	}
	var (
		defs  []*model.TicketField
		names map[string]map[int64]string
	)
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if defs, err = tx.TicketFields(); err != nil {
			return err
		}
		names, err = viewNames(tx, res)
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	cols, _, _ := viewColumns(v.Execution.Columns, defs)
	rows := make([]map[string]any, len(res.Tickets))
	for i, tk := range res.Tickets {
		rows[i] = viewRow(base, tk, v.Execution.Columns, o.GroupBy, names)
	}
	groups := make([]map[string]any, len(res.Groups))
	for i, g := range res.Groups {
		id, name := groupLabel(o.GroupBy, g.Value, names)
		groups[i] = map[string]any{"id": id, "name": name, "count": g.Count}
	}
	body["view"] = map[string]any{"id": v.ID, "url": viewURL(base, v.ID)}
	if v.ID == 0 {
		body["view"] = map[string]any{"id": nil, "url": nil}
	}
	body["rows"], body["columns"], body["groups"] = rows, cols, groups
	writeJSON(w, http.StatusOK, body)
	return nil
}

// refKinds maps reference columns to the table their names come from.
var refKinds = map[string]string{"requester": "users", "assignee": "users", "submitter": "users",
	"group": "groups", "organization": "organizations", "brand": "brands"}

func refID(tk *model.Ticket, col string) int64 {
	switch col {
	case "requester":
		return tk.RequesterID
	case "assignee":
		return tk.AssigneeID
	case "submitter":
		return tk.SubmitterID
	case "group":
		return tk.GroupID
	case "organization":
		return tk.OrganizationID
	case "brand":
		return tk.BrandID
	}
	return 0
}

// viewNames looks up, once per kind, the names a page of rows and its
// groups refer to.
func viewNames(tx *store.Tx, res *views.Page) (map[string]map[int64]string, error) {
	want := map[string][]int64{}
	for _, tk := range res.Tickets {
		for col, kind := range refKinds {
			if id := refID(tk, col); id != 0 {
				want[kind] = append(want[kind], id)
			}
		}
	}
	for _, g := range res.Groups {
		if id, ok := g.Value.(int64); ok {
			for _, kind := range []string{"users", "groups", "organizations", "brands"} {
				want[kind] = append(want[kind], id)
			}
		}
	}
	out := map[string]map[int64]string{}
	for kind, ids := range want {
		m, err := tx.NameLookup(kind, ids)
		if err != nil {
			return nil, err
		}
		out[kind] = m
	}
	return out, nil
}

func viewRow(base string, tk *model.Ticket, cols []string, groupBy string, names map[string]map[int64]string) map[string]any {
	row := map[string]any{
		"ticket": map[string]any{"id": tk.ID, "url": fmt.Sprintf("%s/api/v2/tickets/%d.json", base, tk.ID), "subject": tk.Subject,
			"description": truncateRunes(tk.Description, 200), "status": tk.Status, "type": strPtr(tk.Type), "priority": strPtr(tk.Priority),
			"created_at": isoTime(tk.CreatedAt), "updated_at": isoTime(tk.UpdatedAt)},
		"requester_id": tk.RequesterID, "assignee_id": idPtr(tk.AssigneeID), "group_id": idPtr(tk.GroupID),
		"organization_id": idPtr(tk.OrganizationID), "brand_id": idPtr(tk.BrandID),
	}
	for _, c := range cols {
		switch c {
		case "nice_id":
			row[c] = tk.ID
		case "subject":
			row[c] = tk.Subject
		case "status":
			row[c] = tk.Status
		case "priority":
			row[c] = strPtr(tk.Priority)
		case "type":
			row[c] = strPtr(tk.Type)
		case "created":
			row[c] = isoTime(tk.CreatedAt)
		case "updated":
			row[c] = isoTime(tk.UpdatedAt)
		case "solved":
			row[c] = timePtr(tk.SolvedAt)
		case "due_date":
			row[c] = timePtr(tk.DueAt)
		default:
			if kind := refKinds[c]; kind != "" {
				row[c] = nil
				if id := refID(tk, c); id != 0 {
					row[c] = map[string]any{"id": id, "name": names[kind][id]}
				}
				continue
			}
			id, _ := strconv.ParseInt(c, 10, 64)
			row[c] = nil
			for _, fv := range tk.CustomFields {
				if fv.ID == id {
					row[c] = fv.Value
				}
			}
		}
	}
	if groupBy != "" {
		row["group_by_value"] = groupValueOf(tk, groupBy)
	}
	return row
}

// groupValueOf is the id under which a row's group is listed in "groups".
func groupValueOf(tk *model.Ticket, groupBy string) any {
	switch groupBy {
	case "status":
		return tk.Status
	case "priority":
		return strPtr(tk.Priority)
	case "type":
		return strPtr(tk.Type)
	case "created":
		return day(tk.CreatedAt)
	case "updated":
		return day(tk.UpdatedAt)
	case "solved":
		return day(tk.SolvedAt)
	case "due_date":
		return day(tk.DueAt)
	}
	return idPtr(refID(tk, groupBy))
}

func day(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UTC().Format("2006-01-02")
}

func groupLabel(groupBy string, v any, names map[string]map[int64]string) (id any, name string) {
	n, isNum := v.(int64)
	switch {
	case v == nil:
		return nil, "-"
	case groupBy == "created" || groupBy == "updated" || groupBy == "solved" || groupBy == "due_date":
		d := time.UnixMilli(n * 86400000).UTC().Format("2006-01-02")
		return d, d
	case isNum:
		return n, names[refKinds[groupBy]][n]
	}
	s := fmt.Sprint(v)
	return s, s
}

func truncateRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}

func (s *Server) viewTickets(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewFromPath(r)
	if err != nil {
		return err
	}
	body := map[string]any{}
	res, _, err := s.runView(r, v, body, false)
	if err != nil {
		return err
	}
	var defs []*model.TicketField
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		defs, err = tx.TicketFields()
		return err
	}); err != nil {
		return err
	}
	body["tickets"] = s.presentTickets(r, res.Tickets, defs)
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) countView(w http.ResponseWriter, r *http.Request) error {
	v, err := s.viewFromPath(r)
	if err != nil {
		return err
	}
	c, err := s.views().Count(r.Context(), currentUser(r), v)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"view_count": viewCountJSON(baseURL(r), c, false)})
	return nil
}

func (s *Server) countManyViews(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	ids, err := idList(r.URL.Query().Get("ids"))
	if err != nil {
		return err
	}
	counts, err := s.views().CountMany(r.Context(), currentUser(r), ids)
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]map[string]any, len(counts))
	for i, c := range counts {
		out[i] = viewCountJSON(base, c, false)
	}
	writeJSON(w, http.StatusOK, map[string]any{"view_counts": out})
	return nil
}

// previewView runs an unsaved view (POST /views/preview) in execute's shape.
func (s *Server) previewView(w http.ResponseWriter, r *http.Request) error {
	v, err := s.decodePreview(w, r)
	if err != nil {
		return err
	}
	return s.respondExecute(w, r, v)
}

func (s *Server) previewCount(w http.ResponseWriter, r *http.Request) error {
	v, err := s.decodePreview(w, r)
	if err != nil {
		return err
	}
	res, err := s.views().Run(r.Context(), currentUser(r), v, views.Order(v, "", ""), store.Page{Limit: 1}, false)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"view_count": viewCountJSON(baseURL(r), res.Count, true)})
	return nil
}

func (s *Server) decodePreview(w http.ResponseWriter, r *http.Request) (*store.View, error) {
	if err := requireStaff(r); err != nil {
		return nil, err
	}
	in, err := s.decodeView(w, r)
	if err != nil {
		return nil, err
	}
	return s.views().Preview(r.Context(), in)
}
