package views

import (
	"sort"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
)

// ConditionFields lists what a view's conditions may test, with the
// operators the view query (store.compileView) accepts, for editors.
// Custom fields (custom_fields_<id>) are open-ended and not listed.
func ConditionFields() []rules.FieldInfo {
	eq := []string{"is", "is_not"}
	ordered := []string{"is", "is_not", "less_than", "greater_than"}
	hours := []string{"is", "less_than", "greater_than"}
	return []rules.FieldInfo{
		{Field: "status", Operators: ordered, Values: model.Statuses},
		{Field: "priority", Operators: ordered, Values: append([]string{""}, model.Priorities...)},
		{Field: "type", Operators: eq, Values: append([]string{""}, model.TicketTypes...)},
		{Field: "group_id", Operators: eq, Values: []string{"", "current_groups"}},
		{Field: "assignee_id", Operators: eq, Values: []string{"", "current_user"}},
		{Field: "requester_id", Operators: eq, Values: []string{"current_user"}},
		{Field: "submitter_id", Operators: eq, Values: []string{"current_user"}},
		{Field: "organization_id", Operators: eq},
		{Field: "brand_id", Operators: eq},
		{Field: "inbox_id", Operators: eq},
		{Field: "via_id", Operators: eq, Values: model.Channels},
		{Field: "current_tags", Operators: []string{"includes", "not_includes"}},
		{Field: "hours_since_created", Operators: hours},
		{Field: "hours_since_updated", Operators: hours},
		{Field: "hours_since_solved", Operators: hours},
		{Field: "snoozed", Operators: []string{"is"}, Values: []string{"true", "false"}},
		{Field: "sla_at_risk", Operators: []string{"is", "less_than"}, Values: []string{"true", "false"}},
	}
}

// ColumnNames lists the columns a view can show, in a stable order.
func ColumnNames() []string {
	order := []string{"nice_id", "subject", "requester", "assignee", "group", "status", "priority", "type",
		"created", "updated", "solved", "due_date", "organization", "brand", "submitter"}
	out := order[:0:0]
	for _, c := range order {
		if Columns[c] != "" {
			out = append(out, c)
		}
	}
	var rest []string
	for c := range Columns {
		found := false
		for _, o := range out {
			found = found || o == c
		}
		if !found {
			rest = append(rest, c)
		}
	}
	sort.Strings(rest)
	return append(out, rest...)
}
