// Package finder turns a parsed Zendesk search query (package search) into
// store filters: a store.TicketFilter for tickets, a store.UserFilter for
// users and a store.OrgFilter for organizations.
//
// Semantics follow Zendesk: values given for one field are alternatives
// (status:open status:pending), negated values all apply (-tags:a -tags:b),
// different fields must all hold. Comparisons narrow each other
// (status>new status<solved is open, pending or hold). A name that matches
// nobody (assignee:"no such person") makes the query match nothing rather
// than being ignored.
//
// Approximations, since Kizuna keeps one text index per record:
//   - subject:, description: and comment: search the ticket's whole text
//     (subject and every comment), like a quoted phrase;
//   - name:, phone:, details: and notes: search the user's or
//     organization's whole text;
//   - several tags: on users or organizations must all be present (the
//     store's UserFilter/OrgFilter AND them), unlike tickets where any does.
//
// Not supported, rejected with a message rather than silently ignored:
// has_attachment:, custom_field_<id>:, and negating user and organization
// filters other than role:.
package finder

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// ErrInvalid is wrapped by every error about the query itself (as opposed
// to a database failure); the API answers it with a 4xx.
var ErrInvalid = errors.New("invalid search query")

// QueryError explains what is wrong with a query, in English and Japanese.
type QueryError struct{ Msg string }

func (e *QueryError) Error() string { return e.Msg }
func (e *QueryError) Unwrap() error { return ErrInvalid }

func invalidf(format string, args ...any) error {
	return &QueryError{Msg: fmt.Sprintf(format, args...)}
}

// Plan is a compiled query. A nil part means that record type cannot match
// (another type was asked for, a filter does not apply to it, or a name
// matched nothing); the caller then returns no records of that type.
type Plan struct {
	Tickets *store.TicketFilter
	Users   *store.UserFilter
	Orgs    *store.OrgFilter
	// Order is the requested order (relevance unless order_by: says
	// otherwise); OrderGiven tells whether the query chose it.
	Order      store.TicketOrder
	OrderGiven bool
}

// Result types, in the order mixed results are listed.
const (
	TypeTicket       = "ticket"
	TypeUser         = "user"
	TypeOrganization = "organization"
)

// maxNameMatches bounds how many records a name such as assignee:佐藤 may
// stand for; the ids go into an IN list.
const maxNameMatches = 500

// maxConditions bounds the words and filters of one query, which with
// maxNameMatches keeps the SQL under the databases' parameter limits.
const maxConditions = 40

// Compile builds the store filters for q as seen by actor. now anchors
// relative dates (created>4hours); day-only dates are days in the actor's
// time zone. End users only ever find their own tickets and never users or
// organizations.
func Compile(tx *store.Tx, actor *model.User, q search.Query, now time.Time) (*Plan, error) {
	if n := len(q.Filters) + len(q.Terms); n > maxConditions {
		return nil, invalidf("The query has %d conditions; at most %d are allowed. / 検索条件が多すぎます（最大 %d 個）。", n, maxConditions, maxConditions)
	}
	c := &compiler{tx: tx, actor: actor, now: now, loc: actorLocation(actor),
		t: &store.TicketFilter{}, u: &store.UserFilter{}, o: &store.OrgFilter{}}
	switch q.Type {
	case "":
		c.tOK, c.uOK, c.oOK = true, true, true
	case TypeTicket:
		c.tOK = true
	case TypeUser:
		c.uOK = true
	case TypeOrganization:
		c.oOK = true
	}
	c.only = q.Type
	order, given, err := ParseOrder(q.OrderBy, q.Sort)
	if err != nil {
		return nil, err
	}
	if err := c.filters(q.Filters); err != nil {
		return nil, err
	}
	c.text(q.Terms)
	if !actor.IsStaff() {
		c.t.VisibleToRequester = actor.ID
		c.uOK, c.oOK = false, false
	}
	p := &Plan{Order: order, OrderGiven: given}
	if c.tOK {
		p.Tickets = c.t
	}
	if c.uOK {
		p.Users = c.u
	}
	if c.oOK {
		p.Orgs = c.o
	}
	return p, nil
}

// orderFields maps Zendesk's order_by / sort_by values to store order fields.
var orderFields = map[string]string{
	"relevance": "relevance", "created_at": "created_at", "created": "created_at",
	"updated_at": "updated_at", "updated": "updated_at", "priority": "priority",
	"status": "status", "ticket_type": "type", "type": "type", "id": "id",
}

// ParseOrder reads order_by:/sort_by and sort:/sort_order. A chosen field
// defaults to descending, as in Zendesk; relevance is always best first.
func ParseOrder(field, dir string) (order store.TicketOrder, given bool, err error) {
	order = store.TicketOrder{Field: "relevance", Desc: true}
	if field != "" {
		f, ok := orderFields[strings.ToLower(field)]
		if !ok {
			return order, false, invalidf("Cannot sort by %q; use created_at, updated_at, priority, status or ticket_type. / 並べ替えに使えない項目です。", field)
		}
		order.Field, given = f, true
	}
	switch strings.ToLower(dir) {
	case "":
	case "asc":
		order.Desc = order.Field == "relevance"
	case "desc":
		order.Desc = true
	default:
		return order, false, invalidf("Sort order must be asc or desc, not %q. / 並び順は asc か desc で指定してください。", dir)
	}
	return order, given, nil
}

// UserOrder is the order to use for users and organizations when results
// are asked in order: ticket-only fields fall back to relevance.
func UserOrder(o store.TicketOrder) store.TicketOrder {
	switch o.Field {
	case "id", "created_at", "updated_at", "relevance":
		return o
	}
	return store.TicketOrder{Field: "relevance", Desc: true}
}

type compiler struct {
	tx    *store.Tx
	actor *model.User
	now   time.Time
	loc   *time.Location
	t     *store.TicketFilter
	u     *store.UserFilter
	o     *store.OrgFilter
	only  string // the type: asked for, if any
	// which record types can still match
	tOK, uOK, oOK bool
	// text terms that apply to one type only (subject:, name:)
	tTerms, uTerms, oTerms []search.Term
}

func actorLocation(u *model.User) *time.Location {
	for _, name := range []string{u.TimeZone, users.DefaultTimeZone} {
		if name == "" {
			continue
		}
		if loc, err := time.LoadLocation(name); err == nil {
			return loc
		}
	}
	return time.UTC
}

// filters applies each field's filters to every record type still in play.
func (c *compiler) filters(fs []search.Filter) error {
	var order []string
	byField := map[string][]search.Filter{}
	for _, f := range fs {
		name := canonicalField(f.Field)
		if _, seen := byField[name]; !seen {
			order = append(order, name)
		}
		byField[name] = append(byField[name], f)
	}
	for _, name := range order {
		group := byField[name]
		if name == "type" && isObjectTypeGroup(group) {
			c.excludeTypes(group)
			continue
		}
		if msg, ok := unsupported(name); ok {
			return invalidf("%s / この検索条件にはまだ対応していません: %s", msg, group[0].Field)
		}
		_, forT := ticketFields[name]
		_, forU := userFields[name]
		_, forO := orgFields[name]
		if !forT && !forU && !forO {
			return invalidf("Unknown search field %q. Supported fields — tickets: %s; users: %s; organizations: %s. / 検索項目 %q は使用できません。",
				group[0].Field, fieldList(ticketFields), fieldList(userFields), fieldList(orgFields), group[0].Field)
		}
		if c.only != "" {
			typ, ok := "tickets", forT
			switch c.only {
			case TypeUser:
				typ, ok = "users", forU
			case TypeOrganization:
				typ, ok = "organizations", forO
			}
			if !ok {
				return invalidf("Field %q cannot be used when searching %s. / この検索項目は %s の検索には使えません。", group[0].Field, typ, typ)
			}
		}
		if err := c.apply(name, group, forT, forU, forO); err != nil {
			return err
		}
	}
	return nil
}

func (c *compiler) apply(name string, group []search.Filter, forT, forU, forO bool) error {
	var notHere error
	step := func(ok *bool, supported bool, fields map[string]fieldFunc) error {
		if !*ok {
			return nil
		}
		if !supported {
			*ok = false
			return nil
		}
		var err error
		*ok, err = fields[name](c, group)
		if errors.Is(err, errNotHere) && c.only == "" {
			notHere = err
			return nil // leave this type out of a mixed search
		}
		return err
	}
	for _, s := range []struct {
		ok        *bool
		supported bool
		fields    map[string]fieldFunc
	}{{&c.tOK, forT, ticketFields}, {&c.uOK, forU, userFields}, {&c.oOK, forO, orgFields}} {
		if err := step(s.ok, s.supported, s.fields); err != nil {
			return err
		}
	}
	if notHere != nil && !c.tOK && !c.uOK && !c.oOK {
		return notHere // no type could take the filter: say so rather than find nothing
	}
	return nil
}

// text gives plain words and phrases to every type and field-scoped text
// (subject:, name:) to its own types. Words with nothing searchable in them
// ("!!!") are dropped; if every word asked for was, the type matches
// nothing rather than everything.
func (c *compiler) text(terms []search.Term) {
	with := func(extra []search.Term, ok *bool) search.TextQuery {
		all := append(append([]search.Term{}, terms...), extra...)
		q := search.ParseText(all)
		if hasPositive(all) && !positiveClause(q) {
			*ok = false
		}
		return q
	}
	c.t.Text, c.u.Text, c.o.Text = with(c.tTerms, &c.tOK), with(c.uTerms, &c.uOK), with(c.oTerms, &c.oOK)
}

func hasPositive(terms []search.Term) bool {
	for _, t := range terms {
		if !t.Negate {
			return true
		}
	}
	return false
}

func positiveClause(q search.TextQuery) bool {
	for _, c := range q.Clauses {
		if !c.Negate {
			return true
		}
	}
	return false
}

var fieldAliases = map[string]string{
	"tag": "tags", "ticket_type": "type", "org": "organization", "due": "due_date",
	"created_at": "created", "updated_at": "updated", "solved_at": "solved", "due_at": "due_date",
}

func canonicalField(f string) string {
	if a, ok := fieldAliases[f]; ok {
		return a
	}
	return f
}

func unsupported(field string) (string, bool) {
	switch {
	case field == "has_attachment":
		return "has_attachment: is not supported yet.", true
	case strings.HasPrefix(field, "custom_field_"):
		return "custom_field_<id>: is not supported yet; search the value as text instead.", true
	}
	return "", false
}

// objectTypes are the type: values naming record types; -type:user drops
// users from a mixed search.
var objectTypes = map[string]string{
	"ticket": TypeTicket, "tickets": TypeTicket, "user": TypeUser, "users": TypeUser,
	"organization": TypeOrganization, "organizations": TypeOrganization, "org": TypeOrganization,
}

func isObjectTypeGroup(group []search.Filter) bool {
	for _, f := range group {
		if _, ok := objectTypes[strings.ToLower(f.Value)]; !ok {
			return false
		}
	}
	return true
}

func (c *compiler) excludeTypes(group []search.Filter) {
	for _, f := range group {
		if !f.Negate || f.Op != ":" {
			continue // type:user is taken by the parser; comparisons mean nothing
		}
		switch objectTypes[strings.ToLower(f.Value)] {
		case TypeTicket:
			c.tOK = false
		case TypeUser:
			c.uOK = false
		case TypeOrganization:
			c.oOK = false
		}
	}
}

type fieldFunc func(c *compiler, group []search.Filter) (stillPossible bool, err error)

func fieldList(m map[string]fieldFunc) string {
	names := make([]string, 0, len(m))
	for n := range m {
		names = append(names, n)
	}
	sort.Strings(names)
	return strings.Join(names, ", ")
}
