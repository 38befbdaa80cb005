package web

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net/http"
	netmail "net/mail"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/customerlinks"
	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/mail"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// The ticket page's mail, SLA, CSAT and customer panel (issue #5): the
// delivery state of every reply, undo send and scheduled send, CC, the
// signatures a reply goes out with, SLA timers, the satisfaction rating,
// and the requester with notes, past tickets and links into other systems.

// mailRow is an outgoing mail as the page shows it.
type mailRow struct {
	*model.MailMessage
	// Shown is the state a person reads: queued, scheduled, sending,
	// sent, failed, held, cancelled or bounced.
	Shown     string
	CanCancel bool
	CanRetry  bool // held or failed: "send now"
}

func newMailRow(m *model.MailMessage) *mailRow {
	r := &mailRow{MailMessage: m, Shown: m.State}
	if m.State == model.MailQueued && m.Source == outbound.SourceScheduled && m.NextAttemptAt.After(m.UpdatedAt) {
		r.Shown = "scheduled"
	}
	r.CanCancel = m.State == model.MailQueued || m.State == outbound.StateHeld
	r.CanRetry = m.State == outbound.StateHeld || m.State == model.MailFailed
	return r
}

// slaTimer is one SLA target's timer.
type slaTimer struct {
	Metric   string // catalog key of the metric's name
	Stage    string
	BreachAt time.Time
	Left     time.Duration
	Breached bool
}

// slaNames are the catalog keys of the metrics.
var slaNames = map[string]string{
	sla.FirstReply:     "ticket.sla_first_reply_time",
	sla.NextReply:      "ticket.sla_next_reply_time",
	sla.PeriodicUpdate: "ticket.sla_periodic_update_time",
	sla.RequesterWait:  "ticket.sla_requester_wait_time",
	sla.AgentWork:      "ticket.sla_agent_work_time",
}

// maxTimeline bounds the customer panel's list of tickets.
const maxTimeline = 20

// timelineRow is one past ticket of the requester.
type timelineRow struct {
	*model.Ticket
	Current bool
}

// ticketExtras is what this file adds to the ticket page.
type ticketExtras struct {
	Undo       *mailRow // the reply just sent, still recallable
	Undone     bool     // a reply was recalled; its text is back in the composer
	UndoFailed bool
	SLA        []slaTimer
	CSAT       *store.SatisfactionRating
	Emails     []string
	Phones     []string
	Timeline   []timelineRow
	Links      []customerlinks.Link
	Signatures []string // what a reply by mail is signed with, in order
	ByMail     bool     // replies go out by mail: CC and scheduled send apply
	CCs        []*model.User
	CC         string // the composer's CC and scheduled time after a failed submit
	SendAt     string
	SendMin    string // earliest datetime-local value
	CanEditOrg bool
}

// loadExtras reads the extras inside loadTicket's transaction: the
// ticket's mails in one query, SLA targets, the rating, the requester's
// identities and the configured links.
func (s *Server) loadExtras(tx *store.Tx, r *http.Request, d *ticketData, by map[int64]*model.User) error {
	x := &ticketExtras{}
	d.X = x
	me, tk, now := currentUser(r), d.Ticket, s.Now()
	mails, err := tx.MailMessagesOfTicket(tk.ID)
	if err != nil {
		return err
	}
	out, in, byID := map[int64]*mailRow{}, map[int64]*model.MailMessage{}, map[int64]*model.MailMessage{}
	for _, m := range mails {
		byID[m.ID] = m
		if m.CommentID == 0 {
			continue
		}
		if m.Direction == model.MailOut {
			out[m.CommentID] = newMailRow(m)
		} else {
			in[m.CommentID] = m
		}
	}
	for i := range d.Comments {
		c := &d.Comments[i]
		c.Out = out[c.ID]
		if c.In = in[c.ID]; c.In == nil && c.Via == "email" {
			c.In = byID[metaID(c.Metadata["mail_message_id"])]
		}
		if c.Via == "email" && !c.Mail {
			if p := mail.SplitQuote(c.Body); p.Quoted != "" || p.Signature != "" {
				c.Parts = &p
			}
		}
	}
	q := r.URL.Query()
	if sent, _ := strconv.ParseInt(q.Get("sent"), 10, 64); sent > 0 {
		if m := out[sent]; m != nil && m.CanCancel {
			x.Undo = m
		}
	}
	if undone, _ := strconv.ParseInt(q.Get("undone"), 10, 64); undone > 0 && d.Body == "" {
		if m := byID[undone]; m != nil && m.State == outbound.StateCancelled {
			for _, c := range d.Comments {
				if c.ID == m.CommentID {
					d.Body, d.Mode, x.Undone = c.Body, "public", true
				}
			}
		}
	}
	x.UndoFailed = q.Get("undo_failed") == "1"

	statuses, err := sla.Statuses(tx, tk.ID, now)
	if err != nil {
		return err
	}
	for _, st := range statuses {
		x.SLA = append(x.SLA, slaTimer{Metric: slaNames[st.Target.Metric], Stage: st.Stage, BreachAt: st.BreachAt, Left: st.Left, Breached: st.Breached})
	}
	ratings, err := tx.LatestSatisfactionRatings([]int64{tk.ID})
	if err != nil {
		return err
	}
	if rt := ratings[tk.ID]; rt != nil && (rt.Score == "good" || rt.Score == "bad") {
		x.CSAT = rt
	}

	if d.Requester != nil {
		ids, err := tx.Identities(d.Requester.ID)
		if err != nil {
			return err
		}
		for _, id := range ids {
			switch id.Type {
			case "email":
				x.Emails = append(x.Emails, id.Value)
			case "phone_number":
				x.Phones = append(x.Phones, id.Value)
			}
		}
		if len(x.Emails) == 0 && d.Requester.Email != "" {
			x.Emails = []string{d.Requester.Email}
		}
		if len(x.Phones) == 0 && d.Requester.Phone != "" {
			x.Phones = []string{d.Requester.Phone}
		}
		// The ticket part of the customer timeline (GET
		// /api/v2/users/{id}/timeline): every live ticket of the requester
		// across inboxes and channels, latest activity first. Only this
		// part: the comments and mails of a customer with thousands of
		// tickets would cost the page tens of milliseconds.
		tks, err := tx.TimelineTickets(store.TimelineScope{RequesterID: d.Requester.ID}, nil, maxTimeline)
		if err != nil {
			return err
		}
		for _, t := range tks {
			x.Timeline = append(x.Timeline, timelineRow{Ticket: t, Current: t.ID == tk.ID})
		}
		links, err := tx.CustomerLinks()
		if err != nil {
			return err
		}
		x.Links = customerlinks.ForCustomer(links, d.Requester, d.Organization)
	}
	x.CanEditOrg = me.IsAgent() && d.Organization != nil
	for _, id := range tk.CollaboratorIDs {
		if u := by[id]; u != nil {
			x.CCs = append(x.CCs, u)
		}
	}
	if tk.InboxID != 0 {
		x.ByMail = true
		if s := strings.TrimSpace(me.Signature); s != "" {
			x.Signatures = append(x.Signatures, s)
		}
		inbox, err := tx.Inbox(tk.InboxID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
		if inbox != nil && strings.TrimSpace(inbox.Signature) != "" {
			x.Signatures = append(x.Signatures, "-- \n"+strings.TrimSpace(inbox.Signature))
		}
	}
	if r.Method == http.MethodPost {
		x.CC, x.SendAt = r.FormValue("cc"), r.FormValue("send_at")
	}
	x.SendMin = now.In(s.zone(r)).Format("2006-01-02T15:04")
	return nil
}

// metaID reads an id from decoded JSON metadata.
func metaID(v any) int64 {
	switch n := v.(type) {
	case float64:
		return int64(n)
	case int64:
		return n
	case int:
		return int64(n)
	case string:
		id, _ := strconv.ParseInt(n, 10, 64)
		return id
	}
	return 0
}

// zone is the signed-in person's time zone (Asia/Tokyo when unset).
func (s *Server) zone(r *http.Request) *time.Location {
	return s.view(r).loc
}

// composeExtras adds the composer's CC and scheduled time to ch; the
// problems are for the person, in their language.
func (s *Server) composeExtras(r *http.Request, ch *tickets.Change) []string {
	v := s.view(r)
	var problems []string
	if cc := strings.TrimSpace(r.FormValue("cc")); cc != "" {
		list := strings.NewReplacer("、", ",", ";", ",", "；", ",", "\n", ",", "，", ",").Replace(cc)
		addrs, err := netmail.ParseAddressList(list)
		if err != nil {
			// Bare addresses separated by spaces.
			addrs = nil
			for _, f := range strings.FieldsFunc(list, func(r rune) bool { return r == ',' || r == ' ' || r == '\u3000' }) {
				a, err := netmail.ParseAddress(f)
				if err != nil {
					problems = append(problems, v.T("compose.cc_invalid", f))
					continue
				}
				addrs = append(addrs, a)
			}
		}
		for _, a := range addrs {
			ch.AddCollabs = append(ch.AddCollabs, tickets.Person{Email: strings.ToLower(a.Address), Name: a.Name})
		}
	}
	if at := strings.TrimSpace(r.FormValue("send_at")); at != "" {
		t, err := time.ParseInLocation("2006-01-02T15:04", at, v.loc)
		switch {
		case err != nil:
			problems = append(problems, v.T("compose.send_at_invalid"))
		case !t.After(s.Now()):
			problems = append(problems, v.T("compose.send_at_past"))
		case ch.Comment == nil || ch.Comment.Public == nil || !*ch.Comment.Public:
			problems = append(problems, v.T("compose.send_at_note"))
		default:
			if ch.Comment.Metadata == nil {
				ch.Comment.Metadata = map[string]any{}
			}
			ch.Comment.Metadata["send_at"] = t.UTC().Format(time.RFC3339)
		}
	}
	return problems
}

// Left formats the time left on an SLA timer: "残り 1時間20分" / "2h 5m
// left", or how long ago it breached.
func (v *view) Left(d time.Duration) string {
	over := d < 0
	if over {
		d = -d
	}
	d = d.Round(time.Minute)
	days, h, m := int(d/(24*time.Hour)), int(d%(24*time.Hour)/time.Hour), int(d%time.Hour/time.Minute)
	var b strings.Builder
	ja := v.Lang == "ja"
	if days > 0 {
		if ja {
			fmt.Fprintf(&b, "%d日", days)
		} else {
			fmt.Fprintf(&b, "%dd ", days)
		}
	}
	if h > 0 || days > 0 {
		if ja {
			fmt.Fprintf(&b, "%d時間", h)
		} else {
			fmt.Fprintf(&b, "%dh ", h)
		}
	}
	if ja {
		fmt.Fprintf(&b, "%d分", m)
	} else {
		fmt.Fprintf(&b, "%dm", m)
	}
	if over {
		return v.T("ticket.sla_over", b.String())
	}
	return v.T("ticket.sla_left", b.String())
}

// Local is t as a datetime-local value in the viewer's zone.
func (v *view) Local(t time.Time) string { return t.In(v.loc).Format("2006-01-02T15:04") }

// ticketMail loads mail mid of ticket id for the signed-in staff member.
func (s *Server) ticketMail(r *http.Request) (*model.MailMessage, int64, error) {
	id, err := ticketID(r)
	if err != nil {
		return nil, 0, err
	}
	mid, err := strconv.ParseInt(r.PathValue("mid"), 10, 64)
	if err != nil || mid <= 0 {
		return nil, 0, errNotFound
	}
	var m *model.MailMessage
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if m, err = tx.MailMessage(mid); err != nil {
			return err
		}
		tk, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		if m.TicketID != id || !tk.DeletedAt.IsZero() {
			return errNotFound
		}
		return nil
	})
	return m, id, err
}

// cancelReply is "送信を取り消す / Undo": the reply that has not gone yet
// is recalled (outbound.Cancel, as the API's cancel) and its text comes
// back to the composer.
func (s *Server) cancelReply(w http.ResponseWriter, r *http.Request) error {
	m, id, err := s.ticketMail(r)
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := outbound.Cancel(tx, s.Tickets, currentUser(r), m.ID)
		return err
	})
	if errors.Is(err, outbound.ErrNotCancellable) {
		http.Redirect(w, r, fmt.Sprintf("/tickets/%d?undo_failed=1", id), http.StatusSeeOther)
		return nil
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?undone=%d#body", id, m.ID), http.StatusSeeOther)
	return nil
}

// retryReply sends a held or failed reply now (outbound.Retry, as the
// API's retry).
func (s *Server) retryReply(w http.ResponseWriter, r *http.Request) error {
	m, id, err := s.ticketMail(r)
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := outbound.Retry(tx, currentUser(r), m.ID, s.Now().UTC())
		return err
	})
	if err != nil && !errors.Is(err, outbound.ErrNotRetryable) {
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d#c%d", id, m.CommentID), http.StatusSeeOther)
	return nil
}

// mailViewData is the "original mail" page.
type mailViewData struct {
	TicketID int64
	Mail     *mailRow
	Msg      *mail.Message
}

// mailView shows one mail as it was: its headers and whole text, with
// nothing folded.
func (s *Server) mailView(w http.ResponseWriter, r *http.Request) error {
	m, id, err := s.ticketMail(r)
	if err != nil {
		return err
	}
	raw, err := s.readBlob(m.SHA256)
	if err != nil {
		return err
	}
	v := s.view(r)
	v.Title = v.T("ticket.original_mail") + " — " + m.Subject
	v.Data = &mailViewData{TicketID: id, Mail: newMailRow(m), Msg: mail.Parse(raw)}
	s.render(w, http.StatusOK, "mailview", v)
	return nil
}

func (s *Server) readBlob(sum string) ([]byte, error) {
	f, err := s.Blobs.Open(sum)
	if err != nil {
		return nil, errNotFound
	}
	defer f.Close()
	return io.ReadAll(f)
}

// rawMail streams a mail's stored bytes unchanged: as text/plain in the
// mail's own charset (so ISO-2022-JP shows as Japanese), or with
// ?download=1 as an .eml file. Never as HTML on our origin.
func (s *Server) rawMail(w http.ResponseWriter, r *http.Request) error {
	m, _, err := s.ticketMail(r)
	if err != nil {
		return err
	}
	f, err := s.Blobs.Open(m.SHA256)
	if err != nil {
		return errNotFound
	}
	defer f.Close()
	// The charset is declared near the top; the rest streams through.
	br := bufio.NewReaderSize(f, 64<<10)
	head, _ := br.Peek(64 << 10)
	h := w.Header()
	h.Set("Content-Security-Policy", "default-src 'none'; sandbox")
	h.Set("X-Content-Type-Options", "nosniff")
	if r.URL.Query().Get("download") == "1" {
		h.Set("Content-Type", "message/rfc822")
		h.Set("Content-Disposition", fmt.Sprintf(`attachment; filename="mail-%d.eml"`, m.ID))
	} else {
		h.Set("Content-Type", "text/plain; charset="+mail.RawCharset(head))
		h.Set("Content-Disposition", fmt.Sprintf(`inline; filename="mail-%d.txt"`, m.ID))
	}
	h.Set("Content-Length", strconv.FormatInt(m.Size, 10))
	_, err = io.Copy(w, br)
	return err
}

// saveCustomerNotes keeps the notes on the requester and their
// organization (users.notes, organizations.notes) from the side panel.
func (s *Server) saveCustomerNotes(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	me := currentUser(r)
	tk, err := s.Tickets.Get(r.Context(), me, id)
	if err != nil {
		return err
	}
	userNotes, hasUser := formValue(r, "user_notes")
	orgNotes, hasOrg := formValue(r, "org_notes")
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		return saveNotes(tx, me, tk, userNotes, hasUser, orgNotes, hasOrg, s.Now().UTC())
	})
	if err != nil {
		if problems := userProblems(s.view(r), err); problems != nil {
			return s.retry(w, r, id, "", "public", problems)
		}
		return err
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?done=notes#customer", id), http.StatusSeeOther)
	return nil
}

// saveNotes writes the notes through the users and directory domains,
// which check that the actor may.
func saveNotes(tx *store.Tx, me *model.User, tk *model.Ticket, userNotes string, hasUser bool, orgNotes string, hasOrg bool, now time.Time) error {
	if hasUser {
		if _, err := users.UpdateBy(tx, me, tk.RequesterID, users.Input{Notes: &userNotes}, now); err != nil {
			return err
		}
	}
	if hasOrg && tk.OrganizationID != 0 {
		if _, err := directory.UpdateOrg(tx, me, tk.OrganizationID, directory.OrgInput{Notes: &orgNotes}, now); err != nil {
			return err
		}
	}
	return nil
}

// userProblems turns a domain refusal into messages for the person; nil
// for other errors.
func userProblems(v *view, err error) []string {
	var inv *errs.Invalid
	switch {
	case errors.As(err, &inv):
		return invalidMessages(inv)
	case errors.Is(err, errs.ErrForbidden):
		return []string{v.T("error.forbidden")}
	}
	return nil
}

// linksData is the settings page of the customer links.
type linksData struct {
	Links        []*store.CustomerLink
	Placeholders []string
	Errors       []string
	Name, URL    string
	Saved        bool
}

func (s *Server) linksPage(w http.ResponseWriter, r *http.Request) error {
	return s.showLinks(w, r, http.StatusOK, &linksData{Saved: r.URL.Query().Get("saved") == "1"})
}

func (s *Server) showLinks(w http.ResponseWriter, r *http.Request, status int, d *linksData) error {
	if currentUser(r).Role != model.RoleAdmin {
		return errForbidden
	}
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		d.Links, err = tx.CustomerLinks()
		return err
	}); err != nil {
		return err
	}
	d.Placeholders = customerlinks.Placeholders
	v := s.view(r)
	v.Title = v.T("links.title")
	v.Data = d
	s.render(w, status, "customer_links", v)
	return nil
}

func (s *Server) addLink(w http.ResponseWriter, r *http.Request) error {
	name, url := strings.TrimSpace(r.FormValue("name")), strings.TrimSpace(r.FormValue("url_template"))
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := customerlinks.Add(tx, currentUser(r), name, url, s.Now().UTC())
		return err
	})
	if err != nil {
		if problems := userProblems(s.view(r), err); problems != nil {
			return s.showLinks(w, r, http.StatusUnprocessableEntity, &linksData{Errors: problems, Name: name, URL: url})
		}
		return err
	}
	http.Redirect(w, r, "/settings/customer-links?saved=1", http.StatusSeeOther)
	return nil
}

func (s *Server) deleteLink(w http.ResponseWriter, r *http.Request) error {
	lid, err := strconv.ParseInt(r.PathValue("lid"), 10, 64)
	if err != nil {
		return errNotFound
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		return customerlinks.Remove(tx, currentUser(r), lid)
	}); err != nil {
		if problems := userProblems(s.view(r), err); problems != nil {
			return errForbidden
		}
		return err
	}
	http.Redirect(w, r, "/settings/customer-links?saved=1", http.StatusSeeOther)
	return nil
}

// ticketExtraRoutes mounts this file's pages (called from Routes).
func (s *Server) ticketExtraRoutes(page func(string, func(http.ResponseWriter, *http.Request) error)) {
	page("GET /tickets/{id}/mails/{mid}", s.mailView)
	page("GET /tickets/{id}/mails/{mid}/raw", s.rawMail)
	page("POST /tickets/{id}/mails/{mid}/cancel", s.cancelReply)
	page("POST /tickets/{id}/mails/{mid}/retry", s.retryReply)
	page("POST /tickets/{id}/customer", s.saveCustomerNotes)
	page("GET /settings/customer-links", s.linksPage)
	page("POST /settings/customer-links", s.addLink)
	page("POST /settings/customer-links/{lid}/delete", s.deleteLink)
}
