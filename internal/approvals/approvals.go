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
	"fmt"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
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
