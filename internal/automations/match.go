package automations

import (
	"encoding/json"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// openStatuses are the statuses automations act on (closed never).
var openStatuses = []string{model.StatusNew, model.StatusOpen, model.StatusPending, model.StatusHold, model.StatusSolved}

// query turns the conditions every match must meet (status, time, tags of
// conditions.all) into an indexed candidate query. It selects a superset of
// the matches: business hours never exceed calendar hours, so a calendar
// bound is safe for both.
func query(a *Automation, now time.Time) store.ClockQuery {
	q := store.ClockQuery{Statuses: slices.Clone(openStatuses)}
	for _, cd := range a.Conds.All {
		// Status, priority and type have few values: keep those the
		// condition allows.
		switch cd.Field {
		case "status":
			q.Statuses = allowed(cd, q.Statuses, func(v string) *model.Ticket { return &model.Ticket{Status: v} })
			continue
		case "priority":
			if q.Priorities == nil {
				q.Priorities = append([]string{""}, model.Priorities...)
			}
			q.Priorities = allowed(cd, q.Priorities, func(v string) *model.Ticket { return &model.Ticket{Priority: v} })
			continue
		case "type", "ticket_type_id":
			if q.Types == nil {
				q.Types = append([]string{""}, model.TicketTypes...)
			}
			q.Types = allowed(cd, q.Types, func(v string) *model.Ticket { return &model.Ticket{Type: v} })
			continue
		}
		if cd.Field == "current_tags" {
			tags := strings.Fields(strings.ToLower(valueText(cd.Value)))
			switch {
			case cd.Operator == "not_includes":
				q.TagsNone = append(q.TagsNone, tags...)
			case cd.Operator == "includes" && len(tags) == 1:
				q.TagsAll = append(q.TagsAll, tags[0])
			}
			continue
		}
		f, ok := isTime(cd)
		if !ok {
			continue
		}
		n, ok := wholeHours(cd.Value)
		if !ok {
			if x, err := strconv.ParseFloat(strings.TrimSpace(valueText(cd.Value)), 64); err == nil && x >= 0 {
				n, ok = int64(x), true // a fact compared with a fraction: bound by its whole part
			}
		}
		if !ok {
			continue
		}
		op := strings.TrimSuffix(cd.Operator, "_business_hours")
		business := op != cd.Operator || strings.HasPrefix(cd.Field, "business_")
		lo := now.Add(-time.Duration(n) * time.Hour) // the clock is at or before this for "n hours or more"
		b := store.ClockBound{Field: f.clock}
		switch {
		case f.until: // hours until the due date
			switch op {
			case "greater_than", "greater_than_or_equal":
				b.After = now.Add(time.Duration(n)*time.Hour - time.Millisecond)
			case "less_than", "less_than_or_equal", "is":
				b.After = now.Add(-time.Millisecond)
				if !business {
					b.Before = now.Add(time.Duration(n+1) * time.Hour)
				}
			}
		case op == "greater_than" || op == "greater_than_or_equal":
			b.Before = lo
		case op == "is":
			b.Before = lo
			if !business {
				b.After = now.Add(-time.Duration(n+1) * time.Hour)
			}
		case (op == "less_than" || op == "less_than_or_equal") && !business:
			b.After = now.Add(-time.Duration(n+1) * time.Hour)
		}
		if !b.Before.IsZero() || !b.After.IsZero() {
			q.Bounds = append(q.Bounds, b)
		}
	}
	// While a ticket is pending, pending_at is when its status was set:
	// bounding status_at instead lets the query walk the (status,
	// status_at) index.
	if len(q.Statuses) == 1 {
		for i, b := range q.Bounds {
			if b.Field == statusClock[q.Statuses[0]] {
				q.Bounds[i].Field = "status_at"
			}
		}
	}
	return q
}

var statusClock = map[string]string{model.StatusOpen: "open_at", model.StatusPending: "pending_at", model.StatusHold: "hold_at", model.StatusSolved: "solved_at"}

// allowed keeps the values for which cd holds on a ticket having it.
func allowed(cd rules.Condition, vals []string, ticket func(string) *model.Ticket) []string {
	return slices.DeleteFunc(vals, func(v string) bool {
		ok, err := rules.Match(rules.Conditions{All: []rules.Condition{cd}}, &rules.Subject{Ticket: ticket(v)})
		return err != nil || !ok
	})
}

func valueText(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case nil:
		return ""
	}
	b, _ := json.Marshal(v)
	return strings.Trim(string(b), `"`)
}

// clockTime is the time a clock field holds for a candidate.
func clockTime(field string, tk *model.Ticket, c *store.TicketClock) time.Time {
	switch field {
	case "new_at":
		return c.NewAt
	case "open_at":
		return c.OpenAt
	case "pending_at":
		return c.PendingAt
	case "hold_at":
		return c.HoldAt
	case "solved_at":
		return c.SolvedAt
	case "assigned_at":
		return c.AssignedAt
	case "requester_updated_at":
		return c.RequesterUpdatedAt
	case "assignee_updated_at":
		return c.AssigneeUpdatedAt
	case "updated_at":
		return tk.UpdatedAt
	case "due_at":
		return tk.DueAt
	}
	return time.Time{}
}

// evaluation is what matching one candidate found.
type evaluation struct {
	ok    bool
	stamp string // the condition-match: the clocks the time conditions count from
	subj  *rules.Subject
}

// needsPeople reports whether the conditions look at the requester or
// the organization, which then must be loaded for each candidate.
func needsPeople(c rules.Conditions) bool {
	for _, cd := range append(slices.Clone(c.All), c.Any...) {
		if strings.HasPrefix(cd.Field, "requester") || strings.HasPrefix(cd.Field, "organization") ||
			cd.Field == "locale_id" || strings.HasPrefix(cd.Field, "user.") {
			return true
		}
	}
	return false
}

// evaluate checks a's full conditions on a candidate at now. Zendesk's
// time fields are evaluated here in whole hours; everything else,
// including the hours_since_* facts put in Subject.Extra, by rules.Match.
func evaluate(a *Automation, subj *rules.Subject, c *store.TicketClock, now time.Time, business func(from, to time.Time) time.Duration) (evaluation, error) {
	tk := subj.Ticket
	subj.Event, subj.Now = "automation", now
	if subj.Extra == nil {
		subj.Extra = map[string]any{} // may hold the engine's facts already
	}
	var stamps []string
	timeHolds := func(cd rules.Condition) bool {
		f := zendeskTime[cd.Field]
		at := clockTime(f.clock, tk, c)
		var bh func(from, to time.Time) time.Duration
		if strings.HasSuffix(cd.Operator, "_business_hours") {
			bh = business
		}
		h, ok := hoursOf(f, at, now, bh)
		n, _ := wholeHours(cd.Value)
		return ok && matchZendeskTime(cd.Operator, h, n)
	}
	var restAll, restAny []rules.Condition
	split := func(list []rules.Condition, rest *[]rules.Condition) (zendesk []rules.Condition) {
		for _, cd := range list {
			if countdownFacts[cd.Field] {
				// Fires once per deadline: a new target (the next reply's)
				// is a new condition-match.
				if h, ok := subj.Extra[cd.Field].(float64); ok {
					due := now.Add(time.Duration(h * float64(time.Hour))).Round(time.Second)
					stamps = append(stamps, cd.Field+"="+strconv.FormatInt(due.Unix(), 10))
				}
			}
			f, isT := isTime(cd)
			if isT {
				stamps = append(stamps, f.clock+"="+strconv.FormatInt(clockTime(f.clock, tk, c).UnixMilli(), 10))
			}
			if _, ok := zendeskTime[cd.Field]; ok {
				zendesk = append(zendesk, cd)
				continue
			}
			if isT {
				at := clockTime(f.clock, tk, c)
				var bh func(from, to time.Time) time.Duration
				if strings.HasPrefix(cd.Field, "business_") {
					bh = business
				}
				if h, ok := hoursOf(f, at, now, bh); ok {
					subj.Extra[cd.Field] = h
				}
			}
			*rest = append(*rest, cd)
		}
		return zendesk
	}
	zAll, zAny := split(a.Conds.All, &restAll), split(a.Conds.Any, &restAny)
	sort.Strings(stamps)
	ev := evaluation{stamp: strings.Join(slices.Compact(stamps), ";"), subj: subj}
	for _, cd := range zAll {
		if !timeHolds(cd) {
			return ev, nil
		}
	}
	if ok, err := rules.Match(rules.Conditions{All: restAll}, subj); err != nil || !ok {
		return ev, err
	}
	if len(a.Conds.Any) > 0 {
		anyOK := false
		for _, cd := range zAny {
			if timeHolds(cd) {
				anyOK = true
				break
			}
		}
		if !anyOK && len(restAny) > 0 {
			ok, err := rules.Match(rules.Conditions{Any: restAny}, subj)
			if err != nil {
				return ev, err
			}
			anyOK = ok
		}
		if !anyOK {
			return ev, nil
		}
	}
	ev.ok = true
	return ev, nil
}
