package api

import (
	"encoding/json"
	"net/http"
	"strconv"

	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/macros/new", s.newMacro)
		s.handle("GET /api/v2/macros/actions", s.macroActions)
		s.handle("GET /api/v2/macros/definitions", s.macroDefinitions)
	})
}

// newMacro is Zendesk's "show derived macro": an unsaved macro copied from
// macro_id, or built from ticket_id's current fields, with optional
// macro_attributes (JSON of macro fields) laid over it. Nothing is saved.
func (s *Server) newMacro(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	q := r.URL.Query()
	u := currentUser(r)
	m := &store.Macro{Active: true}
	if v := q.Get("ticket_id"); v != "" && q.Get("macro_id") == "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return badRequest("InvalidValue", "ticket_id must be a ticket id. / ticket_id が正しくありません。")
		}
		tk, err := s.Tickets.Get(r.Context(), u, id)
		if err != nil {
			return err
		}
		m = macros.FromTicket(tk)
	}
	var in macros.Input
	if v := q.Get("macro_attributes"); v != "" {
		var mi macroIn
		if err := json.Unmarshal([]byte(v), &mi); err != nil {
			return badRequest("InvalidJSON", "macro_attributes must be a JSON object of macro fields. / macro_attributes は JSON で指定してください。")
		}
		var err error
		if in, err = mi.input(); err != nil {
			return err
		}
	}
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if v := q.Get("macro_id"); v != "" {
			id, err := strconv.ParseInt(v, 10, 64)
			if err != nil || id <= 0 {
				return badRequest("InvalidValue", "macro_id must be a macro id. / macro_id が正しくありません。")
			}
			src, err := macros.Visible(tx, u, id)
			if err != nil {
				return err
			}
			clone := *src
			clone.ID = 0
			m = &clone
		}
		// Validate as a new macro would be, without saving; an agent's
		// derived macro is personal.
		return macros.Build(tx, u, m, in, s.Now())
	})
	if err != nil {
		return err
	}
	// Unsaved: no id and no url.
	out, err := asMap(presentMacro(baseURL(r), m))
	if err != nil {
		return err
	}
	out["id"], out["url"] = nil, nil
	writeJSON(w, http.StatusOK, map[string]any{"macro": out})
	return nil
}

func (s *Server) macroActions(w http.ResponseWriter, r *http.Request) error {
	defs, err := s.macroActionDefs(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"actions": defs})
	return nil
}

func (s *Server) macroDefinitions(w http.ResponseWriter, r *http.Request) error {
	defs, err := s.macroActionDefs(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"definitions": map[string]any{"actions": defs}})
	return nil
}

func (s *Server) macroActionDefs(r *http.Request) ([]macros.ActionDef, error) {
	if err := requireStaff(r); err != nil {
		return nil, err
	}
	var defs []macros.ActionDef
	err := s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		defs, err = macros.Actions(tx, currentUser(r))
		return err
	})
	return defs, err
}
