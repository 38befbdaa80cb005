package approvals

import (
	"context"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

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
	comment, err := approverComment(comment)
	if err != nil {
		return nil, err
	}
	if comment == "" {
		return nil, errs.Invalidf("comment", "BlankValue", "Comment: say what to change / 差し戻しの理由を入力してください")
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
	comment, err := approverComment(comment)
	if err != nil {
		return nil, err
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

// approverComment normalises an approver's comment and checks its length.
func approverComment(comment string) (string, error) {
	comment = strings.TrimSpace(strings.ReplaceAll(comment, "\r\n", "\n"))
	if utf8.RuneCountInString(comment) > MaxComment {
		return "", errs.Invalidf("comment", "TooLong", "Comment: at most 2000 characters / コメントは2000文字までです")
	}
	return comment, nil
}
