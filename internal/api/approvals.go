package api

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"net/http"
	"sync"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Approval before sending (our extension, docs/api.md): drafts of a reply
// that an approver edits, sends on the author's behalf, approves back to
// the author or returns with a comment. Rules live in internal/approvals.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/tickets/{id}/drafts", s.ticketDrafts)
		s.handle("POST /api/v2/tickets/{id}/drafts", s.submitDraft)
		s.handle("GET /api/v2/drafts", s.pendingDrafts)
		s.handle("GET /api/v2/drafts/{id}", s.showDraft)
		s.handle("PUT /api/v2/drafts/{id}", s.editDraft)
		s.handle("POST /api/v2/drafts/{id}/send", s.sendDraft)
		s.handle("POST /api/v2/drafts/{id}/approve", s.decideDraft(false))
		s.handle("POST /api/v2/drafts/{id}/return", s.decideDraft(true))
	})
}

var approvalServices sync.Map // *Server → *approvals.Service

// UseApprovals sets the approvals service the API uses (the app's, so its
// live-update hooks run); without it the API builds its own.
func UseApprovals(s *Server, a *approvals.Service) { approvalServices.Store(s, a) }

func (s *Server) approvals() *approvals.Service {
	if v, ok := approvalServices.Load(s); ok {
		return v.(*approvals.Service)
	}
	v, _ := approvalServices.LoadOrStore(s, approvals.New(s.Store, s.Tickets))
	return v.(*approvals.Service)
}

// draftIn is the "draft" object clients send.
type draftIn struct {
	Body     *string   `json:"body"`
	HTMLBody *string   `json:"html_body"`
	CC       *[]string `json:"cc"`
	// Uploads are tokens from POST /api/v2/uploads, as on a comment.
	Uploads []string `json:"uploads"`
	// RemoveAttachmentIDs takes files off the draft.
	RemoveAttachmentIDs []int64 `json:"remove_attachment_ids"`
	// Version is the draft's "version" as the client read it: an approver's
	// edit, send, approve or return, or the author's send, is refused with
	// 409 DraftChanged when the draft changed since. Absent or 0: no check.
	Version int64 `json:"version"`
}

// edits reports whether the draft object changes the draft (more than a
// version to check).
func (in *draftIn) edits() bool {
	return in.Body != nil || in.HTMLBody != nil || in.CC != nil || len(in.Uploads) > 0 || len(in.RemoveAttachmentIDs) > 0
}

func (in *draftIn) input() approvals.Input {
	out := approvals.Input{Uploads: in.Uploads, Remove: in.RemoveAttachmentIDs}
	if in.Body != nil {
		out.Body = *in.Body
	}
	if in.HTMLBody != nil {
		out.HTMLBody = *in.HTMLBody
	}
	if in.CC != nil {
		out.CC = *in.CC
		if out.CC == nil {
			out.CC = []string{}
		}
	}
	return out
}

// decodeOptional reads a JSON body when there is one.
func (s *Server) decodeOptional(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.Config.MaxBodyBytes))
	if err != nil {
		return s.decode(w, r, v) // reports the size problem
	}
	if len(bytes.TrimSpace(body)) == 0 {
		return nil
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	return s.decode(w, r, v)
}

func presentDraft(r *http.Request, d *store.ApprovalDraft, history []*store.ApprovalEvent) map[string]any {
	cc := d.CC
	if cc == nil {
		cc = []string{}
	}
	out := map[string]any{
		"id": d.ID, "url": fmt.Sprintf("%s/api/v2/drafts/%d.json", baseURL(r), d.ID),
		"ticket_id": d.TicketID, "author_id": d.AuthorID, "state": d.State,
		"body": d.Body, "html_body": d.HTMLBody, "cc": cc, "approver_comment": d.ApproverComment,
		"decided_by_id": idPtr(d.DecidedBy), "comment_id": idPtr(d.CommentID),
		"created_at": isoTime(d.CreatedAt), "updated_at": isoTime(d.UpdatedAt),
		"decided_at": timePtr(d.DecidedAt), "sent_at": timePtr(d.SentAt),
		"version": approvals.Version(d),
	}
	atts := []attachmentJSON{}
	for _, a := range d.Files {
		atts = append(atts, presentAttachment(baseURL(r), a))
	}
	out["attachments"] = atts
	if history != nil {
		h := []map[string]any{}
		for _, e := range history {
			if e.DraftID == d.ID {
				h = append(h, map[string]any{"id": e.ID, "action": e.Action, "actor_id": e.ActorID, "note": e.Note, "created_at": isoTime(e.CreatedAt)})
			}
		}
		out["history"] = h
	}
	return out
}

// draftError names a draft that someone else decided first, or that
// changed since the client read the version it sent.
func draftError(err error) error {
	var se *approvals.StateError
	switch {
	case errors.As(err, &se):
		return &apiError{status: http.StatusConflict, code: "DraftStateConflict", msg: se.Error()}
	case errors.Is(err, approvals.ErrStale):
		return &apiError{status: http.StatusConflict, code: "DraftChanged", msg: "The draft was updated since you read it; check its latest content and try again. / この下書きは更新されました。最新の内容を確認してください。"}
	}
	return err
}

func (s *Server) writeDraft(w http.ResponseWriter, r *http.Request, status int, d *store.ApprovalDraft, err error) error {
	if err != nil {
		return draftError(err)
	}
	writeJSON(w, status, map[string]any{"draft": presentDraft(r, d, nil)})
	return nil
}

func (s *Server) ticketDrafts(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	p, err := s.approvals().OfTicket(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(p.Drafts))
	for i, d := range p.Drafts {
		out[i] = presentDraft(r, d, p.Events)
	}
	writeJSON(w, http.StatusOK, map[string]any{"drafts": out, "next_page": nil, "previous_page": nil, "count": len(out)})
	return nil
}

func (s *Server) pendingDrafts(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	list, err := s.approvals().Pending(r.Context(), currentUser(r), 100)
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i, d := range list {
		out[i] = presentDraft(r, d, nil)
	}
	writeJSON(w, http.StatusOK, map[string]any{"drafts": out, "next_page": nil, "previous_page": nil, "count": len(out)})
	return nil
}

func (s *Server) showDraft(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	d, err := s.approvals().Get(r.Context(), currentUser(r), id)
	return s.writeDraft(w, r, http.StatusOK, d, err)
}

// decodeDraft reads {"draft": {...}} and the expected version: the
// draft's "version", or a top-level "version" (for a send without edits).
func (s *Server) decodeDraft(w http.ResponseWriter, r *http.Request, required bool) (*draftIn, int64, error) {
	var in struct {
		Draft   *draftIn `json:"draft"`
		Version int64    `json:"version"`
	}
	if required {
		if err := s.decode(w, r, &in); err != nil {
			return nil, 0, err
		}
		if in.Draft == nil {
			return nil, 0, badRequest("InvalidValue", `The body must be {"draft": {"body": "..."}}. / {"draft": {"body": "..."}} の形式で送ってください。`)
		}
	} else if err := s.decodeOptional(w, r, &in); err != nil {
		return nil, 0, err
	}
	version := in.Version
	if in.Draft != nil && in.Draft.Version != 0 {
		version = in.Draft.Version
	}
	return in.Draft, version, nil
}

func (s *Server) submitDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, _, err := s.decodeDraft(w, r, true)
	if err != nil {
		return err
	}
	d, err := s.approvals().Submit(r.Context(), currentUser(r), id, in.input())
	if err == nil {
		w.Header().Set("Location", fmt.Sprintf("%s/api/v2/drafts/%d.json", baseURL(r), d.ID))
	}
	return s.writeDraft(w, r, http.StatusCreated, d, err)
}

func (s *Server) editDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, version, err := s.decodeDraft(w, r, true)
	if err != nil {
		return err
	}
	d, err := s.approvals().Edit(r.Context(), currentUser(r), id, version, in.input())
	return s.writeDraft(w, r, http.StatusOK, d, err)
}

// sendDraft sends a draft: the author sends their approved draft; an
// approver sends a pending one on the author's behalf, with an optional
// {"draft": {...}} edit first. Both check the "version" when one is sent.
func (s *Server) sendDraft(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, version, err := s.decodeDraft(w, r, false)
	if err != nil {
		return err
	}
	if in != nil && !in.edits() {
		in = nil // {"draft": {"version": N}}: a version to check, no edit
	}
	me := currentUser(r)
	cur, err := s.approvals().Get(r.Context(), me, id)
	if err != nil {
		return err
	}
	var d *store.ApprovalDraft
	if cur.AuthorID == me.ID { // authors never send on their own behalf: only what was approved
		if in != nil {
			return badRequest("InvalidValue", "An approved draft is sent as it was approved; to change it, submit it again. / 承認済みの下書きは変更せずに送信します。変更する場合は再度承認を依頼してください。")
		}
		d, err = s.approvals().Send(r.Context(), me, id, version, "api")
	} else {
		var edit *approvals.Input
		if in != nil {
			e := in.input()
			edit = &e
		}
		d, err = s.approvals().SendOnBehalf(r.Context(), me, id, version, edit, "api")
	}
	return s.writeDraft(w, r, http.StatusOK, d, err)
}

// decideDraft approves (comment optional) or returns (comment required).
// An approval may carry a {"draft": {...}} edit, applied and approved in
// one transaction under one version check; a return may not.
func (s *Server) decideDraft(ret bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		var in struct {
			Comment *string  `json:"comment"`
			Version int64    `json:"version"` // the draft's version as read; 0: no check
			Draft   *draftIn `json:"draft"`
		}
		if err := s.decodeOptional(w, r, &in); err != nil {
			return err
		}
		comment := ""
		if in.Comment != nil {
			comment = *in.Comment
		}
		version := in.Version
		var edit *approvals.Input
		if in.Draft != nil {
			if in.Draft.Version != 0 {
				version = in.Draft.Version
			}
			if in.Draft.edits() {
				e := in.Draft.input()
				edit = &e
			}
		}
		var d *store.ApprovalDraft
		if ret {
			if edit != nil {
				return badRequest("InvalidValue", "A draft is returned as it is; to change it, edit it (PUT) or approve it with the edit. / 差し戻す下書きは編集できません。編集する場合は保存するか、編集して承認してください。")
			}
			d, err = s.approvals().Return(r.Context(), currentUser(r), id, version, comment)
		} else {
			d, err = s.approvals().Approve(r.Context(), currentUser(r), id, version, edit, comment)
		}
		return s.writeDraft(w, r, http.StatusOK, d, err)
	}
}

// draftFileVisible lets staff who may see a ticket fetch the files of its
// approval drafts (before the draft is sent they are unclaimed uploads,
// otherwise visible only to their uploader).
func draftFileVisible(tx *store.Tx, me *model.User, attachmentID int64) error {
	if !me.IsStaff() {
		return store.ErrNotFound
	}
	tid, err := tx.ApprovalDraftOfFile(attachmentID)
	if err != nil {
		return store.ErrNotFound
	}
	tk, err := tx.Ticket(tid)
	if err != nil || !tk.DeletedAt.IsZero() || !tickets.CanView(me, tk) {
		return store.ErrNotFound
	}
	return nil
}
