package web

import (
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/triggers"
)

// Triggers and automations share their pages: an ordered list and a form
// of title, conditions (all / any) and actions. ruleArea adapts each
// domain package to those pages.

// ruleItem is a trigger or an automation as the pages show it.
type ruleItem struct {
	ID          int64
	Title       string
	Description string
	Active      bool
	Position    int64
	Conditions  rules.Conditions
	Actions     []rules.Action
	UpdatedAt   time.Time
}

type ruleArea struct {
	Kind        string // "trigger" or "automation" (the engine's rule kind)
	Path        string
	Title       string // translation keys
	Explain     string
	Description bool // the form has a description
	list        func(tx *store.Tx) ([]*ruleItem, error)
	get         func(tx *store.Tx, id int64) (*ruleItem, error)
	save        func(tx *store.Tx, it *ruleItem) (int64, error) // create when it.ID == 0
	setActive   func(tx *store.Tx, id int64, on bool) error
	reorder     func(tx *store.Tx, ids []int64) error
	delete      func(tx *store.Tx, id int64) error
	conditions  func() []rules.FieldInfo
}

func (s *Server) triggerService() *triggers.Service {
	if s.Triggers != nil {
		return s.Triggers
	}
	return &triggers.Service{Store: s.Store, Tickets: s.Tickets}
}

func fromTrigger(t *triggers.Trigger) *ruleItem {
	return &ruleItem{ID: t.ID, Title: t.Title, Description: t.Description, Active: t.Active, Position: t.Position,
		Conditions: t.Conditions, Actions: t.Actions, UpdatedAt: t.UpdatedAt}
}

func fromAutomation(a *automations.Automation) *ruleItem {
	return &ruleItem{ID: a.ID, Title: a.Title, Active: a.Active, Position: a.Position, Conditions: a.Conds, Actions: a.Actions, UpdatedAt: a.UpdatedAt}
}

func (s *Server) ruleAreas() []*ruleArea {
	now := func() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }
	trig := &ruleArea{Kind: "trigger", Path: "/settings/triggers", Title: "rules.triggers", Explain: "rules.triggers_explain", Description: true,
		conditions: func() []rules.FieldInfo { return rules.ConditionFields("trigger") },
		list: func(tx *store.Tx) ([]*ruleItem, error) {
			l, _, err := triggers.List(tx, store.TriggerFilter{}, "position", false, 0, 100000)
			out := make([]*ruleItem, len(l))
			for i, t := range l {
				out[i] = fromTrigger(t)
			}
			return out, err
		},
		get: func(tx *store.Tx, id int64) (*ruleItem, error) {
			t, err := triggers.Get(tx, id)
			if err != nil {
				return nil, err
			}
			return fromTrigger(t), nil
		},
		save: func(tx *store.Tx, it *ruleItem) (int64, error) {
			in := triggers.Input{Title: &it.Title, Description: &it.Description, Active: &it.Active, Conditions: &it.Conditions, Actions: &it.Actions}
			if it.ID == 0 {
				t, err := s.triggerService().Create(tx, in)
				if err != nil {
					return 0, err
				}
				return t.ID, nil
			}
			_, err := s.triggerService().Update(tx, it.ID, in)
			return it.ID, err
		},
		setActive: func(tx *store.Tx, id int64, on bool) error {
			_, err := s.triggerService().Update(tx, id, triggers.Input{Active: &on})
			return err
		},
		reorder: func(tx *store.Tx, ids []int64) error { return s.triggerService().Reorder(tx, ids) },
		delete:  func(tx *store.Tx, id int64) error { return s.triggerService().Delete(tx, id) },
	}
	auto := &ruleArea{Kind: "automation", Path: "/settings/automations", Title: "rules.automations", Explain: "rules.automations_explain",
		conditions: automations.ConditionFields,
		list: func(tx *store.Tx) ([]*ruleItem, error) {
			rows, err := tx.ListAutomations(store.AutomationFilter{})
			if err != nil {
				return nil, err
			}
			out := make([]*ruleItem, 0, len(rows))
			for _, row := range rows {
				a, err := automations.Parse(row)
				if err != nil {
					return nil, err
				}
				out = append(out, fromAutomation(a))
			}
			return out, nil
		},
		get: func(tx *store.Tx, id int64) (*ruleItem, error) {
			row, err := tx.Automation(id)
			if err != nil {
				return nil, err
			}
			a, err := automations.Parse(row)
			if err != nil {
				return nil, err
			}
			return fromAutomation(a), nil
		},
		save: func(tx *store.Tx, it *ruleItem) (int64, error) {
			in := automations.Input{Title: &it.Title, Active: &it.Active, Conditions: &it.Conditions, Actions: &it.Actions}
			if it.ID == 0 {
				a, err := automations.Create(tx, in, now())
				if err != nil {
					return 0, err
				}
				return a.ID, nil
			}
			_, err := automations.Update(tx, it.ID, in, now())
			return it.ID, err
		},
		setActive: func(tx *store.Tx, id int64, on bool) error {
			_, err := automations.Update(tx, id, automations.Input{Active: &on}, now())
			return err
		},
		reorder: func(tx *store.Tx, ids []int64) error {
			for i, id := range ids {
				row, err := tx.Automation(id)
				if err != nil {
					return err
				}
				if p := int64(i + 1); row.Position != p {
					if _, err := automations.Update(tx, id, automations.Input{Position: &p}, now()); err != nil {
						return err
					}
				}
			}
			return nil
		},
		delete: func(tx *store.Tx, id int64) error { return tx.DeleteAutomation(id) },
	}
	return []*ruleArea{trig, auto}
}

// ruleListData is the list page of triggers or automations.
type ruleListData struct {
	rulesPage
	Area  *ruleArea
	Rules []*ruleItem
}

func (s *Server) ruleList(w http.ResponseWriter, r *http.Request, a *ruleArea) error {
	v := s.view(r)
	d := &ruleListData{rulesPage: s.rulesChrome(r, v, a.Path), Area: a}
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		d.Rules, err = a.list(tx)
		return err
	}); err != nil {
		return err
	}
	v.Title, v.Data = v.T(a.Title), d
	s.render(w, http.StatusOK, "rules_rules", v)
	return nil
}

// ruleFormData is the form of one trigger or automation.
type ruleFormData struct {
	rulesPage
	Area    *ruleArea
	Rule    *ruleItem
	All     *rowEditor
	Any     *rowEditor
	Actions *rowEditor
}

func (s *Server) ruleForm(w http.ResponseWriter, r *http.Request, a *ruleArea, id int64) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	it := &ruleItem{Active: true}
	if id != 0 {
		var err error
		if it, err = s.loadRule(r, a, id); err != nil {
			return err
		}
	}
	pads := map[string]int{"all": 1, "any": 1, "act": 1}
	if id == 0 {
		pads = map[string]int{"all": 2, "any": 1, "act": 2}
	}
	return s.showRuleForm(w, r, a, it, pads, nil, http.StatusOK)
}

// loadRule reads one trigger or automation.
func (s *Server) loadRule(r *http.Request, a *ruleArea, id int64) (*ruleItem, error) {
	var it *ruleItem
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		it, err = a.get(tx, id)
		return err
	})
	return it, err
}

func (s *Server) showRuleForm(w http.ResponseWriter, r *http.Request, a *ruleArea, it *ruleItem, pads map[string]int, errList []string, status int) error {
	v := s.view(r)
	d := &ruleFormData{rulesPage: s.rulesChrome(r, v, a.Path), Area: a, Rule: it}
	d.Errors = errList
	d.Notice = ""
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		labels, ids, err := ruleCustomFields(tx)
		if err != nil {
			return err
		}
		conds, err := withDeskPeople(tx, a.conditions(), labels)
		if err != nil {
			return err
		}
		acts := rules.ActionFields(a.Kind)
		for _, id := range ids {
			conds = append(conds, rules.CustomField(id, a.Kind))
			acts = append(acts, rules.ActionInfo{Field: rules.CustomField(id, a.Kind).Field, Kind: "text"})
		}
		for i, act := range acts {
			if act.Field == "group_id" || act.Field == "assignee_id" {
				ps, err := withDeskPeople(tx, []rules.FieldInfo{{Field: act.Field, Values: act.Values}}, labels)
				if err != nil {
					return err
				}
				acts[i].Values = ps[0].Values
			}
		}
		d.All = newEditor(v, "all", "rules.cond_all", conditionRows(it.Conditions.All), conds, labels, true, pads["all"])
		d.Any = newEditor(v, "any", "rules.cond_any", conditionRows(it.Conditions.Any), conds, labels, true, pads["any"])
		d.All.Help, d.Any.Help = "rules.cond_all_help", "rules.cond_any_help"
		d.Actions = actionEditor(v, actionRows(it.Actions), acts, labels, pads["act"])
		return nil
	})
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T(a.Title), d
	s.render(w, status, "rules_rule", v)
	return nil
}

func (s *Server) ruleSave(w http.ResponseWriter, r *http.Request, a *ruleArea, id int64) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	all, nAll := decodeRows(r, "all")
	anyRows, nAny := decodeRows(r, "any")
	acts, nActs := decodeRows(r, "act")
	it := &ruleItem{ID: id, Title: strings.TrimSpace(r.PostForm.Get("title")), Description: strings.TrimSpace(r.PostForm.Get("description")),
		Active:     rulesCheckbox(r, "active"),
		Conditions: rules.Conditions{All: conditionsFrom(all), Any: conditionsFrom(anyRows)}, Actions: actionsFrom(acts)}
	pads := map[string]int{"all": padFor(r, "all", len(all), nAll), "any": padFor(r, "any", len(anyRows), nAny), "act": padFor(r, "act", len(acts), nActs)}
	if r.PostForm.Get("add_row") != "" {
		return s.showRuleForm(w, r, a, it, pads, nil, http.StatusOK)
	}
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		it.ID, err = a.save(tx, it)
		return err
	})
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		it.ID = id
		return s.showRuleForm(w, r, a, it, pads, s.view(r).ruleErrors(err), http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return rulesDone(w, r, a.Path, "saved")
}
