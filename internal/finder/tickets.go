package finder

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// ticketFields are the ticket keywords of Zendesk search (canonical names;
// see fieldAliases).
var ticketFields = map[string]fieldFunc{
	"status": func(c *compiler, g []search.Filter) (bool, error) {
		return enumField("status", g, model.Statuses, search.StatusRank, &c.t.Statuses, &c.t.NotStatuses)
	},
	"priority": func(c *compiler, g []search.Filter) (bool, error) {
		return enumField("priority", g, model.Priorities, search.PriorityRank, &c.t.Priorities, &c.t.NotPriorities)
	},
	"type": func(c *compiler, g []search.Filter) (bool, error) {
		return enumField("ticket_type", g, model.TicketTypes, nil, &c.t.Types, &c.t.NotTypes)
	},
	"via": func(c *compiler, g []search.Filter) (bool, error) {
		for i := range g {
			if v, ok := viaAliases[strings.ToLower(g[i].Value)]; ok {
				g[i].Value = v
			}
		}
		return enumField("via", g, model.Channels, nil, &c.t.Vias, &c.t.NotVias)
	},
	"tags": func(c *compiler, g []search.Filter) (bool, error) {
		for _, f := range g {
			if err := colonOnly(f); err != nil {
				return false, err
			}
			tags := users.NormalizeTags([]string{f.Value})
			if f.Negate {
				c.t.NotTags = append(c.t.NotTags, tags...)
			} else {
				c.t.Tags = append(c.t.Tags, tags...)
			}
		}
		return true, nil
	},
	"assignee": func(c *compiler, g []search.Filter) (bool, error) {
		return idField(g, c.userRef(true), &c.t.AssigneeIDs, &c.t.NotAssigneeIDs)
	},
	"requester": func(c *compiler, g []search.Filter) (bool, error) {
		return idField(g, c.userRef(false), &c.t.RequesterIDs, &c.t.NotRequesterIDs)
	},
	"submitter": func(c *compiler, g []search.Filter) (bool, error) {
		return idField(g, c.userRef(false), &c.t.SubmitterIDs, &c.t.NotSubmitterIDs)
	},
	"group": func(c *compiler, g []search.Filter) (bool, error) {
		return idField(g, c.ref(c.tx.GroupIDsByName), &c.t.GroupIDs, &c.t.NotGroupIDs)
	},
	"organization": func(c *compiler, g []search.Filter) (bool, error) {
		return idField(g, c.ref(c.tx.OrganizationIDsByName), &c.t.OrganizationIDs, &c.t.NotOrganizationIDs)
	},
	"brand": func(c *compiler, g []search.Filter) (bool, error) {
		return idField(g, c.ref(c.tx.BrandIDsByName), &c.t.BrandIDs, &c.t.NotBrandIDs)
	},
	"created":     func(c *compiler, g []search.Filter) (bool, error) { return c.timeField(g, &c.t.Created) },
	"updated":     func(c *compiler, g []search.Filter) (bool, error) { return c.timeField(g, &c.t.Updated) },
	"solved":      func(c *compiler, g []search.Filter) (bool, error) { return c.timeField(g, &c.t.Solved) },
	"due_date":    func(c *compiler, g []search.Filter) (bool, error) { return c.timeField(g, &c.t.Due) },
	"subject":     ticketText,
	"description": ticketText,
	"comment":     ticketText,
	"external_id": func(c *compiler, g []search.Filter) (bool, error) {
		return strField(g, &c.t.ExternalIDs)
	},
}

// viaAliases accept the names people use for channels.
var viaAliases = map[string]string{
	"mail": "email", "phone": "voice", "call": "voice", "web_form": "web", "webform": "web",
	"messaging": "chat", "text": "sms",
}

// ticketText searches the ticket's text index (subject and all comments):
// Kizuna has one index per ticket, so subject:返金 also finds 返金 in a reply.
func ticketText(c *compiler, g []search.Filter) (bool, error) { return fieldText(g, &c.tTerms) }

// fieldText turns field:value into a phrase of the type's text search.
func fieldText(g []search.Filter, dst *[]search.Term) (bool, error) {
	for _, f := range g {
		if err := colonOnly(f); err != nil {
			return false, err
		}
		*dst = append(*dst, search.Term{Text: f.Value, Phrase: true, Negate: f.Negate})
	}
	return true, nil
}

// enumField compiles status, priority and the like. ':' values are
// alternatives; comparisons (rank != nil) narrow each other and add to the
// alternatives; negated values are all excluded.
func enumField(field string, g []search.Filter, values []string, rank func(string) (int, bool), pos, neg *[]string) (bool, error) {
	var eq, ranged []string
	haveEq, haveRange := false, false
	for _, f := range g {
		set, err := enumSet(field, f, values, rank)
		if err != nil {
			return false, err
		}
		switch {
		case f.Negate:
			*neg = append(*neg, set...)
		case f.Op == ":":
			haveEq = true
			eq = append(eq, set...)
		case !haveRange:
			haveRange, ranged = true, set
		default:
			ranged = intersect(ranged, set)
		}
	}
	if !haveEq && !haveRange {
		return true, nil
	}
	all := append(eq, ranged...)
	if len(all) == 0 {
		return false, nil // e.g. status<new
	}
	*pos = append(*pos, all...)
	return true, nil
}

func enumSet(field string, f search.Filter, values []string, rank func(string) (int, bool)) ([]string, error) {
	v := strings.ToLower(strings.TrimSpace(f.Value))
	valid := rank != nil
	var r int
	if rank != nil {
		r, valid = rank(v)
	} else {
		for _, x := range values {
			valid = valid || x == v
		}
	}
	if !valid {
		return nil, invalidf("%s: %q is not one of %s. / %s の値が正しくありません。", field, f.Value, strings.Join(values, ", "), field)
	}
	if f.Op == ":" {
		return []string{v}, nil
	}
	if rank == nil {
		return nil, invalidf("%s: takes %s:value only, not %s. / %s には比較演算子を使えません。", field, field, f.Op, field)
	}
	var out []string
	for _, x := range values {
		xr, _ := rank(x)
		if (f.Op == "<" && xr < r) || (f.Op == "<=" && xr <= r) || (f.Op == ">" && xr > r) || (f.Op == ">=" && xr >= r) {
			out = append(out, x)
		}
	}
	return out, nil
}

func intersect(a, b []string) []string {
	var out []string
	for _, x := range a {
		for _, y := range b {
			if x == y {
				out = append(out, x)
				break
			}
		}
	}
	return out
}

func colonOnly(f search.Filter) error {
	if f.Op != ":" {
		return invalidf("%s: takes %s:value only, not %s. / %s には比較演算子を使えません。", f.Field, f.Field, f.Op, f.Field)
	}
	return nil
}

// idField resolves each value to ids. If ':' values were given and none of
// them names anything, nothing can match.
func idField(g []search.Filter, resolve func(string) ([]int64, error), pos, neg *[]int64) (bool, error) {
	wanted, found := false, false
	for _, f := range g {
		if err := colonOnly(f); err != nil {
			return false, err
		}
		ids, err := resolve(f.Value)
		if err != nil {
			return false, err
		}
		if f.Negate {
			*neg = append(*neg, ids...)
			continue
		}
		wanted = true
		found = found || len(ids) > 0
		*pos = append(*pos, ids...)
	}
	return !wanted || found, nil
}

func strField(g []search.Filter, pos *[]string) (bool, error) {
	for _, f := range g {
		if err := colonOnly(f); err != nil {
			return false, err
		}
		if err := notNegated(f); err != nil {
			return false, err
		}
		*pos = append(*pos, f.Value)
	}
	return true, nil
}

// userRef resolves me, none (when allowed), an id, an email or a name.
func (c *compiler) userRef(allowNone bool) func(string) ([]int64, error) {
	return func(v string) ([]int64, error) {
		v = strings.TrimSpace(v)
		switch strings.ToLower(v) {
		case "me":
			return []int64{c.actor.ID}, nil
		case "none":
			if allowNone {
				return []int64{0}, nil
			}
		}
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			return []int64{id}, nil
		}
		if strings.Contains(v, "@") {
			u, err := c.tx.UserByEmail(v)
			if errors.Is(err, store.ErrNotFound) {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			return []int64{u.ID}, nil
		}
		return c.tx.UserIDsByName(v, maxNameMatches)
	}
}

// ref resolves none, an id or a name through byName.
func (c *compiler) ref(byName func(string, int) ([]int64, error)) func(string) ([]int64, error) {
	return func(v string) ([]int64, error) {
		v = strings.TrimSpace(v)
		if strings.EqualFold(v, "none") {
			return []int64{0}, nil
		}
		if id, err := strconv.ParseInt(v, 10, 64); err == nil && id > 0 {
			return []int64{id}, nil
		}
		return byName(v, maxNameMatches)
	}
}
