package directory

import (
	"errors"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// GroupInput is a requested create or update of a group.
type GroupInput struct {
	Name, Description *string
	Default           *bool
}

func mayAdminister(actor *model.User, what string) error {
	if actor.Role != model.RoleAdmin {
		return errs.Forbiddenf("only admins can change %s / 管理者のみ変更できます", what)
	}
	return nil
}

// CreateGroup stores a new group; a default group replaces the old default.
func CreateGroup(tx *store.Tx, actor *model.User, in GroupInput, now time.Time) (*model.Group, error) {
	if err := mayAdminister(actor, "groups"); err != nil {
		return nil, err
	}
	g := &model.Group{CreatedAt: now, UpdatedAt: now}
	if err := applyGroup(tx, nil, g, in); err != nil {
		return nil, err
	}
	if err := tx.InsertGroup(g); err != nil {
		return nil, err
	}
	return g, settleDefaultGroup(tx, g)
}

// UpdateGroup changes a live group.
func UpdateGroup(tx *store.Tx, actor *model.User, id int64, in GroupInput, now time.Time) (*model.Group, error) {
	if err := mayAdminister(actor, "groups"); err != nil {
		return nil, err
	}
	old, err := liveGroup(tx, id)
	if err != nil {
		return nil, err
	}
	g := *old
	if err := applyGroup(tx, old, &g, in); err != nil {
		return nil, err
	}
	if old.Default && !g.Default {
		return nil, errs.Invalidf("default", "InvalidValue", "Default: make another group the default instead / 別のグループを既定にしてください")
	}
	g.UpdatedAt = now
	if err := tx.UpdateGroup(&g); err != nil {
		return nil, err
	}
	return &g, settleDefaultGroup(tx, &g)
}

// DeleteGroup marks a group deleted, as Zendesk does, and empties it. The
// default group cannot be deleted: new tickets may need it.
func DeleteGroup(tx *store.Tx, actor *model.User, id int64, now time.Time) error {
	if err := mayAdminister(actor, "groups"); err != nil {
		return err
	}
	g, err := liveGroup(tx, id)
	if err != nil {
		return err
	}
	if g.Default {
		return errs.Invalidf("default", "InvalidValue", "The default group cannot be deleted / 既定のグループは削除できません")
	}
	g.Deleted, g.UpdatedAt = true, now
	if err := tx.UpdateGroup(g); err != nil {
		return err
	}
	return tx.DeleteGroupMemberships(id)
}

func liveGroup(tx *store.Tx, id int64) (*model.Group, error) {
	g, err := tx.Group(id)
	if err == nil && g.Deleted {
		err = store.ErrNotFound
	}
	return g, err
}

func applyGroup(tx *store.Tx, old, g *model.Group, in GroupInput) error {
	if in.Name != nil {
		g.Name = strings.TrimSpace(*in.Name)
	}
	if in.Description != nil {
		g.Description = *in.Description
	}
	if in.Default != nil {
		g.Default = *in.Default
	}
	v := &errs.Invalid{}
	switch {
	case g.Name == "":
		v.Add("name", "BlankValue", "Name: cannot be blank / 名前を入力してください")
	case utf8.RuneCountInString(g.Name) > 255:
		v.Add("name", "TooLong", "Name: is too long (maximum is 255 characters) / 名前が長すぎます")
	case old == nil || old.Name != g.Name:
		if other, err := tx.GroupByName(g.Name); err == nil && (old == nil || other.ID != old.ID) {
			v.Addf("name", "DuplicateValue", "Name: %s has already been taken / この名前のグループはすでにあります", g.Name)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	return v.OrNil()
}

func settleDefaultGroup(tx *store.Tx, g *model.Group) error {
	if !g.Default {
		return nil
	}
	return tx.ClearOtherDefaultGroups(g.ID)
}

// AddMember puts a staff member in a live group. The user's first group
// becomes their default, as in Zendesk.
func AddMember(tx *store.Tx, actor *model.User, userID, groupID int64, makeDefault bool, now time.Time) (*model.GroupMembership, error) {
	if err := mayAdminister(actor, "group memberships"); err != nil {
		return nil, err
	}
	v := &errs.Invalid{}
	u, err := tx.User(userID)
	switch {
	case errors.Is(err, store.ErrNotFound):
		v.Addf("user_id", "InvalidValue", "User: %d does not exist / ユーザーが見つかりません", userID)
	case err != nil:
		return nil, err
	case !u.IsStaff() || !u.Active:
		v.Addf("user_id", "InvalidValue", "User: %s is not an agent; only agents and admins can be group members / グループに所属できるのはエージェントと管理者のみです", u.Name)
	}
	if _, err := liveGroup(tx, groupID); errors.Is(err, store.ErrNotFound) {
		v.Addf("group_id", "InvalidValue", "Group: %d does not exist / グループが見つかりません", groupID)
	} else if err != nil {
		return nil, err
	}
	if err := v.OrNil(); err != nil {
		return nil, err
	}
	if member, err := tx.IsGroupMember(userID, groupID); err != nil {
		return nil, err
	} else if member {
		return nil, errs.Invalidf("user_id", "DuplicateValue", "User: %s is already a member of this group / すでにこのグループのメンバーです", u.Name)
	}
	existing, err := tx.Memberships(userID, 0)
	if err != nil {
		return nil, err
	}
	m := &model.GroupMembership{UserID: userID, GroupID: groupID, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertMembership(m); err != nil {
		return nil, err
	}
	if makeDefault || len(existing) == 0 {
		m.Default = true
		if err := tx.SetDefaultMembership(userID, m.ID); err != nil {
			return nil, err
		}
	}
	return m, nil
}

// RemoveMember takes a user out of a group; if it was their default group,
// their oldest other membership becomes the default.
func RemoveMember(tx *store.Tx, actor *model.User, id int64) error {
	if err := mayAdminister(actor, "group memberships"); err != nil {
		return err
	}
	m, err := tx.Membership(id)
	if err != nil {
		return err
	}
	if err := tx.DeleteMembership(id); err != nil {
		return err
	}
	if !m.Default {
		return nil
	}
	rest, err := tx.Memberships(m.UserID, 0)
	if err != nil {
		return err
	}
	if len(rest) == 0 {
		return tx.ClearDefaultGroup(m.UserID)
	}
	return tx.SetDefaultMembership(m.UserID, rest[0].ID)
}

// MakeDefaultMember makes one of a user's memberships their default and
// returns all of them.
func MakeDefaultMember(tx *store.Tx, actor *model.User, userID, id int64) ([]*model.GroupMembership, error) {
	if err := mayAdminister(actor, "group memberships"); err != nil {
		return nil, err
	}
	m, err := tx.Membership(id)
	if err != nil {
		return nil, err
	}
	if m.UserID != userID {
		return nil, store.ErrNotFound
	}
	if err := tx.SetDefaultMembership(userID, id); err != nil {
		return nil, err
	}
	return tx.Memberships(userID, 0)
}
