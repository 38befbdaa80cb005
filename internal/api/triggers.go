package api

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/triggers"
	"github.com/kizuna-desk/kizuna/internal/webhooks"
)

// Triggers: Zendesk's /api/v2/triggers. Agents read them, admins change
// them. See docs/triggers.md.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/triggers", s.listTriggers(false, false))
		s.handle("GET /api/v2/triggers/active", s.listTriggers(true, false))
		s.handle("GET /api/v2/triggers/search", s.listTriggers(false, true))
		s.handle("GET /api/v2/triggers/{id}", s.showTrigger)
		s.handle("POST /api/v2/triggers", s.createTrigger)
		s.handle("PUT /api/v2/triggers/{id}", s.updateTrigger)
		s.handle("DELETE /api/v2/triggers/{id}", s.deleteTrigger)
		s.handle("PUT /api/v2/triggers/update_many", s.updateManyTriggers)
		s.handle("DELETE /api/v2/triggers/destroy_many", s.destroyManyTriggers)
		s.handle("PUT /api/v2/triggers/reorder", s.reorderTriggers)
	})
}

// ruleDeps are the services the triggers extension attaches to a server,
// kept beside it so this area stays in its own files.
type ruleDeps struct {
	triggers *triggers.Service
	webhooks *webhooks.Service
}

var ruleAttached sync.Map // *Server → *ruleDeps

// AttachTriggers gives s the triggers and webhooks services (called by
// the app's triggers extension).
func AttachTriggers(s *Server, t *triggers.Service, w *webhooks.Service) {
	ruleAttached.Store(s, &ruleDeps{triggers: t, webhooks: w})
}

func (s *Server) ruleDeps() (*ruleDeps, error) {
	if d, ok := ruleAttached.Load(s); ok {
		return d.(*ruleDeps), nil
	}
	return nil, errors.New("api: triggers services not attached")
}

type triggerJSON struct {
	URL         string           `json:"url"`
	ID          int64            `json:"id"`
	Title       string           `json:"title"`
	RawTitle    string           `json:"raw_title"`
	Description *string          `json:"description"`
	Active      bool             `json:"active"`
	Position    int64            `json:"position"`
	Default     bool             `json:"default"`
	CategoryID  *string          `json:"category_id"`
	Conditions  rules.Conditions `json:"conditions"`
	Actions     []rules.Action   `json:"actions"`
	CreatedAt   string           `json:"created_at"`
	UpdatedAt   string           `json:"updated_at"`
}

func presentTrigger(base string, t *triggers.Trigger) triggerJSON {
	acts := t.Actions
	if acts == nil {
		acts = []rules.Action{}
	}
	return triggerJSON{URL: fmt.Sprintf("%s/api/v2/triggers/%d.json", base, t.ID), ID: t.ID, Title: t.Title, RawTitle: t.RawTitle,
		Description: strPtr(t.Description), Active: t.Active, Position: t.Position, Default: t.Default, CategoryID: strPtr(t.CategoryID),
		Conditions: t.Conditions, Actions: acts, CreatedAt: isoTime(t.CreatedAt), UpdatedAt: isoTime(t.UpdatedAt)}
}

func (s *Server) listTriggers(activeOnly, searching bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAgent(r); err != nil {
			return err
		}
		p, err := parsePager(r)
		if err != nil {
			return err
		}
		q := r.URL.Query()
		var f store.TriggerFilter
		if activeOnly {
			t := true
			f.Active = &t
		} else if v := q.Get("active"); v != "" {
			b, err := strconv.ParseBool(v)
			if err != nil {
				return badRequest("InvalidParameter", "active must be true or false. / active は true か false です。")
			}
			f.Active = &b
		}
		f.CategoryID = q.Get("category_id")
		sortBy, desc := q.Get("sort_by"), strings.EqualFold(q.Get("sort_order"), "desc")
		if sortBy == "" {
			sortBy = q.Get("sort")
			if rest, ok := strings.CutPrefix(sortBy, "-"); ok {
				sortBy, desc = rest, true
			}
		}
		switch sortBy {
		case "", "position", "alphabetical", "title", "created_at", "updated_at", "usage_1h", "usage_24h", "usage_7d", "usage_30d":
		default:
			return badRequest("InvalidParameter", "sort_by must be position, alphabetical, created_at or updated_at. / sort_by が正しくありません。")
		}
		words := search.Normalize(q.Get("query"))
		if searching && strings.TrimSpace(words) == "" {
			return badRequest("InvalidParameter", "Give query= with the words to search for in trigger titles. / query= に検索語を指定してください。")
		}
		var list []*triggers.Trigger
		err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
			all, _, err := triggers.List(tx, f, sortBy, desc, 0, 100000)
			for _, t := range all {
				if !searching || titleHas(t.Title, words) {
					list = append(list, t)
				}
			}
			return err
		})
		if err != nil {
			return err
		}
		body := map[string]any{}
		page, err := pageByIndex(p, body, list)
		if err != nil {
			return err
		}
		base := baseURL(r)
		out := make([]triggerJSON, len(page))
		for i, t := range page {
			out[i] = presentTrigger(base, t)
		}
		body["triggers"] = out
		writeJSON(w, http.StatusOK, body)
		return nil
	}
}

// pageByIndex pages an ordered list that is not ordered by id (position,
// title): the cursor carries the index of the last row and its id.
func pageByIndex[T any](p *pager, body map[string]any, list []T) ([]T, error) {
	if !p.Cursor {
		off := min(p.offset(), len(list))
		page := list[off:min(len(list), off+p.Size)]
		p.offsetLinks(body, int64(len(list)), len(page))
		return page, nil
	}
	start := 0
	if p.After != "" {
		idx, _, err := decodeCursor(p.After)
		if err != nil {
			return nil, err
		}
		start = int(min(max(idx+1, 0), int64(len(list))))
	}
	page := list[start:min(len(list), start+p.Size)]
	a, b := "", ""
	if len(page) > 0 {
		a, b = encodeCursor(int64(start+len(page)-1), 0), encodeCursor(int64(start), 0)
	}
	p.cursorLinks(body, start+len(page) < len(list), a, b)
	return page, nil
}

func (s *Server) showTrigger(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var t *triggers.Trigger
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		t, err = triggers.Get(tx, id)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"trigger": presentTrigger(baseURL(r), t)})
	return nil
}

// triggerIn is one trigger in a request; conditions may also come as
// top-level all/any, as older Zendesk clients send them.
type triggerIn struct {
	ID          optInt             `json:"id"`
	Title       *string            `json:"title"`
	RawTitle    *string            `json:"raw_title"`
	Description *string            `json:"description"`
	Active      *bool              `json:"active"`
	Position    *int64             `json:"position"`
	CategoryID  *optString         `json:"category_id"`
	Conditions  *rules.Conditions  `json:"conditions"`
	All         *[]rules.Condition `json:"all"`
	Any         *[]rules.Condition `json:"any"`
	Actions     *[]rules.Action    `json:"actions"`
}

func (t *triggerIn) input() triggers.Input {
	in := triggers.Input{Title: t.Title, RawTitle: t.RawTitle, Description: t.Description, Active: t.Active, Position: t.Position,
		Conditions: t.Conditions, Actions: t.Actions}
	if t.CategoryID != nil {
		v := t.CategoryID.V
		in.CategoryID = &v
	}
	if in.Conditions == nil && (t.All != nil || t.Any != nil) {
		c := rules.Conditions{}
		if t.All != nil {
			c.All = *t.All
		}
		if t.Any != nil {
			c.Any = *t.Any
		}
		in.Conditions = &c
	}
	return in
}

func (s *Server) decodeTrigger(w http.ResponseWriter, r *http.Request) (triggers.Input, error) {
	var body struct {
		Trigger *triggerIn `json:"trigger"`
	}
	if err := s.decode(w, r, &body); err != nil {
		return triggers.Input{}, err
	}
	if body.Trigger == nil {
		return triggers.Input{}, badRequest("InvalidValue", `The body must be {"trigger": {...}}. / {"trigger": {...}} の形式で送ってください。`)
	}
	return body.Trigger.input(), nil
}

func (s *Server) createTrigger(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	d, err := s.ruleDeps()
	if err != nil {
		return err
	}
	in, err := s.decodeTrigger(w, r)
	if err != nil {
		return err
	}
	var t *triggers.Trigger
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		t, err = d.triggers.Create(tx, in)
		return err
	}); err != nil {
		return err
	}
	w.Header().Set("Location", fmt.Sprintf("%s/api/v2/triggers/%d.json", baseURL(r), t.ID))
	writeJSON(w, http.StatusCreated, map[string]any{"trigger": presentTrigger(baseURL(r), t)})
	return nil
}

func (s *Server) updateTrigger(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	d, err := s.ruleDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeTrigger(w, r)
	if err != nil {
		return err
	}
	var t *triggers.Trigger
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		t, err = d.triggers.Update(tx, id, in)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"trigger": presentTrigger(baseURL(r), t)})
	return nil
}

func (s *Server) deleteTrigger(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	d, err := s.ruleDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return d.triggers.Delete(tx, id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// updateManyTriggers is Zendesk's bulk update of position, active and
// category_id: {"triggers": [{"id": 1, "position": 3}, …]}, all or nothing.
func (s *Server) updateManyTriggers(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	d, err := s.ruleDeps()
	if err != nil {
		return err
	}
	var body struct {
		Triggers []triggerIn `json:"triggers"`
	}
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	if len(body.Triggers) == 0 || len(body.Triggers) > 100 {
		return badRequest("InvalidValue", `Send {"triggers": [{"id": …, "position": …}]} with 1 to 100 triggers. / 1〜100件のトリガを指定してください。`)
	}
	var out []*triggers.Trigger
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		for _, t := range body.Triggers {
			if !t.ID.Set || t.ID.V <= 0 {
				return badRequest("InvalidValue", "Every trigger needs its id. / 各トリガに id が必要です。")
			}
			in := triggers.Input{Active: t.Active, Position: t.Position}
			if t.CategoryID != nil {
				v := t.CategoryID.V
				in.CategoryID = &v
			}
			u, err := d.triggers.Update(tx, t.ID.V, in)
			if err != nil {
				return err
			}
			out = append(out, u)
		}
		return nil
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	list := make([]triggerJSON, len(out))
	for i, t := range out {
		list[i] = presentTrigger(base, t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"triggers": list})
	return nil
}

func (s *Server) destroyManyTriggers(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	d, err := s.ruleDeps()
	if err != nil {
		return err
	}
	return s.destroyMany(w, r, d.triggers.Delete)
}

// reorderTriggers sets the firing order: {"trigger_ids": [3, 1, 2]}.
func (s *Server) reorderTriggers(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	d, err := s.ruleDeps()
	if err != nil {
		return err
	}
	var body struct {
		TriggerIDs []optInt `json:"trigger_ids"`
	}
	if err := s.decode(w, r, &body); err != nil {
		return err
	}
	if len(body.TriggerIDs) == 0 {
		return badRequest("InvalidValue", `Send {"trigger_ids": [id, …]} in the new order. / 新しい順序で trigger_ids を指定してください。`)
	}
	ids := make([]int64, len(body.TriggerIDs))
	for i, v := range body.TriggerIDs {
		ids[i] = v.V
	}
	var list []*triggers.Trigger
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		if err := d.triggers.Reorder(tx, ids); err != nil {
			return err
		}
		var err error
		list, _, err = triggers.List(tx, store.TriggerFilter{}, "position", false, 0, 100000)
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]triggerJSON, len(list))
	for i, t := range list {
		out[i] = presentTrigger(base, t)
	}
	writeJSON(w, http.StatusOK, map[string]any{"triggers": out})
	return nil
}
