package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"

	"github.com/kizuna-desk/kizuna/internal/mail"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// maxConversation bounds how many comments and audits one page shows.
const maxConversation = 1000

// ticketData is the ticket page.
type ticketData struct {
	Ticket       *model.Ticket
	Form         *model.Ticket // the property form's values: the ticket, or it after a macro
	Macros       *macroPicker
	Requester    *model.User
	Organization *model.Organization
	Comments     []commentRow
	History      []auditRow
	Groups       []*model.Group
	Staff        []*store.UserBrief
	Statuses     []string
	Priorities   []string
	Types        []string       // ticket types (ticket_props.go)
	Inboxes      []*model.Inbox // where the ticket may move
	Fields       []fieldInput   // the desk's active custom fields
	Tags         string
	Names        map[string]string // "user:ID", "group:ID" → name, for the history
	Saved        bool
	SplitFrom    int64  // the page after a split: the ticket it came from
	MergedFrom   int64  // the page after a merge: the ticket merged in
	Done         string // the page after snooze, unsnooze or own: which
	// Snooze and own to the end (when those services are wired).
	CanSnooze, CanOwn bool
	Snoozed           *store.Snooze
	SnoozeDefault     string // datetime-local value
	OwnToEnd          bool
	// The composer's state when a submission failed.
	Errors []string
	Body   string
	Mode   string
	Locked bool // another agent is replying: offer to take over
	// X is the page's mail, SLA, CSAT and customer panel (ticket_extras.go).
	X *ticketExtras
	// Approval before sending (approvals.go); nil when not wired.
	Approvals *approvalPanel
}

// commentRow is one message of the conversation.
type commentRow struct {
	*model.Comment
	Author *model.User
	// Mail: the body came as HTML by mail and is shown in the sandboxed frame.
	Mail bool
	// Splittable: not the description, which always stays on its ticket.
	Splittable bool
	// Out is the reply mail this comment went out as, with its delivery
	// state; In the mail it came in as (ticket_extras.go).
	Out *mailRow
	In  *model.MailMessage
	// Parts splits a mailed plain-text body: quoted history and the
	// signature are folded away.
	Parts *mail.Parts
}

// auditRow is one entry of the history.
type auditRow struct {
	*model.Audit
	Author *model.User
	Events []model.AuditEvent // without comment events (the conversation shows them)
}

func ticketID(r *http.Request) (int64, error) { return pathID(r, "id") }

// pathID reads a numeric path value; a bad one is "not found".
func pathID(r *http.Request, name string) (int64, error) {
	id, err := strconv.ParseInt(r.PathValue(name), 10, 64)
	if err != nil || id <= 0 {
		return 0, errNotFound
	}
	return id, nil
}

// optionalPathID is pathID for routes that serve both "new" (no id: 0)
// and "edit" (/{id}).
func optionalPathID(r *http.Request, name string) (int64, error) {
	if r.PathValue(name) == "" {
		return 0, nil
	}
	return pathID(r, name)
}

func (s *Server) ticketPage(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	d, err := s.loadTicket(r, id)
	if err != nil {
		return err
	}
	d.Saved = r.URL.Query().Get("saved") == "1"
	d.SplitFrom, _ = strconv.ParseInt(r.URL.Query().Get("split_from"), 10, 64)
	d.MergedFrom, _ = strconv.ParseInt(r.URL.Query().Get("merged"), 10, 64)
	switch done := r.URL.Query().Get("done"); done {
	case "snooze", "unsnooze", "own":
		d.Done = "action." + done + "_done"
	case "notes":
		d.Done = "customer.notes_saved"
	case "created", "created_held": // the new-ticket form (newticket.go)
		d.Done = newTicketDone[done]
	}
	d.Mode = "public"
	if !currentUser(r).IsAgent() || (currentUser(r).ApprovalRequired && s.Approvals == nil) { // a trainee's reply requests approval
		d.Mode = "note"
	}
	return s.showTicket(w, r, http.StatusOK, d)
}

func (s *Server) showTicket(w http.ResponseWriter, r *http.Request, status int, d *ticketData) error {
	if d.Macros == nil {
		if err := s.loadMacros(r, d); err != nil {
			return err
		}
	}
	if err := s.loadSnoozeOwn(r, d); err != nil {
		return err
	}
	if err := s.loadApprovals(r, d); err != nil {
		return err
	}
	v := s.view(r)
	v.Title = "#" + strconv.FormatInt(d.Ticket.ID, 10) + " " + d.Ticket.Subject
	v.Data = d
	s.render(w, status, "ticket", v)
	return nil
}

// loadTicket reads everything the ticket page shows in one transaction.
func (s *Server) loadTicket(r *http.Request, id int64) (*ticketData, error) {
	d := &ticketData{Statuses: model.Statuses, Priorities: model.Priorities}
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		tk, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errNotFound
		}
		d.Ticket, d.Form = tk, tk
		comments, err := tx.Comments(id, false, 0, maxConversation, false)
		if err != nil {
			return err
		}
		audits, err := tx.Audits(id, 0, maxConversation, true)
		if err != nil {
			return err
		}
		ids := append([]int64{tk.RequesterID}, tk.CollaboratorIDs...)
		for _, c := range comments {
			ids = append(ids, c.AuthorID)
		}
		for _, a := range audits {
			ids = append(ids, a.AuthorID)
		}
		slices.Sort(ids)
		people, err := tx.UsersByID(slices.Compact(ids))
		if err != nil {
			return err
		}
		by := map[int64]*model.User{}
		for _, u := range people {
			by[u.ID] = u
		}
		d.Requester = by[tk.RequesterID]
		for i, c := range comments {
			d.Comments = append(d.Comments, commentRow{Comment: c, Author: by[c.AuthorID], Mail: mailHTML(c), Splittable: i > 0})
		}
		for _, a := range audits {
			row := auditRow{Audit: a, Author: by[a.AuthorID]}
			for _, e := range a.Events {
				if e.Type != "Comment" {
					row.Events = append(row.Events, e)
				}
			}
			if len(row.Events) > 0 {
				d.History = append(d.History, row)
			}
		}
		if tk.OrganizationID != 0 {
			if d.Organization, err = tx.Organization(tk.OrganizationID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		if d.Groups, err = tx.Groups(false); err != nil {
			return err
		}
		if d.Staff, err = tx.StaffUsers(500); err != nil {
			return err
		}
		if err := loadProps(tx, d); err != nil {
			return err
		}
		return s.loadExtras(tx, r, d, by)
	})
	if err != nil {
		return nil, err
	}
	d.Tags = joinTags(d.Ticket.Tags)
	d.Names = map[string]string{}
	for _, u := range d.Staff {
		d.Names["user:"+strconv.FormatInt(u.ID, 10)] = u.Name
	}
	for _, g := range d.Groups {
		d.Names["group:"+strconv.FormatInt(g.ID, 10)] = g.Name
	}
	return d, nil
}

// mailHTML reports whether c came by mail with an HTML body of its own
// (shown in the sandboxed frame); a plain-text mail's HTML is only derived
// from its text, which the page shows (with quotes folded) as text.
func mailHTML(c *model.Comment) bool {
	return c.Via == "email" && c.HTMLBody != "" && c.HTMLBody != richtext.FromPlain(c.Body)
}

// mailFrame serves one mail's sanitized HTML for the sandboxed iframe of
// the ticket page. Its own policy allows no script at all, no remote
// images (tracking pixels) and only being framed by our pages.
func (s *Server) mailFrame(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	cid, err := strconv.ParseInt(r.PathValue("cid"), 10, 64)
	if err != nil {
		return errNotFound
	}
	var c *model.Comment
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		tk, err := tx.TicketOfComment(cid)
		if err != nil {
			return err
		}
		if tk.ID != id || !tk.DeletedAt.IsZero() {
			return errNotFound
		}
		list, err := tx.Comments(id, false, cid-1, 1, false)
		if err != nil {
			return err
		}
		if len(list) == 0 || list[0].ID != cid {
			return errNotFound
		}
		c = list[0]
		return nil
	})
	if err != nil {
		return err
	}
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; img-src 'self' data:; style-src 'self'; "+
		"sandbox allow-same-origin allow-popups allow-popups-to-escape-sandbox; frame-ancestors 'self'; base-uri 'none'; form-action 'none'")
	h.Set("X-Frame-Options", "SAMEORIGIN")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "no-referrer")
	h.Set("Cache-Control", "private, no-cache")
	h.Set("Content-Type", "text/html; charset=utf-8")
	body, quoted := mail.SplitQuoteHTML(richtext.Sanitize(c.HTMLBody))
	if r.URL.Query().Get("full") == "1" {
		body, quoted = c.HTMLBody, ""
	}
	return mailTemplate.Execute(w, map[string]any{"CSS": staticPrefix + "/mail.css", "Body": sanitizedHTML(body),
		"Quoted": quotedHTML(quoted), "More": s.view(r).T("ticket.quoted_show")})
}
