package finder

import (
	"errors"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// userFields are the user keywords of Zendesk search.
var userFields = map[string]fieldFunc{
	"role": userRole,
	"organization": func(c *compiler, g []search.Filter) (bool, error) {
		if err := noNegation(g); err != nil {
			return false, err
		}
		return idField(g, c.ref(c.tx.OrganizationIDsByName), &c.u.OrganizationIDs, nil)
	},
	"group": func(c *compiler, g []search.Filter) (bool, error) {
		if err := noNegation(g); err != nil {
			return false, err
		}
		return idField(g, c.ref(c.tx.GroupIDsByName), &c.u.GroupIDs, nil)
	},
	"tags":        func(c *compiler, g []search.Filter) (bool, error) { return peopleTags(g, &c.u.Tags) },
	"email":       func(c *compiler, g []search.Filter) (bool, error) { return strField(g, &c.u.Emails) },
	"external_id": func(c *compiler, g []search.Filter) (bool, error) { return strField(g, &c.u.ExternalIDs) },
	"created":     func(c *compiler, g []search.Filter) (bool, error) { return c.timeField(g, &c.u.Created) },
	"updated":     func(c *compiler, g []search.Filter) (bool, error) { return c.timeField(g, &c.u.Updated) },
	"name":        userText,
	"phone":       userText,
	"details":     userText,
	"notes":       userText,
}

// orgFields are the organization keywords of Zendesk search.
var orgFields = map[string]fieldFunc{
	"tags":        func(c *compiler, g []search.Filter) (bool, error) { return peopleTags(g, &c.o.Tags) },
	"external_id": func(c *compiler, g []search.Filter) (bool, error) { return strField(g, &c.o.ExternalIDs) },
	"name":        orgText,
	"details":     orgText,
	"notes":       orgText,
}

var roleAliases = map[string]string{
	"admin": model.RoleAdmin, "agent": model.RoleAgent, "light-agent": model.RoleLightAgent,
	"light_agent": model.RoleLightAgent, "end-user": model.RoleEndUser, "end_user": model.RoleEndUser,
	"enduser": model.RoleEndUser,
}

// userRole: role:agent role:admin is either; -role:end-user is every other role.
func userRole(c *compiler, g []search.Filter) (bool, error) {
	all := []string{model.RoleAdmin, model.RoleAgent, model.RoleLightAgent, model.RoleEndUser}
	var pos, neg []string
	for _, f := range g {
		if err := colonOnly(f); err != nil {
			return false, err
		}
		r, ok := roleAliases[strings.ToLower(strings.TrimSpace(f.Value))]
		if !ok {
			return false, invalidf("role: %q is not one of admin, agent, light-agent, end-user. / role の値が正しくありません。", f.Value)
		}
		if f.Negate {
			neg = append(neg, r)
		} else {
			pos = append(pos, r)
		}
	}
	if len(pos) == 0 {
		pos = all
	}
	var roles []string
	for _, r := range pos {
		if !contains(neg, r) && !contains(roles, r) {
			roles = append(roles, r)
		}
	}
	c.u.Roles = roles
	return len(roles) > 0, nil
}

func peopleTags(g []search.Filter, dst *[]string) (bool, error) {
	for _, f := range g {
		if err := colonOnly(f); err != nil {
			return false, err
		}
		if err := notNegated(f); err != nil {
			return false, err
		}
		*dst = append(*dst, users.NormalizeTags([]string{f.Value})...)
	}
	return true, nil
}

// userText and orgText search the record's whole text index.
func userText(c *compiler, g []search.Filter) (bool, error) { return fieldText(g, &c.uTerms) }
func orgText(c *compiler, g []search.Filter) (bool, error)  { return fieldText(g, &c.oTerms) }

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// errNotHere marks a filter one record type cannot express (negated user
// filters, -external_id:); a mixed search then leaves that type out.
var errNotHere = errors.New("filter not expressible for this record type")

type notHereError struct{ QueryError }

func (e *notHereError) Is(target error) bool { return target == errNotHere }

func notNegated(f search.Filter) error {
	if !f.Negate {
		return nil
	}
	return &notHereError{QueryError{Msg: "-" + f.Field + ": cannot be negated here. / この検索項目は除外（-）指定に対応していません: " + f.Field}}
}

func noNegation(g []search.Filter) error {
	for _, f := range g {
		if err := notNegated(f); err != nil {
			return err
		}
	}
	return nil
}
