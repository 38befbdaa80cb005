package rules

import (
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

func TestMatch(t *testing.T) {
	agent := &model.User{ID: 7, Role: model.RoleAgent, Name: "佐藤 花子"}
	customer := &model.User{ID: 9, Role: model.RoleEndUser, Locale: "ja-JP", Tags: []string{"vip"}}
	old := &model.Ticket{ID: 1, Status: "open", Priority: "normal", Tags: []string{"配送"}, RequesterID: 9, Via: "email"}
	cur := &model.Ticket{ID: 1, Status: "solved", Priority: "high", Tags: []string{"配送", "churn_risk"}, RequesterID: 9, AssigneeID: 7, Via: "email",
		Subject: "配送状況を教えてください", CustomFields: []model.FieldValue{{ID: 5, Value: "gold"}}}
	s := func() *Subject {
		return &Subject{Event: "update", Old: old, Ticket: cur, Actor: agent, Requester: customer,
			Org:     &model.Organization{ID: 3, Tags: []string{"enterprise"}, Fields: map[string]any{"plan": "年間"}},
			Comment: &model.Comment{Body: "もう解約したいです。ｶﾀｶﾅ ＡＢＣ", Public: true, Via: "web"},
			Extra:   map[string]any{"hours_since_created": 50.0, "sla_next_breach_hours": 1.5}}
	}
	cases := []struct {
		c    Condition
		want bool
	}{
		{Condition{"status", "is", "solved"}, true},
		{Condition{"status", "is_not", "solved"}, false},
		{Condition{"status", "less_than", "closed"}, true},
		{Condition{"status", "greater_than", "solved"}, false},
		{Condition{"status", "changed", nil}, true},
		{Condition{"status", "value", "solved"}, true},
		{Condition{"status", "changed_to", "solved"}, true},
		{Condition{"status", "changed_to", "pending"}, false},
		{Condition{"status", "changed_from", "open"}, true},
		{Condition{"status", "not_changed_from", "open"}, false},
		{Condition{"priority", "greater_than", "normal"}, true},
		{Condition{"type", "not_changed", nil}, true},
		{Condition{"assignee_id", "is", "current_user"}, true},
		{Condition{"assignee_id", "changed", nil}, true},
		{Condition{"group_id", "is", ""}, true},
		{Condition{"requester_id", "is", float64(9)}, true},
		{Condition{"via_id", "is", "4"}, true},
		{Condition{"via_id", "is", "email"}, true},
		{Condition{"current_via_id", "is", "web"}, true},
		{Condition{"current_tags", "includes", "churn_risk foo"}, true},
		{Condition{"current_tags", "not_includes", "churn_risk"}, false},
		{Condition{"current_tags", "includes", "配送"}, true},
		{Condition{"comment_includes_word", "includes", "解約"}, true},
		{Condition{"comment_includes_word", "includes", "返品　解約"}, true}, // full-width space separates words
		{Condition{"comment_includes_word", "not_includes", "解約"}, false},
		{Condition{"comment_includes_word", "includes", "カタカナ"}, true}, // ｶﾀｶﾅ after NFKC
		{Condition{"comment_includes_word", "includes", "abc"}, true},
		{Condition{"comment_includes_word", "is", "解約したい"}, true},
		{Condition{"comment_includes_word", "is", "解約しない"}, false},
		{Condition{"subject_includes_word", "includes", "配送"}, true},
		{Condition{"comment_is_public", "is", "true"}, true},
		{Condition{"comment_is_public", "is", "false"}, false},
		{Condition{"update_type", "is", "Change"}, true},
		{Condition{"role", "is", "agent"}, true},
		{Condition{"role", "is", "end_user"}, false},
		{Condition{"requester.locale", "is", "ja"}, true},
		{Condition{"requester.tags", "includes", "vip"}, true},
		{Condition{"organization.tags", "includes", "enterprise"}, true},
		{Condition{"organization.custom_fields.plan", "is", "年間"}, true},
		{Condition{"custom_fields_5", "is", "gold"}, true},
		{Condition{"custom_fields_5", "present", nil}, true},
		{Condition{"custom_fields_6", "not_present", nil}, true},
		{Condition{"custom_fields_5", "changed_to", "gold"}, true},
		{Condition{"hours_since_created", "greater_than", "48"}, true},
		{Condition{"hours_since_created", "less_than", 48}, false},
		{Condition{"sla_next_breach_hours", "less_than", "2"}, true},
		{Condition{"hours_since_solved", "greater_than", "1"}, false}, // fact not given
		{Condition{"within_business_hours", "is", "true"}, true},      // no schedule: always open
	}
	for _, c := range cases {
		got, err := Match(Conditions{All: []Condition{c.c}}, s())
		if err != nil {
			t.Fatalf("%+v: %v", c.c, err)
		}
		if got != c.want {
			t.Errorf("%+v: got %v want %v", c.c, got, c.want)
		}
	}
	closed := s()
	closed.BusinessHours = func(time.Time) bool { return false }
	if ok, _ := Match(Conditions{All: []Condition{{"within_business_hours", "is", "false"}}}, closed); !ok {
		t.Error("outside business hours should match is false")
	}
	// any: one suffices; all and any together.
	ok, err := Match(Conditions{All: []Condition{{"status", "is", "solved"}}, Any: []Condition{{"priority", "is", "low"}, {"priority", "is", "high"}}}, s())
	if err != nil || !ok {
		t.Fatalf("all+any: %v %v", ok, err)
	}
	ok, _ = Match(Conditions{Any: []Condition{{"priority", "is", "low"}, {"priority", "is", "urgent"}}}, s())
	if ok {
		t.Fatal("no any condition holds")
	}
	// Creation: "changed to" holds for a field set on create.
	created := &Subject{Event: "create", Ticket: cur}
	if ok, _ := Match(Conditions{All: []Condition{{"status", "changed_to", "solved"}, {"update_type", "is", "Create"}}}, created); !ok {
		t.Fatal("create: changed_to and update_type")
	}
	if _, err := Match(Conditions{All: []Condition{{"nonsense", "is", "x"}}}, s()); err == nil {
		t.Fatal("unknown field must be an error")
	}
}

func TestValidateConditions(t *testing.T) {
	bad := Conditions{All: []Condition{
		{"stauts", "is", "open"},
		{"status", "includes", "open"},
		{"status", "is", "opened"},
		{"current_tags", "includes", ""},
		{"assignee_id", "is", "someone"},
		{"via_id", "is", "fax"},
	}, Any: []Condition{{"hours_since_created", "greater_than", "many"}}}
	err := ValidateConditions(bad, "trigger")
	if err == nil {
		t.Fatal("expected errors")
	}
	msg := err.Error()
	for _, want := range []string{"stauts", "includes", "opened", "someone", "fax"} {
		if !strings.Contains(msg, want) {
			t.Errorf("message lacks %q: %s", want, msg)
		}
	}
	good := Conditions{All: []Condition{{"status", "changed_to", "solved"}, {"comment_includes_word", "includes", "解約"}}}
	if err := ValidateConditions(good, "trigger"); err != nil {
		t.Fatal(err)
	}
	if err := ValidateConditions(good, "automation"); err == nil {
		t.Fatal("automations cannot use change operators or comments")
	}
	if err := ValidateConditions(Conditions{All: []Condition{{"hours_since_created", "greater_than", "96"}}}, "automation"); err != nil {
		t.Fatal(err)
	}
}

func TestValidateActions(t *testing.T) {
	if err := ValidateActions([]Action{{"status", "solved"}, {"current_tags", "churn_risk"},
		{"notification_slack", []any{"3", "解約の兆候: {{ticket.url}}"}}, {"notification_user", []any{"requester_id", "件名", "本文"}}}, "trigger"); err != nil {
		t.Fatal(err)
	}
	err := ValidateActions([]Action{{"status", "new"}, {"notification_target", []any{"1", "x"}}, {"fly", "x"},
		{"notification_webhook", []any{"1", "{{ ticket.id "}}}, "trigger")
	if err == nil {
		t.Fatal("expected errors")
	}
	for _, want := range []string{"new", "notification_target", "fly", "line 1"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("message lacks %q: %s", want, err)
		}
	}
}

func TestApplyActionsAndSimulate(t *testing.T) {
	tk := &model.Ticket{ID: 4, Status: "new", Tags: []string{"a", "b"}}
	s := &Subject{Ticket: tk, Actor: &model.User{ID: 2, Role: model.RoleAgent}}
	ch, notes, err := ApplyActions(nil, []Action{{"assignee_id", "current_user"}, {"current_tags", "churn_risk"}, {"remove_tags", "a"},
		{"priority", "urgent"}, {"custom_fields_9", "x"}, {"notification_group", []any{"group_id", "s", "b"}}, {"satisfaction_score", "offered_to_requester"}}, s, "trigger:1")
	if err != nil {
		t.Fatal(err)
	}
	if ch.RuleSource != "trigger:1" || *ch.AssigneeID != 2 || len(notes) != 2 || notes[0].Recipient != "group_id" {
		t.Fatalf("change %+v notes %+v", ch, notes)
	}
	after := Simulate(tk, ch)
	if after.Status != "open" || after.Priority != "urgent" || strings.Join(after.Tags, " ") != "b churn_risk" || len(after.CustomFields) != 1 {
		t.Fatalf("simulated %+v", after)
	}
	if tk.Priority != "" || len(tk.Tags) != 2 {
		t.Fatal("Simulate must not change its input")
	}
	d := Diff(tk, after)
	if d.Status == nil || d.Priority == nil || d.Tags == nil || d.AssigneeID == nil || len(d.CustomFields) != 1 || d.GroupID != nil {
		t.Fatalf("diff %+v", d)
	}
}
