package api

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

func viewURL(base string, id int64) string { return fmt.Sprintf("%s/api/v2/views/%d.json", base, id) }

// decodeView reads a create/update body into the domain's input.
func (s *Server) decodeView(w http.ResponseWriter, r *http.Request) (views.Input, error) {
	var body viewBody
	var in views.Input
	if err := s.decode(w, r, &body); err != nil {
		return in, err
	}
	b := body.View
	if b == nil {
		return in, badRequest("InvalidValue", `the body must be {"view": {...}} / 本文は {"view": {...}} の形です`)
	}
	in.Title, in.Description, in.Active, in.Position = b.Title, b.Description, b.Active, b.Position
	if b.Conditions != nil {
		c := *b.Conditions
		in.Conditions = &c
	}
	if b.All != nil || b.Any != nil {
		c := store.ViewConditions{}
		if in.Conditions != nil {
			c = *in.Conditions
		}
		if b.All != nil {
			c.All = *b.All
		}
		if b.Any != nil {
			c.Any = *b.Any
		}
		in.Conditions = &c
	}
	out := b.Output
	if out == nil {
		out = b.Execution
	}
	if out != nil {
		e := &views.ExecutionInput{GroupBy: out.GroupBy.ptr(), GroupOrder: out.GroupOrder.ptr(), SortBy: out.SortBy.ptr(), SortOrder: out.SortOrder.ptr()}
		if out.Columns != nil {
			e.Columns = []string{}
			for _, raw := range out.Columns {
				c, err := columnID(raw)
				if err != nil {
					return in, err
				}
				e.Columns = append(e.Columns, c)
			}
		}
		in.Execution = e
	}
	if len(b.Restriction) > 0 {
		in.RestrictionSet = true
		if !bytes.Equal(bytes.TrimSpace(b.Restriction), []byte("null")) {
			var rj struct {
				Type string   `json:"type"`
				ID   optInt   `json:"id"`
				IDs  []optInt `json:"ids"`
			}
			if err := json.Unmarshal(b.Restriction, &rj); err != nil {
				return in, badRequest("InvalidValue", `restriction must be null or {"type": "Group"|"User", "id": …, "ids": […]} / restriction の形式が正しくありません`)
			}
			res := &views.Restriction{Type: rj.Type}
			for _, id := range rj.IDs {
				res.IDs = append(res.IDs, id.V)
			}
			if rj.ID.V != 0 && len(res.IDs) == 0 {
				res.IDs = []int64{rj.ID.V}
			}
			in.Restriction = res
		}
	}
	return in, nil
}

// columnID accepts "subject", a custom field id, or {"id": …} as read back.
func columnID(raw json.RawMessage) (string, error) {
	var v any
	d := json.NewDecoder(bytes.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&v); err == nil {
		if m, ok := v.(map[string]any); ok {
			v = m["id"]
		}
		switch x := v.(type) {
		case string:
			return x, nil
		case json.Number:
			return x.String(), nil
		}
	}
	return "", badRequest("InvalidValue", "each column is a column name such as \"subject\" or a ticket field id / 列は列名かチケットフィールド ID です")
}

func restrictionJSON(v *store.View) any {
	if v.RestrictionType == "" || len(v.RestrictionIDs) == 0 {
		return nil
	}
	r := map[string]any{"type": v.RestrictionType, "id": v.RestrictionIDs[0]}
	if v.RestrictionType == views.RestrictGroup {
		r["ids"] = v.RestrictionIDs
	}
	return r
}

// viewColumns lists a view's columns as {id, title}: names for standard
// columns, numeric ids for custom fields (Zendesk's shape).
func viewColumns(cols []string, defs []*model.TicketField) (all, std, custom []map[string]any) {
	all, std, custom = []map[string]any{}, []map[string]any{}, []map[string]any{}
	for _, c := range cols {
		if t := views.Columns[c]; t != "" {
			col := map[string]any{"id": c, "title": t}
			all, std = append(all, col), append(std, col)
			continue
		}
		id, _ := strconv.ParseInt(c, 10, 64)
		for _, d := range defs {
			if d.ID == id {
				col := map[string]any{"id": id, "title": d.Title, "type": d.Type, "url": fmt.Sprintf("/api/v2/ticket_fields/%d.json", id)}
				all, custom = append(all, col), append(custom, col)
			}
		}
	}
	return all, std, custom
}

func presentView(base string, v *store.View, defs []*model.TicketField) map[string]any {
	e := v.Execution
	all, std, custom := viewColumns(e.Columns, defs)
	order := func(o string) string {
		if o == "" {
			return "asc"
		}
		return o
	}
	var group, groupBy any
	if e.GroupBy != "" {
		groupBy = e.GroupBy
		group = map[string]any{"id": e.GroupBy, "title": views.Columns[e.GroupBy], "order": order(e.GroupOrder)}
	}
	sortBy := e.SortBy
	if sortBy == "" {
		sortBy = "nice_id"
	}
	conds := v.Conditions
	if conds.All == nil {
		conds.All = []store.ViewCondition{}
	}
	if conds.Any == nil {
		conds.Any = []store.ViewCondition{}
	}
	return map[string]any{
		"url": viewURL(base, v.ID), "id": v.ID, "title": v.Title, "raw_title": v.RawTitle, "description": v.Description,
		"active": v.Active, "position": v.Position, "default": v.DefaultKey != "",
		"conditions": conds, "restriction": restrictionJSON(v),
		"execution": map[string]any{
			"group_by": groupBy, "group_order": order(e.GroupOrder), "sort_by": sortBy, "sort_order": order(e.SortOrder),
			"group": group, "sort": map[string]any{"id": sortBy, "title": views.Columns[sortBy], "order": order(e.SortOrder)},
			"columns": all, "fields": std, "custom_fields": custom,
		},
		"created_at": isoTime(v.CreatedAt), "updated_at": isoTime(v.UpdatedAt),
	}
}

func (s *Server) presentViews(r *http.Request, list []*store.View) []map[string]any {
	var defs []*model.TicketField
	_ = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		defs, err = tx.TicketFields()
		return err
	})
	base := baseURL(r)
	out := make([]map[string]any, len(list))
	for i, v := range list {
		out[i] = presentView(base, v, defs)
	}
	return out
}

// viewCountJSON is Zendesk's view_count: value null and pretty "..." while
// not computed; fresh false while a recount is pending.
func viewCountJSON(base string, c views.Count, preview bool) map[string]any {
	out := map[string]any{"view_id": c.ViewID, "url": fmt.Sprintf("%s/api/v2/views/%d/count.json", base, c.ViewID),
		"value": nil, "pretty": "...", "fresh": c.Fresh}
	if preview {
		out["view_id"], out["url"] = nil, nil
	}
	if c.Known {
		out["value"], out["pretty"] = c.Value, prettyCount(c.Value)
	}
	return out
}

// prettyCount is Zendesk's short form: exact below 1,000, then "~1.2k".
func prettyCount(n int64) string {
	if n < 1000 {
		return strconv.FormatInt(n, 10)
	}
	if n < 100000 {
		s := strconv.FormatFloat(float64(n)/1000, 'f', 1, 64)
		if s[len(s)-2:] == ".0" {
			s = s[:len(s)-2]
		}
		return "~" + s + "k"
	}
	return "~" + strconv.FormatInt(n/1000, 10) + "k"
}
