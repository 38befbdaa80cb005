// Package placeholders builds the data that macro, trigger and automation
// templates see: {{ticket.requester.name}}, {{current_user.signature}} and
// the rest of Zendesk's placeholders, read from the store inside the
// caller's transaction so a template sees exactly what the write sees.
package placeholders

import (
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// ForTicket returns the template data of tk as seen by current (nil for a
// system actor). Values are plain: strings, int64, bool, []string and
// nested map[string]any. Absent people and records (no assignee, no
// organization) are left out, so {% if ticket.assignee %} is false and
// {{ticket.assignee.name}} renders empty. Statuses, priorities and types are
// the API's lower-case words (open, high, question), so conditions compare
// them the same way the API does. ticket.latest_comment and
// ticket.latest_public_comment ({value, author.name, …}) come from the
// store when the ticket has comments.
func ForTicket(tx *store.Tx, tk *model.Ticket, current *model.User, baseURL string) (map[string]any, error) {
	if tk == nil {
		tk = &model.Ticket{}
	}
	t := map[string]any{
		"id":          tk.ID,
		"title":       tk.Subject,
		"subject":     tk.Subject,
		"description": tk.Description,
		"status":      tk.Status,
		"priority":    tk.Priority,
		"type":        tk.Type,
		"via":         tk.Via,
		"external_id": tk.ExternalID,
		"tags":        nonNil(tk.Tags),
		"url":         TicketURL(baseURL, tk.ID),
		"link":        TicketURL(baseURL, tk.ID),
		"is_public":   tk.IsPublic,
	}
	if !tk.CreatedAt.IsZero() {
		t["created_at"] = tk.CreatedAt
		t["created_at_with_timestamp"] = tk.CreatedAt
	}
	if !tk.UpdatedAt.IsZero() {
		t["updated_at"] = tk.UpdatedAt
	}
	if !tk.DueAt.IsZero() {
		t["due_date"] = tk.DueAt
	}
	if tk.RequesterID != 0 {
		u, err := optional(tx.User(tk.RequesterID))
		if err != nil {
			return nil, err
		}
		if u != nil {
			t["requester"] = person(u)
		}
	}
	if tk.AssigneeID != 0 {
		u, err := optional(tx.User(tk.AssigneeID))
		if err != nil {
			return nil, err
		}
		if u != nil {
			t["assignee"] = person(u)
		}
	}
	if tk.GroupID != 0 {
		g, err := optional(tx.Group(tk.GroupID))
		if err != nil {
			return nil, err
		}
		if g != nil {
			t["group"] = map[string]any{"id": g.ID, "name": g.Name}
		}
	}
	if tk.BrandID != 0 {
		b, err := optional(tx.Brand(tk.BrandID))
		if err != nil {
			return nil, err
		}
		if b != nil {
			t["brand"] = map[string]any{"id": b.ID, "name": b.Name}
		}
	}
	if tk.OrganizationID != 0 {
		o, err := optional(tx.Organization(tk.OrganizationID))
		if err != nil {
			return nil, err
		}
		if o != nil {
			t["organization"] = map[string]any{"id": o.ID, "name": o.Name, "external_id": o.ExternalID,
				"details": o.Details, "notes": o.Notes, "tags": nonNil(o.Tags)}
		}
	}
	if tk.InboxID != 0 {
		in, err := optional(tx.Inbox(tk.InboxID))
		if err != nil {
			return nil, err
		}
		if in != nil {
			addr := ""
			if len(in.Addresses) > 0 {
				addr = in.Addresses[0]
			}
			t["inbox"] = map[string]any{"id": in.ID, "name": in.Name, "address": addr}
		}
	}
	if err := customFields(tx, tk, t); err != nil {
		return nil, err
	}
	if err := latestComments(tx, tk, t); err != nil {
		return nil, err
	}
	data := map[string]any{"ticket": t}
	if current != nil {
		cu := person(current)
		cu["signature"] = current.Signature
		data["current_user"] = cu
	}
	return data, nil
}

// customFields adds ticket_field_<id> (the value) and, for drop-downs,
// ticket_field_option_title_<id> (the option's name) as Zendesk does.
func customFields(tx *store.Tx, tk *model.Ticket, t map[string]any) error {
	for _, fv := range tk.CustomFields {
		if fv.Value == nil {
			continue
		}
		key := strconv.FormatInt(fv.ID, 10)
		t["ticket_field_"+key] = fieldValue(fv.Value)
		s, isStr := fv.Value.(string)
		if !isStr {
			continue
		}
		f, err := optional(tx.TicketField(fv.ID))
		if err != nil {
			return err
		}
		if f == nil || len(f.Options) == 0 {
			continue
		}
		for _, o := range f.Options {
			if o.Value == s {
				t["ticket_field_option_title_"+key] = o.Name
			}
		}
	}
	return nil
}

// latestComments adds ticket.latest_comment and ticket.latest_public_comment
// ({value, html_value, author.name, created_at, public}) and their
// _formatted text ("name, date\n\nbody"), as Zendesk's placeholders do.
func latestComments(tx *store.Tx, tk *model.Ticket, t map[string]any) error {
	if tk.ID == 0 {
		return nil
	}
	last, err := tx.Comments(tk.ID, false, 0, 1, true)
	if err != nil || len(last) == 0 {
		return err
	}
	pub := last
	if !last[0].Public {
		if pub, err = tx.Comments(tk.ID, true, 0, 1, true); err != nil {
			return err
		}
	}
	put := func(key string, c *model.Comment) error {
		author := ""
		if u, err := optional(tx.User(c.AuthorID)); err != nil {
			return err
		} else if u != nil {
			author = u.Name
		}
		t[key] = map[string]any{"id": c.ID, "value": c.Body, "html_value": c.HTMLBody, "public": c.Public,
			"created_at": c.CreatedAt, "author": map[string]any{"id": c.AuthorID, "name": author}}
		t[key+"_formatted"] = author + ", " + c.CreatedAt.In(tokyo).Format("2006-01-02 15:04") + "\n\n" + c.Body
		return nil
	}
	if err := put("latest_comment", last[0]); err != nil {
		return err
	}
	if len(pub) > 0 {
		return put("latest_public_comment", pub[0])
	}
	return nil
}

var tokyo = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Tokyo"); err == nil {
		return l
	}
	return time.FixedZone("JST", 9*3600)
}()

// fieldValue turns JSON-decoded numbers and lists into template values.
func fieldValue(v any) any {
	switch x := v.(type) {
	case float64:
		if x == float64(int64(x)) {
			return int64(x)
		}
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return v
}

// person is a user's placeholder map. first_name is the first word of the
// name: for a Japanese name written family-first (佐藤 花子) that is the
// family name, which is what a polite 「佐藤様」 needs.
func person(u *model.User) map[string]any {
	first, last := splitName(u.Name)
	return map[string]any{
		"id": u.ID, "name": u.Name, "first_name": first, "last_name": last,
		"email": u.Email, "phone": u.Phone, "external_id": u.ExternalID,
		"locale": u.Locale, "language": u.Locale, "details": u.Details, "notes": u.Notes,
		"role": u.Role, "tags": nonNil(u.Tags),
	}
}

func splitName(name string) (first, last string) {
	f := strings.Fields(strings.ReplaceAll(name, "\u3000", " "))
	switch len(f) {
	case 0:
		return "", ""
	case 1:
		return f[0], ""
	}
	return f[0], strings.Join(f[1:], " ")
}

// TicketURL is the agent's link to a ticket.
func TicketURL(baseURL string, id int64) string {
	return strings.TrimRight(baseURL, "/") + "/agent/tickets/" + strconv.FormatInt(id, 10)
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// optional turns ErrNotFound into a nil record: a ticket pointing at a
// deleted user must still render.
func optional[T any](v *T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}
