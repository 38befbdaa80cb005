// Package macros holds the rules of Zendesk-style macros: validating their
// actions, who may see, use and manage them, listing and searching hundreds
// of them, counting uses, and applying one to a ticket (rendering its
// comment with Liquid and the ticket's placeholders) without saving — the
// caller saves the returned tickets.Change.
package macros

import (
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/liquid"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// Restriction types, as in Zendesk's restriction object.
const (
	Group = "Group"
	User  = "User"
)

// Limits on one macro.
const (
	maxTitle   = 255
	maxActions = 50
	maxText    = 64 << 10
)

// Restriction is Zendesk's {"type": "Group", "id": 1, "ids": [1, 2]} or
// {"type": "User", "id": 7}; nil means shared with every agent.
type Restriction struct {
	Type string  `json:"type"`
	ID   int64   `json:"id"`
	IDs  []int64 `json:"ids,omitempty"`
}

// Input is a create or update; nil fields are left as they are.
type Input struct {
	Title       *string
	Description *string
	Active      *bool
	Position    *int64
	Actions     *[]store.MacroAction
	// Restriction: RestrictionSet false leaves it; true with nil shares it.
	RestrictionSet bool
	Restriction    *Restriction
}

// Build applies in to m (a new macro when m.ID == 0), validates the result
// against the store (groups, users, fields exist; templates parse) and checks
// that actor may manage it. It does not save.
func Build(tx *store.Tx, actor *model.User, m *store.Macro, in Input, now time.Time) error {
	if m.ID != 0 && !CanManage(actor, m) {
		return errs.Forbiddenf("you may not change this macro / このマクロを変更する権限がありません")
	}
	v := &errs.Invalid{}
	if in.Title != nil {
		m.Title = cleanTitle(*in.Title)
	}
	if in.Description != nil {
		m.Description = *in.Description
	}
	if in.Active != nil {
		m.Active = *in.Active
	}
	if in.Position != nil {
		m.Position = *in.Position
	}
	if in.Actions != nil {
		m.Actions = *in.Actions
	}
	if in.RestrictionSet {
		m.RestrictionType, m.RestrictionIDs = "", nil
		if r := in.Restriction; r != nil {
			m.RestrictionType = r.Type
			ids := r.IDs
			if len(ids) == 0 && r.ID != 0 {
				ids = []int64{r.ID}
			}
			m.RestrictionIDs = ids
		}
	} else if m.ID == 0 && actor.Role != model.RoleAdmin {
		// An agent's new macro without a restriction is personal.
		m.RestrictionType, m.RestrictionIDs = User, []int64{actor.ID}
	}
	switch {
	case m.Title == "":
		v.Add("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
	case utf8.RuneCountInString(m.Title) > maxTitle:
		v.Add("title", "TooLong", "Title: is too long (255 characters at most) / タイトルが長すぎます（255文字まで）")
	}
	if utf8.RuneCountInString(m.Description) > maxText {
		v.Add("description", "TooLong", "Description: is too long / 説明が長すぎます")
	}
	if err := checkRestriction(tx, m, v); err != nil {
		return err
	}
	if len(m.Actions) == 0 {
		v.Add("actions", "BlankValue", "Actions: a macro needs at least one action / アクションを1つ以上指定してください")
	}
	if len(m.Actions) > maxActions {
		v.Add("actions", "TooLong", "Actions: at most 50 / アクションは50個までです")
	}
	for i := range m.Actions {
		if err := checkAction(tx, &m.Actions[i], v); err != nil {
			return err
		}
	}
	if err := v.OrNil(); err != nil {
		return err
	}
	if !CanManage(actor, m) {
		return errs.Forbiddenf("agents may only create and change their personal macros; shared and group macros are for admins / エージェントが作成・変更できるのは個人用マクロのみです")
	}
	if m.ID == 0 {
		m.CreatedAt = now
	}
	m.UpdatedAt = now
	m.SearchText = SearchText(m.Title, m.Description)
	return nil
}

// cleanTitle trims the title and each "::" category level.
func cleanTitle(t string) string {
	parts := strings.Split(strings.TrimSpace(t), "::")
	for i := range parts {
		parts[i] = strings.TrimSpace(parts[i])
	}
	return strings.Join(parts, "::")
}

// SearchText is what searches match against: title and description,
// NFKC-normalized and case-folded so ｶﾀｶﾅ finds カタカナ and ＡＢＣ finds abc.
func SearchText(title, desc string) string {
	return search.Normalize(title + "\n" + desc)
}

// Category is the first level of a "Category::Title" macro title.
func Category(title string) string {
	if c, _, ok := strings.Cut(title, "::"); ok {
		return c
	}
	return ""
}

func checkRestriction(tx *store.Tx, m *store.Macro, v *errs.Invalid) error {
	switch m.RestrictionType {
	case "":
		m.RestrictionIDs = nil
	case Group:
		if len(m.RestrictionIDs) == 0 {
			v.Add("restriction", "BlankValue", "Restriction: a group restriction needs id or ids / グループ制限にはグループIDが必要です")
		}
		slices.Sort(m.RestrictionIDs)
		m.RestrictionIDs = slices.Compact(m.RestrictionIDs)
		for _, id := range m.RestrictionIDs {
			g, err := optional(tx.Group(id))
			if err != nil {
				return err
			}
			if g == nil || g.Deleted {
				v.Addf("restriction", "InvalidValue", "Restriction: group %d does not exist / グループ %d は存在しません", id, id)
			}
		}
	case User:
		if len(m.RestrictionIDs) != 1 {
			v.Add("restriction", "InvalidValue", "Restriction: a user restriction needs exactly one id / 個人用マクロには利用者IDを1つ指定してください")
			return nil
		}
		u, err := optional(tx.User(m.RestrictionIDs[0]))
		if err != nil {
			return err
		}
		if u == nil || !u.IsStaff() {
			v.Addf("restriction", "InvalidValue", "Restriction: user %d is not an agent / 利用者 %d はエージェントではありません", m.RestrictionIDs[0], m.RestrictionIDs[0])
		}
	default:
		v.Add("restriction", "InvalidValue", `Restriction: type must be "Group" or "User" / 制限の種類は Group または User です`)
	}
	return nil
}

// Idents of the action fields a macro may use.
var simpleFields = map[string][]string{
	"status":   {model.StatusOpen, model.StatusPending, model.StatusHold, model.StatusSolved},
	"priority": append([]string{""}, model.Priorities...),
	"type":     append([]string{""}, model.TicketTypes...),
}

func checkAction(tx *store.Tx, a *store.MacroAction, v *errs.Invalid) error {
	a.Value = plainJSON(a.Value)
	bad := func(format string, args ...any) {
		v.Addf("actions", "InvalidValue", "Action %s: "+format, append([]any{strconv.Quote(a.Field)}, args...)...)
	}
	switch f := a.Field; {
	case simpleFields[f] != nil:
		s, ok := a.Value.(string)
		if a.Value == nil && f != "status" {
			s, ok = "", true
		}
		if !ok || !slices.Contains(simpleFields[f], s) {
			bad("must be one of %s / 値が正しくありません", strings.Join(simpleFields[f], ", "))
		}
	case f == "group_id":
		id, ok := idValue(a.Value)
		if !ok {
			bad("must be a group id / グループIDを指定してください")
			return nil
		}
		if id != 0 {
			g, err := optional(tx.Group(id))
			if err != nil {
				return err
			}
			if g == nil || g.Deleted {
				bad("group %d does not exist / グループ %d は存在しません", id, id)
			}
		}
	case f == "assignee_id":
		if a.Value == "current_user" {
			return nil
		}
		id, ok := idValue(a.Value)
		if !ok {
			bad(`must be an agent id or "current_user" / 担当者IDか "current_user" を指定してください`)
			return nil
		}
		if id != 0 {
			u, err := optional(tx.User(id))
			if err != nil {
				return err
			}
			if u == nil || !u.IsAgent() {
				bad("user %d is not an agent / 利用者 %d はエージェントではありません", id, id)
			}
		}
	case f == "set_tags" || f == "current_tags" || f == "remove_tags":
		if tags, ok := tagsValue(a.Value); !ok {
			bad("must be tags separated by spaces or a list of tags / タグは空白区切りかリストで指定してください")
		} else if users.TooLongTag(users.NormalizeTags(tags)) {
			bad("each tag is at most 255 characters / タグは1つ255文字までです")
		}
	case strings.HasPrefix(f, "custom_fields_"):
		id, err := strconv.ParseInt(strings.TrimPrefix(f, "custom_fields_"), 10, 64)
		if err != nil || id <= 0 {
			bad("unknown field / 不明なフィールドです")
			return nil
		}
		fd, err := optional(tx.TicketField(id))
		if err != nil {
			return err
		}
		if fd == nil {
			bad("ticket field %d does not exist / チケットフィールド %d は存在しません", id, id)
		}
	case f == "comment_value" || f == "comment_value_html" || f == "subject":
		text, ok := commentText(a.Value)
		if !ok || f != "comment_value" && !isString(a.Value) {
			bad(`must be text (comment_value also takes ["channel:all", "text"]) / 本文を文字列で指定してください`)
			return nil
		}
		if len(text) > maxText {
			bad("is too long / 長すぎます")
			return nil
		}
		if _, err := liquid.Parse(text); err != nil {
			bad("%v", err)
		}
	case f == "comment_mode_is_public":
		if _, ok := boolValue(a.Value); !ok {
			bad("must be true or false / true か false を指定してください")
		}
	default:
		bad("is not a field a macro can set / マクロで設定できない項目です")
	}
	return nil
}

// plainJSON turns json.Number (the API decodes with UseNumber) into int64
// or float64, recursively, so stored actions hold ordinary JSON values.
func plainJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		if i, err := x.Int64(); err == nil {
			return i
		}
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainJSON(e)
		}
		return out
	}
	return v
}

func isString(v any) bool { _, ok := v.(string); return ok }

// idValue reads an id given as a number or a numeric string; "" and null
// mean none (0).
func idValue(v any) (int64, bool) {
	switch x := v.(type) {
	case nil:
		return 0, true
	case int64:
		return x, x >= 0
	case float64:
		return int64(x), x >= 0 && x == float64(int64(x))
	case string:
		if strings.TrimSpace(x) == "" {
			return 0, true
		}
		id, err := strconv.ParseInt(strings.TrimSpace(x), 10, 64)
		return id, err == nil && id >= 0
	}
	return 0, false
}

func tagsValue(v any) ([]string, bool) {
	switch x := v.(type) {
	case string:
		return strings.Fields(x), true
	case []any:
		var out []string
		for _, e := range x {
			s, ok := e.(string)
			if !ok {
				return nil, false
			}
			out = append(out, strings.Fields(s)...)
		}
		return out, true
	case []string:
		return x, true
	}
	return nil, false
}

// commentText reads "text" or Zendesk's ["channel:all", "text"].
func commentText(v any) (string, bool) {
	switch x := v.(type) {
	case string:
		return x, true
	case []any:
		if len(x) == 2 {
			ch, ok1 := x[0].(string)
			text, ok2 := x[1].(string)
			if ok1 && ok2 && strings.HasPrefix(ch, "channel:") {
				return text, true
			}
		}
	}
	return "", false
}

func boolValue(v any) (bool, bool) {
	switch x := v.(type) {
	case bool:
		return x, true
	case string:
		b, err := strconv.ParseBool(x)
		return b, err == nil
	}
	return false, false
}
