package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/mail"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/finder"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// The new-ticket form (新規チケット): an agent records a phone call or a
// message that came through another channel. GET /tickets/new shows it
// (?requester_id=N prefills the customer), POST /tickets/new either looks
// up customers (action=find, the form comes back with its input) or
// creates the ticket through tickets.Service.CreateTx and goes to its page.

// newTicketChannels are the channels ("via") the form offers; phone first,
// the common case.
var newTicketChannels = []string{"voice", "email", "web", "chat"}

// newTicketDone are the ticket page's notices after a create (?done=).
var newTicketDone = map[string]string{"created": "newticket.created", "created_held": "newticket.created_held"}

// maxRequesterMatches bounds the customers a lookup lists.
const maxRequesterMatches = 10

// newTicketData is the form's state: its choices and what was entered.
type newTicketData struct {
	Requester        *model.User   // the chosen existing customer
	Q                string        // the lookup's words
	Searched         bool          // a lookup ran (Matches may be empty)
	Matches          []*model.User // its results
	NewName          string
	NewEmail         string
	NewPhone         string
	Subject, Body    string
	Mode, Via        string
	Status           string
	Priority, Type   string
	GroupID, InboxID int64
	AssigneeID       int64
	Tags             string
	Errors           []string
	Channels         []string
	Statuses         []string
	Priorities       []string
	Types            []string
	Groups           []*model.Group
	Staff            []*store.UserBrief
	Inboxes          []*model.Inbox
	Fields           []fieldInput
	CanPublic        bool // agents and admins; light agents write notes only
	Trainee          bool // public first messages wait for approval
}

func (s *Server) newTicketRoutes(page func(string, func(http.ResponseWriter, *http.Request) error)) {
	page("GET /tickets/new", s.newTicketPage)
	page("POST /tickets/new", s.createTicket)
	page("GET /tickets/new/customers", s.customerSuggestions) // newticket_suggest.go
}

func (s *Server) newTicketPage(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	if !me.IsStaff() {
		return errForbidden
	}
	d := &newTicketData{Via: "voice", Mode: "note", CanPublic: me.IsAgent(), Trainee: me.ApprovalRequired}
	if me.IsAgent() {
		d.AssigneeID = me.ID
	}
	form := &model.Ticket{}
	if v := r.URL.Query().Get("via"); slices.Contains(newTicketChannels, v) {
		d.Via = v
		if v != "voice" && d.CanPublic {
			d.Mode = "public"
		}
	}
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if id, _ := strconv.ParseInt(r.URL.Query().Get("requester_id"), 10, 64); id > 0 {
			u, err := tx.User(id)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			d.Requester = u
		}
		return s.loadNewTicketChoices(tx, d, form)
	})
	if err != nil {
		return err
	}
	return s.showNewTicket(w, r, http.StatusOK, d)
}

// createTicket decodes the form and creates the ticket, or shows the form
// again with what was entered and what stopped it.
func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	if !me.IsStaff() {
		return errForbidden
	}
	v := s.view(r)
	d := &newTicketData{CanPublic: me.IsAgent(), Trainee: me.ApprovalRequired}
	d.Q = strings.TrimSpace(r.FormValue("requester_q"))
	d.NewName = strings.TrimSpace(r.FormValue("new_name"))
	d.NewEmail = strings.TrimSpace(r.FormValue("new_email"))
	d.NewPhone = strings.TrimSpace(r.FormValue("new_phone"))
	d.Subject = strings.TrimSpace(r.FormValue("subject"))
	d.Body = strings.TrimSpace(strings.ReplaceAll(r.FormValue("body"), "\r\n", "\n"))
	d.Mode, d.Via = r.FormValue("mode"), r.FormValue("via")
	d.Status, d.Priority, d.Type, d.Tags = r.FormValue("status"), r.FormValue("priority"), r.FormValue("type"), r.FormValue("tags")
	if d.Mode != "public" {
		d.Mode = "note"
	}
	if !slices.Contains(newTicketChannels, d.Via) {
		d.Via = "voice"
	}
	requesterID, _ := strconv.ParseInt(r.FormValue("requester_id"), 10, 64)

	// Ticket fields, decoded as the ticket page does against an empty ticket.
	var ch tickets.Change
	if err := formChange(r, &model.Ticket{}, &ch); err != nil {
		return err
	}
	var defs []*model.TicketField
	if hasFieldInputs(r) {
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) (err error) { defs, err = tx.TicketFields(); return err }); err != nil {
			return err
		}
	}
	if err := propsChange(r, &model.Ticket{}, defs, &ch); err != nil {
		return err
	}
	if ch.AssigneeID != nil {
		d.AssigneeID = *ch.AssigneeID
	}
	if ch.GroupID != nil {
		d.GroupID = *ch.GroupID
	}
	if ch.InboxID != nil {
		d.InboxID = *ch.InboxID
	}
	form := &model.Ticket{CustomFields: ch.CustomFields}

	// The requester: the one chosen, or the one found (lookup).
	find := r.FormValue("action") == "find"
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if requesterID > 0 && !find && r.FormValue("clear_requester") == "" {
			u, err := tx.User(requesterID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			if u == nil {
				d.Errors = append(d.Errors, v.T("newticket.err_unknown_requester"))
			}
			d.Requester = u
		}
		if find {
			if err := s.findRequesters(tx, me, d); err != nil {
				return err
			}
		}
		return s.loadNewTicketChoices(tx, d, form)
	})
	if err != nil {
		return err
	}
	if find || r.FormValue("clear_requester") != "" {
		if find && d.Q == "" {
			d.Errors = append(d.Errors, v.T("newticket.err_find_blank"))
		}
		return s.showNewTicket(w, r, http.StatusOK, d)
	}
	if len(d.Errors) > 0 {
		return s.showNewTicket(w, r, http.StatusUnprocessableEntity, d)
	}

	// What the form itself can tell, in the agent's language.
	newCustomer := d.Requester == nil && (d.NewName != "" || d.NewEmail != "" || d.NewPhone != "")
	switch {
	case d.Requester == nil && !newCustomer:
		d.Errors = append(d.Errors, v.T("newticket.err_requester"))
	case newCustomer && d.NewEmail == "" && d.NewPhone == "":
		d.Errors = append(d.Errors, v.T("newticket.err_contact"))
	}
	if newCustomer && d.NewEmail != "" {
		if a, err := mail.ParseAddress(d.NewEmail); err != nil || !strings.EqualFold(a.Address, d.NewEmail) {
			d.Errors = append(d.Errors, v.T("newticket.err_email", d.NewEmail))
		}
	}
	if d.Subject == "" {
		d.Errors = append(d.Errors, v.T("newticket.err_subject"))
	}
	if d.Body == "" {
		d.Errors = append(d.Errors, v.T("newticket.err_body"))
	}
	if d.Mode == "public" && !me.IsAgent() {
		d.Errors = append(d.Errors, v.T("newticket.err_light_public"))
	}
	if len(d.Errors) > 0 {
		return s.showNewTicket(w, r, http.StatusUnprocessableEntity, d)
	}

	token, err := s.saveUploads(r, me)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusRequestEntityTooLarge {
			d.Errors = []string{v.T("compose.too_large")}
			return s.showNewTicket(w, r, http.StatusRequestEntityTooLarge, d)
		}
		return err
	}
	subject := d.Subject
	public := d.Mode == "public"
	ch.Subject = &subject
	ch.Via = d.Via
	ch.Comment = &tickets.CommentInput{Body: d.Body, Public: &public}
	if token != "" {
		ch.Comment.Uploads = []string{token}
	}
	if ch.Tags != nil && len(*ch.Tags) == 0 {
		ch.Tags = nil
	}
	if d.Requester != nil {
		ch.RequesterID = &d.Requester.ID
	} else {
		// Found by email, or by phone number without one, or created with
		// both (users.FindOrCreatePerson).
		ch.Requester = &tickets.Person{Name: d.NewName, Email: d.NewEmail, Phone: d.NewPhone, Locale: me.Locale}
	}
	res, err := s.Tickets.Create(r.Context(), me, ch)
	if err != nil {
		var inv *errs.Invalid
		switch {
		case errors.As(err, &inv):
			d.Errors = invalidMessages(inv)
		case errors.Is(err, tickets.ErrApprovalRequired):
			d.Errors = []string{v.T("approval.must_request")}
		case errors.Is(err, errs.ErrForbidden) && !me.IsAgent():
			d.Errors = []string{v.T("newticket.err_light")}
		case errors.Is(err, errs.ErrForbidden):
			d.Errors = []string{v.T("error.forbidden")}
		default:
			return err
		}
		return s.showNewTicket(w, r, http.StatusUnprocessableEntity, d)
	}
	done := "created"
	if res.HeldDraftID != 0 {
		done = "created_held"
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?done=%s", res.Ticket.ID, done), http.StatusSeeOther)
	return nil
}

// findRequesters looks up people by name or email with the search
// language (type:user), the same index the search page uses.
func (s *Server) findRequesters(tx *store.Tx, me *model.User, d *newTicketData) error {
	if d.Q == "" {
		return nil
	}
	d.Searched = true
	q, err := search.Parse("type:user " + d.Q)
	if err != nil {
		return nil // words the query language cannot read find nobody
	}
	plan, err := finder.Compile(tx, me, q, s.Now())
	if errors.Is(err, finder.ErrInvalid) || (err == nil && plan.Users == nil) {
		return nil
	}
	if err != nil {
		return err
	}
	d.Matches, err = tx.SearchUsers(*plan.Users, finder.UserOrder(plan.Order), store.Page{Limit: maxRequesterMatches})
	return err
}

// loadNewTicketChoices fills the form's lists: groups, agents, types,
// inboxes and the desk's custom fields with form's values.
func (s *Server) loadNewTicketChoices(tx *store.Tx, d *newTicketData, form *model.Ticket) error {
	form.InboxID = d.InboxID
	td := &ticketData{Form: form}
	if err := loadProps(tx, td); err != nil {
		return err
	}
	d.Types, d.Inboxes, d.Fields = td.Types, td.Inboxes, td.Fields
	d.Channels, d.Priorities = newTicketChannels, model.Priorities
	d.Statuses = []string{model.StatusOpen, model.StatusPending, model.StatusSolved}
	var err error
	if d.Groups, err = tx.Groups(false); err != nil {
		return err
	}
	d.Staff, err = tx.StaffUsers(500)
	return err
}

func (s *Server) showNewTicket(w http.ResponseWriter, r *http.Request, status int, d *newTicketData) error {
	if !d.CanPublic {
		d.Mode = "note"
	}
	v := s.view(r)
	if r.Method == http.MethodPost && hasFiles(r) {
		// A browser cannot keep chosen files across pages: say so.
		d.Errors = append(d.Errors, v.T("newticket.files_again"))
	}
	v.Title = v.T("newticket.title")
	v.Data = d
	s.render(w, status, "newticket", v)
	return nil
}

// hasFiles reports whether the form carried at least one chosen file.
func hasFiles(r *http.Request) bool {
	if r.MultipartForm == nil {
		return false
	}
	for _, fh := range r.MultipartForm.File["files"] {
		if fh.Size > 0 || fh.Filename != "" {
			return true
		}
	}
	return false
}
