package rules

import (
	"fmt"
	"slices"
	"strings"
	"sync"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// kind is how a condition field is compared.
type kind int

const (
	kOrdered  kind = iota // status, priority: is, is_not, less_than, greater_than, change operators
	kEnum                 // type: is, is_not, change operators
	kID                   // group_id, assignee_id …: is, is_not, change operators
	kVia                  // via_id, current_via_id: is, is_not
	kTags                 // current_tags, requester/organization tags: includes, not_includes
	kText                 // subject/comment_includes_word: includes, not_includes, is, is_not
	kBool                 // comment_is_public, within_business_hours
	kString               // update_type, role, locale: is, is_not
	kCustom               // custom_fields_<id>: is, is_not, present, not_present, includes, not_includes, less/greater, change operators
	kProperty             // requester./organization.custom_fields.<key>: is, is_not, present, not_present, includes, not_includes
	kFact                 // Subject.Extra: is, is_not, less_than, greater_than, …, present, not_present
)

// Canonical change operators with the aliases Kizuna also accepts
// (Zendesk names "changed to" value and "changed from" value_previous).
var opAliases = map[string]string{
	"changed_to": "value", "changed_from": "value_previous",
	"not_changed_to": "not_value", "not_changed_from": "not_value_previous",
	"less_than_equal": "less_than_or_equal", "greater_than_equal": "greater_than_or_equal",
}

var changeOps = []string{"changed", "not_changed", "value", "value_previous", "not_value", "not_value_previous"}

func canonicalOp(op string) string {
	if c, ok := opAliases[op]; ok {
		return c
	}
	return op
}

var operators = map[kind][]string{
	kOrdered:  append([]string{"is", "is_not", "less_than", "greater_than"}, changeOps...),
	kEnum:     append([]string{"is", "is_not"}, changeOps...),
	kID:       append([]string{"is", "is_not"}, changeOps...),
	kVia:      {"is", "is_not"},
	kTags:     {"includes", "not_includes"},
	kText:     {"includes", "not_includes", "is", "is_not"},
	kBool:     {"is", "is_not"},
	kString:   {"is", "is_not"},
	kCustom:   append([]string{"is", "is_not", "present", "not_present", "includes", "not_includes", "less_than", "greater_than"}, changeOps...),
	kProperty: {"is", "is_not", "present", "not_present", "includes", "not_includes"},
	kFact:     {"is", "is_not", "less_than", "greater_than", "less_than_or_equal", "greater_than_or_equal", "present", "not_present"},
}

// fieldSpec describes a condition field: how it compares, which rule kinds
// may use it ("" = all), and the values it accepts (nil = any).
type fieldSpec struct {
	kind   kind
	only   []string // rule kinds allowed; nil = every kind
	values []string
}

// eventOnly marks what exists only while a ticket is being written.
var eventOnly = []string{"trigger"}

var fields = map[string]fieldSpec{
	"status":                {kind: kOrdered, values: model.Statuses},
	"priority":              {kind: kOrdered, values: append([]string{""}, model.Priorities...)},
	"type":                  {kind: kEnum, values: append([]string{""}, model.TicketTypes...)},
	"group_id":              {kind: kID},
	"assignee_id":           {kind: kID},
	"requester_id":          {kind: kID},
	"organization_id":       {kind: kID},
	"brand_id":              {kind: kID},
	"inbox_id":              {kind: kID},
	"via_id":                {kind: kVia},
	"channel":               {kind: kVia},
	"current_via_id":        {kind: kVia, only: eventOnly},
	"current_tags":          {kind: kTags},
	"requester.tags":        {kind: kTags},
	"organization.tags":     {kind: kTags},
	"subject_includes_word": {kind: kText},
	"comment_includes_word": {kind: kText, only: eventOnly},
	"comment_is_public":     {kind: kBool, only: eventOnly, values: []string{"true", "false", "not_relevant", "requester_can_see_comment"}},
	"within_business_hours": {kind: kBool, values: []string{"true", "false"}},
	"update_type":           {kind: kString, only: eventOnly, values: []string{"Create", "Change"}},
	"role":                  {kind: kString, only: eventOnly, values: []string{"end_user", "agent", "admin"}},
	"requester.locale":      {kind: kString},
	"requester.role":        {kind: kString, values: []string{"end_user", "agent", "admin", "light_agent"}},
}

// Field names Zendesk uses for the same facts.
var fieldAliases = map[string]string{
	"locale_id": "requester.locale", "requester_role": "requester.role", "ticket_type_id": "type",
	"requester_tags": "requester.tags", "organization_tags": "organization.tags", "user.tags": "requester.tags",
}

var (
	factsMu sync.RWMutex
	facts   = map[string][]string{} // registered Extra facts → rule kinds (nil: all)
)

// RegisterFact declares a condition field that callers supply in
// Subject.Extra ("hours_since_created", "sla_next_breach_hours"), usable
// by the given rule kinds (none: every kind). Call it from an init.
func RegisterFact(name string, kinds ...string) {
	factsMu.Lock()
	defer factsMu.Unlock()
	facts[name] = kinds
}

func canonicalField(f string) string {
	if c, ok := fieldAliases[f]; ok {
		return c
	}
	return f
}

// lookup returns the spec of a condition field.
func lookup(field string) (fieldSpec, bool) {
	field = canonicalField(field)
	if s, ok := fields[field]; ok {
		return s, true
	}
	switch {
	case strings.HasPrefix(field, "custom_fields_") && isDigits(strings.TrimPrefix(field, "custom_fields_")):
		return fieldSpec{kind: kCustom}, true
	case strings.HasPrefix(field, "requester.custom_fields.") || strings.HasPrefix(field, "organization.custom_fields."):
		return fieldSpec{kind: kProperty}, true
	}
	factsMu.RLock()
	kinds, ok := facts[field]
	factsMu.RUnlock()
	if ok {
		return fieldSpec{kind: kFact, only: kinds}, true
	}
	return fieldSpec{}, false
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// ValidateConditions checks every condition's field, operator and value
// for a rule of the given kind ("trigger", "automation", "sla", "view")
// and reports all problems at once as errs.Invalid (422).
func ValidateConditions(c Conditions, ruleKind string) error {
	var v errs.Invalid
	check := func(list string, i int, cd Condition) {
		where := fmt.Sprintf("Conditions: %s[%d]", list, i)
		spec, ok := lookup(cd.Field)
		if !ok {
			v.Addf("conditions", "InvalidValue", "%s: unknown field %q / 条件の項目 %q は使えません", where, cd.Field, cd.Field)
			return
		}
		if spec.only != nil && !slices.Contains(spec.only, ruleKind) {
			v.Addf("conditions", "InvalidValue", "%s: the field %q cannot be used in a %s / 項目 %q はこの種類のルールでは使えません", where, cd.Field, ruleKind, cd.Field)
			return
		}
		op := canonicalOp(cd.Operator)
		if !slices.Contains(operators[spec.kind], op) {
			v.Addf("conditions", "InvalidValue", "%s: the operator %q does not apply to %q (use one of %s) / 演算子 %q は項目 %q に使えません", where, cd.Operator, cd.Field, strings.Join(operators[spec.kind], ", "), cd.Operator, cd.Field)
			return
		}
		if slices.Contains(changeOps, op) && ruleKind != "trigger" {
			v.Addf("conditions", "InvalidValue", "%s: %q compares with the ticket before an update, which only triggers can do / 「変更」の条件はトリガでのみ使えます", where, cd.Operator)
			return
		}
		if msg := checkValue(spec, cd.Field, op, cd.Value); msg != "" {
			v.Addf("conditions", "InvalidValue", "%s: %s", where, msg)
		}
	}
	for i, cd := range c.All {
		check("all", i, cd)
	}
	for i, cd := range c.Any {
		check("any", i, cd)
	}
	return v.OrNil()
}

// checkValue returns a message for a value the operator cannot take.
func checkValue(spec fieldSpec, field, op string, val any) string {
	if op == "changed" || op == "not_changed" || op == "present" || op == "not_present" {
		return ""
	}
	switch val.(type) {
	case map[string]any:
		return fmt.Sprintf("the value of %q must be text, a number or a list / 値の形式が正しくありません", field)
	}
	s := valueString(val)
	switch spec.kind {
	case kOrdered, kEnum, kBool, kString:
		if spec.values != nil && !slices.Contains(spec.values, s) && !(s == "" && spec.kind == kOrdered && field != "status") {
			return fmt.Sprintf("%q is not a valid value for %q (one of %s) / 値 %q は使えません", s, field, strings.Join(nonEmpty(spec.values), ", "), s)
		}
	case kID:
		if s == "current_user" && (field == "assignee_id" || field == "requester_id") {
			return ""
		}
		if field == "requester_id" && s == "assignee_id" {
			return ""
		}
		if _, ok := valueID(val); !ok {
			return fmt.Sprintf("%q is not an id for %q / %q はIDではありません", s, field, s)
		}
	case kVia:
		if _, ok := viaName(s); !ok {
			return fmt.Sprintf("%q is not a channel (web, email, chat, voice, api, mobile, sms, rule or a Zendesk via id) / 経路 %q は不明です", s, s)
		}
	case kTags, kText:
		if strings.TrimSpace(s) == "" {
			return fmt.Sprintf("%q needs at least one word or tag / 値を入力してください", field)
		}
	case kFact:
		if op != "is" && op != "is_not" {
			if _, ok := valueNumber(val); !ok {
				return fmt.Sprintf("%q needs a number for %q / 数値を指定してください", field, op)
			}
		}
	}
	return ""
}

func nonEmpty(ss []string) []string {
	return slices.DeleteFunc(slices.Clone(ss), func(s string) bool { return s == "" })
}

// Zendesk's numeric via ids for the channels Kizuna has.
var viaIDs = map[string]string{
	"0": "web", "4": "email", "5": "api", "8": "rule", "29": "chat", "33": "voice", "34": "voice", "35": "voice",
	"45": "voice", "46": "voice", "56": "mobile", "57": "sms", "73": "side_conversation",
	"web_form": "web", "mail": "email", "web_service": "api", "voicemail": "voice", "phone_call_inbound": "voice",
	"phone_call_outbound": "voice", "closed_ticket": "web",
}

// viaName maps a channel name or Zendesk via id to Kizuna's channel name.
func viaName(s string) (string, bool) {
	s = strings.ToLower(strings.TrimSpace(s))
	if n, ok := viaIDs[s]; ok {
		return n, true
	}
	if slices.Contains(model.Channels, s) {
		return s, true
	}
	return "", false
}

// UsesPeople reports whether conditions read the requester's or the
// organization's properties (so Engine.SubjectFor must load them).
func UsesPeople(c Conditions) (requester, org bool) {
	for _, list := range [][]Condition{c.All, c.Any} {
		for _, cd := range list {
			f := canonicalField(cd.Field)
			requester = requester || strings.HasPrefix(f, "requester.")
			org = org || strings.HasPrefix(f, "organization.")
		}
	}
	return requester, org
}
