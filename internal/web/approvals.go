package web

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Approval before sending (承認): the composer's "request approval" button,
// the panel on the ticket page (part_approvals.html), the /approvals queue
// for approvers and the nav count. Rules live in internal/approvals.

// approvalPanel is the ticket page's approval panel.
type approvalPanel struct {
	Drafts     []approvalRow // drafts not yet sent, oldest first
	Sent       []approvalRow // sent drafts, for the record
	History    []approvalEventRow
	CanSubmit  bool // the composer shows "request approval"
	CanApprove bool
	Trainee    bool // the viewer's public replies need approval
	ReplyMode  bool // the composer offers "reply (request approval)" (trainees)
	Done       string
	Errors     []string
	// After a failed action: which draft, and the text as it was typed.
	ErrDraft int64
	Body     string
	Comment  string
	loaded   bool
}

// approvalRow is one draft with the people around it and what the viewer
// may do with it.
type approvalRow struct {
	*store.ApprovalDraft
	Author, Decider *model.User
	Mine            bool // the viewer wrote it
	CanDecide       bool // edit, send on behalf, approve, return
	CanSend         bool // the author sends their approved draft
	CanRevise       bool // the author revises and submits again
	EditBody        string
}

type approvalEventRow struct {
	*store.ApprovalEvent
	Actor *model.User
}

// approvalQueueRow is one pending draft on /approvals.
type approvalQueueRow struct {
	*store.ApprovalDraft
	Ticket  *model.Ticket
	Author  *model.User
	Excerpt string
}

// OnApproval feeds the live-update hub after an approval transition, so an
// open ticket page refreshes its panel and the nav count changes.
func (s *Server) OnApproval(c approvals.Change) {
	s.Hub.Publish(Event{TicketID: c.Draft.TicketID, Kind: "approval", ActorID: c.ActorID})
}

// loadApprovals fills the ticket page's approval panel (when the service
// is wired). Errors set by a failed action are kept.
func (s *Server) loadApprovals(r *http.Request, d *ticketData) error {
	if s.Approvals == nil {
		return nil
	}
	me := currentUser(r)
	p := d.Approvals
	if p == nil {
		p = &approvalPanel{}
		d.Approvals = p
	}
	if p.loaded {
		return nil
	}
	p.loaded = true
	p.CanSubmit = approvals.CanSubmit(me) && d.Ticket.Status != model.StatusClosed
	p.CanApprove = approvals.CanApprove(me)
	p.Trainee = me.ApprovalRequired
	p.ReplyMode = p.Trainee && p.CanSubmit
	if p.Done == "" {
		switch done := r.URL.Query().Get("approval"); done {
		case approvals.ActionSubmitted, approvals.ActionResubmitted, approvals.ActionEdited, approvals.ActionReturned,
			approvals.ActionApproved, approvals.ActionSent, approvals.ActionSentBehalf:
			p.Done = approvalKey("done", done)
		}
	}
	panel, err := s.Approvals.OfTicket(r.Context(), me, d.Ticket.ID)
	if err != nil {
		return err
	}
	ids := []int64{}
	for _, x := range panel.Drafts {
		ids = append(ids, x.AuthorID, x.DecidedBy)
	}
	for _, e := range panel.Events {
		ids = append(ids, e.ActorID)
	}
	by, err := s.usersByID(r, ids)
	if err != nil {
		return err
	}
	for _, x := range panel.Drafts {
		row := approvalRow{ApprovalDraft: x, Author: by[x.AuthorID], Decider: by[x.DecidedBy], Mine: x.AuthorID == me.ID, EditBody: x.Body}
		if x.ID == p.ErrDraft && p.Body != "" {
			row.EditBody = p.Body
		}
		open := d.Ticket.Status != model.StatusClosed
		row.CanDecide = open && x.State == approvals.StatePending && p.CanApprove && !row.Mine
		row.CanSend = open && x.State == approvals.StateApproved && row.Mine
		row.CanRevise = open && row.Mine && (x.State == approvals.StateReturned || x.State == approvals.StateApproved || x.State == approvals.StatePending)
		if x.State == approvals.StateSent {
			p.Sent = append(p.Sent, row)
		} else {
			p.Drafts = append(p.Drafts, row)
		}
	}
	for _, e := range panel.Events {
		p.History = append(p.History, approvalEventRow{ApprovalEvent: e, Actor: by[e.ActorID]})
	}
	return nil
}

func (s *Server) usersByID(r *http.Request, ids []int64) (map[int64]*model.User, error) {
	slices.Sort(ids)
	ids = slices.Compact(ids)
	if len(ids) > 0 && ids[0] == 0 {
		ids = ids[1:]
	}
	by := map[int64]*model.User{}
	if len(ids) == 0 {
		return by, nil
	}
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err := tx.UsersByID(ids)
		for _, u := range list {
			by[u.ID] = u
		}
		return err
	})
	return by, err
}

// requestApproval is the composer's 承認を依頼 button: the composer's text
// becomes a draft (or revises the author's open draft on this ticket).
func (s *Server) requestApproval(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	if s.Approvals == nil {
		return errNotFound
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	body := strings.TrimSpace(strings.ReplaceAll(r.FormValue("body"), "\r\n", "\n"))
	v := s.view(r)
	if body == "" {
		return s.retry(w, r, id, body, "approval", []string{v.T("approval.body_required")})
	}
	// The composer's files, stored as for a reply (blob.Put before, never
	// inside, the write), become the draft's attachments.
	in := approvals.Input{Body: body}
	if cc := strings.FieldsFunc(r.FormValue("cc"), func(c rune) bool { return c == ',' || c == '、' || c == ' ' || c == '\n' }); len(cc) > 0 {
		in.CC = cc // the composer's CC field
	}
	in, err = s.approvalFiles(r, me, in)
	if err != nil {
		return s.retry(w, r, id, body, "approval", s.approvalProblems(v, err))
	}
	d, err := s.Approvals.Submit(r.Context(), me, id, in)
	if err != nil {
		return s.retry(w, r, id, body, "approval", s.approvalProblems(v, err))
	}
	action := approvals.ActionSubmitted
	if d.CreatedAt != d.UpdatedAt {
		action = approvals.ActionResubmitted
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?approval=%s#approval-panel", id, action), http.StatusSeeOther)
	return nil
}

// decideApproval runs one action on a draft from the panel: edit, send (on
// behalf), approve, return (approvers); send_approved, resubmit (author).
func (s *Server) decideApproval(w http.ResponseWriter, r *http.Request) error {
	if s.Approvals == nil {
		return errNotFound
	}
	did, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	if err != nil || did <= 0 {
		return errNotFound
	}
	me := currentUser(r)
	cur, err := s.Approvals.Get(r.Context(), me, did)
	if err != nil {
		return err
	}
	body := strings.TrimSpace(strings.ReplaceAll(r.FormValue("body"), "\r\n", "\n"))
	comment := r.FormValue("comment")
	action := r.FormValue("action")
	in := approvals.Input{Body: body}
	for _, x := range r.Form["remove"] {
		if aid, err := strconv.ParseInt(x, 10, 64); err == nil {
			in.Remove = append(in.Remove, aid)
		}
	}
	if action == "resubmit" || action == "edit" || action == "send" || action == "approve" {
		if in, err = s.approvalFiles(r, me, in); err != nil {
			action = "files"
		}
	}
	ctx := r.Context()
	var done string
	// The approver's form, and the author's send button, carry the
	// version they showed; the domain refuses a decision or a send on a
	// draft revised since (approvals.ErrStale), checked on the locked row.
	// A form without it checks nothing.
	version := approvals.AnyVersion
	if v, perr := strconv.ParseInt(r.FormValue("version"), 10, 64); perr == nil {
		version = v
	}
	// Send and approve carry the approver's edit, if the form changed the
	// text or the files, into the same transaction as the decision.
	var edit *approvals.Input
	if len(in.Remove) > 0 || len(in.Uploads) > 0 || (body != "" && body != strings.TrimSpace(cur.Body)) {
		edit = &in
	}
	switch action {
	case "files":
	case "edit":
		_, err = s.Approvals.Edit(ctx, me, did, version, in)
		done = approvals.ActionEdited
	case "send":
		_, err = s.Approvals.SendOnBehalf(ctx, me, did, version, edit, "web")
		done = approvals.ActionSentBehalf
	case "approve":
		_, err = s.Approvals.Approve(ctx, me, did, version, edit, comment)
		done = approvals.ActionApproved
	case "return":
		_, err = s.Approvals.Return(ctx, me, did, version, comment)
		done = approvals.ActionReturned
	case "send_approved":
		_, err = s.Approvals.Send(ctx, me, did, version, "web")
		done = approvals.ActionSent
	case "resubmit":
		if cur.AuthorID != me.ID {
			err = approvals.ErrNotAuthor
			break
		}
		_, err = s.Approvals.Submit(ctx, me, cur.TicketID, in)
		done = approvals.ActionResubmitted
	default:
		return errBadInput
	}
	if err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return err
		}
		d, lerr := s.loadTicket(r, cur.TicketID)
		if lerr != nil {
			return lerr
		}
		if errors.Is(err, approvals.ErrStale) {
			body = "" // the box shows the draft as it is now, with its new version
		}
		d.Approvals = &approvalPanel{Errors: s.approvalProblems(s.view(r), err), ErrDraft: did, Body: body, Comment: comment}
		status := http.StatusUnprocessableEntity
		var se *approvals.StateError
		switch {
		case errors.As(err, &se), errors.Is(err, approvals.ErrStale):
			status = http.StatusConflict
		case errors.Is(err, errs.ErrForbidden):
			status = http.StatusForbidden
		}
		return s.showTicket(w, r, status, d)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?approval=%s#approval-panel", cur.TicketID, done), http.StatusSeeOther)
	return nil
}

// approvalFiles stores the form's files (field "files") as one upload
// token, as the composer does for a reply, and adds it to in.
func (s *Server) approvalFiles(r *http.Request, me *model.User, in approvals.Input) (approvals.Input, error) {
	token, err := s.saveUploads(r, me)
	if err != nil {
		var he *httpError
		if errors.As(err, &he) && he.status == http.StatusRequestEntityTooLarge {
			return in, errTooLargeFile
		}
		return in, err
	}
	if token != "" {
		in.Uploads = append(in.Uploads, token)
	}
	return in, nil
}

// errTooLargeFile: a file over the upload limit.
var errTooLargeFile = errors.New("file too large")

// approvalFile sends one file of a draft to staff who may see its ticket:
// images inline (previews), anything else as a download.
func (s *Server) approvalFile(w http.ResponseWriter, r *http.Request) error {
	if s.Approvals == nil {
		return errNotFound
	}
	did, err1 := strconv.ParseInt(r.PathValue("id"), 10, 64)
	aid, err2 := strconv.ParseInt(r.PathValue("aid"), 10, 64)
	if err1 != nil || err2 != nil {
		return errNotFound
	}
	me := currentUser(r)
	d, err := s.Approvals.Get(r.Context(), me, did)
	if err != nil {
		return err
	}
	if _, err := s.Tickets.Get(r.Context(), me, d.TicketID); err != nil {
		return err
	}
	var att *model.Attachment
	for _, a := range d.Files {
		if a.ID == aid {
			att = a
		}
	}
	if att == nil {
		return errNotFound
	}
	return s.serveAttachment(w, r, att, "private, no-store")
}

// approvalProblems turns a refusal into sentences in the viewer's language.
func (s *Server) approvalProblems(v *view, err error) []string {
	var (
		inv *errs.Invalid
		se  *approvals.StateError
	)
	switch {
	case errors.As(err, &inv):
		var out []string
		for field := range inv.Details {
			switch field {
			case "body":
				out = append(out, v.T("approval.body_required"))
			case "comment":
				out = append(out, v.T("approval.comment_required"))
			case "uploads", "remove_attachments":
				out = append(out, v.T("approval.files_invalid"))
			case "status":
				out = append(out, v.T("approval.closed"))
			default:
				out = append(out, invalidMessages(inv)...)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	case errors.As(err, &se):
		return []string{v.T("approval.state_changed", v.T(approvalKey("state", se.State)))}
	case errors.Is(err, approvals.ErrStale):
		return []string{v.T("approval.stale")}
	case errors.Is(err, errTooLargeFile):
		return []string{v.T("compose.too_large")}
	case errors.Is(err, errBadInput):
		return []string{v.T("approval.bad_file")}
	case errors.Is(err, approvals.ErrOwnDraft):
		return []string{v.T("approval.own_draft")}
	case errors.Is(err, approvals.ErrNotApprover):
		return []string{v.T("approval.not_approver")}
	case errors.Is(err, approvals.ErrNotAuthor):
		return []string{v.T("approval.not_author")}
	case errors.Is(err, approvals.ErrNotSubmitter):
		return []string{v.T("approval.not_submitter")}
	case errors.Is(err, tickets.ErrApprovalRequired):
		return []string{v.T("approval.must_request")}
	case errors.Is(err, errs.ErrForbidden):
		return []string{v.T("error.forbidden")}
	}
	s.Log.Error("approval action", "err", err)
	return []string{v.T("error.internal")}
}

// approvalsPage lists the drafts waiting for a decision, oldest first.
func (s *Server) approvalsPage(w http.ResponseWriter, r *http.Request) error {
	if s.Approvals == nil {
		return errNotFound
	}
	me := currentUser(r)
	list, err := s.Approvals.Pending(r.Context(), me, 200)
	if err != nil {
		return err
	}
	var ids, tids []int64
	for _, d := range list {
		ids, tids = append(ids, d.AuthorID), append(tids, d.TicketID)
	}
	by, err := s.usersByID(r, ids)
	if err != nil {
		return err
	}
	tks := map[int64]*model.Ticket{}
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		for _, id := range tids {
			if tks[id] != nil {
				continue
			}
			tk, err := tx.Ticket(id)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			tks[id] = tk
		}
		return nil
	}); err != nil {
		return err
	}
	rows := []approvalQueueRow{}
	for _, d := range list {
		if tk := tks[d.TicketID]; tk != nil && tk.DeletedAt.IsZero() {
			rows = append(rows, approvalQueueRow{ApprovalDraft: d, Ticket: tk, Author: by[d.AuthorID], Excerpt: excerpt(d.Body, 80)})
		}
	}
	// Who may approve: shown on the page so the rule is explicit.
	var approvers []*model.User
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		staff, err := tx.StaffUsers(1000)
		if err != nil {
			return err
		}
		ids := make([]int64, len(staff))
		for i, u := range staff {
			ids[i] = u.ID
		}
		users, err := tx.UsersByID(ids)
		by := map[int64]*model.User{}
		for _, u := range users {
			by[u.ID] = u
		}
		for _, b := range staff { // by name, as StaffUsers sorts
			if u := by[b.ID]; approvals.CanApprove(u) {
				approvers = append(approvers, u)
			}
		}
		return err
	}); err != nil {
		return err
	}
	v := s.view(r)
	v.Title = v.T("approval.queue_title")
	v.Data = map[string]any{"Rows": rows, "CanApprove": approvals.CanApprove(me), "Approvers": approvers}
	s.render(w, http.StatusOK, "approvals", v)
	return nil
}

// approvalsCount is the nav badge's number, as JSON.
func (s *Server) approvalsCount(w http.ResponseWriter, r *http.Request) error {
	if s.Approvals == nil {
		return errNotFound
	}
	n, err := s.Approvals.CountPending(r.Context())
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	return json.NewEncoder(w).Encode(map[string]any{"pending": n, "approver": approvals.CanApprove(currentUser(r))})
}

// excerpt is the start of a draft for the queue: one line, at most max
// characters.
func excerpt(s string, max int) string {
	s = strings.Join(strings.Fields(s), " ")
	if r := []rune(s); len(r) > max {
		return string(r[:max]) + "…"
	}
	return s
}

// approvalKey is the catalog key of a state or an action ("state",
// "pending" → approval.state_pending); TestApprovalKeys checks them all.
func approvalKey(kind, v string) string { return "approval." + kind + "_" + v }
