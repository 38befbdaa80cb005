package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// ruleWrite is one of the rule settings' row buttons (delete, activate or
// deactivate, move up or down) or small forms (a holiday): admins only,
// the {id} of the route, one write through the domain, then back to a
// page with a notice.
type ruleWrite struct {
	route string // "POST /settings/…/{id}/…"
	back  string // the page to go back to; "{id}" stands for the id
	done  string // the notice: a rulesDoneKeys key
	write func(r *http.Request, id int64) error
	// invalid answers a write the domain refused as invalid (a rule
	// stored before today's checks); nil: the error as it is.
	invalid func(w http.ResponseWriter, r *http.Request, id int64, inv *errs.Invalid) error
}

// refuse answers an invalid write with the 422 page saying key.
func refuse(key string) func(http.ResponseWriter, *http.Request, int64, *errs.Invalid) error {
	return func(http.ResponseWriter, *http.Request, int64, *errs.Invalid) error {
		return &httpError{http.StatusUnprocessableEntity, key}
	}
}

// handle is the handler of one row button.
func (rw ruleWrite) handle(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = rw.write(r, id)
	if inv := (*errs.Invalid)(nil); rw.invalid != nil && errors.As(err, &inv) {
		return rw.invalid(w, r, id, inv)
	}
	if err != nil {
		return err
	}
	return rulesDone(w, r, strings.ReplaceAll(rw.back, "{id}", strconv.FormatInt(id, 10)), rw.done)
}

// inTx runs fn in a write transaction of the desk's store.
func (s *Server) inTx(fn func(r *http.Request, tx *store.Tx, id int64) error) func(*http.Request, int64) error {
	return func(r *http.Request, id int64) error {
		return s.Store.Write(r.Context(), func(tx *store.Tx) error { return fn(r, tx, id) })
	}
}

// moveIn returns the ids of list, in order, with id moved one place by
// the form's dir (up/down).
func moveIn[T any](r *http.Request, list []T, idOf func(T) int64, id int64) []int64 {
	ids := make([]int64, len(list))
	for i, x := range list {
		ids[i] = idOf(x)
	}
	return rulesMoved(ids, id, r.PostForm.Get("dir"))
}

// ruleWrites lists every row button of the rule settings pages.
func (s *Server) ruleWrites() []ruleWrite {
	var out []ruleWrite
	for _, a := range s.ruleAreas() {
		a := a
		out = append(out,
			ruleWrite{route: "POST " + a.Path + "/{id}/delete", back: a.Path, done: "deleted",
				write: s.inTx(func(_ *http.Request, tx *store.Tx, id int64) error { return a.delete(tx, id) })},
			ruleWrite{route: "POST " + a.Path + "/{id}/active", back: a.Path, done: "active",
				write: s.inTx(func(r *http.Request, tx *store.Tx, id int64) error {
					return a.setActive(tx, id, rulesCheckbox(r, "active"))
				}),
				invalid: func(w http.ResponseWriter, r *http.Request, id int64, inv *errs.Invalid) error {
					// A rule stored before today's checks: show what to fix.
					it, err := s.loadRule(r, a, id)
					if err != nil {
						return err
					}
					return s.showRuleForm(w, r, a, it, map[string]int{"all": 1, "any": 1, "act": 1}, s.view(r).ruleErrors(inv), http.StatusUnprocessableEntity)
				}},
			ruleWrite{route: "POST " + a.Path + "/{id}/move", back: a.Path, done: "moved",
				write: s.inTx(func(r *http.Request, tx *store.Tx, id int64) error {
					l, err := a.list(tx)
					if err != nil {
						return err
					}
					return a.reorder(tx, moveIn(r, l, func(it *ruleItem) int64 { return it.ID }, id))
				}),
				// Automations are checked again as they get their new
				// position: one saved before today's checks must be fixed first.
				invalid: refuse("rules.not_movable")},
		)
	}
	return append(out,
		ruleWrite{route: "POST /settings/macros/{id}/delete", back: "/settings/macros", done: "deleted",
			write: s.inTx(func(r *http.Request, tx *store.Tx, id int64) error {
				m, err := macros.Visible(tx, currentUser(r), id)
				if err != nil {
					return err
				}
				if !macros.CanManage(currentUser(r), m) {
					return errForbidden
				}
				return tx.DeleteMacro(id)
			})},
		ruleWrite{route: "POST /settings/macros/{id}/active", back: "/settings/macros", done: "active",
			write: s.inTx(func(r *http.Request, tx *store.Tx, id int64) error {
				on := rulesCheckbox(r, "active")
				m, err := macros.Visible(tx, currentUser(r), id)
				if err != nil {
					return err
				}
				if err := macros.Build(tx, currentUser(r), m, macros.Input{Active: &on}, s.Now()); err != nil {
					return err
				}
				return tx.UpdateMacro(m)
			}),
			invalid: refuse("rules.macro_invalid")},

		ruleWrite{route: "POST /settings/slas/{id}/delete", back: "/settings/slas", done: "deleted",
			write: s.inTx(func(_ *http.Request, tx *store.Tx, id int64) error { return tx.DeleteSLAPolicy(id) })},
		ruleWrite{route: "POST /settings/slas/{id}/move", back: "/settings/slas", done: "moved",
			write: s.inTx(func(r *http.Request, tx *store.Tx, id int64) error {
				l, err := sla.Policies(tx)
				if err != nil {
					return err
				}
				return sla.Reorder(tx, moveIn(r, l, func(p *sla.Policy) int64 { return p.ID }, id), s.Now().UTC().Truncate(time.Millisecond))
			})},

		ruleWrite{route: "POST /settings/business-hours/{id}/delete", back: "/settings/business-hours", done: "deleted",
			write: s.inTx(func(_ *http.Request, tx *store.Tx, id int64) error { return tx.DeleteSchedule(id) })},
		ruleWrite{route: "POST /settings/business-hours/{id}/holidays", back: "/settings/business-hours/{id}", done: "saved",
			write: s.holidayAdd, invalid: s.holidayInvalid},
		ruleWrite{route: "POST /settings/business-hours/{id}/holidays/import", back: "/settings/business-hours/{id}", done: "imported",
			write: s.holidayImport},
		ruleWrite{route: "POST /settings/business-hours/{id}/holidays/{hid}/delete", back: "/settings/business-hours/{id}", done: "deleted",
			write: s.inTx(func(r *http.Request, tx *store.Tx, id int64) error {
				hid, err := pathID(r, "hid")
				if err != nil {
					return err
				}
				return tx.DeleteHoliday(id, hid)
			})},

		ruleWrite{route: "POST /settings/views/{id}/delete", back: "/settings/views", done: "deleted",
			write: func(r *http.Request, id int64) error { return s.viewService().Delete(r.Context(), currentUser(r), id) }},
		ruleWrite{route: "POST /settings/views/{id}/active", back: "/settings/views", done: "active",
			write: func(r *http.Request, id int64) error {
				on := rulesCheckbox(r, "active")
				_, err := s.viewService().UpdateMany(r.Context(), currentUser(r), []views.PositionUpdate{{ID: id, Active: &on}})
				return err
			}},
		ruleWrite{route: "POST /settings/views/{id}/move", back: "/settings/views", done: "moved",
			write: func(r *http.Request, id int64) error {
				me := currentUser(r)
				list, err := s.viewService().List(r.Context(), me, views.ListFilter{SortBy: "position"})
				if err != nil {
					return err
				}
				pos := map[int64]int{}
				for _, vw := range list {
					pos[vw.ID] = vw.Position
				}
				var ups []views.PositionUpdate
				for i, vid := range moveIn(r, list, func(vw *store.View) int64 { return vw.ID }, id) {
					p := i + 1
					if pos[vid] != p {
						ups = append(ups, views.PositionUpdate{ID: vid, Position: &p})
					}
				}
				_, err = s.viewService().UpdateMany(r.Context(), me, ups)
				return err
			}},
	)
}
