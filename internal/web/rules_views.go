package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// /settings/views: shared, group and personal ticket views — conditions,
// columns, sort, and whether the view is active (shown in the views
// sidebar). views.Service validates and checks who may edit what.

// viewService is the app's views service; without one (a server built
// by hand), a fresh service each time: counts are then counted on every
// page rather than cached.
func (s *Server) viewService() *views.Service {
	if s.Views == nil {
		return views.New(s.Store, s.Log)
	}
	return s.Views
}

type viewSettingsRow struct {
	*store.View
	Access string // translation key
	Owner  string
}

type viewListData struct {
	rulesPage
	Views []viewSettingsRow
}

func (s *Server) viewList(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r)
	d := &viewListData{rulesPage: s.rulesChrome(r, v, "/settings/views")}
	list, err := s.viewService().List(r.Context(), currentUser(r), views.ListFilter{SortBy: "position"})
	if err != nil {
		return err
	}
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		for _, vw := range list {
			row := viewSettingsRow{View: vw}
			var err error
			if row.Access, row.Owner, err = restrictedTo(tx, vw.RestrictionType, vw.RestrictionIDs); err != nil {
				return err
			}
			d.Views = append(d.Views, row)
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("rules.views"), d
	s.render(w, http.StatusOK, "rules_views", v)
	return nil
}

type viewColumnChoice struct {
	Value, Label string
	On           bool
}

type viewFormData struct {
	rulesPage
	View       *store.View
	Visibility string
	Choices    []ruleChoice
	All        *rowEditor
	Any        *rowEditor
	Columns    []viewColumnChoice
	SortBy     []ruleChoice
	GroupBy    []ruleChoice
	Tickets    []*model.Ticket // what the saved view lists now (first 20)
	Count      int64
}

func (s *Server) viewForm(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	vw := &store.View{Active: true, Execution: store.ViewExecution{Columns: views.DefaultColumns, SortBy: "nice_id", SortOrder: "asc"}}
	pad := 2
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if vw, err = s.viewService().Get(r.Context(), currentUser(r), id); err != nil {
			return err
		}
		pad = 1
	}
	return s.showViewForm(w, r, vw, map[string]int{"all": pad, "any": 1}, nil, http.StatusOK)
}

func viewVisibility(vw *store.View) string {
	switch {
	case vw.RestrictionType == views.RestrictGroup && len(vw.RestrictionIDs) > 0:
		return "group:" + strconv.FormatInt(vw.RestrictionIDs[0], 10)
	case vw.RestrictionType == views.RestrictUser && len(vw.RestrictionIDs) == 1:
		return "user:" + strconv.FormatInt(vw.RestrictionIDs[0], 10)
	}
	return "shared"
}

func (s *Server) showViewForm(w http.ResponseWriter, r *http.Request, vw *store.View, pads map[string]int, errList []string, status int) error {
	v := s.view(r)
	me := currentUser(r)
	d := &viewFormData{rulesPage: s.rulesChrome(r, v, "/settings/views"), View: vw, Visibility: viewVisibility(vw)}
	d.Errors, d.Notice = errList, ""
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		labels, ids, err := ruleCustomFields(tx)
		if err != nil {
			return err
		}
		fields, err := withDeskPeople(tx, views.ConditionFields(), labels)
		if err != nil {
			return err
		}
		for _, id := range ids {
			fields = append(fields, rules.FieldInfo{Field: "custom_fields_" + strconv.FormatInt(id, 10), Operators: []string{"is", "is_not", "present", "not_present"}})
		}
		d.All = newEditor(v, "all", "rules.cond_all", viewConditionRows(vw.Conditions.All), fields, labels, true, pads["all"])
		d.Any = newEditor(v, "any", "rules.cond_any", viewConditionRows(vw.Conditions.Any), fields, labels, true, pads["any"])
		d.All.Help, d.Any.Help = "rules.view_all_help", "rules.cond_any_help"
		if d.Choices, err = visibilityChoices(tx, v, me, d.Visibility, vw.RestrictionIDs); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	// The view's columns first, in its order (the form posts them in page
	// order, so saving keeps it), then the others.
	names := views.ColumnNames()
	var ordered []string
	for _, c := range vw.Execution.Columns {
		if slices.Contains(names, c) {
			ordered = append(ordered, c)
		}
	}
	for _, c := range names {
		if !slices.Contains(ordered, c) {
			ordered = append(ordered, c)
		}
	}
	for _, c := range ordered {
		label := v.ruleBilingual(views.Columns[c])
		d.Columns = append(d.Columns, viewColumnChoice{c, label, slices.Contains(vw.Execution.Columns, c)})
	}
	for _, c := range names {
		label := v.ruleBilingual(views.Columns[c])
		if store.ViewSortable(c) {
			d.SortBy = append(d.SortBy, ruleChoice{c, label})
		}
		if store.ViewGroupable(c) {
			d.GroupBy = append(d.GroupBy, ruleChoice{c, label})
		}
	}
	if vw.ID != 0 && errList == nil && r.Method == http.MethodGet {
		p, err := s.viewService().Run(r.Context(), me, vw, views.Order(vw, "", ""), store.Page{Limit: 20}, false)
		if err != nil {
			return err
		}
		d.Tickets, d.Count = p.Tickets, p.Count.Value
	}
	v.Title, v.Data = v.T("rules.views"), d
	s.render(w, status, "rules_view", v)
	return nil
}

func (s *Server) viewSave(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	id, err := optionalPathID(r, "id")
	if err != nil {
		return err
	}
	me := currentUser(r)
	all, nAll := decodeRows(r, "all")
	anyRows, nAny := decodeRows(r, "any")
	title, desc, active := strings.TrimSpace(r.PostForm.Get("title")), strings.TrimSpace(r.PostForm.Get("description")), rulesCheckbox(r, "active")
	conds := store.ViewConditions{All: viewConditionsFrom(all), Any: viewConditionsFrom(anyRows)}
	cols := r.PostForm["columns"]
	if cols == nil {
		cols = []string{}
	}
	sortBy, sortOrder, groupBy := r.PostForm.Get("sort_by"), r.PostForm.Get("sort_order"), r.PostForm.Get("group_by")
	in := views.Input{Title: &title, Description: &desc, Active: &active, Conditions: &conds, RestrictionSet: true,
		Execution: &views.ExecutionInput{Columns: cols, SortBy: &sortBy, SortOrder: &sortOrder, GroupBy: &groupBy}}
	kind, rid, _ := strings.Cut(r.PostForm.Get("visibility"), ":")
	n, _ := strconv.ParseInt(rid, 10, 64)
	switch kind {
	case "group":
		in.Restriction = &views.Restriction{Type: views.RestrictGroup, IDs: []int64{n}}
	case "user":
		in.Restriction = &views.Restriction{Type: views.RestrictUser, IDs: []int64{n}}
	}
	// The form as posted, for showing it again.
	shown := &store.View{ID: id, Title: title, Description: desc, Active: active, Conditions: conds,
		Execution: store.ViewExecution{Columns: cols, SortBy: sortBy, SortOrder: sortOrder, GroupBy: groupBy}}
	if in.Restriction != nil {
		shown.RestrictionType, shown.RestrictionIDs = in.Restriction.Type, in.Restriction.IDs
	}
	pads := map[string]int{"all": padFor(r, "all", len(all), nAll), "any": padFor(r, "any", len(anyRows), nAny)}
	if r.PostForm.Get("add_row") != "" {
		return s.showViewForm(w, r, shown, pads, nil, http.StatusOK)
	}
	if id == 0 {
		_, err = s.viewService().Create(r.Context(), me, in)
	} else {
		_, err = s.viewService().Update(r.Context(), me, id, in)
	}
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		return s.showViewForm(w, r, shown, pads, s.view(r).ruleErrors(inv), http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return rulesDone(w, r, "/settings/views", "saved")
}
