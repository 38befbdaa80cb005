package assign_test

import (
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/assign"
)

func TestAvailabilityAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		tm := newTeam(t, d, 2, assign.ModeRoundRobin, "")
		today := time.Now() // fixed: "new today" counts from this day's midnight in Tokyo
		tm.svc.Now = func() time.Time { return today }
		me := tm.agents[0]
		mine := fmt.Sprintf("/api/v2/agents/%d/availability", me.ID)
		av := func(v any) map[string]any { return map[string]any{"availability": v} }
		cases := []struct {
			name   string
			user   *apptest.User
			method string
			path   string
			body   any
			status int
			want   map[string]any
		}{
			{"never set: offline, default capacity", d.Agent, "GET", fmt.Sprintf("/api/v2/agents/%d/availability", d.Agent.ID), nil, 200,
				map[string]any{"availability.status": "offline", "availability.capacity": 10.0, "availability.updated_at": nil}},
			{"own status", me, "PUT", mine, av(map[string]any{"status": "away", "capacity": 5, "skills": []string{" 返金 ", "english", "ENGLISH", ""}}), 200,
				map[string]any{"availability.status": "away", "availability.capacity": 5.0, "availability.skills": []any{"返金", "english"}, "availability.name": me.Name}},
			{"partial update keeps the rest", me, "PUT", mine, av(map[string]any{"status": "online"}), 200,
				map[string]any{"availability.status": "online", "availability.capacity": 5.0}},
			{"another agent's", tm.agents[1], "PUT", mine, av(map[string]any{"status": "offline"}), 403, nil},
			{"an admin sets anyone's", d.Admin, "PUT", mine, av(map[string]any{"capacity": 8}), 200, map[string]any{"availability.capacity": 8.0}},
			{"customers cannot read", d.Customer, "GET", mine, nil, 403, nil},
			{"light agents read", d.Light, "GET", mine, nil, 200, map[string]any{"availability.agent_id": float64(me.ID)}},
			{"light agents are not assignable", d.Admin, "PUT", fmt.Sprintf("/api/v2/agents/%d/availability", d.Light.ID), av(map[string]any{"status": "online"}), 422, nil},
			{"unknown user", d.Admin, "GET", "/api/v2/agents/999999/availability", nil, 404, nil},
			{"bad status", me, "PUT", mine, av(map[string]any{"status": "休憩中"}), 422, nil},
			{"negative capacity", me, "PUT", mine, av(map[string]any{"capacity": -1}), 422, nil},
			{"capacity as text", me, "PUT", mine, av(map[string]any{"capacity": "十"}), 400, nil},
			{"no envelope", me, "PUT", mine, map[string]any{"status": "online"}, 400, nil},
			{"invalid JSON", me, "PUT", mine, `{"availability": {`, 400, nil},
			{"invalid UTF-8", me, "PUT", mine, "{\"availability\": {\"skills\": [\"\xff\"]}}", 400, nil},
		}
		for _, c := range cases {
			r := d.Do(c.user, c.method, c.path, c.body)
			if r.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Raw)
				continue
			}
			for k, v := range c.want {
				if got := r.Get(k); fmt.Sprint(got) != fmt.Sprint(v) {
					t.Errorf("%s: %s = %v, want %v", c.name, k, got, v)
				}
			}
		}

		// The team-load panel: every agent with their open and new-today counts.
		tm.ticket(t, "請求について", nil)
		tm.ticket(t, "配送について", map[string]any{"assignee_id": me.ID})
		r := d.Must(200, d.Agent, "GET", "/api/v2/agents/availabilities", nil)
		found := false
		for i := range r.Len("availabilities") {
			p := fmt.Sprintf("availabilities.%d.", i)
			if r.Int(p+"agent_id") == me.ID {
				found = true
				if r.Int(p+"open_tickets") != 2 || r.Int(p+"new_today") != 2 || r.Str(p+"status") != "online" || r.Int(p+"group_ids.0") != tm.group {
					t.Errorf("load of %s: %v", me.Name, r.Get(fmt.Sprintf("availabilities.%d", i)))
				}
			}
		}
		if !found || r.Int("count") != int64(r.Len("availabilities")) || r.Int("count") < 4 {
			t.Errorf("availabilities: %s", r.Raw)
		}
		if p := d.Must(200, d.Agent, "GET", "/api/v2/agents/availabilities?per_page=1", nil); p.Len("availabilities") != 1 || p.Get("next_page") == nil {
			t.Errorf("paging: %s", p.Raw)
		}
		d.Must(403, d.Customer, "GET", "/api/v2/agents/availabilities", nil)
	})
}

func TestAssignmentRulesAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		g := d.Must(201, d.Admin, "POST", "/api/v2/groups", map[string]any{"group": map[string]any{"name": "返金チーム"}}).Int("group.id")
		inbox := d.Must(201, d.Admin, "POST", "/api/v2/inboxes", map[string]any{"inbox": map[string]any{"name": "問い合わせ窓口", "addresses": []string{"toiawase@example.jp"}}}).Int("inbox.id")
		rule := func(v map[string]any) map[string]any { return map[string]any{"assignment_rule": v} }
		var id int64
		cases := []struct {
			name   string
			user   *apptest.User
			method string
			path   string
			body   any
			status int
			want   map[string]any
		}{
			{"agents cannot create", d.Agent, "POST", "/api/v2/assignment_rules", rule(map[string]any{"group_id": g, "mode": "random"}), 403, nil},
			{"create for a group", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"group_id": g, "mode": "random", "return_on_reply": "always"}), 201,
				map[string]any{"assignment_rule.group_id": float64(g), "assignment_rule.inbox_id": nil, "assignment_rule.mode": "random", "assignment_rule.return_on_reply": "always"}},
			{"one rule per group", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"group_id": g, "mode": "claim"}), 422, nil},
			{"create for an inbox, defaults", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"inbox_id": inbox}), 201,
				map[string]any{"assignment_rule.mode": "manual", "assignment_rule.return_on_reply": "unavailable"}},
			{"both group and inbox", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"group_id": g, "inbox_id": inbox}), 422, nil},
			{"neither", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"mode": "random"}), 422, nil},
			{"unknown group", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"group_id": 999999}), 422, nil},
			{"bad mode", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"group_id": g, "mode": "くじ引き"}), 422, nil},
			{"group id as text", d.Admin, "POST", "/api/v2/assignment_rules", rule(map[string]any{"group_id": "返金"}), 400, nil},
			{"agents list", d.Agent, "GET", "/api/v2/assignment_rules", nil, 200, map[string]any{"count": 2.0, "assignment_rules.0.mode": "random"}},
			{"customers cannot", d.Customer, "GET", "/api/v2/assignment_rules", nil, 403, nil},
		}
		for _, c := range cases {
			r := d.Do(c.user, c.method, c.path, c.body)
			if r.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Raw)
				continue
			}
			if c.name == "create for a group" {
				id = r.Int("assignment_rule.id")
			}
			for k, v := range c.want {
				if got := r.Get(k); fmt.Sprint(got) != fmt.Sprint(v) {
					t.Errorf("%s: %s = %v, want %v", c.name, k, got, v)
				}
			}
		}
		p := fmt.Sprintf("/api/v2/assignment_rules/%d", id)
		if r := d.Must(200, d.Admin, "PUT", p, rule(map[string]any{"mode": "least_loaded"})); r.Str("assignment_rule.mode") != "least_loaded" || r.Int("assignment_rule.group_id") != g {
			t.Errorf("update: %s", r.Raw)
		}
		if r := d.Must(200, d.Agent, "GET", p+".json", nil); r.Str("assignment_rule.url") != d.URL+p+".json" {
			t.Errorf("show: %s", r.Raw)
		}
		d.Must(204, d.Admin, "DELETE", p, nil)
		d.Must(404, d.Admin, "GET", p, nil)
		d.Must(404, d.Admin, "DELETE", p, nil)
	})
}
