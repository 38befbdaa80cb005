package assign

import (
	"context"
	"errors"
	"slices"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// RuleInput creates or changes a rule; nil fields stay as they are
// (GroupID/InboxID pointing at 0 clear that side).
type RuleInput struct {
	GroupID       *int64
	InboxID       *int64
	Mode          *string
	ReturnOnReply *string
}

// Rules lists every rule.
func (s *Service) Rules(ctx context.Context, actor *model.User) ([]*store.AssignmentRule, error) {
	if !actor.IsStaff() {
		return nil, errs.Forbiddenf("agents only / エージェントのみ利用できます")
	}
	var out []*store.AssignmentRule
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.AssignmentRules()
		return err
	})
	return out, err
}

// Rule returns one rule.
func (s *Service) Rule(ctx context.Context, actor *model.User, id int64) (*store.AssignmentRule, error) {
	if !actor.IsStaff() {
		return nil, errs.Forbiddenf("agents only / エージェントのみ利用できます")
	}
	var out *store.AssignmentRule
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = tx.AssignmentRule(id)
		return err
	})
	return out, err
}

// SaveRule creates (id 0) or updates a rule; admins only.
func (s *Service) SaveRule(ctx context.Context, actor *model.User, id int64, in RuleInput) (*store.AssignmentRule, error) {
	if actor.Role != model.RoleAdmin {
		return nil, errs.Forbiddenf("admins only / 管理者のみ利用できます")
	}
	var out *store.AssignmentRule
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		r := &store.AssignmentRule{Mode: ModeManual, ReturnOnReply: ReturnUnavailable, CreatedAt: s.now()}
		if id != 0 {
			var err error
			if r, err = tx.AssignmentRule(id); err != nil {
				return err
			}
		}
		if err := applyRule(tx, r, in); err != nil {
			return err
		}
		r.UpdatedAt = s.now()
		var err error
		if id == 0 {
			err = tx.InsertAssignmentRule(r)
		} else {
			err = tx.UpdateAssignmentRule(r)
		}
		if errors.Is(err, store.ErrConflict) {
			return errs.Invalidf("base", "DuplicateValue", "This group or inbox already has an assignment rule; change that one / このグループまたは受信箱には割り当てルールがすでにあります")
		}
		out = r
		return err
	})
	return out, err
}

func applyRule(tx *store.Tx, r *store.AssignmentRule, in RuleInput) error {
	var v errs.Invalid
	if in.GroupID != nil {
		r.GroupID = *in.GroupID
		if r.GroupID != 0 {
			g, err := tx.Group(r.GroupID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && g.Deleted) {
				v.Addf("group_id", "InvalidValue", "Group: %d does not exist / グループ %d は存在しません", r.GroupID, r.GroupID)
			} else if err != nil {
				return err
			}
		}
	}
	if in.InboxID != nil {
		r.InboxID = *in.InboxID
		if r.InboxID != 0 {
			if _, err := tx.Inbox(r.InboxID); errors.Is(err, store.ErrNotFound) {
				v.Addf("inbox_id", "InvalidValue", "Inbox: %d does not exist / 受信箱 %d は存在しません", r.InboxID, r.InboxID)
			} else if err != nil {
				return err
			}
		}
	}
	if (r.GroupID == 0) == (r.InboxID == 0) {
		v.Add("group_id", "InvalidValue", "Give exactly one of group_id and inbox_id / group_id と inbox_id のどちらか一方を指定してください")
	}
	if in.Mode != nil {
		r.Mode = *in.Mode
		if !slices.Contains(Modes, r.Mode) {
			v.Addf("mode", "InvalidValue", "Mode: %q is not one of manual, claim, random, round_robin, least_loaded, skill_based / 割り当て方式が正しくありません", r.Mode)
		}
	}
	if in.ReturnOnReply != nil {
		r.ReturnOnReply = *in.ReturnOnReply
		switch r.ReturnOnReply {
		case ReturnUnavailable, ReturnAlways, ReturnNever:
		default:
			v.Addf("return_on_reply", "InvalidValue", "Return on reply: %q is not one of unavailable, always, never / return_on_reply が正しくありません", r.ReturnOnReply)
		}
	}
	return v.OrNil()
}

// DeleteRule removes a rule; admins only.
func (s *Service) DeleteRule(ctx context.Context, actor *model.User, id int64) error {
	if actor.Role != model.RoleAdmin {
		return errs.Forbiddenf("admins only / 管理者のみ利用できます")
	}
	return s.Store.Write(ctx, func(tx *store.Tx) error { return tx.DeleteAssignmentRule(id) })
}
