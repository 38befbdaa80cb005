// Package tickets owns the life of a ticket: creating it, changing it under
// Zendesk's status rules, adding replies and notes, and writing the audit
// trail. It never sees HTTP; the API and the mail and chat channels call it.
package tickets

import (
	"context"
	"errors"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Service creates and changes tickets.
type Service struct {
	Store store.Store
	Now   func() time.Time
	// OnChange is called after every committed create or update, in commit
	// order on the writer; used for live updates, triggers and webhooks.
	OnChange []func(Result)
	// BeforeCommit is called at the end of every create or update that
	// wrote something, inside its transaction; an error rolls the write
	// back. The outbox uses it to queue a reply mail atomically with the
	// comment, so a reply is never lost and never queued twice.
	BeforeCommit []func(tx *store.Tx, r Result) error
	// HoldFirstComment takes the public first message of a ticket created
	// by a user whose public replies need approval (approval_required): the
	// ticket is created without it and HoldFirstComment, inside the same
	// transaction, makes it a draft waiting for an approver (internal/approvals
	// sets it), returning the draft's id. Unset, such a create is refused
	// with ErrApprovalRequired.
	HoldFirstComment func(tx *store.Tx, actor *model.User, tk *model.Ticket, c CommentInput) (draftID int64, err error)
}

// New returns a service over st.
func New(st store.Store) *Service {
	return &Service{Store: st, Now: func() time.Time { return time.Now().UTC() }}
}

func (s *Service) now() time.Time { return s.Now().Truncate(time.Millisecond) }

// Create makes a new ticket from ch on behalf of actor.
func (s *Service) Create(ctx context.Context, actor *model.User, ch Change) (*Result, error) {
	var res *Result
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		if res, err = s.CreateTx(tx, actor, ch); err != nil {
			return err
		}
		// From the configuration cache the write has already consulted.
		res.Fields, err = tx.TicketFields()
		return err
	})
	return res, err
}

// CreateTx is Create inside the caller's transaction (bulk creates, mail).
func (s *Service) CreateTx(tx *store.Tx, actor *model.User, ch Change) (*Result, error) {
	if actor.IsStaff() == false && actor.Role != model.RoleEndUser {
		return nil, errs.Forbiddenf("unknown role")
	}
	now := s.now()
	created := now
	if !ch.CreatedAt.IsZero() {
		created = ch.CreatedAt
	}
	tk := &model.Ticket{Status: model.StatusNew, Via: orDefault(ch.Via, "api"), ViaSource: ch.ViaSource,
		SubmitterID: actor.ID, RequesterID: actor.ID, IsPublic: true, CreatedAt: created, UpdatedAt: created}
	if ch.Comment == nil || (ch.Comment.Body == "" && ch.Comment.HTMLBody == "") {
		return nil, errs.Invalidf("description", "BlankValue", "Description: cannot be blank")
	}
	held, err := s.holdFirst(tx, actor, &ch)
	if err != nil {
		return nil, err
	}
	if actor.Role == model.RoleEndUser {
		// Customers open tickets for themselves only.
		ch.RequesterID, ch.Requester, ch.SubmitterID = nil, nil, nil
		check := ch
		if ch.FromChannel {
			check.InboxID, check.GroupID, check.BrandID = nil, nil, nil
		}
		if err := endUserMayChange(check, true); err != nil {
			return nil, err
		}
	}
	a := &applier{s: s, tx: tx, actor: actor, now: created}
	if err := a.apply(nil, tk, &ch); err != nil {
		return nil, err
	}
	if ch.FollowupOf != 0 {
		if err := a.linkFollowup(tk, ch.FollowupOf); err != nil {
			return nil, err
		}
	}
	// The audit's and the comment's ids travel with the ticket's insert
	// (PostgreSQL), so their inserts need no answer. Ticket ids are not
	// taken ahead: customers quote them, and a create refused later would
	// leave a gap.
	reserveIDs(tx, ch)
	if err := tx.InsertTicket(tk); err != nil {
		return nil, err
	}
	res, err := a.finish(nil, tk, &ch)
	if err != nil || held == nil {
		return res, err
	}
	if res.HeldDraftID, err = s.HoldFirstComment(tx, actor, tk, *held); err != nil {
		return nil, err
	}
	return res, nil
}

// holdFirst decides whether a new ticket's first message waits for an
// approver: it does when the actor's public replies need approval and the
// message is public and theirs (a staff colleague named as its author is
// still the actor's act: refused, as on a reply). A customer named as the
// author — an agent recording a phone call — is the customer's own words
// and is not held; neither is mail the actor already sent (a channel).
// When held, ch.Comment is taken out (returned) and the subject comes from
// it if none was given; without a HoldFirstComment the create is refused.
func (s *Service) holdFirst(tx *store.Tx, actor *model.User, ch *Change) (*CommentInput, error) {
	in := ch.Comment
	if !actor.ApprovalRequired || ch.FromChannel || in.Approved || actor.Role == model.RoleLightAgent || actor.Role == model.RoleEndUser {
		return nil, nil
	}
	if in.Public != nil && !*in.Public {
		return nil, nil // an internal note is fine
	}
	if in.AuthorID != 0 && in.AuthorID != actor.ID {
		author, err := tx.User(in.AuthorID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		if err == nil && author.Role == model.RoleEndUser {
			return nil, nil
		}
		return nil, ErrApprovalRequired
	}
	if s.HoldFirstComment == nil || len(in.Attachments) > 0 {
		return nil, ErrApprovalRequired
	}
	held := *in
	ch.Comment = nil
	if ch.Subject == nil || strings.TrimSpace(*ch.Subject) == "" {
		body := held.Body
		if strings.TrimSpace(held.HTMLBody) != "" {
			body = richtext.ToPlain(richtext.Sanitize(held.HTMLBody))
		}
		subject := firstLine(body, 80)
		ch.Subject = &subject
	}
	return &held, nil
}

// Update changes ticket id as ch asks, on behalf of actor.
func (s *Service) Update(ctx context.Context, actor *model.User, id int64, ch Change) (*Result, error) {
	var res *Result
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.UpdateTx(tx, actor, id, ch)
		return err
	})
	return res, err
}

// reserveIDs takes ahead the ids of the audit, and of the comment when
// there is one, that a write of ch will insert (store.Tx.ReserveIDs).
func reserveIDs(tx *store.Tx, ch Change) {
	if ch.Comment != nil {
		tx.ReserveIDs("audits", "comments")
	} else {
		tx.ReserveIDs("audits")
	}
}

// UpdateTx is Update inside the caller's transaction.
func (s *Service) UpdateTx(tx *store.Tx, actor *model.User, id int64, ch Change) (*Result, error) {
	reserveIDs(tx, ch) // their ids come with the ticket's read
	old, err := tx.TicketForUpdate(id)
	if err != nil {
		return nil, err
	}
	if !old.DeletedAt.IsZero() || (!CanView(actor, old) && !ch.FromChannel) {
		return nil, errs.ErrNotFound
	}
	if ch.SafeUpdate && !ch.UpdatedStamp.IsZero() && !ch.UpdatedStamp.Equal(old.UpdatedAt.Truncate(time.Second)) && !ch.UpdatedStamp.Equal(old.UpdatedAt) {
		return nil, errs.ErrConflict
	}
	switch actor.Role {
	case model.RoleEndUser:
		if err := endUserMayChange(ch, false); err != nil {
			return nil, err
		}
	case model.RoleLightAgent:
		if err := lightAgentMayChange(ch); err != nil {
			return nil, err
		}
	}
	if old.Status == model.StatusClosed && !onlyTags(ch) {
		return nil, errs.Invalidf("status", "InvalidValue", "Status: closed prevents ticket update")
	}
	tk := cloneTicket(old)
	a := &applier{s: s, tx: tx, actor: actor, now: s.now()}
	if err := a.apply(old, tk, &ch); err != nil {
		return nil, err
	}
	tk.UpdatedAt = a.now
	if err := tx.UpdateTicket(tk, !slices.Equal(old.Tags, tk.Tags)); err != nil {
		return nil, err
	}
	return a.finish(old, tk, &ch)
}

// Delete soft-deletes a ticket (Zendesk keeps deleted tickets recoverable).
func (s *Service) Delete(ctx context.Context, actor *model.User, id int64) error {
	if !actor.IsAgent() {
		return errs.Forbiddenf("only agents and admins can delete tickets")
	}
	return s.Store.Write(ctx, func(tx *store.Tx) error {
		tk, err := tx.TicketForUpdate(id)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		now := s.now()
		old := cloneTicket(tk)
		tk.DeletedAt, tk.UpdatedAt = now, now
		if err := tx.UpdateTicket(tk, false); err != nil {
			return err
		}
		audit := &model.Audit{TicketID: id, AuthorID: actor.ID, Via: "api", CreatedAt: now,
			Events: []model.AuditEvent{{Type: "Change", FieldName: "deleted", Value: true, PreviousValue: false}}}
		if err := tx.InsertAudit(audit); err != nil {
			return err
		}
		s.notify(tx, Result{Ticket: tk, Audit: audit}, old)
		return nil
	})
}

// Get returns a ticket the actor may see.
func (s *Service) Get(ctx context.Context, actor *model.User, id int64) (*model.Ticket, error) {
	var tk *model.Ticket
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		tk, err = tx.Ticket(id)
		return err
	})
	if err != nil {
		return nil, err
	}
	if !tk.DeletedAt.IsZero() || !CanView(actor, tk) {
		return nil, errs.ErrNotFound
	}
	return tk, nil
}

// CanView reports whether actor may see tk: staff see every ticket,
// customers their own and those they are copied on.
func CanView(actor *model.User, tk *model.Ticket) bool {
	if actor.IsStaff() {
		return true
	}
	return tk.RequesterID == actor.ID || slices.Contains(tk.CollaboratorIDs, actor.ID)
}

func (s *Service) notify(tx *store.Tx, r Result, _ *model.Ticket) {
	if len(s.OnChange) == 0 {
		return
	}
	tx.AfterCommit(func() {
		for _, f := range s.OnChange {
			f(r)
		}
	})
}

// linkFollowup records that tk follows up the closed ticket srcID.
func (a *applier) linkFollowup(tk *model.Ticket, srcID int64) error {
	src, err := a.tx.TicketForUpdate(srcID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && !src.DeletedAt.IsZero()) {
		return errs.Invalidf("via_followup_source_id", "InvalidValue", "Follow-up source: ticket %d does not exist", srcID)
	}
	if err != nil {
		return err
	}
	if src.Status != model.StatusClosed {
		return errs.Invalidf("via_followup_source_id", "InvalidValue", "Follow-up source: ticket %d is not closed", srcID)
	}
	tk.ViaFollowupSourceID = srcID
	a.followupSource = src
	return nil
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

func cloneTicket(t *model.Ticket) *model.Ticket {
	c := *t
	c.Tags = slices.Clone(t.Tags)
	c.CustomFields = slices.Clone(t.CustomFields)
	c.CollaboratorIDs = slices.Clone(t.CollaboratorIDs)
	c.FollowupIDs = slices.Clone(t.FollowupIDs)
	return &c
}

// MakePrivate turns a public reply into an internal note, recording it in
// the audit trail.
func (s *Service) MakePrivate(ctx context.Context, actor *model.User, ticketID, commentID int64) error {
	if !actor.IsAgent() {
		return errs.Forbiddenf("only agents can make comments private")
	}
	return s.Store.Write(ctx, func(tx *store.Tx) error {
		tk, err := tx.TicketForUpdate(ticketID)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		if err := tx.MakeCommentPrivate(ticketID, commentID); err != nil {
			return err
		}
		now := s.now()
		audit := &model.Audit{TicketID: ticketID, AuthorID: actor.ID, Via: "api", CreatedAt: now,
			Events: []model.AuditEvent{{Type: "CommentPrivacyChange", CommentID: commentID, Value: false, PreviousValue: true}}}
		if err := tx.InsertAudit(audit); err != nil {
			return err
		}
		old := cloneTicket(tk)
		tk.UpdatedAt = now
		if err := tx.UpdateTicket(tk, false); err != nil {
			return err
		}
		s.notify(tx, Result{Ticket: tk, Audit: audit}, old)
		return nil
	})
}
