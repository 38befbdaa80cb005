package api

import (
	"fmt"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Record JSON follows Zendesk's field names and shapes: unset ids and times
// are null, lists are never null.

type viaJSON struct {
	Channel string         `json:"channel"`
	Source  map[string]any `json:"source"`
}

type ticketJSON struct {
	URL                  string             `json:"url"`
	ID                   int64              `json:"id"`
	ExternalID           *string            `json:"external_id"`
	Via                  viaJSON            `json:"via"`
	CreatedAt            string             `json:"created_at"`
	UpdatedAt            string             `json:"updated_at"`
	GeneratedTimestamp   int64              `json:"generated_timestamp"`
	Type                 *string            `json:"type"`
	Subject              string             `json:"subject"`
	RawSubject           string             `json:"raw_subject"`
	Description          string             `json:"description"`
	Priority             *string            `json:"priority"`
	Status               string             `json:"status"`
	Recipient            *string            `json:"recipient"`
	RequesterID          int64              `json:"requester_id"`
	SubmitterID          int64              `json:"submitter_id"`
	AssigneeID           *int64             `json:"assignee_id"`
	OrganizationID       *int64             `json:"organization_id"`
	GroupID              *int64             `json:"group_id"`
	CollaboratorIDs      []int64            `json:"collaborator_ids"`
	FollowerIDs          []int64            `json:"follower_ids"`
	EmailCCIDs           []int64            `json:"email_cc_ids"`
	ForumTopicID         *int64             `json:"forum_topic_id"`
	ProblemID            *int64             `json:"problem_id"`
	HasIncidents         bool               `json:"has_incidents"`
	IsPublic             bool               `json:"is_public"`
	DueAt                *string            `json:"due_at"`
	Tags                 []string           `json:"tags"`
	CustomFields         []model.FieldValue `json:"custom_fields"`
	Fields               []model.FieldValue `json:"fields"`
	SatisfactionRating   any                `json:"satisfaction_rating"`
	SharingAgreementIDs  []int64            `json:"sharing_agreement_ids"`
	FollowupIDs          []int64            `json:"followup_ids"`
	ViaFollowupSourceID  *int64             `json:"via_followup_source_id"`
	BrandID              *int64             `json:"brand_id"`
	AllowChannelback     bool               `json:"allow_channelback"`
	AllowAttachments     bool               `json:"allow_attachments"`
	FromMessagingChannel bool               `json:"from_messaging_channel"`
	// Kizuna extensions
	InboxID  *int64  `json:"inbox_id"`
	SolvedAt *string `json:"solved_at"`
}

func presentTicket(base string, t *model.Ticket, defs []*model.TicketField) ticketJSON {
	fields := customFieldList(t.CustomFields, defs)
	return ticketJSON{
		URL:                 fmt.Sprintf("%s/api/v2/tickets/%d.json", base, t.ID),
		ID:                  t.ID,
		ExternalID:          strPtr(t.ExternalID),
		Via:                 viaJSON{Channel: t.Via, Source: viaSource(t.ViaSource)},
		CreatedAt:           isoTime(t.CreatedAt),
		UpdatedAt:           isoTime(t.UpdatedAt),
		GeneratedTimestamp:  t.UpdatedAt.Unix(),
		Type:                strPtr(t.Type),
		Subject:             t.Subject,
		RawSubject:          t.Subject,
		Description:         t.Description,
		Priority:            strPtr(t.Priority),
		Status:              t.Status,
		Recipient:           strPtr(t.Recipient),
		RequesterID:         t.RequesterID,
		SubmitterID:         t.SubmitterID,
		AssigneeID:          idPtr(t.AssigneeID),
		OrganizationID:      idPtr(t.OrganizationID),
		GroupID:             idPtr(t.GroupID),
		CollaboratorIDs:     ids(t.CollaboratorIDs),
		FollowerIDs:         []int64{},
		EmailCCIDs:          ids(t.CollaboratorIDs),
		ProblemID:           idPtr(t.ProblemID),
		IsPublic:            t.IsPublic,
		DueAt:               timePtr(t.DueAt),
		Tags:                strs(t.Tags),
		CustomFields:        fields,
		Fields:              fields,
		SharingAgreementIDs: []int64{},
		FollowupIDs:         ids(t.FollowupIDs),
		ViaFollowupSourceID: idPtr(t.ViaFollowupSourceID),
		BrandID:             idPtr(t.BrandID),
		AllowAttachments:    true,
		InboxID:             idPtr(t.InboxID),
		SolvedAt:            timePtr(t.SolvedAt),
	}
}

// customFieldList returns a value for every defined field (null when unset),
// as Zendesk does, followed by values whose definition was deleted.
func customFieldList(vals []model.FieldValue, defs []*model.TicketField) []model.FieldValue {
	out := make([]model.FieldValue, 0, len(defs))
	seen := make(map[int64]bool, len(defs))
	for _, d := range defs {
		seen[d.ID] = true
		fv := model.FieldValue{ID: d.ID}
		for _, v := range vals {
			if v.ID == d.ID {
				fv.Value = v.Value
			}
		}
		out = append(out, fv)
	}
	return out
}

func viaSource(m map[string]any) map[string]any {
	src := map[string]any{"from": map[string]any{}, "to": map[string]any{}, "rel": nil}
	for k, v := range m {
		src[k] = v
	}
	return src
}

type attachmentJSON struct {
	URL         string `json:"url"`
	ID          int64  `json:"id"`
	FileName    string `json:"file_name"`
	ContentURL  string `json:"content_url"`
	MappedURL   string `json:"mapped_content_url"`
	ContentType string `json:"content_type"`
	Size        int64  `json:"size"`
	Width       *int   `json:"width"`
	Height      *int   `json:"height"`
	Inline      bool   `json:"inline"`
	Deleted     bool   `json:"deleted"`
	Thumbnails  []any  `json:"thumbnails"`
}

func presentAttachment(base string, a *model.Attachment) attachmentJSON {
	content := fmt.Sprintf("%s/api/v2/attachments/%d/content", base, a.ID)
	return attachmentJSON{URL: fmt.Sprintf("%s/api/v2/attachments/%d.json", base, a.ID), ID: a.ID, FileName: a.FileName,
		ContentURL: content, MappedURL: content, ContentType: a.ContentType, Size: a.Size, Inline: a.Inline, Thumbnails: []any{}}
}

type commentJSON struct {
	ID          int64            `json:"id"`
	Type        string           `json:"type"`
	AuthorID    int64            `json:"author_id"`
	Body        string           `json:"body"`
	HTMLBody    string           `json:"html_body"`
	PlainBody   string           `json:"plain_body"`
	Public      bool             `json:"public"`
	Attachments []attachmentJSON `json:"attachments"`
	AuditID     int64            `json:"audit_id"`
	Via         viaJSON          `json:"via"`
	Metadata    map[string]any   `json:"metadata"`
	CreatedAt   string           `json:"created_at"`
}

func presentComment(base string, c *model.Comment) commentJSON {
	atts := make([]attachmentJSON, len(c.Attachments))
	for i := range c.Attachments {
		atts[i] = presentAttachment(base, &c.Attachments[i])
	}
	md := map[string]any{"system": map[string]any{}, "custom": map[string]any{}}
	for k, v := range c.Metadata {
		md[k] = v
	}
	return commentJSON{ID: c.ID, Type: "Comment", AuthorID: c.AuthorID, Body: c.Body, HTMLBody: c.HTMLBody, PlainBody: c.Body,
		Public: c.Public, Attachments: atts, AuditID: c.AuditID, Via: viaJSON{Channel: c.Via, Source: viaSource(nil)},
		Metadata: md, CreatedAt: isoTime(c.CreatedAt)}
}

// presentAudit renders an audit; Comment events carry the comment itself,
// as in Zendesk.
func presentAudit(base string, a *model.Audit, comments map[int64]*model.Comment) map[string]any {
	events := make([]any, 0, len(a.Events))
	for i, e := range a.Events {
		if e.ID == 0 {
			e.ID = a.ID*1000 + int64(i) // stable and unique: audits hold far fewer than 1000 events
		}
		if e.Type == "Comment" {
			if c := comments[e.CommentID]; c != nil {
				cj := presentComment(base, c)
				events = append(events, map[string]any{"id": e.ID, "type": "Comment", "author_id": c.AuthorID, "body": cj.Body,
					"html_body": cj.HTMLBody, "plain_body": cj.PlainBody, "public": c.Public, "attachments": cj.Attachments, "audit_id": a.ID})
				continue
			}
		}
		ev := map[string]any{"id": e.ID, "type": e.Type}
		if e.FieldName != "" {
			ev["field_name"] = e.FieldName
			ev["value"] = e.Value
			if e.Type == "Change" {
				ev["previous_value"] = e.PreviousValue
			}
		}
		if e.Reason != "" {
			ev["reason"] = e.Reason
		}
		events = append(events, ev)
	}
	md := map[string]any{"system": map[string]any{}, "custom": map[string]any{}}
	for k, v := range a.Metadata {
		md[k] = v
	}
	src, _ := a.Metadata["via_source"].(map[string]any) // a rule's audit: {"rel": "trigger", "from": {id, title}}
	return map[string]any{"id": a.ID, "ticket_id": a.TicketID, "author_id": a.AuthorID, "created_at": isoTime(a.CreatedAt),
		"metadata": md, "via": viaJSON{Channel: a.Via, Source: viaSource(src)}, "events": events}
}

func isoTime(t time.Time) string { return t.UTC().Format(time.RFC3339) }

func timePtr(t time.Time) *string {
	if t.IsZero() {
		return nil
	}
	s := isoTime(t)
	return &s
}

func strPtr(s string) *string {
	if s == "" {
		return nil
	}
	return &s
}

func idPtr(id int64) *int64 {
	if id == 0 {
		return nil
	}
	return &id
}

func ids(s []int64) []int64 {
	if s == nil {
		return []int64{}
	}
	return s
}

func strs(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}
