package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func trig(title string, conds map[string]any, actions []any, extra ...any) map[string]any {
	t := map[string]any{"title": title, "conditions": conds, "actions": actions}
	for i := 0; i+1 < len(extra); i += 2 {
		t[extra[i].(string)] = extra[i+1]
	}
	return map[string]any{"trigger": t}
}

func all(cs ...map[string]any) map[string]any { return map[string]any{"all": cs, "any": []any{}} }

func cond(field, op string, value any) map[string]any {
	return map[string]any{"field": field, "operator": op, "value": value}
}

func act(field string, value any) map[string]any {
	return map[string]any{"field": field, "value": value}
}

func TestTriggersAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		churn := trig("チャーン兆候を営業へ通知", all(cond("comment_includes_word", "includes", "解約")), []any{act("current_tags", "churn_risk")})
		r := d.Must(201, d.Admin, "POST", "/api/v2/triggers.json", churn)
		id := r.Int("trigger.id")
		if r.Str("trigger.title") != "チャーン兆候を営業へ通知" || r.Get("trigger.active") != true || r.Int("trigger.position") != 1 ||
			r.Str("trigger.conditions.all.0.field") != "comment_includes_word" || r.Len("trigger.conditions.any") != 0 ||
			r.Str("trigger.url") != fmt.Sprintf("%s/api/v2/triggers/%d.json", d.URL, id) || r.Get("trigger.default") != false {
			t.Fatalf("created: %s", r.Raw)
		}
		second := d.Must(201, d.Admin, "POST", "/api/v2/triggers.json",
			trig("解決時にお礼", all(cond("status", "changed_to", "solved")), []any{act("current_tags", "thanked")}, "active", false))
		id2 := second.Int("trigger.id")
		if second.Int("trigger.position") != 2 {
			t.Fatalf("second goes last: %s", second.Raw)
		}

		list := d.Must(200, d.Agent, "GET", "/api/v2/triggers.json", nil)
		if list.Int("count") != 2 || list.Int("triggers.0.id") != id || list.Int("triggers.1.id") != id2 {
			t.Fatalf("list: %s", list.Raw)
		}
		if a := d.Must(200, d.Agent, "GET", "/api/v2/triggers/active.json", nil); a.Int("count") != 1 || a.Int("triggers.0.id") != id {
			t.Fatalf("active: %s", a.Raw)
		}
		if a := d.Must(200, d.Agent, "GET", "/api/v2/triggers.json?active=false", nil); a.Int("count") != 1 || a.Int("triggers.0.id") != id2 {
			t.Fatalf("active=false: %s", a.Raw)
		}
		// Search matches Japanese anywhere in the title, after NFKC.
		if s := d.Must(200, d.Agent, "GET", "/api/v2/triggers/search.json?query=%E3%83%81%E3%83%A3%E3%83%BC%E3%83%B3", nil); s.Int("count") != 1 || s.Int("triggers.0.id") != id {
			t.Fatalf("search チャーン: %s", s.Raw)
		}
		if s := d.Must(200, d.Agent, "GET", "/api/v2/triggers.json?sort_by=alphabetical&sort_order=desc", nil); s.Int("triggers.0.id") != id2 {
			t.Fatalf("alphabetical desc (解 U+89E3 after チ U+30C1): %s", s.Raw)
		}
		if c := d.Must(200, d.Agent, "GET", "/api/v2/triggers.json?page[size]=1", nil); c.Len("triggers") != 1 || c.Get("meta.has_more") != true {
			t.Fatalf("cursor page: %s", c.Raw)
		} else {
			next := c.Str("links.next")
			c2 := d.Must(200, d.Agent, "GET", next, nil)
			if c2.Int("triggers.0.id") != id2 || c2.Get("meta.has_more") != false {
				t.Fatalf("cursor page 2: %s", c2.Raw)
			}
		}

		d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/triggers/%d.json", id), nil)
		d.Must(403, d.Customer, "GET", "/api/v2/triggers.json", nil)
		d.Must(403, d.Agent, "POST", "/api/v2/triggers.json", churn)

		up := d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/triggers/%d.json", id2), map[string]any{"trigger": map[string]any{"active": true, "description": "お客様へ"}})
		if up.Get("trigger.active") != true || up.Str("trigger.description") != "お客様へ" || up.Str("trigger.title") != "解決時にお礼" {
			t.Fatalf("update: %s", up.Raw)
		}
		re := d.Must(200, d.Admin, "PUT", "/api/v2/triggers/reorder.json", map[string]any{"trigger_ids": []int64{id2, id}})
		if re.Int("triggers.0.id") != id2 || re.Int("triggers.0.position") != 1 || re.Int("triggers.1.position") != 2 {
			t.Fatalf("reorder: %s", re.Raw)
		}
		um := d.Must(200, d.Admin, "PUT", "/api/v2/triggers/update_many.json", map[string]any{"triggers": []any{
			map[string]any{"id": id, "position": 1}, map[string]any{"id": id2, "position": 5, "active": false}}})
		if um.Len("triggers") != 2 || um.Int("triggers.1.position") != 5 || um.Get("triggers.1.active") != false {
			t.Fatalf("update_many: %s", um.Raw)
		}
		if l := d.Must(200, d.Agent, "GET", "/api/v2/triggers.json", nil); l.Int("triggers.0.id") != id {
			t.Fatalf("order after update_many: %s", l.Raw)
		}

		third := d.Must(201, d.Admin, "POST", "/api/v2/triggers.json", trig("一時", all(cond("priority", "is", "urgent")), []any{act("group_id", "")})).Int("trigger.id")
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/triggers/destroy_many.json?ids=%d,%d", id2, third), nil)
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/triggers/%d.json", id), nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/triggers/%d.json", id), nil)
		if l := d.Must(200, d.Agent, "GET", "/api/v2/triggers.json", nil); l.Int("count") != 0 {
			t.Fatalf("all deleted: %s", l.Raw)
		}
	})
}

func TestTriggerValidation(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ok := []any{act("current_tags", "x")}
		cases := []struct {
			name   string
			body   any
			status int
			want   []string // in the error body
		}{
			{"no title", trig("", all(cond("status", "is", "open")), ok), 422, []string{"Title: cannot be blank", "タイトル"}},
			{"no conditions", trig("条件なし", all(), ok), 422, []string{"at least one condition"}},
			{"unknown field", trig("誤字", all(cond("stauts", "is", "open")), ok), 422, []string{`unknown field \"stauts\"`}},
			{"bad operator", trig("演算子", all(cond("current_tags", "is", "vip")), ok), 422, []string{`operator \"is\" does not apply to \"current_tags\"`}},
			{"bad status", trig("値", all(cond("status", "changed_to", "done")), ok), 422, []string{`\"done\" is not a valid value`}},
			{"no actions", trig("動作なし", all(cond("status", "is", "open")), []any{}), 422, []string{"at least one action"}},
			{"unknown action", trig("動作", all(cond("status", "is", "open")), []any{act("explode", "now")}), 422, []string{`unknown action \"explode\"`}},
			{"tag too long", trig("長いタグ", all(cond("status", "is", "open")), []any{act("current_tags", "短い "+strings.Repeat("長", 256))}), 422, []string{"at most 255 characters"}},
			{"legacy target", trig("旧", all(cond("status", "is", "open")), []any{act("notification_target", []any{"1", "x"})}), 422, []string{"use a webhook"}},
			{"missing webhook", trig("Slack", all(cond("status", "is", "open")), []any{act("notification_slack", []any{"999", "こんにちは"})}), 422, []string{"webhook 999 does not exist"}},
			{"bad template", trig("テンプレ", all(cond("status", "is", "open")), []any{act("notification_user", []any{"requester_id", "件名", "{% if ticket.id %}閉じていない"})}), 422, []string{"line 1"}},
			{"not an object", `{"trigger": []}`, 400, []string{"trigger"}},
			{"broken JSON", `{"trigger": {`, 400, []string{"InvalidJSON"}},
			{"wrong envelope", `{"title": "x"}`, 400, []string{`{\"trigger\": {...}}`}},
		}
		for _, c := range cases {
			t.Run(c.name, func(t *testing.T) {
				r := d.Do(d.Admin, "POST", "/api/v2/triggers.json", c.body)
				if r.Status != c.status {
					t.Fatalf("status %d want %d: %s", r.Status, c.status, r.Raw)
				}
				for _, w := range c.want {
					if !strings.Contains(string(r.Raw), w) {
						t.Errorf("body lacks %q: %s", w, r.Raw)
					}
				}
				if c.status == 422 && r.Str("error") != "RecordInvalid" {
					t.Errorf("want RecordInvalid: %s", r.Raw)
				}
			})
		}
		d.Must(422, d.Admin, "PUT", "/api/v2/triggers/reorder.json", map[string]any{"trigger_ids": []int64{12345}})
		d.Must(404, d.Admin, "PUT", "/api/v2/triggers/777.json", trig("無い", all(cond("status", "is", "open")), ok))
	})
}
