package rules

import (
	"testing"
)

// TestCatalogMatchesValidation: every field and operator the editors offer
// (ConditionFields, ActionFields) is one the engine accepts for that rule
// kind, and the trigger-only ones are offered to triggers only.
func TestCatalogMatchesValidation(t *testing.T) {
	for _, kind := range []string{"trigger", "automation", "sla", "view"} {
		fields := ConditionFields(kind)
		if len(fields) < 10 {
			t.Fatalf("%s: only %d fields", kind, len(fields))
		}
		for _, f := range fields {
			value := "1"
			for _, v := range f.Values {
				if v != "" {
					value = v
					break
				}
			}
			for _, op := range f.Operators {
				c := Conditions{All: []Condition{{Field: f.Field, Operator: op, Value: value}}}
				if err := ValidateConditions(c, kind); err != nil {
					t.Errorf("%s: %s %s %q offered but refused: %v", kind, f.Field, op, value, err)
				}
				if kind != "trigger" && IsChangeOperator(op) {
					t.Errorf("%s: change operator %s offered", kind, op)
				}
			}
			if kind != "trigger" && (f.Field == "comment_includes_word" || f.Field == "update_type") {
				t.Errorf("%s: trigger-only field %s offered", kind, f.Field)
			}
		}
		cf := CustomField(7, kind)
		for _, op := range cf.Operators {
			if err := ValidateConditions(Conditions{All: []Condition{{Field: cf.Field, Operator: op, Value: "x"}}}, kind); err != nil {
				t.Errorf("%s: custom field %s refused: %v", kind, op, err)
			}
		}
	}
	for _, kind := range []string{"trigger", "automation"} {
		acts := ActionFields(kind)
		if len(acts) < 10 {
			t.Fatalf("%s: only %d actions", kind, len(acts))
		}
		for _, a := range acts {
			var v any
			switch a.Kind {
			case "list":
				v = a.Values[len(a.Values)-1]
			case "id":
				v = "0"
			case "tags":
				v = "vip 至急"
			case "text":
				v = "{{ticket.requester.name}} 様"
			case "notify":
				v = []any{"1", "件名 {{ticket.id}}", "本文"}
				if NotifyParts(a.Field) == 2 {
					v = []any{"1", "本文"}
				}
			default:
				t.Fatalf("%s: unknown kind %q", a.Field, a.Kind)
			}
			if err := ValidateActions([]Action{{Field: a.Field, Value: v}}, kind); err != nil {
				t.Errorf("%s: action %s = %v offered but refused: %v", kind, a.Field, v, err)
			}
		}
	}
}
