package approvals

import (
	"context"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

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
