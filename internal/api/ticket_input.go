package api

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// ticketIn is the "ticket" object clients send, with Zendesk's names.
type ticketIn struct {
	ID                  optInt         `json:"id"`
	Subject             optString      `json:"subject"`
	RawSubject          optString      `json:"raw_subject"`
	Description         optString      `json:"description"`
	Comment             *commentIn     `json:"comment"`
	RequesterID         optInt         `json:"requester_id"`
	Requester           *personIn      `json:"requester"`
	SubmitterID         optInt         `json:"submitter_id"`
	AssigneeID          optInt         `json:"assignee_id"`
	AssigneeEmail       optString      `json:"assignee_email"`
	GroupID             optInt         `json:"group_id"`
	OrganizationID      optInt         `json:"organization_id"`
	BrandID             optInt         `json:"brand_id"`
	InboxID             optInt         `json:"inbox_id"`
	ProblemID           optInt         `json:"problem_id"`
	ViaFollowupSourceID optInt         `json:"via_followup_source_id"`
	Status              optString      `json:"status"`
	Priority            optString      `json:"priority"`
	Type                optString      `json:"type"`
	ExternalID          optString      `json:"external_id"`
	Recipient           optString      `json:"recipient"`
	DueAt               optString      `json:"due_at"`
	Tags                *[]string      `json:"tags"`
	AdditionalTags      []string       `json:"additional_tags"`
	RemoveTags          []string       `json:"remove_tags"`
	CustomFields        []fieldIn      `json:"custom_fields"`
	Fields              []fieldIn      `json:"fields"`
	CollaboratorIDs     *[]optInt      `json:"collaborator_ids"`
	Collaborators       []any          `json:"collaborators"`
	AdditionalCollabs   []any          `json:"additional_collaborators"`
	EmailCCs            []emailCCIn    `json:"email_ccs"`
	SafeUpdate          bool           `json:"safe_update"`
	UpdatedStamp        string         `json:"updated_stamp"`
	Metadata            map[string]any `json:"metadata"`
	Via                 *struct {
		Channel string `json:"channel"`
	} `json:"via"`
}

type commentIn struct {
	Body     string         `json:"body"`
	HTMLBody string         `json:"html_body"`
	Public   *bool          `json:"public"`
	AuthorID optInt         `json:"author_id"`
	Uploads  []string       `json:"uploads"`
	Metadata map[string]any `json:"metadata"`
}

type personIn struct {
	Name     string `json:"name"`
	Email    string `json:"email"`
	Phone    string `json:"phone"` // ours: a caller known by number only
	LocaleID any    `json:"locale_id"`
	Locale   string `json:"locale"`
}

type fieldIn struct {
	ID    optInt `json:"id"`
	Value any    `json:"value"`
}

type emailCCIn struct {
	UserID    optInt `json:"user_id"`
	UserEmail string `json:"user_email"`
	UserName  string `json:"user_name"`
	Action    string `json:"action"`
}

// change turns the client's ticket object into a domain Change; problems
// with the shape (not the meaning) of values are reported here.
func (in *ticketIn) change(creating bool) (tickets.Change, error) {
	ch := tickets.Change{
		Subject: in.Subject.ptr(), Status: in.Status.ptr(), Priority: in.Priority.ptr(), Type: in.Type.ptr(),
		ExternalID: in.ExternalID.ptr(), Recipient: in.Recipient.ptr(), AssigneeEmail: in.AssigneeEmail.ptr(),
		RequesterID: in.RequesterID.ptr(), SubmitterID: in.SubmitterID.ptr(), AssigneeID: in.AssigneeID.ptr(),
		GroupID: in.GroupID.ptr(), OrganizationID: in.OrganizationID.ptr(), BrandID: in.BrandID.ptr(),
		InboxID: in.InboxID.ptr(), ProblemID: in.ProblemID.ptr(), Tags: in.Tags, AddTags: in.AdditionalTags,
		RemoveTags: in.RemoveTags, SafeUpdate: in.SafeUpdate, Metadata: in.Metadata,
	}
	if ch.Subject == nil && in.RawSubject.Set {
		ch.Subject = in.RawSubject.ptr()
	}
	if in.Requester != nil {
		ch.Requester = &tickets.Person{Name: in.Requester.Name, Email: in.Requester.Email, Phone: in.Requester.Phone, Locale: in.Requester.Locale}
	}
	if in.ViaFollowupSourceID.V != 0 && creating {
		ch.FollowupOf = in.ViaFollowupSourceID.V
	}
	if in.Via != nil && creating {
		ch.Via = in.Via.Channel
	}
	if in.DueAt.Set {
		var due time.Time
		if in.DueAt.V != "" {
			var err error
			if due, err = parseTime(in.DueAt.V); err != nil {
				return ch, badRequest("InvalidValue", "due_at: expected an ISO 8601 time such as 2026-12-01T09:00:00Z.")
			}
		}
		ch.DueAt = &due
	}
	if in.UpdatedStamp != "" {
		t, err := parseTime(in.UpdatedStamp)
		if err != nil {
			return ch, badRequest("InvalidValue", "updated_stamp: expected an ISO 8601 time.")
		}
		ch.UpdatedStamp = t
	}
	for _, f := range append(in.CustomFields, in.Fields...) {
		if !f.ID.Set || f.ID.V == 0 {
			return ch, badRequest("InvalidValue", "custom_fields: every entry needs an id.")
		}
		ch.CustomFields = append(ch.CustomFields, model.FieldValue{ID: f.ID.V, Value: plainJSON(f.Value)})
	}
	if in.CollaboratorIDs != nil {
		people := []tickets.Person{}
		for _, id := range *in.CollaboratorIDs {
			people = append(people, tickets.Person{ID: id.V})
		}
		ch.Collaborators = &people
	}
	if in.Collaborators != nil {
		people, err := personList(in.Collaborators, "collaborators")
		if err != nil {
			return ch, err
		}
		ch.Collaborators = &people
	}
	if in.AdditionalCollabs != nil {
		people, err := personList(in.AdditionalCollabs, "additional_collaborators")
		if err != nil {
			return ch, err
		}
		ch.AddCollabs = append(ch.AddCollabs, people...)
	}
	for _, cc := range in.EmailCCs {
		if cc.Action == "delete" {
			continue // removing CCs one by one is done by replacing collaborator_ids
		}
		ch.AddCollabs = append(ch.AddCollabs, tickets.Person{ID: cc.UserID.V, Email: cc.UserEmail, Name: cc.UserName})
	}
	c := in.Comment
	if c == nil && creating && in.Description.V != "" {
		c = &commentIn{Body: in.Description.V}
	}
	if c != nil {
		ch.Comment = &tickets.CommentInput{Body: c.Body, HTMLBody: c.HTMLBody, Public: c.Public, AuthorID: c.AuthorID.V,
			Uploads: c.Uploads, Metadata: c.Metadata}
	}
	return ch, nil
}

// personList reads Zendesk's mixed collaborator lists: ids, emails, or
// {"name","email"} objects.
func personList(items []any, field string) ([]tickets.Person, error) {
	out := make([]tickets.Person, 0, len(items))
	for _, it := range items {
		switch v := it.(type) {
		case json.Number:
			n, err := v.Int64()
			if err != nil {
				return nil, badRequest("InvalidValue", field+": ids must be whole numbers.")
			}
			out = append(out, tickets.Person{ID: n})
		case string:
			out = append(out, tickets.Person{Email: v})
		case map[string]any:
			name, _ := v["name"].(string)
			email, _ := v["email"].(string)
			out = append(out, tickets.Person{Name: name, Email: email})
		default:
			return nil, badRequest("InvalidValue", field+": each entry must be an id, an email or {\"name\", \"email\"}.")
		}
	}
	return out, nil
}

// plainJSON converts json.Number (from UseNumber) back to plain Go values.
func plainJSON(v any) any {
	switch x := v.(type) {
	case json.Number:
		return x.String()
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plainJSON(e)
		}
		return out
	}
	return v
}

func parseTime(s string) (time.Time, error) {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, strings.TrimSpace(s)); err == nil {
			return t.UTC(), nil
		}
	}
	return time.Time{}, fmt.Errorf("bad time %q", s)
}
