package api

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// The customer timeline (our extension): every ticket of a customer across
// inboxes, with the comments on them and the mails in and out, as one
// newest-first list that the agent UI shows beside a ticket.

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/users/{id}/timeline", s.userTimeline)
	})
}

// excerptLength is how much of a comment the timeline shows.
const excerptLength = 140

var timelineKinds = []string{tickets.EntryTicket, tickets.EntryComment, tickets.EntryMail}

func (s *Server) userTimeline(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	q := tickets.TimelineQuery{UserID: id, Limit: p.Size}
	for _, inc := range strings.Split(r.URL.Query().Get("include"), ",") {
		if strings.TrimSpace(inc) == "organization" {
			q.IncludeOrganization = true
		}
	}
	if p.After != "" {
		if q.After, err = decodeTimelineCursor(p.After); err != nil {
			return err
		}
	}
	page, err := s.Tickets.Timeline(r.Context(), currentUser(r), q)
	if err != nil {
		return err
	}
	base := baseURL(r)
	entries := make([]map[string]any, len(page.Entries))
	for i, e := range page.Entries {
		entries[i] = presentTimelineEntry(base, e)
	}
	body := map[string]any{"timeline": entries}
	after := ""
	if n := len(page.Entries); n > 0 {
		after = encodeTimelineCursor(page.Entries[n-1].Cursor())
	}
	// Timelines page forward only: page[before] is not offered.
	p.cursorLinks(body, page.HasMore, after, "")
	writeJSON(w, http.StatusOK, body)
	return nil
}

// A timeline cursor is an instant, a kind and an id; the kind rides in the
// low bits of the id so the shared opaque cursor format carries all three.
func encodeTimelineCursor(c tickets.TimelineCursor) string {
	kind := 0
	for i, k := range timelineKinds {
		if k == c.Kind {
			kind = i
		}
	}
	return encodeCursor(c.At.UnixMilli(), c.ID<<2|int64(kind))
}

func decodeTimelineCursor(s string) (*tickets.TimelineCursor, error) {
	at, packed, err := decodeCursor(s)
	if err != nil {
		return nil, err
	}
	kind := int(packed & 3)
	if packed < 0 || kind >= len(timelineKinds) {
		return nil, badRequest("InvalidPaginationParameter", "The page cursor is not valid; use the value from meta.after_cursor or links.next.")
	}
	return &tickets.TimelineCursor{At: time.UnixMilli(at).UTC(), Kind: timelineKinds[kind], ID: packed >> 2}, nil
}

func presentTimelineEntry(base string, e tickets.TimelineEntry) map[string]any {
	out := map[string]any{"type": e.Kind, "id": e.ID, "at": isoTime(e.At), "ticket_id": e.TicketID,
		"ticket_url": fmt.Sprintf("%s/api/v2/tickets/%d.json", base, e.TicketID)}
	switch e.Kind {
	case tickets.EntryTicket:
		t := e.Ticket
		out["subject"] = t.Subject
		out["status"] = t.Status
		out["priority"] = strPtr(t.Priority)
		out["via"] = viaJSON{Channel: t.Via, Source: viaSource(t.ViaSource)}
		out["channel"] = t.Via
		out["inbox_id"] = idPtr(t.InboxID)
		out["brand_id"] = idPtr(t.BrandID)
		out["requester_id"] = t.RequesterID
		out["assignee_id"] = idPtr(t.AssigneeID)
		out["group_id"] = idPtr(t.GroupID)
		out["created_at"] = isoTime(t.CreatedAt)
		out["updated_at"] = isoTime(t.UpdatedAt)
		out["latest_comment"] = nil
		if c := e.Latest; c != nil {
			out["latest_comment"] = timelineComment(c)
		}
	case tickets.EntryComment:
		for k, v := range timelineComment(e.Comment) {
			if k != "id" {
				out[k] = v
			}
		}
	case tickets.EntryMail:
		m := e.Mail
		out["inbox_id"] = idPtr(m.InboxID)
		out["comment_id"] = idPtr(m.CommentID)
		out["direction"] = m.Direction
		out["state"] = m.State
		out["subject"] = m.Subject
		out["from"] = m.MailFrom
		out["to"] = strs(m.RcptTo)
		out["message_id"] = m.MessageID
		out["error"] = strPtr(m.Error)
		out["created_at"] = isoTime(m.CreatedAt)
	}
	return out
}

func timelineComment(c *model.Comment) map[string]any {
	return map[string]any{"id": c.ID, "author_id": c.AuthorID, "public": c.Public, "channel": c.Via,
		"excerpt": tickets.Excerpt(c.Body, excerptLength), "created_at": isoTime(c.CreatedAt)}
}
