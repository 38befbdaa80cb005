package automations

import (
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/rules"
)

func c(field, op string, v any) rules.Condition {
	return rules.Condition{Field: field, Operator: op, Value: v}
}
func a(field string, v any) rules.Action { return rules.Action{Field: field, Value: v} }

// Which actions end which conditions, so an automation fires once.
func TestNullifies(t *testing.T) {
	cases := []struct {
		name    string
		conds   rules.Conditions
		actions []rules.Action
		want    bool
	}{
		{"status is solved → closed", rules.Conditions{All: []rules.Condition{c("status", "is", "solved")}}, []rules.Action{a("status", "closed")}, true},
		{"status less than solved → pending", rules.Conditions{All: []rules.Condition{c("status", "less_than", "solved")}}, []rules.Action{a("status", "pending")}, false},
		{"status less than solved → solved", rules.Conditions{All: []rules.Condition{c("status", "less_than", "solved")}}, []rules.Action{a("status", "solved")}, true},
		{"tag missing → added", rules.Conditions{All: []rules.Condition{c("current_tags", "not_includes", "督促済み other")}}, []rules.Action{a("current_tags", "督促済み")}, true},
		{"tag present → removed", rules.Conditions{All: []rules.Condition{c("current_tags", "includes", "vip")}}, []rules.Action{a("remove_tags", "vip")}, true},
		{"one of two tags removed", rules.Conditions{All: []rules.Condition{c("current_tags", "includes", "vip gold")}}, []rules.Action{a("remove_tags", "vip")}, false},
		{"tags set without it", rules.Conditions{All: []rules.Condition{c("current_tags", "includes", "vip")}}, []rules.Action{a("set_tags", "normal")}, true},
		{"priority is not urgent → urgent", rules.Conditions{All: []rules.Condition{c("priority", "is_not", "urgent")}}, []rules.Action{a("priority", "urgent")}, true},
		{"group is 3 → group 4", rules.Conditions{All: []rules.Condition{c("group_id", "is", "3")}}, []rules.Action{a("group_id", "4")}, true},
		{"notification only", rules.Conditions{All: []rules.Condition{c("status", "is", "pending")}},
			[]rules.Action{a("notification_user", []any{"requester_id", "件名", "本文"})}, false},
		{"every any condition ended", rules.Conditions{Any: []rules.Condition{c("status", "is", "open"), c("status", "is", "new")}}, []rules.Action{a("status", "pending")}, true},
		{"one any condition left", rules.Conditions{Any: []rules.Condition{c("status", "is", "open"), c("priority", "is", "high")}}, []rules.Action{a("status", "pending")}, false},
	}
	for _, tc := range cases {
		if got := nullifies(tc.conds, tc.actions); got != tc.want {
			t.Errorf("%s: nullifies = %v, want %v", tc.name, got, tc.want)
		}
	}
}

// The candidate query keeps exactly the values a condition allows and
// bounds the clock for "n hours or more".
func TestQueryPrefilter(t *testing.T) {
	now := time.Date(2026, 12, 8, 0, 0, 0, 0, time.UTC)
	au := &Automation{Conds: rules.Conditions{All: []rules.Condition{
		c("status", "less_than", "solved"), c("status", "is_not", "new"), c("priority", "less_than", "high"),
		c("PENDING", "greater_than", "72"), c("current_tags", "not_includes", "a b"), c("current_tags", "includes", "vip"),
	}}}
	q := query(au, now)
	if !slices.Equal(q.Statuses, []string{"open", "pending", "hold"}) || !slices.Equal(q.Priorities, []string{"", "low", "normal"}) {
		t.Fatalf("statuses %v priorities %v", q.Statuses, q.Priorities)
	}
	if len(q.Bounds) != 1 || q.Bounds[0].Field != "pending_at" || !q.Bounds[0].Before.Equal(now.Add(-72*time.Hour)) {
		t.Fatalf("bounds %+v", q.Bounds)
	}
	// With one status, its own clock is the status' start: the index bound.
	q2 := query(&Automation{Conds: rules.Conditions{All: []rules.Condition{c("status", "is", "solved"), c("SOLVED", "greater_than", "96")}}}, now)
	if len(q2.Bounds) != 1 || q2.Bounds[0].Field != "status_at" || !slices.Equal(q2.Statuses, []string{"solved"}) {
		t.Fatalf("solved: %+v", q2)
	}
	if !slices.Equal(q.TagsNone, []string{"a", "b"}) || !slices.Equal(q.TagsAll, []string{"vip"}) {
		t.Fatalf("tags %v %v", q.TagsNone, q.TagsAll)
	}
	for _, tc := range []struct {
		op    string
		hours float64
		want  bool
	}{{"greater_than", 95.99, false}, {"greater_than", 96, true}, {"is", 96.5, true}, {"is", 97, false}, {"less_than", 95.9, true}, {"less_than_business_hours", 96, false}} {
		if got := matchZendeskTime(tc.op, tc.hours, 96); got != tc.want {
			t.Errorf("%s 96 at %vh = %v", tc.op, tc.hours, got)
		}
	}
}
