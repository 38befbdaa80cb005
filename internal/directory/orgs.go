// Package directory owns the rules for the desk's reference data:
// organizations, agent groups and their memberships, ticket field
// definitions and brands. Like every domain package it never sees HTTP.
package directory

import (
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// OrgInput is a requested create or update of an organization; nil leaves
// a field as it is.
type OrgInput struct {
	Name, ExternalID, Details, Notes *string
	GroupID                          *int64 // 0 clears
	SharedTickets, SharedComments    *bool
	DomainNames                      *[]string
	Tags                             *[]string
	Fields                           map[string]any // merged into organization_fields
}

// CanViewOrg reports whether actor may see organization id: staff see all,
// customers their own.
func CanViewOrg(actor *model.User, id int64) bool {
	return actor.IsStaff() || (id != 0 && actor.OrganizationID == id)
}

func mayWriteOrgs(actor *model.User) error {
	if !actor.IsAgent() {
		return errs.Forbiddenf("only agents and admins can change organizations / 組織を変更できるのはエージェントと管理者のみです")
	}
	return nil
}

// CreateOrg validates and stores a new organization.
func CreateOrg(tx *store.Tx, actor *model.User, in OrgInput, now time.Time) (*model.Organization, error) {
	if err := mayWriteOrgs(actor); err != nil {
		return nil, err
	}
	o := &model.Organization{CreatedAt: now, UpdatedAt: now, DomainNames: []string{}, Tags: []string{}}
	if err := applyOrg(tx, nil, o, in); err != nil {
		return nil, err
	}
	if err := tx.InsertOrganization(o); err != nil {
		return nil, orgConflict(err)
	}
	return o, nil
}

// UpdateOrg changes organization id.
func UpdateOrg(tx *store.Tx, actor *model.User, id int64, in OrgInput, now time.Time) (*model.Organization, error) {
	if err := mayWriteOrgs(actor); err != nil {
		return nil, err
	}
	old, err := tx.Organization(id)
	if err != nil {
		return nil, err
	}
	o := *old
	o.DomainNames, o.Tags = slices.Clone(old.DomainNames), slices.Clone(old.Tags)
	o.Fields = map[string]any{}
	for k, v := range old.Fields {
		o.Fields[k] = v
	}
	if err := applyOrg(tx, old, &o, in); err != nil {
		return nil, err
	}
	o.UpdatedAt = now
	if err := tx.UpdateOrganization(&o); err != nil {
		return nil, orgConflict(err)
	}
	return &o, nil
}

// CreateOrUpdateOrg updates the organization with the same external id, or
// else the same name, or creates one.
func CreateOrUpdateOrg(tx *store.Tx, actor *model.User, in OrgInput, now time.Time) (o *model.Organization, created bool, err error) {
	if in.ExternalID != nil && strings.TrimSpace(*in.ExternalID) != "" {
		o, err = tx.OrganizationByExternalID(strings.TrimSpace(*in.ExternalID))
	}
	if o == nil && in.Name != nil && strings.TrimSpace(*in.Name) != "" {
		o, err = tx.OrganizationByName(*in.Name)
	}
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, false, err
	}
	if o != nil {
		o, err = UpdateOrg(tx, actor, o.ID, in, now)
		return o, false, err
	}
	o, err = CreateOrg(tx, actor, in, now)
	return o, true, err
}

// DeleteOrg removes an organization; its users and tickets stay, without it.
func DeleteOrg(tx *store.Tx, actor *model.User, id int64) error {
	if actor.Role != model.RoleAdmin {
		return errs.Forbiddenf("only admins can delete organizations / 組織を削除できるのは管理者のみです")
	}
	return tx.DeleteOrganization(id)
}

// EditOrgTags changes an organization's tags (Zendesk's tag endpoints).
func EditOrgTags(tx *store.Tx, actor *model.User, id int64, op users.TagOp, tags []string, now time.Time) (*model.Organization, error) {
	o, err := tx.Organization(id)
	if err != nil {
		return nil, err
	}
	next := users.EditTags(o.Tags, op, tags)
	return UpdateOrg(tx, actor, id, OrgInput{Tags: &next}, now)
}

// A domain is dot-separated labels of letters, digits and hyphens; letters
// may be Japanese (例え.jp).
var domainRE = regexp.MustCompile(`^([\p{L}\p{N}]([\p{L}\p{N}-]{0,62}[\p{L}\p{N}])?\.)+[\p{L}]{2,63}$`)

func applyOrg(tx *store.Tx, old, o *model.Organization, in OrgInput) error {
	v := &errs.Invalid{}
	if in.Name != nil {
		o.Name = strings.TrimSpace(*in.Name)
	}
	for dst, src := range map[*string]*string{&o.Details: in.Details, &o.Notes: in.Notes} {
		if src != nil {
			*dst = *src
		}
	}
	if in.ExternalID != nil {
		o.ExternalID = strings.TrimSpace(*in.ExternalID)
	}
	if in.GroupID != nil {
		o.GroupID = *in.GroupID
	}
	if in.SharedTickets != nil {
		o.SharedTickets = *in.SharedTickets
	}
	if in.SharedComments != nil {
		o.SharedComment = *in.SharedComments
	}
	if in.Tags != nil {
		o.Tags = users.NormalizeTags(*in.Tags)
	}
	for k, val := range in.Fields {
		if strings.TrimSpace(k) == "" || utf8.RuneCountInString(k) > 64 || !users.FieldValueOK(val) {
			v.Addf("organization_fields", "InvalidValue", "Organization fields: %q must have a short key and a string, number, true/false, null or list of strings / 値の形式が正しくありません", k)
			continue
		}
		if o.Fields == nil {
			o.Fields = map[string]any{}
		}
		o.Fields[k] = val
	}
	self := int64(0)
	if old != nil {
		self = old.ID
	}
	switch {
	case o.Name == "":
		v.Add("name", "BlankValue", "Name: cannot be blank / 名前を入力してください")
	case utf8.RuneCountInString(o.Name) > 255:
		v.Add("name", "TooLong", "Name: is too long (maximum is 255 characters) / 名前が長すぎます")
	case old == nil || !strings.EqualFold(old.Name, o.Name):
		if other, err := tx.OrganizationByName(o.Name); err == nil && other.ID != self {
			v.Addf("name", "DuplicateValue", "Name: %s has already been taken / この名前の組織はすでにあります", o.Name)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if utf8.RuneCountInString(o.ExternalID) > 255 {
		v.Add("external_id", "TooLong", "External ID: is too long (maximum is 255 characters) / 外部IDが長すぎます")
	} else if o.ExternalID != "" && (old == nil || old.ExternalID != o.ExternalID) {
		if other, err := tx.OrganizationByExternalID(o.ExternalID); err == nil && other.ID != self {
			v.Addf("external_id", "DuplicateValue", "External ID: %s has already been taken / この外部IDは使用中です", o.ExternalID)
		} else if err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	if o.GroupID != 0 && (old == nil || old.GroupID != o.GroupID) {
		if g, err := tx.Group(o.GroupID); errors.Is(err, store.ErrNotFound) || (err == nil && g.Deleted) {
			v.Addf("group_id", "InvalidValue", "Group: %d does not exist / グループが見つかりません", o.GroupID)
		} else if err != nil {
			return err
		}
	}
	if in.DomainNames != nil {
		o.DomainNames = []string{}
		for _, d := range *in.DomainNames {
			d = strings.ToLower(strings.TrimSpace(d))
			if d == "" || slices.Contains(o.DomainNames, d) {
				continue
			}
			if len(d) > 253 || !domainRE.MatchString(d) {
				v.Addf("domain_names", "InvalidValue", "Domain names: %q is not a domain such as example.co.jp / ドメインの形式が正しくありません", d)
				continue
			}
			if owner, err := tx.OrganizationIDByDomain(d); err == nil && owner != self {
				v.Addf("domain_names", "DuplicateValue", "Domain names: %s already belongs to another organization / 他の組織のドメインです", d)
			} else if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			o.DomainNames = append(o.DomainNames, d)
		}
	}
	return v.OrNil()
}

// orgConflict reports a uniqueness race lost after validation as a 422.
func orgConflict(err error) error {
	if errors.Is(err, store.ErrConflict) {
		return errs.Invalidf("name", "DuplicateValue", "Name, external ID or a domain is already taken / 名前・外部ID・ドメインのいずれかが使用中です")
	}
	return err
}
