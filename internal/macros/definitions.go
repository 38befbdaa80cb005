package macros

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// ActionDef describes one action field for macro editors, in the shape of
// Zendesk's GET /api/v2/macros/actions.
type ActionDef struct {
	Subject    string     `json:"subject"`
	Title      string     `json:"title"`
	Type       string     `json:"type"` // list, text, tags, comment, boolean
	Group      string     `json:"group"`
	Repeatable bool       `json:"repeatable"`
	Nullable   bool       `json:"nullable"`
	Values     []ValueDef `json:"values,omitempty"`
}

// ValueDef is one choice of a list action.
type ValueDef struct {
	Value   string `json:"value"`
	Title   string `json:"title"`
	Enabled bool   `json:"enabled"`
}

var jaTitles = map[string]string{
	"status": "ステータス", "priority": "優先度", "type": "チケットタイプ", "group_id": "グループ", "assignee_id": "担当者",
	"set_tags": "タグを設定", "current_tags": "タグを追加", "remove_tags": "タグを削除", "subject": "件名",
	"comment_value": "コメント", "comment_value_html": "コメント（HTML）", "comment_mode_is_public": "公開返信",
	"open": "オープン", "pending": "保留中", "hold": "待機中", "solved": "解決済み", "low": "低", "normal": "普通",
	"high": "高", "urgent": "緊急", "question": "質問", "incident": "事象", "problem": "問題", "task": "タスク",
	"current_user": "（自分）", "": "—",
}

// Actions lists the actions a macro can use, with the desk's groups,
// agents and custom fields; titles are Japanese for a "ja" locale.
func Actions(tx *store.Tx, u *model.User) ([]ActionDef, error) {
	ja := strings.HasPrefix(u.Locale, "ja")
	title := func(key, en string) string {
		if t, ok := jaTitles[key]; ja && ok {
			return t
		}
		return en
	}
	list := func(vals []string) []ValueDef {
		out := make([]ValueDef, len(vals))
		for i, v := range vals {
			en := v
			if en != "" {
				en = strings.ToUpper(v[:1]) + v[1:]
			}
			out[i] = ValueDef{Value: v, Title: title(v, en), Enabled: true}
		}
		return out
	}
	defs := []ActionDef{
		{Subject: "status", Title: title("status", "Status"), Type: "list", Group: "ticket", Values: list(simpleFields["status"])},
		{Subject: "priority", Title: title("priority", "Priority"), Type: "list", Group: "ticket", Nullable: true, Values: list(simpleFields["priority"])},
		{Subject: "type", Title: title("type", "Type"), Type: "list", Group: "ticket", Nullable: true, Values: list(simpleFields["type"])},
	}
	groups, err := tx.Groups(false)
	if err != nil {
		return nil, err
	}
	gv := []ValueDef{{Value: "", Title: title("", "-"), Enabled: true}}
	for _, g := range groups {
		gv = append(gv, ValueDef{Value: strconv.FormatInt(g.ID, 10), Title: g.Name, Enabled: true})
	}
	defs = append(defs, ActionDef{Subject: "group_id", Title: title("group_id", "Group"), Type: "list", Group: "ticket", Nullable: true, Values: gv})
	agents, err := tx.MacroAssignees(1000)
	if err != nil {
		return nil, err
	}
	av := []ValueDef{{Value: "", Title: title("", "-"), Enabled: true}, {Value: "current_user", Title: title("current_user", "(current user)"), Enabled: true}}
	for _, a := range agents {
		av = append(av, ValueDef{Value: strconv.FormatInt(a.ID, 10), Title: a.Name, Enabled: true})
	}
	defs = append(defs, ActionDef{Subject: "assignee_id", Title: title("assignee_id", "Assignee"), Type: "list", Group: "ticket", Nullable: true, Values: av})
	for _, s := range []struct{ key, en, typ string }{
		{"set_tags", "Set tags", "tags"}, {"current_tags", "Add tags", "tags"}, {"remove_tags", "Remove tags", "tags"},
		{"subject", "Set subject", "text"}, {"comment_value", "Comment/description", "comment"},
		{"comment_value_html", "Comment/description (HTML)", "comment"}, {"comment_mode_is_public", "Comment mode", "boolean"},
	} {
		defs = append(defs, ActionDef{Subject: s.key, Title: title(s.key, s.en), Type: s.typ, Group: "ticket", Repeatable: s.typ == "comment"})
	}
	fields, err := tx.TicketFields()
	if err != nil {
		return nil, err
	}
	for _, f := range fields {
		if !f.Active {
			continue
		}
		d := ActionDef{Subject: fmt.Sprintf("custom_fields_%d", f.ID), Title: f.Title, Type: "text", Group: "custom_fields", Nullable: true}
		if len(f.Options) > 0 {
			d.Type = "list"
			for _, o := range f.Options {
				d.Values = append(d.Values, ValueDef{Value: o.Value, Title: o.Name, Enabled: true})
			}
		}
		defs = append(defs, d)
	}
	return defs, nil
}

// FromTicket derives a macro (unsaved) that would set tk's current fields,
// as Zendesk's GET /api/v2/macros/new?ticket_id= does.
func FromTicket(tk *model.Ticket) *store.Macro {
	m := &store.Macro{Title: tk.Subject, Active: true}
	add := func(f string, v any) { m.Actions = append(m.Actions, store.MacroAction{Field: f, Value: v}) }
	if tk.Status != "" && tk.Status != model.StatusNew && tk.Status != model.StatusClosed {
		add("status", tk.Status)
	}
	if tk.Priority != "" {
		add("priority", tk.Priority)
	}
	if tk.Type != "" {
		add("type", tk.Type)
	}
	if tk.GroupID != 0 {
		add("group_id", tk.GroupID)
	}
	if tk.AssigneeID != 0 {
		add("assignee_id", tk.AssigneeID)
	}
	if len(tk.Tags) > 0 {
		add("set_tags", strings.Join(tk.Tags, " "))
	}
	for _, f := range tk.CustomFields {
		if f.Value != nil {
			add(fmt.Sprintf("custom_fields_%d", f.ID), f.Value)
		}
	}
	return m
}
