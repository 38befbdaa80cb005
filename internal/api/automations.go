package api

import (
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Automations: Zendesk's /api/v2/automations. Agents read them, admins
// change them (as in Zendesk).
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/automations", s.listAutomations(false, false))
		s.handle("GET /api/v2/automations/active", s.listAutomations(true, false))
		s.handle("GET /api/v2/automations/search", s.listAutomations(false, true))
		s.handle("GET /api/v2/automations/{id}", s.showAutomation)
		s.handle("POST /api/v2/automations", s.createAutomation)
		s.handle("PUT /api/v2/automations/{id}", s.updateAutomation)
		s.handle("DELETE /api/v2/automations/{id}", s.deleteAutomation)
		s.handle("PUT /api/v2/automations/update_many", s.updateManyAutomations)
		s.handle("DELETE /api/v2/automations/destroy_many", s.destroyManyAutomations)
	})
}

type automationJSON struct {
	URL        string           `json:"url"`
	ID         int64            `json:"id"`
	Title      string           `json:"title"`
	RawTitle   string           `json:"raw_title"`
	Active     bool             `json:"active"`
	Position   int64            `json:"position"`
	Conditions rules.Conditions `json:"conditions"`
	Actions    []rules.Action   `json:"actions"`
	Default    bool             `json:"default"`
	CreatedAt  string           `json:"created_at"`
	UpdatedAt  string           `json:"updated_at"`
}

func presentAutomation(base string, a *automations.Automation) automationJSON {
	acts := a.Actions
	if acts == nil {
		acts = []rules.Action{}
	}
	return automationJSON{URL: base + "/api/v2/automations/" + strconv.FormatInt(a.ID, 10) + ".json", ID: a.ID, Title: a.Title, RawTitle: a.Title,
		Active: a.Active, Position: a.Position, Conditions: a.Conds, Actions: acts, Default: a.Default,
		CreatedAt: isoTime(a.CreatedAt), UpdatedAt: isoTime(a.UpdatedAt)}
}

// listAutomations serves the list, active list and search: filters
// active=true|false and query= (title words, NFKC, case-insensitive),
// sort_by=position|alphabetical|created_at|updated_at, sort_order=asc|desc.
func (s *Server) listAutomations(activeOnly, searching bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAgent(r); err != nil {
			return err
		}
		p, err := parsePager(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		f := store.AutomationFilter{Desc: q.Get("sort_order") == "desc"}
		switch q.Get("sort_by") {
		case "alphabetical", "title":
			f.Sort = "title"
		case "created_at", "updated_at":
			f.Sort = q.Get("sort_by")
		}
		if activeOnly {
			t := true
			f.Active = &t
		} else if v := q.Get("active"); v == "true" || v == "false" {
			b := v == "true"
			f.Active = &b
		}
		words := search.Normalize(q.Get("query"))
		if searching && strings.TrimSpace(words) == "" {
			return badRequest("InvalidParameter", "Give query= with the words to search for in automation titles. / query= に検索語を指定してください。")
		}
		var list []*automations.Automation
		err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
			rows, err := tx.ListAutomations(f)
			for _, row := range rows {
				a, perr := automations.Parse(row)
				if perr != nil {
					return perr
				}
				if searching && !titleHas(a.Title, words) {
					continue
				}
				list = append(list, a)
			}
			return err
		})
		if err != nil {
			return err
		}
		if f.Sort == "title" {
			// Sorted here, not by the database's collation, so both
			// databases list Japanese titles in the same (code point) order.
			slices.SortStableFunc(list, func(a, b *automations.Automation) int {
				c := strings.Compare(search.Normalize(a.Title), search.Normalize(b.Title))
				if f.Desc {
					return -c
				}
				return c
			})
		}
		body := map[string]any{}
		page, err := pageOf(p, body, list, func(a *automations.Automation) int64 { return a.ID })
		if err != nil {
			return err
		}
		base := baseURL(r)
		out := make([]automationJSON, len(page))
		for i, a := range page {
			out[i] = presentAutomation(base, a)
		}
		body["automations"] = out
		writeJSON(w, http.StatusOK, body)
		return nil
	}
}

// titleHas reports whether every word of the (normalised) query is in the
// title; Japanese has no spaces, so words match anywhere.
func titleHas(title, words string) bool {
	t := search.Normalize(title)
	for _, w := range strings.Fields(words) {
		if !strings.Contains(t, w) {
			return false
		}
	}
	return true
}

func (s *Server) showAutomation(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var a *automations.Automation
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		row, err := tx.Automation(id)
		if err != nil {
			return err
		}
		a, err = automations.Parse(row)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"automation": presentAutomation(baseURL(r), a)})
	return nil
}

// automationBody is Zendesk's {"automation": {...}}; conditions may also
// come as top-level all/any, as older Zendesk clients send them.
type automationBody struct {
	Automation *struct {
		ID         optInt             `json:"id"`
		Title      *string            `json:"title"`
		Active     *bool              `json:"active"`
		Position   *int64             `json:"position"`
		Conditions *rules.Conditions  `json:"conditions"`
		All        *[]rules.Condition `json:"all"`
		Any        *[]rules.Condition `json:"any"`
		Actions    *[]rules.Action    `json:"actions"`
	} `json:"automation"`
}

func (s *Server) decodeAutomation(w http.ResponseWriter, r *http.Request) (automations.Input, error) {
	var in automationBody
	if err := s.decode(w, r, &in); err != nil {
		return automations.Input{}, err
	}
	a := in.Automation
	if a == nil {
		return automations.Input{}, badRequest("InvalidValue", `The body must be {"automation": {...}}. / {"automation": {...}} の形式で送ってください。`)
	}
	out := automations.Input{Title: a.Title, Active: a.Active, Position: a.Position, Conditions: a.Conditions, Actions: a.Actions}
	if out.Conditions == nil && (a.All != nil || a.Any != nil) {
		c := rules.Conditions{}
		if a.All != nil {
			c.All = *a.All
		}
		if a.Any != nil {
			c.Any = *a.Any
		}
		out.Conditions = &c
	}
	return out, nil
}

func (s *Server) createAutomation(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	in, err := s.decodeAutomation(w, r)
	if err != nil {
		return err
	}
	var a *automations.Automation
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		a, err = automations.Create(tx, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"automation": presentAutomation(baseURL(r), a)})
	return nil
}

func (s *Server) updateAutomation(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeAutomation(w, r)
	if err != nil {
		return err
	}
	var a *automations.Automation
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		a, err = automations.Update(tx, id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"automation": presentAutomation(baseURL(r), a)})
	return nil
}

func (s *Server) deleteAutomation(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteAutomation(id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateManyAutomations is Zendesk's bulk position/active change:
// {"automations": [{"id": 25, "position": 3}, {"id": 23, "active": false}]},
// all or nothing.
func (s *Server) updateManyAutomations(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in struct {
		Automations []struct {
			ID       optInt `json:"id"`
			Position *int64 `json:"position"`
			Active   *bool  `json:"active"`
		} `json:"automations"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.Automations) == 0 || len(in.Automations) > 100 {
		return badRequest("InvalidValue", `Send {"automations": [{"id": …, "position": …}]} with 1 to 100 items. / 1〜100件を指定してください。`)
	}
	ids := make([]int64, len(in.Automations))
	items := make([]automations.Input, len(in.Automations))
	for i, a := range in.Automations {
		if a.ID.V == 0 {
			return badRequest("InvalidValue", "Every item needs an id. / 各項目に id が必要です。")
		}
		ids[i], items[i] = a.ID.V, automations.Input{Position: a.Position, Active: a.Active}
	}
	var list []*automations.Automation
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = automations.Reorder(tx, items, ids, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]automationJSON, len(list))
	for i, a := range list {
		out[i] = presentAutomation(base, a)
	}
	writeJSON(w, http.StatusOK, map[string]any{"automations": out})
	return nil
}

// destroyManyAutomations deletes ?ids=1,2,3 (at most 100), all or nothing.
func (s *Server) destroyManyAutomations(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	return s.destroyMany(w, r, func(tx *store.Tx, id int64) error { return tx.DeleteAutomation(id) })
}
