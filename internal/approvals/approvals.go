// Package approvals is "approval before sending" (承認): an agent — or a
// trainee whose account says approval_required and who may not post public
// replies at all — submits a draft reply; an approver edits it, sends it on
// the author's behalf, approves it back to the author, or returns it with a
// comment.
//
// States: pending → returned | approved | sent; returned and approved go
// back to pending when the author revises and resubmits; approved → sent
// when the author sends it (allowed even with approval_required). A sent
// draft is final.
//
// Approvers are admins and agents without approval_required, never for
// their own draft. Every transition is one write transaction that updates
// the draft, appends to its history (approval_events) and, when sending,
// adds the public comment through tickets.Service in that same
// transaction — so the comment exists exactly once and a second "send"
// finds the draft already sent.
//
// Sending on behalf: the public comment's author is the draft's author (the
// customer sees who wrote it, as Zendesk-like desks do), while the ticket
// audit's author is the approver who pressed send, and the audit metadata
// records {"approval": {"draft_id", "author_id", "approved_by"}}, so the
// trail says truthfully who wrote and who released the reply.
package approvals

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Draft states.
const (
	StatePending  = "pending"
	StateReturned = "returned"
	StateApproved = "approved"
	StateSent     = "sent"
)

// History actions.
const (
	ActionSubmitted   = "submitted"
	ActionResubmitted = "resubmitted"
	ActionEdited      = "edited"
	ActionReturned    = "returned"
	ActionApproved    = "approved"
	ActionSent        = "sent"           // by the author, after approval
	ActionSentBehalf  = "sent_on_behalf" // by the approver
)

// Limits of a draft.
const (
	MaxBody    = 64 << 10 // bytes of text
	MaxCC      = 20
	MaxComment = 2000 // characters of an approver's comment
	MaxFiles   = 20   // files attached to one draft
)

// Input is a draft's text as the composer or the API gives it: plain text
// or HTML (sanitised here), and people to copy in.
type Input struct {
	Body     string
	HTMLBody string
	CC       []string // email addresses
	// Uploads are upload tokens (the composer's files, or the API's
	// POST /uploads) whose files join the draft; Remove lists attachment
	// ids to take off it. The files a draft has when it is sent are
	// exactly the public comment's attachments.
	Uploads []string
	Remove  []int64
}

// Change is what one transition did, for live updates.
type Change struct {
	Draft   *store.ApprovalDraft
	Action  string
	ActorID int64
	Note    string // the approver's comment, for the history
}

// Service runs the approval workflow.
type Service struct {
	Store   store.Store
	Tickets *tickets.Service
	Now     func() time.Time
	// OnChange is called after every committed transition (live updates).
	OnChange []func(Change)
}

// New returns a service.
func New(st store.Store, tk *tickets.Service) *Service {
	return &Service{Store: st, Tickets: tk, Now: func() time.Time { return time.Now().UTC() }}
}

// CanApprove reports whether u may decide on drafts: admins, and agents
// whose own replies do not need approval.
func CanApprove(u *model.User) bool {
	return u != nil && u.IsAgent() && !u.ApprovalRequired && u.Active && !u.Suspended
}

// CanSubmit reports whether u may submit drafts: agents and admins.
func CanSubmit(u *model.User) bool { return u != nil && u.IsAgent() }

// Errors a person can act on; the API and the web map them to messages.
var (
	ErrNotApprover  = errs.Forbiddenf("only admins and agents whose replies need no approval can decide on drafts / 承認できるのは管理者と承認不要のエージェントです")
	ErrOwnDraft     = errs.Forbiddenf("you cannot decide on your own draft / 自分の下書きは承認できません")
	ErrNotAuthor    = errs.Forbiddenf("only the draft's author can do this / 下書きの作成者のみ操作できます")
	ErrNotSubmitter = errs.Forbiddenf("only agents and admins can submit replies for approval / 承認を依頼できるのはエージェントと管理者です")
)

// StateError says a transition does not fit the draft's state (someone
// else decided first): 409 for the API, a message on the page.
type StateError struct{ State string }

func (e *StateError) Error() string {
	return "the draft is " + e.State + " and cannot do that now / この下書きは現在その操作ができません（状態: " + e.State + "）"
}

// Is makes a StateError match errs.ErrConflict.
func (e *StateError) Is(target error) bool { return target == errs.ErrConflict }

// AnyVersion, as the expected version of Edit, SendOnBehalf, Approve,
// Return and Send, skips the stale-copy check: for callers that never
// showed the draft to anyone (scripts, API clients that send no version).
const AnyVersion int64 = 0

// Version is a draft's version as clients echo it back: its updated_at in
// Unix milliseconds, which every change of the draft moves forward by at
// least one (see touch), so two versions of one draft never compare equal.
func Version(d *store.ApprovalDraft) int64 { return d.UpdatedAt.UnixMilli() }

// ErrStale: the approver acted on a copy of the draft older than the
// stored one (the author resubmitted, or another approver edited it, after
// the approver's page or client read it). Nothing was changed. It matches
// errs.ErrConflict (409 in the API).
var ErrStale = fmt.Errorf("%w: the draft was updated; check its latest content / この下書きは更新されました。最新の内容を確認してください", errs.ErrConflict)

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// touch returns the time of a change to d: now, but always at least one
// millisecond after d's last change, so Version strictly increases even
// for two changes within one millisecond or a node whose clock is behind.
func (s *Service) touch(d *store.ApprovalDraft) time.Time {
	now := s.now()
	if !now.After(d.UpdatedAt) {
		now = d.UpdatedAt.Add(time.Millisecond)
	}
	return now
}

// normalize validates and fills a draft's text; problems go to v.
func normalize(in Input, v *errs.Invalid) (body, html string, cc []string) {
	if strings.TrimSpace(in.HTMLBody) != "" {
		html = richtext.Sanitize(in.HTMLBody)
		body = richtext.ToPlain(html)
	} else {
		body = strings.TrimRight(strings.ReplaceAll(in.Body, "\r\n", "\n"), " \n\t")
		html = richtext.FromPlain(body)
	}
	switch {
	case strings.TrimSpace(body) == "":
		v.Add("body", "BlankValue", "Body: cannot be blank / 本文を入力してください")
	case len(body) > MaxBody || !utf8.ValidString(body):
		v.Add("body", "TooLong", "Body: at most 64 KB of UTF-8 text / 本文は64KBまでです")
	}
	seen := map[string]bool{}
	for _, e := range in.CC {
		e = strings.ToLower(strings.TrimSpace(e))
		if e == "" || seen[e] {
			continue
		}
		seen[e] = true
		if at := strings.Index(e, "@"); at <= 0 || at == len(e)-1 || strings.ContainsAny(e, " \t\r\n,<>") {
			v.Addf("cc", "InvalidValue", "CC: %q is not an email address / CC のメールアドレスが正しくありません", e)
			continue
		}
		cc = append(cc, e)
	}
	if len(cc) > MaxCC {
		v.Add("cc", "TooLong", "CC: at most 20 addresses / CC は20件までです")
	}
	return body, html, cc
}

// files applies in's uploads and removals to draft d (already stored) and
// loads d.Files; changed says whether the set of files changed.
// Upload tokens must be the actor's own.
func files(tx *store.Tx, actor *model.User, d *store.ApprovalDraft, in Input) (changed bool, err error) {
	v := &errs.Invalid{}
	for _, id := range in.Remove {
		switch err := tx.RemoveApprovalDraftFile(d.ID, id); {
		case errors.Is(err, store.ErrNotFound):
			v.Addf("remove_attachments", "InvalidValue", "Attachment %d is not part of this draft / この添付ファイルは下書きにありません", id)
		case err != nil:
			return false, err
		default:
			changed = true
		}
	}
	for _, tok := range in.Uploads {
		tok = strings.TrimSpace(tok)
		if tok == "" {
			continue
		}
		if owner, err := tx.UploadOwner(tok); errors.Is(err, store.ErrNotFound) || (err == nil && owner != actor.ID) {
			v.Addf("uploads", "InvalidValue", "Upload token %q is not valid / アップロードトークンが正しくありません", tok)
			continue
		} else if err != nil {
			return false, err
		}
		atts, err := tx.FreeUploadAttachments(tok)
		if err != nil {
			return false, err
		}
		if len(atts) == 0 {
			v.Addf("uploads", "InvalidValue", "Upload token %q has no unused files / このアップロードのファイルはすでに使われています", tok)
		}
		for _, a := range atts {
			if err := tx.AddApprovalDraftFile(d.ID, a.ID); err != nil {
				return false, err
			}
			changed = true
		}
	}
	by, err := tx.ApprovalDraftFiles(d.ID)
	if err != nil {
		return false, err
	}
	d.Files = by[d.ID]
	if len(d.Files) > MaxFiles {
		v.Add("uploads", "TooLong", "Attachments: at most 20 files per draft / 添付ファイルは1件の下書きにつき20個までです")
	}
	return changed, v.OrNil()
}

// withFiles loads the files of drafts.
func withFiles(tx *store.Tx, drafts ...*store.ApprovalDraft) error {
	ids := make([]int64, len(drafts))
	for i, d := range drafts {
		ids[i] = d.ID
	}
	by, err := tx.ApprovalDraftFiles(ids...)
	for _, d := range drafts {
		d.Files = by[d.ID]
	}
	return err
}

func (s *Service) write(ctx context.Context, fn func(tx *store.Tx) (*Change, error)) (*store.ApprovalDraft, error) {
	var ch *Change
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		ch, err = writeTx(tx, fn)
		return err
	})
	if err != nil {
		return nil, err
	}
	s.changed(ch)
	return ch.Draft, nil
}

// writeTx runs one transition in tx: fn, the draft's files and its history.
func writeTx(tx *store.Tx, fn func(tx *store.Tx) (*Change, error)) (*Change, error) {
	ch, err := fn(tx)
	if err != nil {
		return nil, err
	}
	if err := withFiles(tx, ch.Draft); err != nil || ch.Action == "" {
		return ch, err
	}
	err = tx.InsertApprovalEvent(&store.ApprovalEvent{DraftID: ch.Draft.ID, TicketID: ch.Draft.TicketID, ActorID: ch.ActorID,
		Action: ch.Action, Note: ch.Note, CreatedAt: ch.Draft.UpdatedAt})
	return ch, err
}

// changed tells OnChange about a committed transition.
func (s *Service) changed(ch *Change) {
	if ch.Action == "" {
		return
	}
	for _, f := range s.OnChange {
		f(*ch)
	}
}

// ticketFor loads the draft's ticket for a write, refusing deleted and
// closed tickets.
func ticketFor(tx *store.Tx, actor *model.User, id int64) (*model.Ticket, error) {
	tk, err := tx.Ticket(id)
	if err != nil {
		return nil, err
	}
	if !tk.DeletedAt.IsZero() || !tickets.CanView(actor, tk) {
		return nil, errs.ErrNotFound
	}
	if tk.Status == model.StatusClosed {
		return nil, errs.Invalidf("status", "InvalidValue", "Status: closed prevents replies / クローズ済みのチケットには返信できません")
	}
	return tk, nil
}

// Submit asks for approval of a reply on ticket ticketID. An author has at
// most one open draft per ticket: submitting again revises it and puts it
// back to pending (revise & resubmit after a return, or after approval);
// a nil in.CC then keeps the draft's CC.
func (s *Service) Submit(ctx context.Context, actor *model.User, ticketID int64, in Input) (*store.ApprovalDraft, error) {
	if !CanSubmit(actor) {
		return nil, ErrNotSubmitter
	}
	return s.write(ctx, s.submit(actor, ticketID, in))
}

// HoldFirstComment is tickets.Service.HoldFirstComment: the public first
// message of a ticket a trainee (approval_required) creates becomes a
// pending draft on that ticket, in the creating transaction — the ticket
// exists at once, the customer gets nothing until an approver sends the
// draft (which then also becomes the ticket's description). The message's
// files (upload tokens) go with the draft; its CC are the ticket's.
func (s *Service) HoldFirstComment(tx *store.Tx, actor *model.User, tk *model.Ticket, c tickets.CommentInput) (int64, error) {
	if !CanSubmit(actor) {
		return 0, ErrNotSubmitter
	}
	ch, err := writeTx(tx, s.submit(actor, tk.ID, Input{Body: c.Body, HTMLBody: c.HTMLBody, Uploads: c.Uploads}))
	if err != nil {
		return 0, err
	}
	tx.AfterCommit(func() { s.changed(ch) })
	return ch.Draft.ID, nil
}

// submit is Submit's transition.
func (s *Service) submit(actor *model.User, ticketID int64, in Input) func(tx *store.Tx) (*Change, error) {
	return func(tx *store.Tx) (*Change, error) {
		if _, err := ticketFor(tx, actor, ticketID); err != nil {
			return nil, err
		}
		v := &errs.Invalid{}
		body, html, cc := normalize(in, v)
		if err := v.OrNil(); err != nil {
			return nil, err
		}
		open, err := tx.TicketApprovalDrafts(ticketID, true)
		if err != nil {
			return nil, err
		}
		now := s.now()
		for _, d := range open {
			if d.AuthorID != actor.ID {
				continue
			}
			if d, err = tx.ApprovalDraftForUpdate(d.ID); err != nil {
				return nil, err
			}
			if d.State == StateSent {
				break // sent meanwhile: start a new draft
			}
			if in.CC == nil {
				cc = d.CC // a revision without CC keeps the draft's
			}
			d.State, d.Body, d.HTMLBody, d.CC, d.UpdatedAt = StatePending, body, html, cc, s.touch(d)
			d.ApproverComment, d.DecidedBy, d.DecidedAt = "", 0, time.Time{}
			if err := tx.UpdateApprovalDraft(d); err != nil {
				return nil, err
			}
			if _, err := files(tx, actor, d, in); err != nil {
				return nil, err
			}
			return &Change{Draft: d, Action: ActionResubmitted, ActorID: actor.ID}, nil
		}
		d := &store.ApprovalDraft{TicketID: ticketID, AuthorID: actor.ID, State: StatePending, Body: body, HTMLBody: html, CC: cc,
			CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertApprovalDraft(d); err != nil {
			return nil, err
		}
		if _, err := files(tx, actor, d, in); err != nil {
			return nil, err
		}
		return &Change{Draft: d, Action: ActionSubmitted, ActorID: actor.ID}, nil
	}
}

// decide loads and locks a draft for an approver's decision: it must be
// pending, the actor an approver and not its author, and — unless version
// is AnyVersion — still the version the approver saw (ErrStale). The check
// runs on the locked row, inside the decision's transaction, so a
// resubmission that commits between the approver's page and this write is
// caught (PostgreSQL: SELECT … FOR UPDATE; SQLite: the one writer).
func decide(tx *store.Tx, actor *model.User, id, version int64) (*store.ApprovalDraft, error) {
	if !CanApprove(actor) {
		return nil, ErrNotApprover
	}
	d, err := tx.ApprovalDraftForUpdate(id)
	if err != nil {
		return nil, err
	}
	if _, err := ticketFor(tx, actor, d.TicketID); err != nil {
		return nil, err
	}
	if d.AuthorID == actor.ID {
		return nil, ErrOwnDraft
	}
	if d.State != StatePending {
		return nil, &StateError{State: d.State}
	}
	if version != AnyVersion && version != Version(d) {
		return nil, ErrStale
	}
	return d, nil
}

// Edit lets an approver change a pending draft's text before deciding.
// version is the draft's Version as the approver saw it, or AnyVersion.
func (s *Service) Edit(ctx context.Context, actor *model.User, id, version int64, in Input) (*store.ApprovalDraft, error) {
	return s.write(ctx, func(tx *store.Tx) (*Change, error) {
		d, err := decide(tx, actor, id, version)
		if err != nil {
			return nil, err
		}
		changed, err := edit(tx, actor, d, in)
		if err != nil {
			return nil, err
		}
		if !changed {
			return &Change{Draft: d}, nil // nothing changed: no history entry
		}
		d.UpdatedAt = s.touch(d)
		if err := tx.UpdateApprovalDraft(d); err != nil {
			return nil, err
		}
		return &Change{Draft: d, Action: ActionEdited, ActorID: actor.ID}, nil
	})
}

// edit applies an approver's edit to the locked draft d in memory (its
// files in tx): the text, and the CC when in.CC is not nil. It reports
// whether anything changed; the caller stores d.
func edit(tx *store.Tx, actor *model.User, d *store.ApprovalDraft, in Input) (bool, error) {
	v := &errs.Invalid{}
	body, html, cc := normalize(in, v)
	if err := v.OrNil(); err != nil {
		return false, err
	}
	if in.CC == nil {
		cc = d.CC // only the text was edited
	}
	changed, err := files(tx, actor, d, in)
	if err != nil {
		return false, err
	}
	if !changed && body == d.Body && html == d.HTMLBody && strings.Join(cc, " ") == strings.Join(d.CC, " ") {
		return false, nil
	}
	d.Body, d.HTMLBody, d.CC = body, html, cc
	return true, nil
}

// Return sends a pending draft back to its author with a comment.
// version is the draft's Version as the approver saw it, or AnyVersion.
func (s *Service) Return(ctx context.Context, actor *model.User, id, version int64, comment string) (*store.ApprovalDraft, error) {
	comment = strings.TrimSpace(strings.ReplaceAll(comment, "\r\n", "\n"))
	if comment == "" {
		return nil, errs.Invalidf("comment", "BlankValue", "Comment: say what to change / 差し戻しの理由を入力してください")
	}
	if utf8.RuneCountInString(comment) > MaxComment {
		return nil, errs.Invalidf("comment", "TooLong", "Comment: at most 2000 characters / コメントは2000文字までです")
	}
	return s.write(ctx, func(tx *store.Tx) (*Change, error) {
		d, err := decide(tx, actor, id, version)
		if err != nil {
			return nil, err
		}
		now := s.touch(d)
		d.State, d.ApproverComment, d.DecidedBy, d.DecidedAt, d.UpdatedAt = StateReturned, comment, actor.ID, now, now
		if err := tx.UpdateApprovalDraft(d); err != nil {
			return nil, err
		}
		return &Change{Draft: d, Action: ActionReturned, ActorID: actor.ID, Note: comment}, nil
	})
}

// Approve hands a pending draft back to its author, who may then send it
// with one click. comment is optional; version is the draft's Version as
// the approver saw it, or AnyVersion. With an edit (not nil) the approver's
// changes and the approval are one transaction on the locked draft, under
// one version check: the history says "edited" (when the edit changed
// anything) and then "approved", and no one can see or act on the edited
// draft before it is approved.
func (s *Service) Approve(ctx context.Context, actor *model.User, id, version int64, in *Input, comment string) (*store.ApprovalDraft, error) {
	comment = strings.TrimSpace(strings.ReplaceAll(comment, "\r\n", "\n"))
	if utf8.RuneCountInString(comment) > MaxComment {
		return nil, errs.Invalidf("comment", "TooLong", "Comment: at most 2000 characters / コメントは2000文字までです")
	}
	return s.write(ctx, func(tx *store.Tx) (*Change, error) {
		d, err := decide(tx, actor, id, version)
		if err != nil {
			return nil, err
		}
		now := s.touch(d)
		if in != nil {
			changed, err := edit(tx, actor, d, *in)
			if err != nil {
				return nil, err
			}
			if changed {
				if err := tx.InsertApprovalEvent(&store.ApprovalEvent{DraftID: d.ID, TicketID: d.TicketID, ActorID: actor.ID,
					Action: ActionEdited, CreatedAt: now}); err != nil {
					return nil, err
				}
			}
		}
		d.State, d.ApproverComment, d.DecidedBy, d.DecidedAt, d.UpdatedAt = StateApproved, comment, actor.ID, now, now
		if err := tx.UpdateApprovalDraft(d); err != nil {
			return nil, err
		}
		return &Change{Draft: d, Action: ActionApproved, ActorID: actor.ID, Note: comment}, nil
	})
}

// SendOnBehalf has an approver send a pending draft now (edited first when
// in is not nil): the public comment is the author's, the audit the
// approver's (see the package comment). version is the draft's Version as
// the approver saw it, or AnyVersion.
func (s *Service) SendOnBehalf(ctx context.Context, actor *model.User, id, version int64, in *Input, via string) (*store.ApprovalDraft, error) {
	return s.write(ctx, func(tx *store.Tx) (*Change, error) {
		d, err := decide(tx, actor, id, version)
		if err != nil {
			return nil, err
		}
		if in != nil {
			if _, err := edit(tx, actor, d, *in); err != nil {
				return nil, err
			}
		}
		if err := s.post(tx, actor, d, false, via); err != nil {
			return nil, err
		}
		return &Change{Draft: d, Action: ActionSentBehalf, ActorID: actor.ID}, nil
	})
}

// Send has the author send their approved draft, as it was approved.
// version is the draft's Version as the author's page or client read it,
// or AnyVersion; a draft changed since is refused with ErrStale.
func (s *Service) Send(ctx context.Context, actor *model.User, id, version int64, via string) (*store.ApprovalDraft, error) {
	return s.write(ctx, func(tx *store.Tx) (*Change, error) {
		d, err := tx.ApprovalDraftForUpdate(id)
		if err != nil {
			return nil, err
		}
		if _, err := ticketFor(tx, actor, d.TicketID); err != nil {
			return nil, err
		}
		if d.AuthorID != actor.ID {
			return nil, ErrNotAuthor
		}
		if d.State != StateApproved {
			return nil, &StateError{State: d.State}
		}
		if version != AnyVersion && version != Version(d) {
			return nil, ErrStale
		}
		if err := s.post(tx, actor, d, true, via); err != nil {
			return nil, err
		}
		return &Change{Draft: d, Action: ActionSent, ActorID: actor.ID}, nil
	})
}

// post adds the draft as a public comment through the ticket service, in
// the caller's transaction, and marks the draft sent.
func (s *Service) post(tx *store.Tx, actor *model.User, d *store.ApprovalDraft, approved bool, via string) error {
	public := true
	approvedBy := d.DecidedBy
	if err := withFiles(tx, d); err != nil {
		return err
	}
	var atts []model.Attachment
	for _, a := range d.Files {
		atts = append(atts, *a) // claimed by the comment as they are
	}
	if !approved {
		approvedBy = actor.ID
	}
	ch := tickets.Change{
		Via: orDefault(via, "api"),
		Comment: &tickets.CommentInput{HTMLBody: d.HTMLBody, Body: d.Body, Public: &public, AuthorID: d.AuthorID, Approved: approved,
			Attachments: atts, Metadata: map[string]any{"approval_draft_id": d.ID}},
		Metadata: map[string]any{"approval": map[string]any{"draft_id": d.ID, "author_id": d.AuthorID, "approved_by": approvedBy}},
	}
	for _, e := range d.CC {
		ch.AddCollabs = append(ch.AddCollabs, tickets.Person{Email: e})
	}
	res, err := s.Tickets.UpdateTx(tx, actor, d.TicketID, ch)
	if err != nil {
		return err
	}
	now := s.touch(d)
	d.State, d.UpdatedAt, d.SentAt = StateSent, now, now
	if !approved {
		d.DecidedBy, d.DecidedAt = actor.ID, now
	}
	if res.Comment != nil {
		d.CommentID = res.Comment.ID
	}
	return tx.UpdateApprovalDraft(d)
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// Panel is what a ticket shows about its drafts.
type Panel struct {
	Drafts []*store.ApprovalDraft // every draft, oldest first
	Events []*store.ApprovalEvent
}

// Open returns the drafts not yet sent.
func (p *Panel) Open() []*store.ApprovalDraft {
	var out []*store.ApprovalDraft
	for _, d := range p.Drafts {
		if d.State != StateSent {
			out = append(out, d)
		}
	}
	return out
}

// OfTicket returns a ticket's drafts and their history for a staff member.
func (s *Service) OfTicket(ctx context.Context, viewer *model.User, ticketID int64) (*Panel, error) {
	if !viewer.IsStaff() {
		return nil, errs.ErrNotFound
	}
	p := &Panel{}
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		tk, err := tx.Ticket(ticketID)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() || !tickets.CanView(viewer, tk) {
			return errs.ErrNotFound
		}
		if p.Drafts, err = tx.TicketApprovalDrafts(ticketID, false); err != nil {
			return err
		}
		if err := withFiles(tx, p.Drafts...); err != nil {
			return err
		}
		p.Events, err = tx.TicketApprovalEvents(ticketID)
		return err
	})
	return p, err
}

// Get returns one draft for a staff member.
func (s *Service) Get(ctx context.Context, viewer *model.User, id int64) (*store.ApprovalDraft, error) {
	if !viewer.IsStaff() {
		return nil, errs.ErrNotFound
	}
	var d *store.ApprovalDraft
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = tx.ApprovalDraft(id); err != nil {
			return err
		}
		// Only staff who may see the ticket see its drafts and their files.
		if tk, err := tx.Ticket(d.TicketID); err != nil || !tickets.CanView(viewer, tk) {
			return errs.ErrNotFound
		}
		return withFiles(tx, d)
	})
	return d, err
}

// Pending lists drafts waiting for a decision, oldest first, for staff.
func (s *Service) Pending(ctx context.Context, viewer *model.User, limit int) ([]*store.ApprovalDraft, error) {
	if !viewer.IsStaff() {
		return nil, errs.ErrNotFound
	}
	var list []*store.ApprovalDraft
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		all, err := tx.ApprovalDraftsByState(StatePending, limit)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, d := range all {
			ok, known := seen[d.TicketID]
			if !known {
				tk, err := tx.Ticket(d.TicketID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				ok = err == nil && tickets.CanView(viewer, tk)
				seen[d.TicketID] = ok
			}
			if ok {
				list = append(list, d)
			}
		}
		return withFiles(tx, list...)
	})
	return list, err
}

// CountPending counts drafts waiting for a decision.
func (s *Service) CountPending(ctx context.Context) (int64, error) {
	var n int64
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountApprovalDrafts(StatePending)
		return err
	})
	return n, err
}
