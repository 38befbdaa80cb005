package automations_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func cond(field, op string, value any) map[string]any {
	return map[string]any{"field": field, "operator": op, "value": value}
}

func act(field string, value any) map[string]any {
	return map[string]any{"field": field, "value": value}
}

func body(title string, all []any, actions []any) map[string]any {
	return map[string]any{"automation": map[string]any{"title": title, "conditions": map[string]any{"all": all, "any": []any{}}, "actions": actions}}
}

// Zendesk's validation: a time-based condition and an action nullifying a
// condition are required; bad fields, operators and values are named.
func TestAutomationValidation(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		cases := []struct {
			name  string
			body  any
			want  int
			words []string // in the error description
		}{
			{"no time condition", body("時間なし", []any{cond("status", "is", "solved")}, []any{act("status", "closed")}),
				422, []string{"time-based", "時間の条件"}},
			{"nothing nullified", body("繰り返し", []any{cond("status", "is", "pending"), cond("PENDING", "greater_than", "24")},
				[]any{act("notification_user", []any{"requester_id", "件名", "本文"})}), 422, []string{"nullifies", "打ち消す"}},
			{"tag added but condition wants it present", body("タグ", []any{cond("current_tags", "includes", "vip"), cond("NEW", "greater_than", "2")},
				[]any{act("current_tags", "vip")}), 422, []string{"nullifies"}},
			{"bad operator on a time field", body("演算子", []any{cond("status", "is", "solved"), cond("SOLVED", "includes", "96")},
				[]any{act("status", "closed")}), 422, []string{"operator", "演算子"}},
			{"hours must be whole", body("小数", []any{cond("status", "is", "solved"), cond("SOLVED", "greater_than", "1.5")},
				[]any{act("status", "closed")}), 422, []string{"whole number"}},
			{"unknown field", body("不明", []any{cond("ticket_colour", "is", "red"), cond("NEW", "greater_than", "2")},
				[]any{act("status", "closed")}), 422, []string{"unknown field"}},
			{"closed cannot match", body("終了後", []any{cond("CLOSED", "greater_than", "2"), cond("status", "is", "solved")},
				[]any{act("status", "closed")}), 422, []string{"closed"}},
			{"blank title", body(" ", []any{cond("status", "is", "solved"), cond("SOLVED", "greater_than", "1")},
				[]any{act("status", "closed")}), 422, []string{"Title"}},
			{"no actions", body("空", []any{cond("status", "is", "solved"), cond("SOLVED", "greater_than", "1")}, []any{}),
				422, []string{"at least one action"}},
			{"not an object", `{"automation": "閉じる"}`, 400, []string{"expected"}},
			{"broken JSON", `{"automation": {`, 400, []string{"JSON"}},
			{"hold escalation", body("保留が長い", []any{cond("status", "is", "hold"), cond("HOLD", "greater_than_business_hours", 24),
				cond("priority", "less_than", "high")}, []any{act("priority", "high")}), 201, nil},
			{"tag not present, then added", body("未回答フォロー", []any{cond("status", "less_than", "solved"),
				cond("requester_updated_at", "greater_than", 48), cond("current_tags", "not_includes", "follow_up 要対応")},
				[]any{act("current_tags", "要対応"), act("notification_group", []any{"group_id", "要対応: {{ticket.title}}", "確認してください"})}), 201, nil},
			{"facts of internal/rules count as time conditions", body("事実", []any{cond("hours_since_created", "greater_than", 10),
				cond("status", "is", "new")}, []any{act("status", "open")}), 201, nil},
		}
		for _, c := range cases {
			r := d.Do(d.Admin, "POST", "/api/v2/automations.json", c.body)
			if r.Status != c.want {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.want, r.Raw)
				continue
			}
			for _, w := range c.words {
				if !strings.Contains(string(r.Raw), w) {
					t.Errorf("%s: %q not in %s", c.name, w, r.Raw)
				}
			}
		}
		// Only admins change automations.
		d.Must(403, d.Agent, "POST", "/api/v2/automations.json", body("担当者", []any{cond("status", "is", "solved"),
			cond("SOLVED", "greater_than", "1")}, []any{act("status", "closed")}))
		d.Must(403, d.Customer, "GET", "/api/v2/automations.json", nil)
	})
}

// The endpoints answer in Zendesk's shapes: list (sort, active), active,
// search, show, create, update, update_many, delete, destroy_many.
func TestAutomationsAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		f := newFixture(t, d, time.Date(2026, 12, 1, 9, 0, 0, 0, jst))
		r := d.Must(200, d.Agent, "GET", "/api/v2/automations.json", nil)
		if r.Int("count") != 2 || r.Get("automations.0.default") != true || r.Str("automations.0.conditions.all.1.field") != "SOLVED" ||
			r.Str("automations.1.actions.1.value") != "reminder_sent" || r.Str("automations.0.raw_title") != r.Str("automations.0.title") {
			t.Fatalf("shipped automations: %s", r.Raw)
		}
		c := d.Must(201, d.Admin, "POST", "/api/v2/automations.json", body("ｴｽｶﾚｰｼｮﾝ ①", []any{cond("status", "is", "open"),
			cond("NEW", "greater_than", 24), cond("priority", "is_not", "urgent")}, []any{act("priority", "urgent")}))
		id := c.Int("automation.id")
		if c.Int("automation.position") != 3 || c.Get("automation.active") != true || c.Get("automation.default") != false ||
			c.Str("automation.url") != fmt.Sprintf("%s/api/v2/automations/%d.json", d.URL, id) || c.Str("automation.created_at") == "" ||
			c.Len("automation.conditions.any") != 0 {
			t.Fatalf("created: %s", c.Raw)
		}
		if s := d.Must(200, d.Agent, "GET", "/api/v2/automations/search.json?query=ｴｽｶﾚｰｼｮﾝ", nil); s.Int("count") != 1 || s.Int("automations.0.id") != id {
			t.Fatalf("search: %s", s.Raw)
		}
		if s := d.Must(200, d.Agent, "GET", "/api/v2/automations/search.json?query=リマインド", nil); s.Int("count") != 1 {
			t.Fatalf("search in Japanese: %s", s.Raw)
		}
		d.Must(400, d.Agent, "GET", "/api/v2/automations/search.json", nil)
		u := d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/automations/%d.json", id), map[string]any{"automation": map[string]any{"active": false, "title": "エスカレーション"}})
		if u.Get("automation.active") != false || u.Str("automation.title") != "エスカレーション" || u.Str("automation.conditions.all.1.field") != "NEW" {
			t.Fatalf("updated: %s", u.Raw)
		}
		d.Must(422, d.Admin, "PUT", fmt.Sprintf("/api/v2/automations/%d.json", id), map[string]any{"automation": map[string]any{"actions": []any{act("type", "task")}}})
		if a := d.Must(200, d.Agent, "GET", "/api/v2/automations/active.json", nil); a.Int("count") != 2 {
			t.Fatalf("active: %s", a.Raw)
		}
		if a := d.Must(200, d.Agent, "GET", "/api/v2/automations.json?active=false", nil); a.Int("count") != 1 || a.Int("automations.0.id") != id {
			t.Fatalf("active=false: %s", a.Raw)
		}
		m := d.Must(200, d.Admin, "PUT", "/api/v2/automations/update_many.json", map[string]any{"automations": []any{
			map[string]any{"id": id, "position": 0, "active": true}}})
		if m.Int("automations.0.position") != 0 || m.Get("automations.0.active") != true {
			t.Fatalf("update_many: %s", m.Raw)
		}
		if l := d.Must(200, d.Agent, "GET", "/api/v2/automations.json?per_page=1", nil); l.Int("automations.0.id") != id || l.Str("next_page") == "" {
			t.Fatalf("position order and paging: %s", l.Raw)
		}
		if l := d.Must(200, d.Agent, "GET", "/api/v2/automations.json?sort_by=alphabetical&sort_order=desc", nil); l.Str("automations.0.title") != "解決済みチケットを4日後に終了 / Close ticket 4 days after status is set to solved" || l.Str("automations.2.title") != "エスカレーション" {
			t.Fatalf("alphabetical desc: %s", l.Raw)
		}
		d.Must(404, d.Admin, "PUT", "/api/v2/automations/update_many.json", map[string]any{"automations": []any{map[string]any{"id": 999999, "position": 1}}})
		d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/automations/%d.json", id), nil)
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/automations/%d.json", id), nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/automations/%d.json", id), nil)
		d.Must(404, d.Admin, "DELETE", "/api/v2/automations/destroy_many.json?ids=1,999999", nil)
		d.Must(204, d.Admin, "DELETE", "/api/v2/automations/destroy_many.json?ids=1,2", nil)
		if l := d.Must(200, d.Agent, "GET", "/api/v2/automations.json", nil); l.Int("count") != 0 {
			t.Fatalf("after destroy_many: %s", l.Raw)
		}
		// A shipped automation an admin deleted does not come back on the
		// next start.
		err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error { return automations.EnsureDefaults(tx, f.clk.now()) })
		if err != nil {
			t.Fatal(err)
		}
		if l := d.Must(200, d.Agent, "GET", "/api/v2/automations.json", nil); l.Int("count") != 0 {
			t.Fatalf("defaults came back: %s", l.Raw)
		}
	})
}
