package assign

import (
	"context"
	"fmt"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// ClaimConflict is a claim on a ticket someone already has.
type ClaimConflict struct {
	AssigneeID int64
	Name       string
}

func (e *ClaimConflict) Error() string {
	return fmt.Sprintf("This ticket is already assigned to %s. / このチケットはすでに%sさんが担当しています。", e.Name, e.Name)
}

// Claim assigns an unassigned ticket to actor ("take it"). A ticket that
// already has an assignee gives *ClaimConflict naming them; one actor has
// already claimed comes back unchanged (res is nil). The ticket's row lock
// makes concurrent claims take turns, so exactly one wins.
func (s *Service) Claim(ctx context.Context, actor *model.User, id int64) (tk *model.Ticket, res *tickets.Result, err error) {
	if !actor.IsAgent() {
		return nil, nil, errs.Forbiddenf("only agents and admins can take tickets / チケットを引き受けられるのはエージェントと管理者のみです")
	}
	err = s.Store.Write(ctx, func(tx *store.Tx) error {
		cur, err := tx.TicketForUpdate(id)
		if err != nil {
			return err
		}
		if !cur.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		switch {
		case cur.AssigneeID == actor.ID:
			tk = cur
			return nil
		case cur.AssigneeID != 0:
			u, err := tx.User(cur.AssigneeID)
			if err != nil {
				return err
			}
			return &ClaimConflict{AssigneeID: u.ID, Name: u.Name}
		case cur.Status == model.StatusClosed:
			return errs.Invalidf("status", "InvalidValue", "Status: a closed ticket cannot be claimed / 終了したチケットは引き受けられません")
		}
		if cur.GroupID != 0 && actor.Role != model.RoleAdmin {
			ok, err := tx.IsGroupMember(actor.ID, cur.GroupID)
			if err != nil {
				return err
			}
			if !ok {
				return errs.Forbiddenf("you are not a member of this ticket's group / このチケットのグループのメンバーではありません")
			}
		}
		res, err = s.Tickets.UpdateTx(tx, actor, id, tickets.Change{AssigneeID: &actor.ID, Metadata: map[string]any{"assignment": map[string]any{"mode": ModeClaim}}})
		if err != nil {
			return err
		}
		if res.Audit != nil {
			res.Audit.Events = append(res.Audit.Events, model.AuditEvent{Type: "Assignment", FieldName: "assignee_id", Value: actor.ID,
				Reason: fmt.Sprintf("claimed by %s / %sさんが引き受けました", actor.Name, actor.Name)})
			if err := tx.SetAuditEvents(res.Audit); err != nil {
				return err
			}
		}
		tk = res.Ticket
		return nil
	})
	return tk, res, err
}

// Ownership is a ticket's own-to-the-end flag.
type Ownership struct {
	TicketID   int64
	AssigneeID int64
	OwnToEnd   bool
	UpdatedAt  time.Time
}

// Ownership returns a ticket's flag.
func (s *Service) Ownership(ctx context.Context, actor *model.User, id int64) (*Ownership, error) {
	if !actor.IsStaff() {
		return nil, errs.ErrNotFound
	}
	var out *Ownership
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		tk, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		own, at, err := tx.OwnToEnd(id)
		out = &Ownership{TicketID: id, AssigneeID: tk.AssigneeID, OwnToEnd: own, UpdatedAt: at}
		return err
	})
	return out, err
}

// SetOwnership sets or clears own-to-the-end. The assignee (or an admin)
// may; an agent on an unassigned ticket takes it at the same time.
func (s *Service) SetOwnership(ctx context.Context, actor *model.User, id int64, own bool) (*Ownership, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("only agents and admins can own tickets / エージェントと管理者のみ利用できます")
	}
	var out *Ownership
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		tk, err := tx.TicketForUpdate(id)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		if tk.Status == model.StatusClosed {
			return errs.Invalidf("status", "InvalidValue", "Status: closed tickets cannot change / 終了したチケットは変更できません")
		}
		if tk.AssigneeID == 0 && own {
			res, err := s.Tickets.UpdateTx(tx, actor, id, tickets.Change{AssigneeID: &actor.ID})
			if err != nil {
				return err
			}
			tk = res.Ticket
		}
		if tk.AssigneeID != actor.ID && actor.Role != model.RoleAdmin {
			return errs.Forbiddenf("only the assignee or an admin can change this / 担当者または管理者のみ変更できます")
		}
		prev, _, err := tx.OwnToEnd(id)
		if err != nil {
			return err
		}
		now := s.now()
		if prev != own {
			if err := tx.SetOwnToEnd(id, own, now); err != nil {
				return err
			}
			reason := "owned to the end by the assignee / 担当者が最後まで担当します"
			if !own {
				reason = "back to the team's pool on customer replies / お客様の返信でチームのプールに戻ります"
			}
			if err := tx.InsertAudit(&model.Audit{TicketID: id, AuthorID: actor.ID, Via: "api", CreatedAt: now, Events: []model.AuditEvent{
				{Type: "Change", FieldName: "own_to_end", Value: own, PreviousValue: prev, Reason: reason}}}); err != nil {
				return err
			}
		}
		_, at, err := tx.OwnToEnd(id)
		out = &Ownership{TicketID: id, AssigneeID: tk.AssigneeID, OwnToEnd: own, UpdatedAt: at}
		return err
	})
	return out, err
}
