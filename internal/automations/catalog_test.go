package automations_test

import (
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/rules"
)

// TestConditionFieldsValidate: every time field and operator the editor
// offers passes Validate in a rule that closes solved tickets.
func TestConditionFieldsValidate(t *testing.T) {
	fields := automations.ConditionFields()
	if fields[0].Field != "SOLVED" || !automations.IsTimeField("PENDING") || automations.IsTimeField("status") {
		t.Fatalf("time fields first: %v", fields[0])
	}
	solved := rules.Condition{Field: "status", Operator: "is", Value: "solved"}
	closeIt := []rules.Action{{Field: "status", Value: "closed"}}
	for _, f := range fields {
		if !automations.IsTimeField(f.Field) {
			if f.Field == "update_type" || f.Field == "comment_includes_word" {
				t.Errorf("trigger-only field %s offered", f.Field)
			}
			continue
		}
		for _, op := range f.Operators {
			c := rules.Conditions{All: []rules.Condition{solved, {Field: f.Field, Operator: op, Value: "24"}}}
			if err := automations.Validate("解決後に終了", c, closeIt); err != nil {
				t.Errorf("%s %s refused: %v", f.Field, op, err)
			}
		}
	}
	// Without a time field, the message the settings page shows.
	err := automations.Validate("時間なし", rules.Conditions{All: []rules.Condition{solved}}, closeIt)
	if err == nil || !strings.Contains(err.Error(), "時間の条件") {
		t.Errorf("no time condition: %v", err)
	}
}
