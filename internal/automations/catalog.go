package automations

import (
	"sort"

	"github.com/kizuna-desk/kizuna/internal/rules"
)

// ConditionFields lists what an automation's conditions may test, for
// editors: Zendesk's time fields (whole hours, with Validate's operators)
// first, then the rules engine's fields for automations.
func ConditionFields() []rules.FieldInfo {
	names := make([]string, 0, len(zendeskTime))
	for n := range zendeskTime {
		names = append(names, n)
	}
	order := map[string]int{"SOLVED": 0, "PENDING": 1, "NEW": 2, "OPEN": 3, "HOLD": 4, "updated_at": 5, "requester_updated_at": 6,
		"assignee_updated_at": 7, "assigned_at": 8, "due_date": 9, "until_due_date": 10}
	sort.Slice(names, func(i, j int) bool { return order[names[i]] < order[names[j]] })
	var out []rules.FieldInfo
	for _, n := range names {
		out = append(out, rules.FieldInfo{Field: n, Operators: append([]string(nil), zendeskTimeOps...)})
	}
	return append(out, rules.ConditionFields("automation")...)
}

// IsTimeField reports whether field is a Zendesk time condition (hours
// since a status or date), which every automation needs one of.
func IsTimeField(field string) bool { _, ok := zendeskTime[field]; return ok }
