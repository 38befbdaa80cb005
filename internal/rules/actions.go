package rules

import (
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// actionFields lists the actions and the rule kinds that may use them
// (nil: every kind). Zendesk's legacy notification_target is refused:
// targets became webhooks.
var actionFields = map[string][]string{
	"status": nil, "priority": nil, "type": nil, "group_id": nil, "assignee_id": nil,
	"set_tags": nil, "current_tags": nil, "remove_tags": nil,
	"satisfaction_score": nil, "comment_value": nil, "comment_value_html": nil, "comment_mode_is_public": nil,
	"notification_user": nil, "notification_group": nil, "notification_webhook": nil, "notification_slack": nil,
}

// ValidateActions checks actions for a rule of the given kind and reports
// every problem at once as errs.Invalid (422).
func ValidateActions(actions []Action, ruleKind string) error {
	var v errs.Invalid
	if len(actions) == 0 {
		v.Add("actions", "BlankValue", "Actions: at least one action is required / アクションを1つ以上指定してください")
	}
	for i, a := range actions {
		where := fmt.Sprintf("Actions[%d]", i)
		kinds, ok := actionFields[a.Field]
		custom := strings.HasPrefix(a.Field, "custom_fields_") && isDigits(strings.TrimPrefix(a.Field, "custom_fields_"))
		switch {
		case a.Field == "notification_target":
			v.Addf("actions", "InvalidValue", "%s: notification_target is Zendesk's retired HTTP target; use a webhook and notification_webhook / HTTPターゲットは廃止されました。Webhookを使ってください", where)
			continue
		case !ok && !custom:
			v.Addf("actions", "InvalidValue", "%s: unknown action %q / アクション %q は使えません", where, a.Field, a.Field)
			continue
		case kinds != nil && !slices.Contains(kinds, ruleKind):
			v.Addf("actions", "InvalidValue", "%s: %q cannot be used in a %s / このルールでは使えません", where, a.Field, ruleKind)
			continue
		}
		if msg := checkAction(a); msg != "" {
			v.Addf("actions", "InvalidValue", "%s: %s", where, msg)
			continue
		}
		for _, t := range templatesOf(a) {
			if msg := checkTemplate(where+" ("+a.Field+")", t); msg != "" {
				v.Add("actions", "InvalidValue", msg)
			}
		}
	}
	return v.OrNil()
}

func checkAction(a Action) string {
	s := valueString(a.Value)
	list := valueList(a.Value)
	switch a.Field {
	case "status":
		if !slices.Contains(model.Statuses, s) || s == model.StatusNew {
			return fmt.Sprintf("%q is not a status a rule can set (open, pending, hold, solved, closed) / ステータス %q は設定できません", s, s)
		}
	case "priority":
		if s != "" && !slices.Contains(model.Priorities, s) {
			return fmt.Sprintf("%q is not a priority (low, normal, high, urgent) / 優先度 %q は不明です", s, s)
		}
	case "type":
		if s != "" && !slices.Contains(model.TicketTypes, s) {
			return fmt.Sprintf("%q is not a ticket type (question, incident, problem, task) / チケットタイプ %q は不明です", s, s)
		}
	case "group_id":
		if _, ok := valueID(a.Value); !ok {
			return fmt.Sprintf("%q is not a group id / グループIDが正しくありません", s)
		}
	case "assignee_id":
		if _, ok := valueID(a.Value); !ok && s != "current_user" {
			return fmt.Sprintf("%q is not an agent id or current_user / 担当者IDが正しくありません", s)
		}
	case "set_tags", "current_tags", "remove_tags":
		if a.Field != "set_tags" && strings.TrimSpace(s) == "" {
			return "give at least one tag / タグを指定してください"
		}
		if users.TooLongTag(users.NormalizeTags(append(slices.Clone(list), s))) {
			return "each tag is at most 255 characters / タグは1つ255文字までです"
		}
	case "satisfaction_score":
		if s != "offered" && s != "offered_to_requester" {
			return fmt.Sprintf("%q: the only value is offered_to_requester / 値は offered_to_requester のみです", s)
		}
	case "comment_value", "comment_value_html":
		if strings.TrimSpace(commentText(a.Value)) == "" {
			return "the comment is empty / コメントが空です"
		}
	case "comment_mode_is_public":
		if s != "true" && s != "false" {
			return "comment_mode_is_public is true or false / true か false を指定してください"
		}
	case "notification_user":
		if len(list) != 3 {
			return "notification_user takes [recipient, subject, body] / [宛先, 件名, 本文] を指定してください"
		}
		if r := list[0]; r != "requester_id" && r != "requester_and_ccs" && r != "assignee_id" && r != "current_user" && r != "all_agents" {
			if id, ok := valueID(r); !ok || id == 0 {
				return fmt.Sprintf("recipient %q must be requester_id, requester_and_ccs, assignee_id, current_user, all_agents or a user id / 宛先が正しくありません", r)
			}
		}
	case "notification_group":
		if len(list) != 3 {
			return "notification_group takes [group id, subject, body] / [グループID, 件名, 本文] を指定してください"
		}
		if id, ok := valueID(list[0]); (!ok || id == 0) && list[0] != "group_id" {
			return fmt.Sprintf("%q is not a group id / グループIDが正しくありません", list[0])
		}
	case "notification_webhook", "notification_slack":
		if len(list) != 2 {
			return a.Field + " takes [webhook id, body] / [Webhook ID, 本文] を指定してください"
		}
		if id, ok := valueID(list[0]); !ok || id == 0 {
			return fmt.Sprintf("%q is not a webhook id / Webhook IDが正しくありません", list[0])
		}
		if strings.TrimSpace(list[1]) == "" {
			return "the body is empty / 本文が空です"
		}
	}
	return ""
}

// templatesOf lists the templates an action carries.
func templatesOf(a Action) []string {
	l := valueList(a.Value)
	switch a.Field {
	case "comment_value", "comment_value_html":
		return []string{commentText(a.Value)}
	case "notification_user", "notification_group":
		return l[1:]
	case "notification_webhook", "notification_slack":
		return l[1:]
	}
	return nil
}

// commentText reads comment_value: a string, or Zendesk's newer
// ["channel:all", "text"] pair.
func commentText(v any) string {
	if l := valueList(v); len(l) > 1 {
		return l[len(l)-1]
	}
	return valueString(v)
}

// ApplyActions turns actions into the change to write on s.Ticket (with
// RuleSource source) and the notifications to send. Comment templates are
// rendered here, with the ticket as s shows it; notification templates are
// rendered by Engine.Notify after the write. It does not write anything.
func ApplyActions(tx *store.Tx, actions []Action, s *Subject, source string) (tickets.Change, []Notification, error) {
	ch := tickets.Change{RuleSource: source, Via: "rule"}
	var notes []Notification
	var comment, commentHTML string
	public := false
	for _, a := range actions {
		val := valueString(a.Value)
		switch a.Field {
		case "status", "priority", "type":
			v := val
			switch a.Field {
			case "status":
				ch.Status = &v
			case "priority":
				ch.Priority = &v
			default:
				ch.Type = &v
			}
		case "group_id":
			id, _ := valueID(a.Value)
			ch.GroupID = &id
		case "assignee_id":
			id, _ := valueID(a.Value)
			if val == "current_user" {
				if s.Actor == nil || !s.Actor.IsAgent() {
					continue // a customer's update cannot assign the ticket to them
				}
				id = s.Actor.ID
			}
			ch.AssigneeID = &id
		case "set_tags":
			tags := users.NormalizeTags([]string{val})
			ch.Tags = &tags
			ch.AddTags, ch.RemoveTags = nil, nil
		case "current_tags":
			ch.AddTags = append(ch.AddTags, strings.Fields(val)...)
		case "remove_tags":
			ch.RemoveTags = append(ch.RemoveTags, strings.Fields(val)...)
		case "comment_value":
			comment = commentText(a.Value)
		case "comment_value_html":
			commentHTML = commentText(a.Value)
		case "comment_mode_is_public":
			public = val == "true"
		case "satisfaction_score":
			notes = append(notes, Notification{Kind: NotifySatisfaction, Source: source})
		case "notification_user", "notification_group":
			l := valueList(a.Value)
			if len(l) != 3 {
				return ch, nil, fmt.Errorf("rules: %s needs 3 values", a.Field)
			}
			n := Notification{Kind: NotifyEmail, Subject: l[1], Body: l[2], Source: source}
			if a.Field == "notification_group" {
				if l[0] == "group_id" {
					n.Recipient = "group_id"
				} else {
					n.GroupID, _ = strconv.ParseInt(l[0], 10, 64)
				}
			} else {
				n.Recipient = l[0]
			}
			notes = append(notes, n)
		case "notification_webhook", "notification_slack":
			l := valueList(a.Value)
			if len(l) != 2 {
				return ch, nil, fmt.Errorf("rules: %s needs 2 values", a.Field)
			}
			id, _ := strconv.ParseInt(l[0], 10, 64)
			kind := NotifyWebhook
			if a.Field == "notification_slack" {
				kind = NotifySlack
			}
			notes = append(notes, Notification{Kind: kind, WebhookID: id, Body: l[1], Source: source})
		default:
			if id, ok := strings.CutPrefix(a.Field, "custom_fields_"); ok {
				fid, err := strconv.ParseInt(id, 10, 64)
				if err != nil {
					return ch, nil, fmt.Errorf("rules: bad custom field action %q", a.Field)
				}
				var v any = val
				if val == "" {
					v = nil
				} else if l, isList := a.Value.([]any); isList {
					v = valueList(l)
				}
				ch.CustomFields = setField(ch.CustomFields, model.FieldValue{ID: fid, Value: v})
				continue
			}
			return ch, nil, fmt.Errorf("rules: unknown action %q", a.Field)
		}
	}
	if comment != "" || commentHTML != "" {
		body, err := render(tx, comment, s, false)
		if err != nil {
			return ch, nil, err
		}
		in := &tickets.CommentInput{Body: body, Public: &public, Metadata: map[string]any{"rule": source}}
		if commentHTML != "" {
			if in.HTMLBody, err = render(tx, commentHTML, s, false); err != nil {
				return ch, nil, err
			}
		}
		ch.Comment = in
	}
	return ch, notes, nil
}

func setField(fs []model.FieldValue, f model.FieldValue) []model.FieldValue {
	for i := range fs {
		if fs[i].ID == f.ID {
			fs[i] = f
			return fs
		}
	}
	return append(fs, f)
}

// Simulate returns a copy of tk with ch's ticket fields applied, as the
// write would leave them, so that the next rule of the same pass sees the
// effect of the previous ones before anything is written.
func Simulate(tk *model.Ticket, ch tickets.Change) *model.Ticket {
	c := *tk
	c.Tags = slices.Clone(tk.Tags)
	c.CustomFields = slices.Clone(tk.CustomFields)
	if ch.Status != nil {
		c.Status = *ch.Status
	}
	if ch.Priority != nil {
		c.Priority = *ch.Priority
	}
	if ch.Type != nil {
		c.Type = *ch.Type
	}
	if ch.GroupID != nil {
		c.GroupID = *ch.GroupID
	}
	if ch.AssigneeID != nil {
		c.AssigneeID = *ch.AssigneeID
	}
	if ch.Status == nil && c.Status == model.StatusNew && c.AssigneeID != 0 {
		c.Status = model.StatusOpen // as the write will: assigning a new ticket opens it
	}
	if ch.Tags != nil {
		c.Tags = users.NormalizeTags(*ch.Tags)
	}
	if len(ch.AddTags) > 0 {
		c.Tags = users.NormalizeTags(append(c.Tags, ch.AddTags...))
	}
	for _, r := range users.NormalizeTags(ch.RemoveTags) {
		c.Tags = slices.DeleteFunc(c.Tags, func(t string) bool { return t == r })
	}
	for _, f := range ch.CustomFields {
		c.CustomFields = setField(c.CustomFields, f)
	}
	return &c
}

// Diff is the change that turns from into to (ticket fields only), so
// that several rules' actions are written as one update.
func Diff(from, to *model.Ticket) tickets.Change {
	var ch tickets.Change
	if from.Status != to.Status {
		ch.Status = &to.Status
	}
	if from.Priority != to.Priority {
		ch.Priority = &to.Priority
	}
	if from.Type != to.Type {
		ch.Type = &to.Type
	}
	if from.GroupID != to.GroupID {
		ch.GroupID = &to.GroupID
	}
	if from.AssigneeID != to.AssigneeID {
		ch.AssigneeID = &to.AssigneeID
	}
	if !slices.Equal(from.Tags, to.Tags) {
		tags := slices.Clone(to.Tags)
		ch.Tags = &tags
	}
	for _, f := range to.CustomFields {
		if valueString(customValue(from, strconv.FormatInt(f.ID, 10))) != valueString(f.Value) {
			ch.CustomFields = append(ch.CustomFields, f)
		}
	}
	return ch
}
