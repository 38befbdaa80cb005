package api

import (
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Zendesk's macros API (/api/v2/macros); apply lives in macros_apply.go.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/macros", s.listMacros(listAll))
		s.handle("GET /api/v2/macros/active", s.listMacros(listActive))
		s.handle("GET /api/v2/macros/search", s.listMacros(listSearch))
		s.handle("GET /api/v2/macros/categories", s.macroCategories)
		s.handle("GET /api/v2/macros/{id}", s.showMacro)
		s.handle("POST /api/v2/macros", s.createMacro)
		s.handle("PUT /api/v2/macros/{id}", s.updateMacro)
		s.handle("DELETE /api/v2/macros/{id}", s.deleteMacro)
		s.handle("PUT /api/v2/macros/update_many", s.updateManyMacros)
		s.handle("DELETE /api/v2/macros/destroy_many", s.destroyManyMacros)
	})
}

type macroJSON struct {
	URL         string              `json:"url"`
	ID          int64               `json:"id"`
	Title       string              `json:"title"`
	RawTitle    string              `json:"raw_title"`
	Active      bool                `json:"active"`
	Actions     []store.MacroAction `json:"actions"`
	Restriction *macros.Restriction `json:"restriction"`
	Description *string             `json:"description"`
	Position    int64               `json:"position"`
	Default     bool                `json:"default"`
	CreatedAt   string              `json:"created_at"`
	UpdatedAt   string              `json:"updated_at"`
	Usage1h     *int64              `json:"usage_1h,omitempty"`
	Usage24h    *int64              `json:"usage_24h,omitempty"`
	Usage7d     *int64              `json:"usage_7d,omitempty"`
	Usage30d    *int64              `json:"usage_30d,omitempty"`
}

func presentMacro(base string, m *store.Macro) macroJSON {
	out := macroJSON{
		URL: fmt.Sprintf("%s/api/v2/macros/%d.json", base, m.ID), ID: m.ID, Title: m.Title, RawTitle: m.Title,
		Active: m.Active, Actions: m.Actions, Description: strPtr(m.Description), Position: m.Position,
		CreatedAt: isoTime(m.CreatedAt), UpdatedAt: isoTime(m.UpdatedAt),
	}
	if out.Actions == nil {
		out.Actions = []store.MacroAction{}
	}
	switch m.RestrictionType {
	case macros.Group:
		r := &macros.Restriction{Type: macros.Group, IDs: slices.Clone(m.RestrictionIDs)}
		if len(r.IDs) > 0 {
			r.ID = r.IDs[0]
		}
		out.Restriction = r
	case macros.User:
		if len(m.RestrictionIDs) > 0 {
			out.Restriction = &macros.Restriction{Type: macros.User, ID: m.RestrictionIDs[0]}
		}
	}
	return out
}

const (
	listAll = iota
	listActive
	listSearch
)

// macroQuery reads Zendesk's list parameters; unknown values of the
// enumerated ones are a 400, as unknown parameters are ignored.
func macroQuery(r *http.Request, kind int) (macros.Query, []string, error) {
	v := r.URL.Query()
	q := macros.Query{Access: v.Get("access"), Category: v.Get("category"), SortBy: v.Get("sort_by"), SortOrder: v.Get("sort_order")}
	if q.Access != "" && !slices.Contains(macros.Access, q.Access) {
		return q, nil, badRequest("InvalidValue", "access must be one of "+strings.Join(macros.Access, ", ")+". / access の値が正しくありません。")
	}
	if q.SortBy != "" && !slices.Contains(macros.SortBy, q.SortBy) {
		return q, nil, badRequest("InvalidValue", "sort_by must be one of "+strings.Join(macros.SortBy, ", ")+". / sort_by の値が正しくありません。")
	}
	if q.SortOrder != "" && q.SortOrder != "asc" && q.SortOrder != "desc" {
		return q, nil, badRequest("InvalidValue", "sort_order must be asc or desc. / sort_order は asc か desc です。")
	}
	for name, dst := range map[string]**bool{"active": &q.Active} {
		if s := v.Get(name); s != "" {
			b, err := strconv.ParseBool(s)
			if err != nil {
				return q, nil, badRequest("InvalidValue", name+" must be true or false. / "+name+" は true か false です。")
			}
			*dst = &b
		}
	}
	if s := v.Get("only_viewable"); s != "" {
		b, err := strconv.ParseBool(s)
		if err != nil {
			return q, nil, badRequest("InvalidValue", "only_viewable must be true or false. / only_viewable は true か false です。")
		}
		q.OnlyViewable = b
	}
	if s := v.Get("group_id"); s != "" {
		id, err := strconv.ParseInt(s, 10, 64)
		if err != nil || id <= 0 {
			return q, nil, badRequest("InvalidValue", "group_id must be a group id. / group_id が正しくありません。")
		}
		q.GroupID = id
	}
	var include []string
	for _, inc := range strings.Split(v.Get("include"), ",") {
		if inc = strings.TrimSpace(inc); strings.HasPrefix(inc, "usage_") && slices.Contains(macros.SortBy, inc) {
			include = append(include, inc)
			q.NeedUsage = true
		}
	}
	switch kind {
	case listActive:
		t := true
		q.Active, q.OnlyViewable = &t, true
	case listSearch:
		q.Text = strings.TrimSpace(v.Get("query"))
		if q.Text == "" {
			return q, nil, badRequest("InvalidValue", "query is required, e.g. /api/v2/macros/search?query=返金. / query を指定してください。")
		}
	}
	return q, include, nil
}

func (s *Server) listMacros(kind int) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireStaff(r); err != nil {
			return err
		}
		p, err := parsePager(r)
		if err != nil {
			return err
		}
		q, include, err := macroQuery(r, kind)
		if err != nil {
			return err
		}
		var res *macros.Listed
		err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
			res, err = macros.List(tx, currentUser(r), q, s.Now())
			return err
		})
		if err != nil {
			return err
		}
		body := map[string]any{}
		page, err := macroPage(p, body, res.Macros)
		if err != nil {
			return err
		}
		base := baseURL(r)
		out := make([]macroJSON, len(page))
		for i, m := range page {
			out[i] = presentMacro(base, m)
			u := res.Usage[m.ID]
			for _, inc := range include {
				switch inc {
				case "usage_1h":
					out[i].Usage1h = &u.H1
				case "usage_24h":
					out[i].Usage24h = &u.H24
				case "usage_7d":
					out[i].Usage7d = &u.D7
				case "usage_30d":
					out[i].Usage30d = &u.D30
				}
			}
		}
		body["macros"] = out
		writeJSON(w, http.StatusOK, body)
		return nil
	}
}

// macroPage pages a sorted in-memory list; with cursors the cursor is the
// position in the sorted list (the list is small and its order is stable).
func macroPage(p *pager, body map[string]any, list []*store.Macro) ([]*store.Macro, error) {
	if !p.Cursor {
		off := min(p.offset(), len(list))
		page := list[off:min(len(list), off+p.Size)]
		p.offsetLinks(body, int64(len(list)), len(page))
		return page, nil
	}
	start := 0
	if p.After != "" {
		n, _, err := decodeCursor(p.After)
		if err != nil || n < 0 {
			return nil, badRequest("InvalidPaginationParameter", "page[after] is not a cursor from this list. / page[after] が正しくありません。")
		}
		start = int(min(n, int64(len(list))))
	} else if p.Before != "" {
		n, _, err := decodeCursor(p.Before)
		if err != nil || n < 0 {
			return nil, badRequest("InvalidPaginationParameter", "page[before] is not a cursor from this list. / page[before] が正しくありません。")
		}
		start = max(0, int(min(n, int64(len(list))))-p.Size)
	}
	end := min(len(list), start+p.Size)
	after, before := "", ""
	if end > start {
		after, before = encodeCursor(int64(end), 0), ""
		if start > 0 {
			before = encodeCursor(int64(start), 0)
		}
	}
	p.cursorLinks(body, end < len(list), after, before)
	return list[start:end], nil
}

func (s *Server) macroCategories(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var cats []string
	err := s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		cats, err = macros.Categories(tx, currentUser(r))
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"categories": cats})
	return nil
}

func (s *Server) showMacro(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var m *store.Macro
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		m, err = macros.Visible(tx, currentUser(r), id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"macro": presentMacro(baseURL(r), m)})
	return nil
}

type macroIn struct {
	ID          int64                `json:"id"`
	Title       *string              `json:"title"`
	Description *string              `json:"description"`
	Active      *bool                `json:"active"`
	Position    *int64               `json:"position"`
	Actions     *[]store.MacroAction `json:"actions"`
	Restriction json.RawMessage      `json:"restriction"`
}

func (in *macroIn) input() (macros.Input, error) {
	out := macros.Input{Title: in.Title, Description: in.Description, Active: in.Active, Position: in.Position, Actions: in.Actions}
	if len(in.Restriction) > 0 {
		out.RestrictionSet = true
		if string(in.Restriction) != "null" {
			var r macros.Restriction
			if err := json.Unmarshal(in.Restriction, &r); err != nil {
				return out, badRequest("InvalidValue", `restriction must be null, {"type": "Group", "ids": [...]} or {"type": "User", "id": ...}. / restriction の形式が正しくありません。`)
			}
			out.Restriction = &r
		}
	}
	return out, nil
}

func (s *Server) decodeMacro(w http.ResponseWriter, r *http.Request) (macros.Input, error) {
	var in struct {
		Macro *macroIn `json:"macro"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return macros.Input{}, err
	}
	if in.Macro == nil {
		return macros.Input{}, badRequest("InvalidValue", `The body must be {"macro": {...}}. / 本文は {"macro": {...}} の形にしてください。`)
	}
	return in.Macro.input()
}

func (s *Server) createMacro(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	in, err := s.decodeMacro(w, r)
	if err != nil {
		return err
	}
	m := &store.Macro{Active: true}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		if in.Position == nil {
			max, err := tx.MaxMacroPosition()
			if err != nil {
				return err
			}
			m.Position = max + 1
		}
		if err := macros.Build(tx, currentUser(r), m, in, s.Now()); err != nil {
			return err
		}
		return tx.InsertMacro(m)
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", presentMacro(baseURL(r), m).URL)
	writeJSON(w, http.StatusCreated, map[string]any{"macro": presentMacro(baseURL(r), m)})
	return nil
}

func (s *Server) updateMacro(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeMacro(w, r)
	if err != nil {
		return err
	}
	var m *store.Macro
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		if m, err = macros.Visible(tx, currentUser(r), id); err != nil {
			return err
		}
		if err := macros.Build(tx, currentUser(r), m, in, s.Now()); err != nil {
			return err
		}
		return tx.UpdateMacro(m)
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"macro": presentMacro(baseURL(r), m)})
	return nil
}

func (s *Server) deleteMacro(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		return deleteMacroTx(tx, r, id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func deleteMacroTx(tx *store.Tx, r *http.Request, id int64) error {
	m, err := macros.Visible(tx, currentUser(r), id)
	if err != nil {
		return err
	}
	if !macros.CanManage(currentUser(r), m) {
		return errForbiddenMacro
	}
	return tx.DeleteMacro(id)
}
