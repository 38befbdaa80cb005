// Package automations runs Zendesk's time-based rules: every minute (one
// node at a time) each active automation, in position order, looks at the
// tickets whose clocks say it may apply, checks its full conditions and
// applies its actions once per condition-match. It also runs follow-ups,
// Kizuna's rule that opens an outbound task ticket N days after a date kept
// in a user field.
package automations

import (
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Automation is a stored automation with its rules parsed.
type Automation struct {
	*store.Automation
	Conds   rules.Conditions
	Actions []rules.Action
}

// Parse reads a stored automation's JSON.
func Parse(a *store.Automation) (*Automation, error) {
	out := &Automation{Automation: a}
	if err := json.Unmarshal([]byte(a.Conditions), &out.Conds); err != nil {
		return nil, fmt.Errorf("automation %d: conditions: %w", a.ID, err)
	}
	if err := json.Unmarshal([]byte(a.Actions), &out.Actions); err != nil {
		return nil, fmt.Errorf("automation %d: actions: %w", a.ID, err)
	}
	return out, nil
}

// timeField is a time-based condition field: Zendesk's names (SOLVED,
// assigned_at …) and the hours_since_* facts of internal/rules.
type timeField struct {
	fact  string // rules fact suffix: hours_since_<fact>
	clock string // store clock field it counts from
	until bool   // counts down to the time (until_due_date)
}

// zendeskTime are the time fields as Zendesk names them in automations;
// their hours are whole, as in Zendesk.
var zendeskTime = map[string]timeField{
	"NEW":                  {"created", "new_at", false},
	"OPEN":                 {"open", "open_at", false},
	"PENDING":              {"pending", "pending_at", false},
	"HOLD":                 {"hold", "hold_at", false},
	"SOLVED":               {"solved", "solved_at", false},
	"assigned_at":          {"assigned", "assigned_at", false},
	"updated_at":           {"updated", "updated_at", false},
	"requester_updated_at": {"requester_updated", "requester_updated_at", false},
	"assignee_updated_at":  {"assignee_updated", "assignee_updated_at", false},
	"due_date":             {"due_date", "due_at", false},
	"until_due_date":       {"due_date", "due_at", true},
}

// factTime maps the rules facts (hours_since_solved …) to the same clocks.
var factTime = func() map[string]timeField {
	m := map[string]timeField{}
	for _, f := range zendeskTime {
		if f.until {
			m["hours_until_due_date"] = f
			continue
		}
		m["hours_since_"+f.fact] = f
		m["business_hours_since_"+f.fact] = f
	}
	return m
}()

// countdownFacts are facts the rules engine's Facts hook supplies that
// change with the clock alone (internal/sla, wired by the app): they count
// as time conditions, and their deadline marks the condition-match.
var countdownFacts = map[string]bool{"sla_next_breach_hours": true}

var zendeskTimeOps = []string{"is", "less_than", "greater_than", "is_business_hours", "less_than_business_hours", "greater_than_business_hours"}

// isTime reports whether c is a time-based condition, and its field.
func isTime(c rules.Condition) (timeField, bool) {
	if f, ok := zendeskTime[c.Field]; ok {
		return f, true
	}
	f, ok := factTime[c.Field]
	return f, ok
}

func wholeHours(v any) (int64, bool) {
	var s string
	switch x := v.(type) {
	case string:
		s = strings.TrimSpace(x)
	case json.Number:
		s = x.String()
	case float64:
		if x != math.Trunc(x) {
			return 0, false
		}
		s = strconv.FormatFloat(x, 'f', 0, 64)
	case int:
		s = strconv.Itoa(x)
	case int64:
		s = strconv.FormatInt(x, 10)
	}
	n, err := strconv.ParseInt(s, 10, 64)
	return n, err == nil && n >= 0 && n <= 24*365*10
}

// Validate checks an automation as Zendesk does: known fields, operators
// and actions; at least one time-based condition; and an action that
// nullifies one of the conditions, so it fires once per ticket rather than
// every hour.
func Validate(title string, c rules.Conditions, actions []rules.Action) error {
	var v errs.Invalid
	if strings.TrimSpace(title) == "" {
		v.Add("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
	}
	var rest rules.Conditions
	hasTime := false
	check := func(list string, i int, cd rules.Condition) bool {
		if cd.Field == "CLOSED" {
			v.Addf("conditions", "InvalidValue", "Conditions: %s[%d]: automations never act on closed tickets, so \"hours since closed\" cannot match / 終了したチケットは自動化の対象外です", list, i)
			return true
		}
		if _, ok := zendeskTime[cd.Field]; !ok {
			return false
		}
		hasTime = true
		if !slices.Contains(zendeskTimeOps, cd.Operator) {
			v.Addf("conditions", "InvalidValue", "Conditions: %s[%d]: the operator %q does not apply to %q (use one of %s) / 演算子 %q は時間の条件に使えません",
				list, i, cd.Operator, cd.Field, strings.Join(zendeskTimeOps, ", "), cd.Operator)
		} else if _, ok := wholeHours(cd.Value); !ok {
			v.Addf("conditions", "InvalidValue", "Conditions: %s[%d]: %q needs a whole number of hours / 時間は整数で指定してください", list, i, cd.Field)
		}
		return true
	}
	for i, cd := range c.All {
		if !check("all", i, cd) {
			rest.All = append(rest.All, cd)
		}
	}
	for i, cd := range c.Any {
		if !check("any", i, cd) {
			rest.Any = append(rest.Any, cd)
		}
	}
	for _, cd := range append(slices.Clone(rest.All), rest.Any...) {
		if _, ok := factTime[cd.Field]; ok || countdownFacts[cd.Field] {
			hasTime = true
		}
	}
	if err := rules.ValidateConditions(rest, "automation"); err != nil {
		merge(&v, err)
	}
	if err := rules.ValidateActions(actions, "automation"); err != nil {
		merge(&v, err)
	}
	if len(v.Details) > 0 {
		return v.OrNil()
	}
	if !hasTime {
		v.Add("conditions", "InvalidValue", "Conditions: an automation needs at least one time-based condition, such as hours since solved (SOLVED) or hours since pending (PENDING) / 自動化には「解決済みからの時間」などの時間の条件が少なくとも1つ必要です")
	}
	if !nullifies(c, actions) {
		v.Add("actions", "InvalidValue", "Actions: an automation needs an action that nullifies one of its conditions (e.g. status is solved + set status closed, or tag not present + add that tag), otherwise it would act on the same ticket every hour / 条件のいずれかを打ち消すアクション（例: ステータスが解決済み → 終了に変更、タグが無い → そのタグを追加）が必要です。無いと同じチケットに毎時実行されます")
	}
	return v.OrNil()
}

func merge(v *errs.Invalid, err error) {
	inv, ok := err.(*errs.Invalid)
	if !ok {
		v.Add("base", "InvalidValue", err.Error())
		return
	}
	for f, ds := range inv.Details {
		for _, d := range ds {
			v.Add(f, d.Error, d.Description)
		}
	}
}

// nullifies reports whether the actions make some condition false on
// every ticket they run on: one of all, or every one of any.
func nullifies(c rules.Conditions, actions []rules.Action) bool {
	for _, cd := range c.All {
		if nullified(cd, actions) {
			return true
		}
	}
	if len(c.Any) == 0 {
		return false
	}
	for _, cd := range c.Any {
		if !nullified(cd, actions) {
			return false
		}
	}
	return true
}

// nullified reports whether the actions leave cd false whatever the
// ticket was before.
func nullified(cd rules.Condition, actions []rules.Action) bool {
	if cd.Field == "current_tags" {
		return tagsNullified(cd, actions)
	}
	var own []rules.Action
	for _, a := range actions {
		if a.Field == cd.Field && a.Field != "" && !strings.HasPrefix(a.Field, "notification_") {
			own = append(own, a)
		}
	}
	if len(own) == 0 {
		return false
	}
	// The actions set the field to a fixed value: the condition is false
	// afterwards exactly when it is false for that value.
	ch, _, err := rules.ApplyActions(nil, own, &rules.Subject{Actor: &model.User{ID: 1, Role: model.RoleAdmin}}, "")
	if err != nil {
		return false
	}
	after := rules.Simulate(&model.Ticket{}, ch)
	ok, err := rules.Match(rules.Conditions{All: []rules.Condition{cd}}, &rules.Subject{Event: "automation", Ticket: after})
	return err == nil && !ok
}

func tagsNullified(cd rules.Condition, actions []rules.Action) bool {
	want := strings.Fields(strings.ToLower(fmt.Sprint(cd.Value)))
	added, removed := map[string]bool{}, map[string]bool{}
	var set []string
	setSeen := false
	for _, a := range actions {
		tags := strings.Fields(strings.ToLower(fmt.Sprint(a.Value)))
		switch a.Field {
		case "current_tags":
			for _, t := range tags {
				added[t], removed[t] = true, false
			}
		case "remove_tags":
			for _, t := range tags {
				removed[t], added[t] = true, false
			}
		case "set_tags":
			set, setSeen = tags, true
			clear(added)
			clear(removed)
		}
	}
	switch cd.Operator {
	case "not_includes": // true while none is there: adding one ends it
		for _, t := range want {
			if added[t] || (setSeen && slices.Contains(set, t) && !removed[t]) {
				return true
			}
		}
	case "includes": // true while one is there: removing them all ends it
		for _, t := range want {
			present := added[t] || (setSeen && slices.Contains(set, t))
			if present || (!removed[t] && !setSeen) {
				return false
			}
		}
		return len(want) > 0
	}
	return false
}

// hoursOf is a time condition's hours at now, calendar or business; ok is
// false when the clock is not set (never pending, no due date …).
func hoursOf(f timeField, at time.Time, now time.Time, business func(from, to time.Time) time.Duration) (float64, bool) {
	if at.IsZero() {
		return 0, false
	}
	from, to := at, now
	if f.until {
		from, to = now, at
	}
	if to.Before(from) {
		return 0, false
	}
	d := to.Sub(from)
	if business != nil {
		d = business(from, to)
	}
	return d.Hours(), true
}

// matchZendeskTime evaluates a Zendesk time condition in whole hours:
// "greater than 96" holds from the 96th hour on ("96 hours or more", as
// Zendesk documents its default close automation).
func matchZendeskTime(op string, hours float64, want int64) bool {
	h := int64(math.Floor(hours))
	switch strings.TrimSuffix(op, "_business_hours") {
	case "is":
		return h == want
	case "less_than":
		return h < want
	case "greater_than":
		return h >= want
	}
	return false
}
