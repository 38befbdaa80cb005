package rules

import (
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// FieldInfo describes one condition field for rule editors: the operators
// it takes and, for a closed set, its values ("" = not set).
type FieldInfo struct {
	Field     string
	Operators []string
	Values    []string
}

// ActionInfo describes one action for rule editors. Kind says what its
// value is: "list" (one of Values), "id" (a group, user or webhook id),
// "tags", "text" (a comment, may hold placeholders) or "notify" (a
// recipient, a subject and a body; webhooks: an id and a body).
type ActionInfo struct {
	Field  string
	Kind   string
	Values []string
}

// ConditionFields lists the condition fields a rule of ruleKind
// ("trigger", "automation", "sla", "view") may use, with exactly the
// operators ValidateConditions accepts for it: the "changed" operators
// only for triggers. Custom fields (custom_fields_<id>) and people's
// properties are open-ended and not listed.
func ConditionFields(ruleKind string) []FieldInfo {
	var out []FieldInfo
	add := func(name string, spec fieldSpec) {
		if spec.only != nil && !slices.Contains(spec.only, ruleKind) {
			return
		}
		ops := slices.Clone(operators[spec.kind])
		if ruleKind != "trigger" {
			ops = slices.DeleteFunc(ops, func(op string) bool { return slices.Contains(changeOps, op) })
		}
		values := slices.Clone(spec.values)
		if spec.kind == kVia {
			values = slices.Clone(model.Channels)
		}
		out = append(out, FieldInfo{Field: name, Operators: ops, Values: values})
	}
	names := make([]string, 0, len(fields))
	for n := range fields {
		names = append(names, n)
	}
	sort.Slice(names, func(i, j int) bool {
		return fieldOrder(names[i]) < fieldOrder(names[j]) || fieldOrder(names[i]) == fieldOrder(names[j]) && names[i] < names[j]
	})
	for _, n := range names {
		add(n, fields[n])
	}
	factsMu.RLock()
	var factNames []string
	for n := range facts {
		factNames = append(factNames, n)
	}
	factsMu.RUnlock()
	sort.Strings(factNames)
	for _, n := range factNames {
		factsMu.RLock()
		kinds := facts[n]
		factsMu.RUnlock()
		add(n, fieldSpec{kind: kFact, only: kinds})
	}
	return out
}

// fieldOrder puts the fields people use most first in editors.
func fieldOrder(f string) int {
	first := []string{"status", "priority", "type", "group_id", "assignee_id", "current_tags", "subject_includes_word",
		"comment_includes_word", "via_id", "update_type", "requester_id", "organization_id"}
	if i := slices.Index(first, f); i >= 0 {
		return i
	}
	return len(first)
}

// ActionFields lists the actions a rule of ruleKind may use, in editor
// order, with the values list actions accept (what ValidateActions takes).
func ActionFields(ruleKind string) []ActionInfo {
	setStatus := slices.DeleteFunc(slices.Clone(model.Statuses), func(s string) bool { return s == model.StatusNew })
	all := []ActionInfo{
		{Field: "status", Kind: "list", Values: setStatus},
		{Field: "priority", Kind: "list", Values: append([]string{""}, model.Priorities...)},
		{Field: "type", Kind: "list", Values: append([]string{""}, model.TicketTypes...)},
		{Field: "group_id", Kind: "id"},
		{Field: "assignee_id", Kind: "id"},
		{Field: "current_tags", Kind: "tags"},
		{Field: "remove_tags", Kind: "tags"},
		{Field: "set_tags", Kind: "tags"},
		{Field: "comment_value", Kind: "text"},
		{Field: "comment_mode_is_public", Kind: "list", Values: []string{"true", "false"}},
		{Field: "satisfaction_score", Kind: "list", Values: []string{"offered_to_requester"}},
		{Field: "notification_user", Kind: "notify"},
		{Field: "notification_group", Kind: "notify"},
		{Field: "notification_webhook", Kind: "notify"},
		{Field: "notification_slack", Kind: "notify"},
	}
	out := all[:0]
	for _, a := range all {
		kinds, ok := actionFields[a.Field]
		if ok && (kinds == nil || slices.Contains(kinds, ruleKind)) {
			out = append(out, a)
		}
	}
	return out
}

// NotifyParts is how many parts a notification action's value has:
// [recipient, subject, body] for mail, [webhook id, body] for webhooks
// and Slack; 0 for other actions.
func NotifyParts(field string) int {
	switch field {
	case "notification_user", "notification_group":
		return 3
	case "notification_webhook", "notification_slack":
		return 2
	}
	return 0
}

// ValueText renders a stored condition or action value as editors show it
// (lists joined by spaces; notifications by NotifyText).
func ValueText(v any) string { return valueString(v) }

// ValueList reads an array value as text parts.
func ValueList(v any) []string { return valueList(v) }

// IsChangeOperator reports whether op compares with the ticket before an
// update (triggers only).
func IsChangeOperator(op string) bool {
	return slices.Contains(changeOps, canonicalOp(strings.TrimSpace(op)))
}

// CustomField describes the condition field of ticket field id
// (custom_fields_<id>) for a rule of ruleKind.
func CustomField(id int64, ruleKind string) FieldInfo {
	ops := slices.Clone(operators[kCustom])
	if ruleKind != "trigger" {
		ops = slices.DeleteFunc(ops, func(op string) bool { return slices.Contains(changeOps, op) })
	}
	return FieldInfo{Field: "custom_fields_" + strconv.FormatInt(id, 10), Operators: ops}
}
