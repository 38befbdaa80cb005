package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestViewDefaults: the shipped queues exist once, with bilingual titles,
// and each shows the right tickets; snoozed tickets stay out of every
// queue but スヌーズ中 until their time has passed.
func TestViewDefaults(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		w := newVWWorld(t, d)
		if err := vwService(d).EnsureDefaults(context.Background()); err != nil { // a second start
			t.Fatal(err)
		}
		defs := defaultViews(t, d)
		if len(defs) != 7 {
			t.Fatalf("default views: %v", defs)
		}
		cases := []struct {
			raw, title string
			want       []int64
		}{
			{"{{zd.unassigned_tickets}}", "未割り当て / Unassigned tickets", []int64{w.b, w.c, w.woken}},
			{"{{zd.your_unsolved_tickets}}", "自分のチケット / Your unsolved tickets", []int64{w.a, w.risk}},
			{"{{zd.all_unsolved_tickets}}", "すべての未解決 / All unsolved tickets", []int64{w.a, w.b, w.c, w.woken, w.risk}},
			{"{{zd.pending_tickets}}", "保留中 / Pending tickets", []int64{w.b}},
			{"{{kz.snoozed_tickets}}", "スヌーズ中 / Snoozed tickets", []int64{w.snoozed}},
			{"{{zd.recently_solved_tickets}}", "最近解決 / Recently solved tickets", []int64{w.solved}},
			{"{{kz.sla_at_risk}}", "SLA超過リスク / SLA at risk", []int64{w.risk}},
		}
		var ids []string
		for _, c := range cases {
			id := defs[c.raw]
			if id == 0 {
				t.Fatalf("no default view %s", c.raw)
			}
			ids = append(ids, fmt.Sprint(id))
			v := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d.json", id), nil)
			if v.Str("view.title") != c.title {
				t.Errorf("view %d title %q, want %q", id, v.Str("view.title"), c.title)
			}
			r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", id), nil)
			sameIDs(t, c.title, rowIDs(r), c.want)
			if r.Int("count") != int64(len(c.want)) {
				t.Errorf("%s: count %d, want %d", c.title, r.Int("count"), len(c.want))
			}
		}
		// count_many answers every view at once, in Zendesk's shape.
		r := d.Must(200, d.Agent, "GET", "/api/v2/views/count_many.json?ids="+strings.Join(ids, ","), nil)
		if r.Len("view_counts") != len(cases) {
			t.Fatalf("count_many: %s", r.Raw)
		}
		for i, c := range cases {
			p := fmt.Sprintf("view_counts.%d.", i)
			if r.Int(p+"value") != int64(len(c.want)) || r.Get(p+"fresh") != true || r.Str(p+"pretty") != fmt.Sprint(len(c.want)) ||
				!strings.HasSuffix(r.Str(p+"url"), "/count.json") || fmt.Sprint(r.Int(p+"view_id")) != ids[i] {
				t.Errorf("count_many %s: %s", c.title, r.Raw)
			}
		}
		// "Your unsolved tickets" depends on who asks.
		mine := defs["{{zd.your_unsolved_tickets}}"]
		r = d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/views/%d/count.json", mine), nil)
		if r.Int("view_count.value") != 0 {
			t.Errorf("admin's unsolved tickets: %s", r.Raw)
		}
		// A woken ticket comes back to the top of its queue.
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", defs["{{zd.unassigned_tickets}}"]), nil)
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", w.b), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "確認中です", "public": false}}})
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", defs["{{zd.unassigned_tickets}}"]), nil)
		if got := rowIDs(r); len(got) == 0 || got[0] != w.b {
			t.Errorf("unassigned queue order after an update: %v (want %d first)", got, w.b)
		}
	})
}

// TestViewConditions runs each condition type through POST /views/preview,
// which compiles it to SQL over the tickets table.
func TestViewConditions(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		w := newVWWorld(t, d)
		unsolved := map[string]any{"field": "status", "operator": "less_than", "value": "solved"}
		all := []int64{w.a, w.b, w.c, w.snoozed, w.woken, w.risk}
		f := fmt.Sprintf("custom_fields_%d", w.field)
		chk := fmt.Sprintf("custom_fields_%d", w.check)
		cases := []struct {
			name string
			cond map[string]any
			want []int64
		}{
			{"status is", map[string]any{"field": "status", "operator": "is", "value": "pending"}, []int64{w.b}},
			{"status is_not", map[string]any{"field": "status", "operator": "is_not", "value": "open"}, []int64{w.b, w.c}},
			{"status less_than open", map[string]any{"field": "status", "operator": "less_than", "value": "open"}, []int64{w.c}},
			{"status greater_than hold", map[string]any{"field": "status", "operator": "greater_than", "value": "pending"}, nil},
			{"priority is", map[string]any{"field": "priority", "operator": "is", "value": "high"}, []int64{w.a}},
			{"priority greater_than low", map[string]any{"field": "priority", "operator": "greater_than", "value": "low"}, []int64{w.a}},
			{"priority is none", map[string]any{"field": "priority", "operator": "is", "value": ""}, []int64{w.c, w.snoozed, w.woken, w.risk}},
			{"type is", map[string]any{"field": "type", "operator": "is", "value": "question"}, []int64{w.b}},
			{"type is_not", map[string]any{"field": "type", "operator": "is_not", "value": "incident"}, []int64{w.b, w.c, w.snoozed, w.woken, w.risk}},
			{"group_id is", map[string]any{"field": "group_id", "operator": "is", "value": w.g1}, []int64{w.a, w.risk}}, // risk took the agent's default group
			{"group_id is as string", map[string]any{"field": "group_id", "operator": "is", "value": fmt.Sprint(w.g2)}, []int64{w.b}},
			{"group_id current_groups", map[string]any{"field": "group_id", "operator": "is", "value": "current_groups"}, []int64{w.a, w.risk}},
			{"assignee_id current_user", map[string]any{"field": "assignee_id", "operator": "is", "value": "current_user"}, []int64{w.a, w.risk}},
			{"assignee_id unassigned", map[string]any{"field": "assignee_id", "operator": "is", "value": ""}, []int64{w.b, w.c, w.snoozed, w.woken}},
			{"assignee_id is_not unassigned", map[string]any{"field": "assignee_id", "operator": "is_not", "value": nil}, []int64{w.a, w.risk}},
			{"requester_id is", map[string]any{"field": "requester_id", "operator": "is", "value": w.customer2}, []int64{w.b, w.snoozed, w.woken}},
			{"organization_id is", map[string]any{"field": "organization_id", "operator": "is", "value": w.org}, []int64{w.a}},
			{"brand_id is none", map[string]any{"field": "brand_id", "operator": "is", "value": ""}, nil},
			{"inbox_id is none", map[string]any{"field": "inbox_id", "operator": "is", "value": ""}, all},
			{"via_id api", map[string]any{"field": "via_id", "operator": "is", "value": 5}, all},
			{"via_id email", map[string]any{"field": "via_id", "operator": "is", "value": 4}, nil},
			{"tags includes", map[string]any{"field": "current_tags", "operator": "includes", "value": "返金 urgent"}, []int64{w.a, w.b}},
			{"tags not_includes", map[string]any{"field": "current_tags", "operator": "not_includes", "value": "配送"}, []int64{w.b, w.c, w.snoozed, w.woken, w.risk}},
			{"custom field is", map[string]any{"field": f, "operator": "is", "value": "①番"}, []int64{w.a}},
			{"custom field is_not", map[string]any{"field": f, "operator": "is_not", "value": "ｶﾀｶﾅ"}, []int64{w.a, w.c, w.snoozed, w.woken, w.risk}},
			{"custom field present", map[string]any{"field": f, "operator": "present", "value": nil}, []int64{w.a, w.b}},
			{"checkbox is true", map[string]any{"field": chk, "operator": "is", "value": true}, []int64{w.a}},
			{"hours since created > 24", map[string]any{"field": "NEW", "operator": "greater_than", "value": 24}, []int64{w.a}},
			{"hours since created < 24", map[string]any{"field": "created_at", "operator": "less_than", "value": "24"}, []int64{w.b, w.c, w.snoozed, w.woken, w.risk}},
			{"hours since created is 50", map[string]any{"field": "NEW", "operator": "is", "value": 50}, []int64{w.a}},
			{"hours since updated < 1", map[string]any{"field": "updated_at", "operator": "less_than", "value": 1}, []int64{w.b, w.c, w.snoozed, w.woken, w.risk}},
			{"snoozed", map[string]any{"field": "snoozed", "operator": "is", "value": true}, []int64{w.snoozed}},
			{"not snoozed", map[string]any{"field": "snoozed", "operator": "is", "value": "false"}, []int64{w.a, w.b, w.c, w.woken, w.risk}},
			{"sla at risk", map[string]any{"field": "sla_at_risk", "operator": "is", "value": true}, []int64{w.risk}},
			{"sla due within 6h", map[string]any{"field": "sla_at_risk", "operator": "less_than", "value": 6}, []int64{w.a, w.risk}},
		}
		for _, c := range cases {
			r := d.Must(200, d.Agent, "POST", "/api/v2/views/preview.json", map[string]any{"view": map[string]any{
				"all": []any{unsolved, c.cond}, "output": map[string]any{"columns": []string{"subject"}}}})
			sameIDs(t, c.name, rowIDs(r), c.want)
			n := d.Must(200, d.Agent, "POST", "/api/v2/views/preview/count.json", map[string]any{"view": map[string]any{"all": []any{unsolved, c.cond}}})
			if n.Int("view_count.value") != int64(len(c.want)) || n.Get("view_count.view_id") != nil {
				t.Errorf("%s: preview count %s", c.name, n.Raw)
			}
		}
		// any: at least one must hold.
		r := d.Must(200, d.Agent, "POST", "/api/v2/views/preview.json", map[string]any{"view": map[string]any{
			"all": []any{unsolved}, "any": []any{map[string]any{"field": "priority", "operator": "is", "value": "low"}, map[string]any{"field": "status", "operator": "is", "value": "new"}}}})
		sameIDs(t, "any", rowIDs(r), []int64{w.b, w.c})
	})
}

// TestViewValidation: bad conditions and bad input are clear 4xx answers.
func TestViewValidation(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		st := map[string]any{"field": "status", "operator": "is", "value": "open"}
		view := func(extra map[string]any) map[string]any {
			v := map[string]any{"title": "検証 ビュー", "all": []any{st}}
			for k, x := range extra {
				v[k] = x
			}
			return map[string]any{"view": v}
		}
		cases := []struct {
			name   string
			body   any
			status int
			field  string
			says   string
		}{
			{"unknown field", view(map[string]any{"all": []any{st, map[string]any{"field": "colour", "operator": "is", "value": "red"}}}), 422, "conditions", "unknown condition field"},
			{"bad operator", view(map[string]any{"all": []any{map[string]any{"field": "status", "operator": "contains", "value": "open"}}}), 422, "conditions", "operator \"contains\" is not allowed"},
			{"bad status", view(map[string]any{"all": []any{map[string]any{"field": "status", "operator": "is", "value": "解決済み"}}}), 422, "conditions", "is not one of"},
			{"bad id", view(map[string]any{"all": []any{st, map[string]any{"field": "group_id", "operator": "is", "value": "営業"}}}), 422, "conditions", "must be an id"},
			{"bad hours", view(map[string]any{"all": []any{st, map[string]any{"field": "NEW", "operator": "greater_than", "value": "たくさん"}}}), 422, "conditions", "number of hours"},
			{"no tags", view(map[string]any{"all": []any{st, map[string]any{"field": "current_tags", "operator": "includes", "value": " "}}}), 422, "conditions", "one or more tags"},
			{"unknown custom field", view(map[string]any{"all": []any{st, map[string]any{"field": "custom_fields_999999", "operator": "is", "value": "x"}}}), 422, "conditions", "no ticket field"},
			{"must test status", view(map[string]any{"all": []any{map[string]any{"field": "priority", "operator": "is", "value": "high"}}}), 422, "conditions", "at least one of the following"},
			{"blank title", view(map[string]any{"title": "  "}), 422, "title", "cannot be blank"},
			{"bad column", view(map[string]any{"output": map[string]any{"columns": []any{"subject", "好きな列"}}}), 422, "columns", "not a view column"},
			{"bad sort", view(map[string]any{"output": map[string]any{"sort_by": "colour"}}), 422, "sort_by", "cannot be used"},
			{"bad restriction", view(map[string]any{"restriction": map[string]any{"type": "Team", "id": 1}}), 422, "restriction", "Group or User"},
			{"unknown group", view(map[string]any{"restriction": map[string]any{"type": "Group", "id": 999999}}), 422, "restriction", "No group"},
			{"wrong type", view(map[string]any{"all": "status is open"}), 400, "", "expected a list"},
			{"no envelope", map[string]any{"title": "x"}, 400, "", `{"view"`},
			{"invalid json", `{"view": {"title": `, 400, "", "Malformed JSON"},
			{"invalid utf-8", []byte("{\"view\": {\"title\": \"\xff\"}}"), 400, "", "UTF-8"},
		}
		for _, c := range cases {
			r := d.Do(d.Admin, "POST", "/api/v2/views.json", c.body)
			if r.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Raw)
				continue
			}
			msg := r.Str("description")
			if c.field != "" {
				msg = vwDetail(r, c.field)
			}
			if !strings.Contains(msg, c.says) {
				t.Errorf("%s: message %q does not say %q (%s)", c.name, msg, c.says, r.Raw)
			}
		}
		// Preview validates the same way; an unknown view is 404.
		r := d.Do(d.Agent, "POST", "/api/v2/views/preview.json", view(map[string]any{"all": []any{map[string]any{"field": "status", "operator": "is", "value": 3}}}))
		if r.Status != 422 || !strings.Contains(vwDetail(r, "conditions"), "/") {
			t.Errorf("preview with a bad value: %d %s", r.Status, r.Raw)
		}
		d.Must(404, d.Agent, "GET", "/api/v2/views/999999/execute.json", nil)
		d.Must(400, d.Agent, "GET", "/api/v2/views/count_many.json?ids=a,b", nil)
		d.Must(403, d.Customer, "GET", "/api/v2/views.json", nil)
	})
}
