package users

import (
	"encoding/json"
	"errors"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Input is a requested create or update of a user in Zendesk's terms; a nil
// pointer leaves the field as it is.
type Input struct {
	Name, Email, Role, Locale, TimeZone, Phone, ExternalID *string
	Alias, Signature, Details, Notes                       *string
	RoleType, LocaleID                                     *int64
	OrganizationID, DefaultGroupID                         *int64 // 0 clears
	Tags                                                   *[]string
	Fields                                                 map[string]any // merged into user_fields
	Verified, Suspended                                    *bool
	Identities                                             []model.Identity // more identities, on create
	// ApprovalRequired (our extension): the agent's public replies need an
	// approver (internal/approvals). Only admins set it.
	ApprovalRequired *bool
}

// CanView reports whether actor may see u: staff see everyone, customers
// only themselves.
func CanView(actor, u *model.User) bool { return actor.IsStaff() || actor.ID == u.ID }

// HideInternal reports whether viewer must not see what agents record about
// people and organizations (notes, details, tags, custom fields): customers
// must not read "要注意" about themselves.
func HideInternal(viewer *model.User) bool { return !viewer.IsStaff() }

// CreateBy validates and stores a new user on behalf of actor: agents create
// customers, only admins create staff.
func CreateBy(tx *store.Tx, actor *model.User, in Input, now time.Time) (*model.User, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("only agents and admins can create users / ユーザーを作成できるのはエージェントと管理者のみです")
	}
	u := &model.User{Role: resolveRole("", in.Role, in.RoleType), Active: true}
	if u.Role != model.RoleEndUser && model.ValidRole(u.Role) && actor.Role != model.RoleAdmin {
		return nil, errs.Forbiddenf("only admins can create agents and admins / スタッフを作成できるのは管理者のみです")
	}
	v := &errs.Invalid{}
	apply(u, in, v)
	if err := check(tx, nil, u, in, v, now); err != nil {
		return nil, err
	}
	if err := tx.InsertUser(u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, errs.Invalidf("email", "DuplicateValue", "Email: %s is already being used by another user / このメールアドレスは使用中です", u.Email)
		}
		return nil, err
	}
	for _, id := range in.Identities {
		if id.Type == "email" && strings.EqualFold(strings.TrimSpace(id.Value), u.Email) {
			continue
		}
		if _, err := addIdentity(tx, u, id.Type, id.Value, id.Verified, now); err != nil {
			return nil, err
		}
	}
	return u, nil
}

// UpdateBy changes user id as in asks, on behalf of actor.
func UpdateBy(tx *store.Tx, actor *model.User, id int64, in Input, now time.Time) (*model.User, error) {
	old, err := tx.User(id)
	if err != nil {
		return nil, err
	}
	if !CanView(actor, old) {
		return nil, errs.Forbiddenf("you can change only your own profile / 自分のプロフィールのみ変更できます")
	}
	if actor.Role == model.RoleEndUser {
		// Agents keep these about a customer; the customer never sees them
		// (see HideInternal), so sending back what they got must not fail.
		in.Notes, in.Details, in.Tags, in.Fields, in.Alias, in.Signature, in.DefaultGroupID = nil, nil, nil, nil, nil, nil, nil
	}
	u := *old
	u.Tags = slices.Clone(old.Tags)
	u.Fields = cloneFields(old.Fields)
	u.Role = resolveRole(old.Role, in.Role, in.RoleType)
	v := &errs.Invalid{}
	apply(&u, in, v)
	if err := mayUpdate(actor, old, &u); err != nil {
		return nil, err
	}
	if err := check(tx, old, &u, in, v, now); err != nil {
		return nil, err
	}
	if old.IsStaff() && u.Role == model.RoleEndUser {
		// Customers belong to no group (Zendesk drops an agent's memberships
		// when they are downgraded).
		if err := tx.DeleteUserMemberships(u.ID); err != nil {
			return nil, err
		}
		u.DefaultGroupID = 0
	}
	if err := tx.UpdateUser(&u); err != nil {
		if errors.Is(err, store.ErrConflict) {
			return nil, errs.Invalidf("email", "DuplicateValue", "Email: %s is already being used by another user / このメールアドレスは使用中です", u.Email)
		}
		return nil, err
	}
	if u.DefaultGroupID != 0 && u.DefaultGroupID != old.DefaultGroupID {
		ms, err := tx.Memberships(u.ID, u.DefaultGroupID)
		if err != nil {
			return nil, err
		}
		if err := tx.SetDefaultMembership(u.ID, ms[0].ID); err != nil {
			return nil, err
		}
	}
	return &u, nil
}

// CreateOrUpdate updates the user with the same external id or email, or
// creates one; created reports which happened.
func CreateOrUpdate(tx *store.Tx, actor *model.User, in Input, now time.Time) (u *model.User, created bool, err error) {
	var existing *model.User
	if in.ExternalID != nil && strings.TrimSpace(*in.ExternalID) != "" {
		if existing, err = tx.UserByExternalID(strings.TrimSpace(*in.ExternalID)); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
	}
	if existing == nil && in.Email != nil && strings.TrimSpace(*in.Email) != "" {
		if existing, err = tx.UserByEmail(*in.Email); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, false, err
		}
	}
	if existing != nil {
		u, err = UpdateBy(tx, actor, existing.ID, in, now)
		return u, false, err
	}
	u, err = CreateBy(tx, actor, in, now)
	return u, true, err
}

// Deactivate is Zendesk's user delete: the user stays (their tickets keep
// pointing at them) but is inactive, cannot sign in and leaves every group.
func Deactivate(tx *store.Tx, actor *model.User, id int64, now time.Time) (*model.User, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("only agents and admins can delete users / ユーザーを削除できるのはエージェントと管理者のみです")
	}
	if actor.ID == id {
		return nil, errs.Forbiddenf("you cannot delete yourself / 自分自身は削除できません")
	}
	u, err := tx.User(id)
	if err != nil {
		return nil, err
	}
	if u.IsStaff() && actor.Role != model.RoleAdmin {
		return nil, errs.Forbiddenf("only admins can delete agents and admins / スタッフを削除できるのは管理者のみです")
	}
	if !u.Active {
		return u, nil
	}
	if err := tx.DeleteUserMemberships(id); err != nil {
		return nil, err
	}
	if err := tx.DeleteUserSessions(id); err != nil {
		return nil, err
	}
	u.Active, u.DefaultGroupID, u.UpdatedAt = false, 0, now
	return u, tx.UpdateUser(u)
}

// apply copies in onto u; shape problems go to v.
func apply(u *model.User, in Input, v *errs.Invalid) {
	for dst, src := range map[*string]*string{&u.Name: in.Name, &u.Email: in.Email, &u.Phone: in.Phone,
		&u.Alias: in.Alias, &u.Signature: in.Signature, &u.Details: in.Details, &u.Notes: in.Notes} {
		if src != nil {
			*dst = *src
		}
	}
	if in.ExternalID != nil {
		u.ExternalID = strings.TrimSpace(*in.ExternalID)
	}
	if in.TimeZone != nil {
		u.TimeZone = IANAZone(*in.TimeZone)
	}
	if in.Locale != nil {
		u.Locale = strings.TrimSpace(*in.Locale)
		if u.Locale != "" && !ValidLocale(u.Locale) {
			v.Addf("locale", "InvalidValue", "Locale: %q is not a locale such as ja or en-US / ロケールが正しくありません", u.Locale)
		}
	}
	if in.LocaleID != nil {
		if l, ok := LocaleForID(*in.LocaleID); ok {
			u.Locale = l
		} else {
			v.Addf("locale_id", "InvalidValue", "Locale: %d is not a known locale id (1 English, 67 日本語)", *in.LocaleID)
		}
	}
	if in.OrganizationID != nil {
		u.OrganizationID = *in.OrganizationID
	}
	if in.DefaultGroupID != nil {
		u.DefaultGroupID = *in.DefaultGroupID
	}
	if in.Tags != nil {
		u.Tags = *in.Tags
	}
	if in.Verified != nil {
		u.Verified = *in.Verified
	}
	if in.Suspended != nil {
		u.Suspended = *in.Suspended
	}
	if in.ApprovalRequired != nil {
		u.ApprovalRequired = *in.ApprovalRequired
	}
	if len(in.Fields) > 0 && u.Fields == nil {
		u.Fields = map[string]any{}
	}
	for k, val := range in.Fields {
		if strings.TrimSpace(k) == "" || utf8.RuneCountInString(k) > 64 {
			v.Add("user_fields", "InvalidValue", "User fields: keys must be 1 to 64 characters / キーは1〜64文字です")
			continue
		}
		if !FieldValueOK(val) {
			v.Addf("user_fields", "InvalidValue", "User fields: %s must be a string, number, true/false, null or a list of strings / 値の形式が正しくありません", k)
			continue
		}
		u.Fields[k] = val
	}
	if len(u.Fields) > 200 {
		v.Add("user_fields", "TooLong", "User fields: at most 200 keys / 最大200項目です")
	}
}

// FieldValueOK reports whether v may be stored in user_fields or
// organization_fields: a scalar, null or a list of strings.
func FieldValueOK(v any) bool {
	switch x := v.(type) {
	case nil, string, bool, float64, json.Number:
		return true
	case []any:
		for _, e := range x {
			if _, ok := e.(string); !ok {
				return false
			}
		}
		return true
	}
	return false
}

// mayUpdate enforces who may change whom: admins anyone (but not their own
// role), agents customers and their own profile, everyone else their own
// profile only.
func mayUpdate(actor, old, u *model.User) error {
	if u.ApprovalRequired != old.ApprovalRequired && actor.Role != model.RoleAdmin {
		return errs.Forbiddenf("only admins can change approval_required / 承認必須の設定を変更できるのは管理者のみです")
	}
	if actor.Role == model.RoleAdmin {
		if actor.ID == old.ID && (u.Role != old.Role || u.Suspended || !u.Active) {
			return errs.Forbiddenf("admins cannot change their own role or suspend themselves / 自分のロールは変更できません")
		}
		return nil
	}
	if u.Role != old.Role {
		return errs.Forbiddenf("only admins can change roles / ロールを変更できるのは管理者のみです")
	}
	if actor.ID == old.ID {
		if !sameAccount(old, u) {
			return errs.Forbiddenf("you cannot change your own email, external id, organization, verification or suspension / メールアドレス・外部ID・組織などは自分では変更できません")
		}
		return nil
	}
	if actor.IsAgent() && old.Role == model.RoleEndUser {
		return nil
	}
	if actor.IsAgent() {
		return errs.Forbiddenf("only admins can change agents and admins / スタッフを変更できるのは管理者のみです")
	}
	return errs.Forbiddenf("you can change only your own profile / 自分のプロフィールのみ変更できます")
}

// sameAccount reports whether what identifies a user and governs their
// access is unchanged: email, external id, organization, verification and
// suspension. Customers' agent-managed fields never get here (UpdateBy
// drops them), so staff may edit the rest of their own profile.
func sameAccount(old, u *model.User) bool {
	norm := func(s string) string { return strings.ToLower(strings.TrimSpace(s)) }
	return norm(old.Email) == norm(u.Email) && old.ExternalID == u.ExternalID && old.OrganizationID == u.OrganizationID &&
		old.Verified == u.Verified && old.Suspended == u.Suspended
}

func cloneFields(m map[string]any) map[string]any {
	if m == nil {
		return nil
	}
	out := make(map[string]any, len(m))
	for k, v := range m {
		out[k] = v
	}
	return out
}

// check runs Prepare and the checks that need the database, reporting all
// problems together. old is nil on create.
func check(tx *store.Tx, old, u *model.User, in Input, v *errs.Invalid, now time.Time) error {
	org := u.OrganizationID
	if u.ApprovalRequired && u.Role != model.RoleAgent {
		v.Add("approval_required", "InvalidValue", "Approval required: only agents can be held for approval / 承認必須にできるのはエージェントのみです")
	}
	if err := Prepare(tx, u, now); err != nil {
		var inv *errs.Invalid
		if !errors.As(err, &inv) {
			return err
		}
		for f, ds := range inv.Details {
			for _, d := range ds {
				v.Add(f, d.Error, d.Description)
			}
		}
	}
	// Prepare joins a user to the organization owning their email domain;
	// on update only a new email may do that, never an explicit choice.
	if old != nil && (in.OrganizationID != nil || old.Email == u.Email) {
		u.OrganizationID = org
	}
	if u.OrganizationID != 0 && (old == nil || old.OrganizationID != u.OrganizationID) {
		if _, err := tx.Organization(u.OrganizationID); errors.Is(err, store.ErrNotFound) {
			v.Addf("organization_id", "InvalidValue", "Organization: %d does not exist / 組織が見つかりません", u.OrganizationID)
		} else if err != nil {
			return err
		}
	}
	self := int64(0)
	if old != nil {
		self = old.ID
	}
	if u.Email != "" && len(u.Email) <= 254 && (old == nil || old.Email != u.Email) {
		if owner, err := tx.UserIDByIdentity("email", u.Email); err == nil && owner != self {
			v.Addf("email", "DuplicateValue", "Email: %s is already being used by another user / このメールアドレスは使用中です", u.Email)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if u.ExternalID != "" && len(u.ExternalID) <= 1000 && (old == nil || old.ExternalID != u.ExternalID) {
		if other, err := tx.UserByExternalID(u.ExternalID); err == nil && other.ID != self {
			v.Addf("external_id", "DuplicateValue", "External ID: %s is already being used by another user / この外部IDは使用中です", u.ExternalID)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	// Emails and external ids are indexed; keep them to sizes indexes take.
	if len(u.Email) > 254 {
		v.Add("email", "TooLong", "Email: is too long (maximum is 254 characters) / メールアドレスが長すぎます")
	}
	if utf8.RuneCountInString(u.ExternalID) > 255 {
		v.Add("external_id", "TooLong", "External ID: is too long (maximum is 255 characters) / 外部IDが長すぎます")
	}
	if utf8.RuneCountInString(u.Signature) > 10000 {
		v.Add("signature", "TooLong", "Signature: is too long (maximum is 10000 characters) / 署名が長すぎます（10000文字まで）")
	}
	if utf8.RuneCountInString(u.Phone) > 50 {
		v.Add("phone", "TooLong", "Phone: is too long (maximum is 50 characters) / 電話番号が長すぎます")
	}
	if u.DefaultGroupID != 0 && (old == nil || old.DefaultGroupID != u.DefaultGroupID) {
		member := false
		if old != nil {
			var err error
			if member, err = tx.IsGroupMember(old.ID, u.DefaultGroupID); err != nil {
				return err
			}
		}
		if !member {
			v.Addf("default_group_id", "InvalidValue", "Default group: the user is not a member of group %d / このグループのメンバーではありません", u.DefaultGroupID)
		}
	}
	return v.OrNil()
}
