package macros

import (
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/liquid"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/placeholders"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// Comment is a macro's rendered comment.
type Comment struct {
	Body     string // plain text
	HTMLBody string // sanitized HTML
	Public   bool
}

// Apply works out what m does to tk when current applies it: the Change to
// save and the rendered comment (nil when the macro adds none). Nothing is
// saved. tk may be nil (a new ticket): placeholders of the ticket are then
// empty. The Change carries no RuleSource: a person applies a macro, so
// triggers must run on the save as on any agent's update.
func Apply(tx *store.Tx, m *store.Macro, tk *model.Ticket, current *model.User, baseURL string) (tickets.Change, *Comment, error) {
	var ch tickets.Change
	var data map[string]any
	render := func(field, src string, html bool) (string, error) {
		if !strings.Contains(src, "{{") && !strings.Contains(src, "{%") {
			return src, nil
		}
		if data == nil {
			var err error
			if data, err = placeholders.ForTicket(tx, tk, current, baseURL); err != nil {
				return "", err
			}
		}
		t, err := liquid.Parse(src)
		if err != nil {
			return "", errs.Invalidf("actions", "InvalidValue", "Action %q: %v", field, err)
		}
		var out string
		if html {
			out, err = t.RenderHTML(data)
		} else {
			out, err = t.Render(data)
		}
		if err != nil {
			return "", errs.Invalidf("actions", "InvalidValue", "Action %q: %v", field, err)
		}
		return out, nil
	}
	var texts, htmls []string
	public := true
	for _, a := range m.Actions {
		switch f := a.Field; {
		case f == "status" || f == "priority" || f == "type":
			s, _ := a.Value.(string)
			switch f {
			case "status":
				ch.Status = &s
			case "priority":
				ch.Priority = &s
			default:
				ch.Type = &s
			}
		case f == "group_id":
			id, _ := idValue(a.Value)
			ch.GroupID = &id
		case f == "assignee_id":
			var id int64
			if a.Value == "current_user" {
				if current == nil {
					continue
				}
				id = current.ID
			} else {
				id, _ = idValue(a.Value)
			}
			ch.AssigneeID = &id
		case f == "set_tags":
			tags, _ := tagsValue(a.Value)
			ch.Tags = &tags
		case f == "current_tags":
			tags, _ := tagsValue(a.Value)
			ch.AddTags = append(ch.AddTags, tags...)
		case f == "remove_tags":
			tags, _ := tagsValue(a.Value)
			ch.RemoveTags = append(ch.RemoveTags, tags...)
		case strings.HasPrefix(f, "custom_fields_"):
			id, _ := strconv.ParseInt(strings.TrimPrefix(f, "custom_fields_"), 10, 64)
			ch.CustomFields = slices.DeleteFunc(ch.CustomFields, func(v model.FieldValue) bool { return v.ID == id })
			ch.CustomFields = append(ch.CustomFields, model.FieldValue{ID: id, Value: a.Value})
		case f == "subject":
			src, _ := a.Value.(string)
			s, err := render(f, src, false)
			if err != nil {
				return ch, nil, err
			}
			s = strings.TrimSpace(s)
			ch.Subject = &s
		case f == "comment_value" || f == "comment_value_html":
			src, _ := commentText(a.Value)
			s, err := render(f, src, f == "comment_value_html")
			if err != nil {
				return ch, nil, err
			}
			if f == "comment_value" {
				texts = append(texts, s)
			} else {
				htmls = append(htmls, s)
			}
		case f == "comment_mode_is_public":
			public, _ = boolValue(a.Value) // alone (no text) it only sets the composer's mode
		}
	}
	if current != nil && current.Role == model.RoleLightAgent {
		public = false // light agents write internal notes only
	}
	var c *Comment
	if len(texts) > 0 || len(htmls) > 0 {
		c = &Comment{Public: public}
		if len(htmls) > 0 {
			c.HTMLBody = richtext.Sanitize(strings.Join(htmls, "\n"))
			c.Body = richtext.ToPlain(c.HTMLBody)
			if len(texts) > 0 {
				c.Body = strings.Join(texts, "\n")
			}
		} else {
			c.Body = strings.Join(texts, "\n")
			c.HTMLBody = richtext.FromPlain(c.Body)
		}
		pub := public
		ch.Comment = &tickets.CommentInput{Body: c.Body, HTMLBody: c.HTMLBody, Public: &pub}
		if len(htmls) == 0 {
			ch.Comment.HTMLBody = "" // let the ticket build HTML from the text as for any reply
		}
	}
	return ch, c, nil
}

// Preview returns a copy of tk (or an empty ticket) with ch's field changes
// applied, for showing "the ticket after the macro" without saving it.
func Preview(tk *model.Ticket, ch tickets.Change) *model.Ticket {
	var t model.Ticket
	if tk != nil {
		t = *tk
		t.Tags = slices.Clone(tk.Tags)
		t.CustomFields = slices.Clone(tk.CustomFields)
	}
	if ch.Subject != nil {
		t.Subject = *ch.Subject
	}
	if ch.Status != nil {
		t.Status = *ch.Status
	}
	if ch.Priority != nil {
		t.Priority = *ch.Priority
	}
	if ch.Type != nil {
		t.Type = *ch.Type
	}
	if ch.GroupID != nil {
		t.GroupID = *ch.GroupID
	}
	if ch.AssigneeID != nil {
		t.AssigneeID = *ch.AssigneeID
	}
	if ch.Tags != nil {
		t.Tags = users.NormalizeTags(*ch.Tags)
	}
	if len(ch.AddTags) > 0 {
		t.Tags = users.NormalizeTags(append(t.Tags, ch.AddTags...))
	}
	for _, r := range users.NormalizeTags(ch.RemoveTags) {
		t.Tags = slices.DeleteFunc(t.Tags, func(s string) bool { return s == r })
	}
	if t.Tags == nil {
		t.Tags = []string{}
	}
	for _, fv := range ch.CustomFields {
		i := slices.IndexFunc(t.CustomFields, func(v model.FieldValue) bool { return v.ID == fv.ID })
		if i >= 0 {
			t.CustomFields[i] = fv
		} else {
			t.CustomFields = append(t.CustomFields, fv)
		}
	}
	return &t
}

// Changed lists the ticket fields ch sets, in Zendesk's ticket JSON names,
// for applying a macro to no ticket in particular.
func Changed(ch tickets.Change) map[string]any {
	out := map[string]any{}
	if ch.Subject != nil {
		out["subject"] = *ch.Subject
	}
	if ch.Status != nil {
		out["status"] = *ch.Status
	}
	if ch.Priority != nil {
		out["priority"] = nullIfEmpty(*ch.Priority)
	}
	if ch.Type != nil {
		out["type"] = nullIfEmpty(*ch.Type)
	}
	if ch.GroupID != nil {
		out["group_id"] = nullIfZero(*ch.GroupID)
	}
	if ch.AssigneeID != nil {
		out["assignee_id"] = nullIfZero(*ch.AssigneeID)
	}
	if ch.Tags != nil || len(ch.AddTags) > 0 || len(ch.RemoveTags) > 0 {
		t := Preview(nil, tickets.Change{Tags: ch.Tags, AddTags: ch.AddTags})
		if ch.Tags != nil {
			out["tags"] = t.Tags
		} else if len(ch.AddTags) > 0 {
			out["additional_tags"] = t.Tags
		}
		if len(ch.RemoveTags) > 0 {
			out["remove_tags"] = users.NormalizeTags(ch.RemoveTags)
		}
	}
	if len(ch.CustomFields) > 0 {
		fields := make([]map[string]any, len(ch.CustomFields))
		for i, f := range ch.CustomFields {
			fields[i] = map[string]any{"id": f.ID, "value": f.Value}
		}
		out["custom_fields"] = fields
	}
	return out
}

func nullIfEmpty(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func nullIfZero(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}
