package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// /settings/macros: the list with category, visibility, state and use
// counts; admins create, edit, clone, delete and (de)activate. Writes go
// through macros.Build, the API's validation and permission check.

type macroSettingsRow struct {
	*store.Macro
	Category string
	Access   string // translation key: shared, group, personal
	Owner    string
	Usage    store.MacroUsage
}

type macroListData struct {
	rulesPage
	Q          string
	Category   string
	Categories []string
	Macros     []macroSettingsRow
}

func (s *Server) macroSettings(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r)
	d := &macroListData{rulesPage: s.rulesChrome(r, v, "/settings/macros"), Q: strings.TrimSpace(r.URL.Query().Get("q")),
		Category: r.URL.Query().Get("category")}
	me := currentUser(r)
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		l, err := macros.List(tx, me, macros.Query{Text: d.Q, Category: d.Category, NeedUsage: true, SortBy: "position"}, s.Now())
		if err != nil {
			return err
		}
		if d.Categories, err = macros.Categories(tx, me); err != nil {
			return err
		}
		for _, m := range l.Macros {
			row := macroSettingsRow{Macro: m, Category: macros.Category(m.Title), Usage: l.Usage[m.ID]}
			if row.Access, row.Owner, err = restrictedTo(tx, m.RestrictionType, m.RestrictionIDs); err != nil {
				return err
			}
			d.Macros = append(d.Macros, row)
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("rules.macros"), d
	s.render(w, http.StatusOK, "rules_macros", v)
	return nil
}

// restrictedTo describes a macro's or view's visibility: the catalog key
// (shared, group, personal) and the names of the groups or person it is
// restricted to. macros.Group/User and views.RestrictGroup/User are the
// same values, Zendesk's.
func restrictedTo(tx *store.Tx, typ string, ids []int64) (access, owner string, err error) {
	var names []string
	for _, id := range ids {
		var name string
		switch typ {
		case macros.Group:
			var g *model.Group
			g, err = tx.Group(id)
			if err == nil {
				name = g.Name
			}
		case macros.User:
			var u *model.User
			u, err = tx.User(id)
			if err == nil {
				name = u.Name
			}
		}
		if errors.Is(err, store.ErrNotFound) {
			continue // deleted since: left out
		} else if err != nil {
			return "", "", err
		}
		if name != "" {
			names = append(names, name)
		}
	}
	switch typ {
	case macros.Group:
		access = "rules.group"
	case macros.User:
		access = "rules.personal"
	default:
		access = "rules.shared"
	}
	return access, strings.Join(names, "、"), nil
}

type macroFormData struct {
	rulesPage
	Macro      *store.Macro
	Visibility string // shared, group:<id>, user:<id>
	Choices    []ruleChoice
	Actions    *rowEditor
	Preview    *macros.Comment
	PreviewOf  string // the sample ticket's subject
	Changes    []fieldChange
}

func (s *Server) macroNew(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	m := &store.Macro{Active: true}
	if cid, _ := strconv.ParseInt(r.URL.Query().Get("clone"), 10, 64); cid > 0 {
		err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			src, err := macros.Visible(tx, currentUser(r), cid)
			if err != nil {
				return err
			}
			c := *src
			c.ID, c.Title = 0, src.Title+s.view(r).T("rules.copy_suffix")
			m = &c
			return nil
		})
		if err != nil {
			return err
		}
	}
	return s.showMacroForm(w, r, m, 2, nil, http.StatusOK, nil)
}

func (s *Server) macroEdit(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var m *store.Macro
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		m, err = macros.Visible(tx, currentUser(r), id)
		return err
	}); err != nil {
		return err
	}
	return s.showMacroForm(w, r, m, 1, nil, http.StatusOK, nil)
}

func visibilityOf(m *store.Macro) string {
	switch {
	case m.RestrictionType == macros.Group && len(m.RestrictionIDs) > 0:
		return "group:" + strconv.FormatInt(m.RestrictionIDs[0], 10)
	case m.RestrictionType == macros.User && len(m.RestrictionIDs) == 1:
		return "user:" + strconv.FormatInt(m.RestrictionIDs[0], 10)
	}
	return "shared"
}

// showMacroForm draws the form; preview, when set, is the form's macro
// applied to the sample ticket.
func (s *Server) showMacroForm(w http.ResponseWriter, r *http.Request, m *store.Macro, pad int, errList []string, status int, preview *macroFormData) error {
	v := s.view(r)
	me := currentUser(r)
	d := &macroFormData{rulesPage: s.rulesChrome(r, v, "/settings/macros"), Macro: m, Visibility: visibilityOf(m)}
	d.Errors, d.Notice = errList, ""
	if preview != nil {
		d.Preview, d.PreviewOf, d.Changes = preview.Preview, preview.PreviewOf, preview.Changes
	}
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		defs, err := macros.Actions(tx, me)
		if err != nil {
			return err
		}
		var fields []rules.FieldInfo
		labels := map[string]string{}
		for _, a := range defs {
			fi := rules.FieldInfo{Field: a.Subject}
			if a.Type == "boolean" {
				fi.Values = []string{"true", "false"}
			}
			for _, val := range a.Values {
				fi.Values = append(fi.Values, val.Value)
				if val.Value != "" && val.Title != "" && (strings.HasPrefix(a.Subject, "custom_fields_") || a.Subject == "group_id" || a.Subject == "assignee_id" && val.Value != "current_user") {
					labels[a.Subject+"="+val.Value] = val.Title
				}
			}
			fields = append(fields, fi)
			labels[a.Subject] = a.Title
		}
		rows := make([]ruleRow, 0, len(m.Actions))
		for _, a := range actionRows(macroActionsToRules(m.Actions)) {
			rows = append(rows, a)
		}
		d.Actions = newEditor(v, "act", "rules.actions", rows, fields, labels, false, pad)
		d.Actions.Help, d.Actions.Textarea = "rules.macro_actions_help", true
		d.Actions.actionLabels()
		if d.Choices, err = visibilityChoices(tx, v, me, d.Visibility, m.RestrictionIDs); err != nil {
			return err
		}
		return nil
	})
	if err != nil {
		return err
	}
	v.Title, v.Data = v.T("rules.macros"), d
	s.render(w, status, "rules_macro", v)
	return nil
}

func ruleChoiceHas(cs []ruleChoice, v string) bool {
	for _, c := range cs {
		if c.Value == v {
			return true
		}
	}
	return false
}

func macroActionsToRules(as []store.MacroAction) []rules.Action {
	out := make([]rules.Action, len(as))
	for i, a := range as {
		out[i] = rules.Action{Field: a.Field, Value: a.Value}
	}
	return out
}

// macroInput reads the form into the domain's input.
func macroInput(r *http.Request, rows []ruleRow) macros.Input {
	title, desc, active := r.PostForm.Get("title"), r.PostForm.Get("description"), rulesCheckbox(r, "active")
	acts := make([]store.MacroAction, 0, len(rows))
	for _, row := range rows {
		acts = append(acts, store.MacroAction{Field: row.Field, Value: row.Value})
	}
	in := macros.Input{Title: &title, Description: &desc, Active: &active, Actions: &acts, RestrictionSet: true}
	kind, id, _ := strings.Cut(r.PostForm.Get("visibility"), ":")
	n, _ := strconv.ParseInt(id, 10, 64)
	switch kind {
	case "group":
		in.Restriction = &macros.Restriction{Type: macros.Group, IDs: []int64{n}}
	case "user":
		in.Restriction = &macros.Restriction{Type: macros.User, ID: n}
	}
	return in
}

func (s *Server) macroSave(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	id, err := optionalPathID(r, "id")
	if err != nil {
		return err
	}
	me := currentUser(r)
	rows, total := decodeRows(r, "act")
	in := macroInput(r, rows)
	pad := padFor(r, "act", len(rows), total)
	// What the form shows again (add row, preview, errors): the posted
	// macro, unsaved.
	shown := func(tx *store.Tx) (*store.Macro, error) {
		m := &store.Macro{ID: id, Active: true}
		if id != 0 {
			var err error
			if m, err = macros.Visible(tx, me, id); err != nil {
				return nil, err
			}
		}
		c := *m
		c.Title, c.Description, c.Active, c.Actions = *in.Title, *in.Description, *in.Active, *in.Actions
		c.RestrictionType, c.RestrictionIDs = "", nil
		if rs := in.Restriction; rs != nil {
			c.RestrictionType, c.RestrictionIDs = rs.Type, rs.IDs
			if rs.ID != 0 {
				c.RestrictionIDs = []int64{rs.ID}
			}
		}
		return &c, nil
	}
	if r.PostForm.Get("add_row") != "" || r.PostForm.Get("preview") != "" {
		var m *store.Macro
		var pv *macroFormData
		var errList []string
		err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			var err error
			if m, err = shown(tx); err != nil {
				return err
			}
			if r.PostForm.Get("preview") == "" {
				return nil
			}
			pv, errList, err = s.macroPreview(r, tx, m)
			return err
		})
		if err != nil {
			return err
		}
		status := http.StatusOK
		if errList != nil {
			status = http.StatusUnprocessableEntity
		}
		return s.showMacroForm(w, r, m, pad, errList, status, pv)
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		m := &store.Macro{Active: true}
		if id != 0 {
			var err error
			if m, err = macros.Visible(tx, me, id); err != nil {
				return err
			}
		} else {
			max, err := tx.MaxMacroPosition()
			if err != nil {
				return err
			}
			m.Position = max + 1
		}
		if err := macros.Build(tx, me, m, in, s.Now()); err != nil {
			return err
		}
		if id == 0 {
			return tx.InsertMacro(m)
		}
		return tx.UpdateMacro(m)
	})
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		var m *store.Macro
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			var err error
			m, err = shown(tx)
			return err
		}); err != nil {
			return err
		}
		return s.showMacroForm(w, r, m, pad, s.view(r).ruleErrors(inv), http.StatusUnprocessableEntity, nil)
	}
	if err != nil {
		return err
	}
	return rulesDone(w, r, "/settings/macros", "saved")
}

// macroPreview applies the unsaved macro m to the desk's latest ticket (or
// to no ticket, when there is none) with macros.Apply, as the ticket
// page's preview does: the rendered comment and the fields it changes.
func (s *Server) macroPreview(r *http.Request, tx *store.Tx, m *store.Macro) (*macroFormData, []string, error) {
	v := s.view(r)
	check := *m
	check.ID = 0
	if err := macros.Build(tx, currentUser(r), &check, macros.Input{}, s.Now()); err != nil {
		if msgs := v.ruleErrors(err); msgs != nil {
			return nil, msgs, nil
		}
		return nil, nil, err
	}
	list, err := tx.ListTickets(store.TicketFilter{}, store.TicketOrder{Field: "updated_at", Desc: true}, store.Page{Limit: 1})
	if err != nil {
		return nil, nil, err
	}
	var tk *model.Ticket
	d := &macroFormData{PreviewOf: v.T("rules.no_sample")}
	if len(list) > 0 {
		tk = list[0]
		d.PreviewOf = fmt.Sprintf("#%d %s", tk.ID, tk.Subject)
	}
	ch, c, err := macros.Apply(tx, m, tk, currentUser(r), s.absoluteBase(r))
	if msgs := v.ruleErrors(err); msgs != nil {
		return nil, msgs, nil
	}
	if err != nil {
		return nil, nil, err
	}
	d.Preview = c
	if d.Preview == nil {
		d.Preview = &macros.Comment{}
	}
	if tk != nil {
		td := &ticketData{Ticket: tk, Names: map[string]string{}}
		after := macros.Preview(tk, ch)
		for _, key := range []struct {
			kind string
			id   int64
		}{{"user", after.AssigneeID}, {"group", after.GroupID}} {
			if key.id == 0 {
				continue
			}
			name := strconv.FormatInt(key.id, 10)
			if key.kind == "user" {
				if u, err := tx.User(key.id); err == nil {
					name = u.Name
				}
			} else if g, err := tx.Group(key.id); err == nil {
				name = g.Name
			}
			td.Names[key.kind+":"+strconv.FormatInt(key.id, 10)] = name
		}
		d.Changes = s.describeChanges(r, td, ch, after)
	}
	return d, nil, nil
}
