package directory

import (
	"regexp"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// BrandInput is a requested create or update of a brand.
type BrandInput struct {
	Name, Subdomain, HostMapping *string
	Active, Default              *bool
}

var (
	subdomainRE = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)
	hostRE      = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
)

// CreateBrand stores a new brand; the first brand, or one created with
// default true, becomes the default.
func CreateBrand(tx *store.Tx, actor *model.User, in BrandInput, now time.Time) (*model.Brand, error) {
	if err := mayAdminister(actor, "brands"); err != nil {
		return nil, err
	}
	b := &model.Brand{Active: true, CreatedAt: now, UpdatedAt: now}
	if err := applyBrand(tx, nil, b, in); err != nil {
		return nil, err
	}
	if err := tx.InsertBrand(b); err != nil {
		return nil, err
	}
	return b, settleDefaultBrand(tx, b)
}

// UpdateBrand changes a brand. The default brand stays active and default
// until another brand is made the default.
func UpdateBrand(tx *store.Tx, actor *model.User, id int64, in BrandInput, now time.Time) (*model.Brand, error) {
	if err := mayAdminister(actor, "brands"); err != nil {
		return nil, err
	}
	old, err := tx.Brand(id)
	if err != nil {
		return nil, err
	}
	b := *old
	if err := applyBrand(tx, old, &b, in); err != nil {
		return nil, err
	}
	b.UpdatedAt = now
	if err := tx.UpdateBrand(&b); err != nil {
		return nil, err
	}
	return &b, settleDefaultBrand(tx, &b)
}

func settleDefaultBrand(tx *store.Tx, b *model.Brand) error {
	if !b.Default {
		return nil
	}
	return tx.ClearOtherDefaultBrands(b.ID)
}

func applyBrand(tx *store.Tx, old, b *model.Brand, in BrandInput) error {
	if in.Name != nil {
		b.Name = strings.TrimSpace(*in.Name)
	}
	if in.Subdomain != nil {
		b.Subdomain = strings.ToLower(strings.TrimSpace(*in.Subdomain))
	}
	if in.HostMapping != nil {
		b.HostMapping = strings.ToLower(strings.TrimSpace(*in.HostMapping))
	}
	if in.Active != nil {
		b.Active = *in.Active
	}
	if in.Default != nil {
		b.Default = *in.Default
	}
	v := &errs.Invalid{}
	switch {
	case b.Name == "":
		v.Add("name", "BlankValue", "Name: cannot be blank / 名前を入力してください")
	case utf8.RuneCountInString(b.Name) > 255:
		v.Add("name", "TooLong", "Name: is too long (maximum is 255 characters) / 名前が長すぎます")
	}
	if b.Subdomain == "" {
		v.Add("subdomain", "BlankValue", "Subdomain: cannot be blank / サブドメインを入力してください")
	} else if !subdomainRE.MatchString(b.Subdomain) {
		v.Addf("subdomain", "InvalidValue", "Subdomain: %q may contain only a-z, 0-9 and - / サブドメインは英小文字・数字・ハイフンのみです", b.Subdomain)
	}
	if b.HostMapping != "" && (len(b.HostMapping) > 253 || !hostRE.MatchString(b.HostMapping)) {
		v.Addf("host_mapping", "InvalidValue", "Host mapping: %q is not a host name such as support.example.co.jp / ホスト名が正しくありません", b.HostMapping)
	}
	brands, err := tx.Brands()
	if err != nil {
		return err
	}
	for _, other := range brands {
		if old != nil && other.ID == old.ID {
			continue
		}
		if other.Subdomain == b.Subdomain {
			v.Addf("subdomain", "DuplicateValue", "Subdomain: %s has already been taken / このサブドメインは使用中です", b.Subdomain)
		}
		if b.HostMapping != "" && other.HostMapping == b.HostMapping {
			v.Addf("host_mapping", "DuplicateValue", "Host mapping: %s has already been taken / このホスト名は使用中です", b.HostMapping)
		}
	}
	if old != nil && old.Default && (!b.Default || !b.Active) {
		v.Add("default", "InvalidValue", "The default brand stays active and default; make another brand the default first / 先に別のブランドを既定にしてください")
	}
	if b.Default && !b.Active {
		v.Add("active", "InvalidValue", "Active: the default brand must be active / 既定のブランドは有効である必要があります")
	}
	return v.OrNil()
}
