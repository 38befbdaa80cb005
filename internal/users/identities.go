package users

import (
	"errors"
	"net/mail"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// IdentityTypes are the identity kinds a user can be given by API.
var IdentityTypes = []string{"email", "phone_number", "twitter", "facebook", "google"}

var phoneRE = regexp.MustCompile(`^\+?[0-9][0-9 ()\-]{2,29}$`)

// canManage reports whether actor may change target's identities: agents
// for customers and themselves, admins for everyone. Customers may not, as
// an unverified address they added would capture that address's mail.
func canManage(actor, target *model.User) error {
	switch {
	case actor.Role == model.RoleAdmin:
		return nil
	case actor.IsAgent() && (target.Role == model.RoleEndUser || target.ID == actor.ID):
		return nil
	case actor.IsAgent():
		return errs.Forbiddenf("only admins can change agents and admins / スタッフを変更できるのは管理者のみです")
	}
	return errs.Forbiddenf("only agents and admins can change identities / ID を変更できるのはエージェントと管理者のみです")
}

// Identities lists a user's identities for actor.
func Identities(tx *store.Tx, actor *model.User, userID int64) ([]*model.Identity, error) {
	u, err := tx.User(userID)
	if err != nil {
		return nil, err
	}
	if !CanView(actor, u) {
		return nil, errs.Forbiddenf("you can see only your own identities / 自分の ID のみ閲覧できます")
	}
	return tx.Identities(userID)
}

// AddIdentity gives a user another email, phone number or social account.
// The first identity of a type becomes its primary; the first email also
// becomes the user's email.
func AddIdentity(tx *store.Tx, actor *model.User, userID int64, typ, value string, verified bool, now time.Time) (*model.Identity, error) {
	u, err := tx.User(userID)
	if err != nil {
		return nil, err
	}
	if err := canManage(actor, u); err != nil {
		return nil, err
	}
	return addIdentity(tx, u, typ, value, verified, now)
}

func addIdentity(tx *store.Tx, u *model.User, typ, value string, verified bool, now time.Time) (*model.Identity, error) {
	typ, value = strings.TrimSpace(typ), strings.TrimSpace(value)
	switch {
	case !slices.Contains(IdentityTypes, typ):
		return nil, errs.Invalidf("type", "InvalidValue", "Type: %q is not one of %s / 種類が正しくありません", typ, strings.Join(IdentityTypes, ", "))
	case value == "":
		return nil, errs.Invalidf("value", "BlankValue", "Value: cannot be blank / 値を入力してください")
	case len(value) > 255:
		return nil, errs.Invalidf("value", "TooLong", "Value: is too long (maximum is 255 characters) / 値が長すぎます")
	case typ == "email":
		value = strings.ToLower(value)
		if a, err := mail.ParseAddress(value); err != nil || a.Address != value {
			return nil, errs.Invalidf("value", "InvalidFormat", "Email: %s is not properly formatted / メールアドレスの形式が正しくありません", value)
		}
	case typ == "phone_number" && !phoneRE.MatchString(value):
		return nil, errs.Invalidf("value", "InvalidFormat", "Phone number: %s is not properly formatted / 電話番号の形式が正しくありません", value)
	}
	if _, err := tx.UserIDByIdentity(typ, value); err == nil {
		return nil, errs.Invalidf("value", "DuplicateValue", "Value: %s is already being used by another user / すでに使用されています", value)
	} else if !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	existing, err := tx.Identities(u.ID)
	if err != nil {
		return nil, err
	}
	primary := !slices.ContainsFunc(existing, func(i *model.Identity) bool { return i.Type == typ })
	id := &model.Identity{UserID: u.ID, Type: typ, Value: value, Primary: primary, Verified: verified, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertIdentity(id); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, errs.Invalidf("value", "DuplicateValue", "Value: %s is already being used by another user / すでに使用されています", value)
		}
		return nil, err
	}
	if primary && (typ == "email" || typ == "phone_number") {
		if err := syncPrimary(tx, u, id, now); err != nil {
			return nil, err
		}
	}
	return id, nil
}

// syncPrimary copies a primary email or phone identity onto the user row.
func syncPrimary(tx *store.Tx, u *model.User, id *model.Identity, now time.Time) error {
	switch id.Type {
	case "email":
		u.Email = id.Value
	case "phone_number":
		u.Phone = id.Value
	default:
		return nil
	}
	u.UpdatedAt = now
	return tx.UpdateUser(u)
}

// MakePrimary makes an identity the primary of its type and returns the
// user's identities.
func MakePrimary(tx *store.Tx, actor *model.User, userID, id int64, now time.Time) ([]*model.Identity, error) {
	u, err := tx.User(userID)
	if err != nil {
		return nil, err
	}
	if err := canManage(actor, u); err != nil {
		return nil, err
	}
	ident, err := tx.Identity(userID, id)
	if err != nil {
		return nil, err
	}
	if err := tx.SetPrimaryIdentity(userID, id); err != nil {
		return nil, err
	}
	if err := syncPrimary(tx, u, ident, now); err != nil {
		return nil, err
	}
	return tx.Identities(userID)
}

// RemoveIdentity deletes an identity other than the primary email, which
// identifies the user and must be replaced first.
func RemoveIdentity(tx *store.Tx, actor *model.User, userID, id int64, now time.Time) error {
	u, err := tx.User(userID)
	if err != nil {
		return err
	}
	if err := canManage(actor, u); err != nil {
		return err
	}
	ident, err := tx.Identity(userID, id)
	if err != nil {
		return err
	}
	if ident.Primary && ident.Type == "email" {
		return errs.Invalidf("identity", "InvalidValue", "The primary email cannot be deleted; make another email primary first / プライマリのメールアドレスは削除できません")
	}
	if err := tx.DeleteIdentity(userID, id); err != nil {
		return err
	}
	if ident.Primary && ident.Type == "phone_number" && u.Phone == ident.Value {
		u.Phone, u.UpdatedAt = "", now
		return tx.UpdateUser(u)
	}
	return nil
}
