// Package customerlinks keeps the one-click links from a ticket's customer
// panel into the company's own systems: URL templates such as
// https://crm.example.co.jp/customers/{{external_id}} that admins configure
// and that are filled in, URL-escaped, for the customer at hand.
package customerlinks

import (
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Placeholders a template may use.
var Placeholders = []string{"id", "external_id", "email", "phone", "name", "organization", "organization_external_id"}

var placeholderRE = regexp.MustCompile(`\{\{\s*([a-z_]+)\s*\}\}`)

// Max bounds how many links a desk keeps.
const Max = 50

// Link is a link filled in for one customer.
type Link struct {
	Name string
	URL  string
}

// Values are what the placeholders stand for, for user u of org (nil).
func Values(u *model.User, org *model.Organization) map[string]string {
	v := map[string]string{}
	if u != nil {
		v["id"] = strconv.FormatInt(u.ID, 10)
		v["external_id"], v["email"], v["phone"], v["name"] = u.ExternalID, u.Email, u.Phone, u.Name
	}
	if org != nil {
		v["organization"], v["organization_external_id"] = org.Name, org.ExternalID
	}
	return v
}

// Expand fills tpl with values, each escaped so that it stays one path
// segment or one query value ("+" and "@" included, spaces as %20).
func Expand(tpl string, values map[string]string) string {
	return placeholderRE.ReplaceAllStringFunc(tpl, func(m string) string {
		name := placeholderRE.FindStringSubmatch(m)[1]
		return strings.ReplaceAll(url.QueryEscape(values[name]), "+", "%20")
	})
}

// ForCustomer fills every configured link for u; a link whose template
// uses only values the customer lacks is left out.
func ForCustomer(links []*store.CustomerLink, u *model.User, org *model.Organization) []Link {
	vals := Values(u, org)
	var out []Link
	for _, l := range links {
		used, have := 0, 0
		for _, m := range placeholderRE.FindAllStringSubmatch(l.URLTemplate, -1) {
			used++
			if vals[m[1]] != "" {
				have++
			}
		}
		if used > 0 && have == 0 {
			continue
		}
		out = append(out, Link{Name: l.Name, URL: Expand(l.URLTemplate, vals)})
	}
	return out
}

// Validate checks a link's name and template; the messages are bilingual.
func Validate(name, tpl string) error {
	v := &errs.Invalid{}
	if strings.TrimSpace(name) == "" || utf8.RuneCountInString(name) > 60 {
		v.Addf("name", "InvalidValue", "Name: 1 to 60 characters / 名前は1〜60文字で入力してください")
	}
	u, err := url.Parse(placeholderRE.ReplaceAllString(tpl, "x"))
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(tpl) > 2000 {
		v.Addf("url_template", "InvalidValue", "URL: an http:// or https:// address / URLは http:// または https:// で始まるアドレスを入力してください")
	}
	for _, m := range placeholderRE.FindAllStringSubmatch(tpl, -1) {
		known := false
		for _, p := range Placeholders {
			known = known || p == m[1]
		}
		if !known {
			v.Addf("url_template", "InvalidValue", "URL: unknown placeholder {{%s}} / 不明な差し込み項目 {{%s}} です", m[1], m[1])
		}
	}
	if len(v.Details) > 0 {
		return v
	}
	return nil
}

// Add stores a new link at the end; admins only.
func Add(tx *store.Tx, actor *model.User, name, tpl string, now time.Time) (*store.CustomerLink, error) {
	if actor.Role != model.RoleAdmin {
		return nil, errs.Forbiddenf("admins only / 管理者のみ利用できます")
	}
	name, tpl = strings.TrimSpace(name), strings.TrimSpace(tpl)
	if err := Validate(name, tpl); err != nil {
		return nil, err
	}
	list, err := tx.CustomerLinks()
	if err != nil {
		return nil, err
	}
	if len(list) >= Max {
		return nil, errs.Invalidf("name", "TooMany", "At most %d links / リンクは%d件までです", Max, Max)
	}
	l := &store.CustomerLink{Name: name, URLTemplate: tpl, Position: len(list), CreatedAt: now, UpdatedAt: now}
	return l, tx.InsertCustomerLink(l)
}

// Remove deletes a link; admins only.
func Remove(tx *store.Tx, actor *model.User, id int64) error {
	if actor.Role != model.RoleAdmin {
		return errs.Forbiddenf("admins only / 管理者のみ利用できます")
	}
	return tx.DeleteCustomerLink(id)
}
