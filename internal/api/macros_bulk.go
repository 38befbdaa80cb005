package api

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/store"
)

var errForbiddenMacro = errs.Forbiddenf("you may not change this macro / このマクロを変更する権限がありません")

// updateManyMacros is Zendesk's PUT /api/v2/macros/update_many: position
// and active of several macros in one transaction (all or nothing).
func (s *Server) updateManyMacros(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	var in struct {
		Macros []macroIn `json:"macros"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if len(in.Macros) == 0 {
		return badRequest("InvalidValue", `The body must be {"macros": [{"id": 1, "position": 2, "active": true}, ...]}. / 本文の形式が正しくありません。`)
	}
	if len(in.Macros) > maxPageSize {
		return badRequest("TooManyValues", "At most 100 macros per request. / 一度に更新できるのは100件までです。")
	}
	var out []*store.Macro
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		out = out[:0]
		for _, mi := range in.Macros {
			if mi.ID <= 0 {
				return errs.Invalidf("id", "BlankValue", "Each macro needs its id / 各マクロに id が必要です")
			}
			m, err := macros.Visible(tx, currentUser(r), mi.ID)
			if err != nil {
				return err
			}
			if err := macros.Build(tx, currentUser(r), m, macros.Input{Active: mi.Active, Position: mi.Position}, s.Now()); err != nil {
				return err
			}
			if err := tx.UpdateMacro(m); err != nil {
				return err
			}
			out = append(out, m)
		}
		return nil
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	list := make([]macroJSON, len(out))
	for i, m := range out {
		list[i] = presentMacro(base, m)
	}
	writeJSON(w, http.StatusOK, map[string]any{"macros": list})
	return nil
}

// destroyManyMacros is DELETE /api/v2/macros/destroy_many?ids=1,2,3: all
// of them or none.
func (s *Server) destroyManyMacros(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	return s.destroyMany(w, r, func(tx *store.Tx, id int64) error { return deleteMacroTx(tx, r, id) })
}
