package web

import (
	"errors"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// The rows editor shared by the rule settings pages (triggers, automations,
// SLA policies, views, macros): conditions and actions are rows of
// (field, operator, value), posted as parallel lists <name>_field,
// <name>_op and <name>_value. Without JavaScript the form carries blank
// rows and an "add row" submit button (add_row=<name>) that shows the
// form again with one more; rules.js adds rows in place.

// ruleRow is one row of an editor.
type ruleRow struct {
	Field, Op, Value string
}

// decodeRows reads list name's rows from the form, dropping rows without
// a field; total is how many rows the form had (blank ones too).
func decodeRows(r *http.Request, name string) (rows []ruleRow, total int) {
	fs, ops, vals := r.PostForm[name+"_field"], r.PostForm[name+"_op"], r.PostForm[name+"_value"]
	for i, f := range fs {
		row := ruleRow{Field: strings.TrimSpace(f)}
		if i < len(ops) {
			row.Op = strings.TrimSpace(ops[i])
		}
		if i < len(vals) {
			row.Value = strings.TrimSpace(strings.ReplaceAll(vals[i], "\r\n", "\n"))
		}
		if row.Field != "" {
			rows = append(rows, row)
		}
	}
	return rows, len(fs)
}

// conditionsFrom turns rows into conditions; values stay text, which the
// engine and the view query read as they read the API's strings.
func conditionsFrom(rows []ruleRow) []rules.Condition {
	out := []rules.Condition{}
	for _, r := range rows {
		out = append(out, rules.Condition{Field: r.Field, Operator: r.Op, Value: r.Value})
	}
	return out
}

func conditionRows(cs []rules.Condition) []ruleRow {
	out := make([]ruleRow, 0, len(cs))
	for _, c := range cs {
		out = append(out, ruleRow{Field: c.Field, Op: c.Operator, Value: rules.ValueText(c.Value)})
	}
	return out
}

func viewConditionsFrom(rows []ruleRow) []store.ViewCondition {
	out := []store.ViewCondition{}
	for _, c := range conditionsFrom(rows) {
		out = append(out, store.ViewCondition{Field: c.Field, Operator: c.Operator, Value: c.Value})
	}
	return out
}

func viewConditionRows(cs []store.ViewCondition) []ruleRow {
	out := make([]ruleRow, 0, len(cs))
	for _, c := range cs {
		out = append(out, ruleRow{Field: c.Field, Op: c.Operator, Value: rules.ValueText(c.Value)})
	}
	return out
}

// actionsFrom turns rows into actions. A notification's value is written
// one part a line — recipient (or group / webhook id), subject, then the
// body — and stored as the engine's list.
func actionsFrom(rows []ruleRow) []rules.Action {
	out := []rules.Action{}
	for _, r := range rows {
		var v any = r.Value
		if n := rules.NotifyParts(r.Field); n > 0 {
			parts := strings.SplitN(r.Value, "\n", n)
			list := make([]any, len(parts))
			for i, p := range parts {
				if i < n-1 {
					p = strings.TrimSpace(p)
				}
				list[i] = p
			}
			v = list
		}
		out = append(out, rules.Action{Field: r.Field, Value: v})
	}
	return out
}

func actionRows(as []rules.Action) []ruleRow {
	out := make([]ruleRow, 0, len(as))
	for _, a := range as {
		v := rules.ValueText(a.Value)
		if rules.NotifyParts(a.Field) > 0 || a.Field == "comment_value" || a.Field == "comment_value_html" {
			if l := rules.ValueList(a.Value); len(l) > 1 {
				if strings.HasPrefix(l[0], "channel:") {
					v = l[len(l)-1]
				} else {
					v = strings.Join(l, "\n")
				}
			}
		}
		out = append(out, ruleRow{Field: a.Field, Value: v})
	}
	return out
}

// rowEditor is what the "rows" template draws: one list of rows with its
// field choices. It carries the page's view for translations.
type rowEditor struct {
	*view
	Name     string // form prefix: all, any, act
	Legend   string // translation key of the fieldset's legend
	Help     string // translation key of a hint under the legend ("" none)
	Rows     []ruleRow
	Fields   []fieldChoice
	Ops      []ruleChoice // every operator any field takes
	WithOp   bool
	Textarea bool // values may span lines (comments, notifications)
}

// fieldChoice is a field of the editor's select.
type fieldChoice struct {
	Value, Label string
	Ops          string       // operators it takes, space separated (data-ops)
	Values       []ruleChoice // suggested values (a datalist)
	DL           string       // the datalist's id ("" without values)
}

// Num is a row's number for people (1-based).
func (e *rowEditor) Num(i int) int { return i + 1 }

type ruleChoice struct{ Value, Label string }

// DatalistID names the suggestion list of a field ("" when it has none).
func (e *rowEditor) DatalistID(field string) string {
	for _, f := range e.Fields {
		if f.Value == field {
			return f.DL
		}
	}
	return ""
}

// OpsOf returns the operators of a field, all of them for an unknown one.
func (e *rowEditor) OpsOf(field string) []ruleChoice {
	for _, f := range e.Fields {
		if f.Value == field {
			var out []ruleChoice
			for _, op := range strings.Fields(f.Ops) {
				out = append(out, ruleChoice{op, e.ruleOpLabel(op)})
			}
			return out
		}
	}
	return e.Ops
}

// FieldKnown reports whether a row's field is in the select (a custom
// field typed by hand is kept as an extra option).
func (e *rowEditor) FieldKnown(field string) bool {
	return slices.ContainsFunc(e.Fields, func(f fieldChoice) bool { return f.Value == field })
}

var unsafeID = regexp.MustCompile(`[^a-zA-Z0-9_-]`)

func ruleSafeID(s string) string { return unsafeID.ReplaceAllString(s, "_") }

// newEditor builds an editor over fields (the domain's list for the rule
// kind), padded with blank rows: at least one, extra more.
func newEditor(v *view, name, legend string, rows []ruleRow, fields []rules.FieldInfo, labels map[string]string, withOp bool, pad int) *rowEditor {
	e := &rowEditor{view: v, Name: name, Legend: legend, WithOp: withOp}
	seen := map[string]bool{}
	for _, f := range fields {
		fc := fieldChoice{Value: f.Field, Label: e.ruleFieldLabel(f.Field, labels), Ops: strings.Join(f.Operators, " ")}
		for _, val := range f.Values {
			label := labels[f.Field+"="+val]
			if label == "" {
				label = e.ruleValueLabel(f.Field, val)
			}
			fc.Values = append(fc.Values, ruleChoice{val, label})
		}
		if len(fc.Values) > 0 {
			fc.DL = name + "-dl-" + ruleSafeID(f.Field)
		}
		e.Fields = append(e.Fields, fc)
		for _, op := range f.Operators {
			if !seen[op] {
				seen[op] = true
				e.Ops = append(e.Ops, ruleChoice{op, e.ruleOpLabel(op)})
			}
		}
	}
	e.Rows = append(slices.Clone(rows), make([]ruleRow, max(pad, 1))...)
	return e
}

// actionEditor builds an actions editor over the domain's action list.
func actionEditor(v *view, rows []ruleRow, acts []rules.ActionInfo, labels map[string]string, pad int) *rowEditor {
	fields := make([]rules.FieldInfo, len(acts))
	for i, a := range acts {
		fields[i] = rules.FieldInfo{Field: a.Field, Values: a.Values}
	}
	e := newEditor(v, "act", "rules.actions", rows, fields, labels, false, pad)
	e.Help, e.Textarea = "rules.actions_help", true
	e.actionLabels()
	return e
}

// actionLabels names fields as actions ("current_tags" is "add tags" as
// an action, "tags" as a condition).
func (e *rowEditor) actionLabels() {
	for i, f := range e.Fields {
		if k := "rules." + "al_" + ruleSafeID(f.Value); messages[k] != [2]string{} {
			e.Fields[i].Label = e.T(k)
		}
	}
}

// padFor is how many blank rows list name gets: what the form had beyond
// its filled rows (at least one), one more when "add row" asked for it.
func padFor(r *http.Request, name string, filled, total int) int {
	pad := max(total-filled, 1)
	if r.PostForm.Get("add_row") == name {
		pad++
	}
	return pad
}

// ruleFieldLabel: the catalog's name for a field, else the page's own labels
// (custom fields, SLA definitions), else the field itself.
func (v *view) ruleFieldLabel(field string, labels map[string]string) string {
	if k := "rules." + "fl_" + ruleSafeID(strings.ToLower(field)); messages[k] != [2]string{} {
		return v.T(k)
	}
	if l := labels[field]; l != "" {
		return l
	}
	return field
}

func (v *view) ruleOpLabel(op string) string {
	if k := "rules." + "op_" + op; messages[k] != [2]string{} {
		return v.T(k)
	}
	return op
}

func (v *view) ruleValueLabel(field, val string) string {
	switch {
	case val == "":
		return v.T("rules.none")
	case (field == "status") && messages["status."+val] != [2]string{}:
		return v.T("status." + val)
	case field == "priority" && messages["priority."+val] != [2]string{}:
		return v.T("priority." + val)
	}
	if strings.HasSuffix(field, "via_id") || field == "channel" {
		if k := "via." + val; messages[k] != [2]string{} {
			return v.T(k)
		}
	}
	if k := "rules." + "val_" + ruleSafeID(strings.ToLower(val)); messages[k] != [2]string{} {
		return v.T(k)
	}
	return val
}

// ruleBilingual picks the page's language from a domain text written
// "English / 日本語".
func (v *view) ruleBilingual(s string) string {
	en, ja, ok := strings.Cut(s, " / ")
	if !ok {
		return s
	}
	if v.Lang == "en" {
		return en
	}
	return ja
}

var whereRe = regexp.MustCompile(`^(?:Conditions: |Filter: |conditions\.)?(all|any)\[(\d+)\](?: \([^)]*\))?: |^Actions?\[(\d+)\]: |^Policy metrics\[(\d+)\]: |^Action "([^"]+)": `)

// ruleErrors turns a domain validation error into sentences in the
// page's language: the domain writes "English / 日本語"; the row a
// message is about is named in front.
func (v *view) ruleErrors(err error) []string {
	var inv *errs.Invalid
	if !errors.As(err, &inv) {
		return nil
	}
	var out []string
	for _, ds := range inv.Details {
		for _, d := range ds {
			out = append(out, v.ruleError(d.Description))
		}
	}
	slices.Sort(out)
	return slices.Compact(out)
}

func (v *view) ruleError(msg string) string {
	prefix := ""
	if m := whereRe.FindStringSubmatch(msg); m != nil {
		switch {
		case m[1] == "all":
			n, _ := strconv.Atoi(m[2])
			prefix = v.T("rules.where_all", n+1)
		case m[1] == "any":
			n, _ := strconv.Atoi(m[2])
			prefix = v.T("rules.where_any", n+1)
		case m[3] != "":
			n, _ := strconv.Atoi(m[3])
			prefix = v.T("rules.where_act", n+1)
		case m[5] != "":
			// Macros name the action's field rather than its row.
			label := v.ruleFieldLabel(m[5], nil)
			if k := "rules." + "al_" + ruleSafeID(m[5]); messages[k] != [2]string{} {
				label = v.T(k)
			}
			prefix = v.T("rules.where_field", label)
		default:
			n, _ := strconv.Atoi(m[4])
			prefix = v.T("rules.where_metric", n+1)
		}
		msg = msg[len(m[0]):]
	}
	// "Title: cannot be blank / タイトルを入力してください": the Japanese half
	// is a whole sentence; the English half keeps its field name.
	i := strings.LastIndex(msg, " / ")
	if i >= 0 {
		if v.Lang == "en" {
			msg = msg[:i]
		} else {
			msg = msg[i+3:]
		}
	}
	if prefix != "" {
		return prefix + msg
	}
	return msg
}

// rulesAdminOnly refuses everyone but admins (the 403 page).
func rulesAdminOnly(r *http.Request) error {
	if u := currentUser(r); u == nil || u.Role != model.RoleAdmin {
		return errForbidden
	}
	return nil
}

// rulesCanEdit is for templates: whether to show the editing controls.
func rulesCanEdit(r *http.Request) bool {
	u := currentUser(r)
	return u != nil && u.Role == model.RoleAdmin
}

// rulesCheckbox reads a checkbox.
func rulesCheckbox(r *http.Request, name string) bool {
	switch r.PostForm.Get(name) {
	case "1", "on", "true":
		return true
	}
	return false
}

// rulesMoved returns ids with id moved one place up or down.
func rulesMoved(ids []int64, id int64, dir string) []int64 {
	out := slices.Clone(ids)
	i := slices.Index(out, id)
	switch {
	case i < 0:
	case dir == "up" && i > 0:
		out[i-1], out[i] = out[i], out[i-1]
	case dir == "down" && i < len(out)-1:
		out[i+1], out[i] = out[i], out[i+1]
	}
	return out
}

// ruleCustomFields names the desk's active ticket fields for editors
// (custom_fields_<id> → title) and returns their ids.
func ruleCustomFields(tx *store.Tx) (map[string]string, []int64, error) {
	fs, err := tx.TicketFields()
	if err != nil {
		return nil, nil, err
	}
	labels := map[string]string{}
	var ids []int64
	for _, f := range fs {
		if !f.Active {
			continue
		}
		labels["custom_fields_"+strconv.FormatInt(f.ID, 10)] = f.Title
		ids = append(ids, f.ID)
	}
	return labels, ids, nil
}

// withDeskPeople adds the desk's groups and agents as suggested values of the
// id fields (group_id, assignee_id), named in labels ("group_id=3" →
// "サポート"), so nobody has to know an id.
func withDeskPeople(tx *store.Tx, fields []rules.FieldInfo, labels map[string]string) ([]rules.FieldInfo, error) {
	groups, err := tx.Groups(false)
	if err != nil {
		return nil, err
	}
	agents, err := tx.MacroAssignees(1000)
	if err != nil {
		return nil, err
	}
	var gids, aids []string
	for _, g := range groups {
		id := strconv.FormatInt(g.ID, 10)
		gids = append(gids, id)
		labels["group_id="+id] = g.Name
	}
	for _, a := range agents {
		id := strconv.FormatInt(a.ID, 10)
		aids = append(aids, id)
		labels["assignee_id="+id] = a.Name
	}
	out := slices.Clone(fields)
	for i, f := range out {
		switch f.Field {
		case "group_id":
			out[i].Values = append(slices.Clone(f.Values), gids...)
		case "assignee_id":
			out[i].Values = append(slices.Clone(f.Values), aids...)
		}
	}
	return out, nil
}

// visibilityChoices lists who a macro or view may be for: everyone, me,
// each group, and the current owner when it is another agent's personal one.
func visibilityChoices(tx *store.Tx, v *view, me *model.User, cur string, restrictionIDs []int64) ([]ruleChoice, error) {
	out := []ruleChoice{{"shared", v.T("rules.shared_all")}, {"user:" + strconv.FormatInt(me.ID, 10), v.T("rules.personal_me")}}
	groups, err := tx.Groups(false)
	if err != nil {
		return nil, err
	}
	for _, g := range groups {
		out = append(out, ruleChoice{"group:" + strconv.FormatInt(g.ID, 10), v.T("rules.group_named", g.Name)})
	}
	if !ruleChoiceHas(out, cur) && strings.HasPrefix(cur, "user:") && len(restrictionIDs) > 0 {
		owner := cur
		if u, err := tx.User(restrictionIDs[0]); err == nil {
			owner = u.Name
		}
		out = append(out, ruleChoice{cur, v.T("rules.personal_of", owner)})
	}
	return out, nil
}
