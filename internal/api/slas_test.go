package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestSLAPolicies(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		const p = "/api/v2/slas/policies"
		vip := map[string]any{"sla_policy": map[string]any{
			"title": "VIP（㈱髙島屋）", "description": "VIP顧客は1時間以内に返信",
			"filter": map[string]any{"all": []any{map[string]any{"field": "current_tags", "operator": "includes", "value": "vip"}}, "any": []any{}},
			"policy_metrics": []any{
				map[string]any{"priority": "normal", "metric": "first_reply_time", "target": 60, "business_hours": false},
				map[string]any{"priority": "high", "metric": "agent_work_time", "target_in_seconds": 7200, "business_hours": true},
			}}}
		std := map[string]any{"sla_policy": map[string]any{
			"title": "標準", "filter": map[string]any{"all": []any{}, "any": []any{}},
			"policy_metrics": []any{map[string]any{"priority": "normal", "metric": "first_reply_time", "target": 480, "business_hours": true}}}}
		var vipTicket, stdTicket int64
		runSteps(t, d, []step{
			{name: "agents cannot create", as: "agent", method: "POST", path: p, body: std, status: 403},
			{name: "create 標準", as: "admin", method: "POST", path: p + ".json", body: std, status: 201,
				want: map[string]any{"sla_policy.id": 1, "sla_policy.position": 1, "sla_policy.title": "標準",
					"sla_policy.filter.all": []any{}, "sla_policy.policy_metrics.0.target": 480, "sla_policy.policy_metrics.0.target_in_seconds": 28800,
					"sla_policy.policy_metrics.0.business_hours": true}},
			{name: "create VIP after it", as: "admin", method: "POST", path: p, body: vip, status: 201,
				want: map[string]any{"sla_policy.id": 2, "sla_policy.position": 2, "sla_policy.policy_metrics.1.target": 120,
					"sla_policy.filter.all.0.value": "vip"}},
			{name: "unknown metric and priority", as: "admin", method: "POST", path: p, status: 422,
				body: map[string]any{"sla_policy": map[string]any{"title": "x", "filter": map[string]any{"all": []any{}},
					"policy_metrics": []any{map[string]any{"priority": "超急ぎ", "metric": "pausable_anything", "target": 0}}}},
				check: func(t *testing.T, r *apptest.Response) {
					if r.Len("details.policy_metrics") != 3 {
						t.Errorf("want 3 problems: %s", r.Raw)
					}
				}},
			{name: "unknown filter field", as: "admin", method: "POST", path: p, status: 422,
				body: map[string]any{"sla_policy": map[string]any{"title": "x",
					"filter": map[string]any{"all": []any{map[string]any{"field": "moon_phase", "operator": "is", "value": "full"}}}}},
				want: map[string]any{"details.filter.0.error": "InvalidValue"}},
			{name: "same_day only for reply metrics in business hours", as: "admin", method: "POST", path: p, status: 422,
				body: map[string]any{"sla_policy": map[string]any{"title": "当日中", "filter": map[string]any{"all": []any{}},
					"policy_metrics": []any{map[string]any{"priority": "low", "metric": "agent_work_time", "same_day": true, "business_hours": true},
						map[string]any{"priority": "low", "metric": "first_reply_time", "same_day": true, "business_hours": false}}}},
				check: func(t *testing.T, r *apptest.Response) {
					if r.Len("details.policy_metrics") != 2 {
						t.Errorf("want 2 problems: %s", r.Raw)
					}
				}},
			{name: "no filter", as: "admin", method: "POST", path: p, status: 422,
				body: map[string]any{"sla_policy": map[string]any{"title": "x"}}, want: map[string]any{"details.filter.0.error": "BlankValue"}},
			{name: "wrong envelope", as: "admin", method: "POST", path: p, status: 400, body: map[string]any{"policy": map[string]any{}}},
			{name: "list in order", as: "agent", method: "GET", path: p, status: 200,
				want: map[string]any{"count": 2, "sla_policies.0.title": "標準", "sla_policies.1.title": "VIP（㈱髙島屋）", "next_page": nil}},
			{name: "the catch-all applies first", as: "admin", method: "POST", path: "/api/v2/tickets", status: 201,
				body: map[string]any{"ticket": map[string]any{"subject": "至急", "priority": "normal", "tags": []any{"vip"},
					"requester_id": d.Customer.ID, "comment": map[string]any{"body": "電話がつながりません", "author_id": d.Customer.ID}}},
				check: func(t *testing.T, r *apptest.Response) { stdTicket = r.Int("ticket.id") }},
			{name: "reorder: VIP first", as: "admin", method: "PUT", path: p + "/reorder.json", status: 200,
				body: map[string]any{"sla_policy_ids": []any{2, 1}}},
			{name: "reorder: unknown id", as: "admin", method: "PUT", path: p + "/reorder", status: 422,
				body: map[string]any{"sla_policy_ids": []any{2, 99}}},
			{name: "order after reorder", as: "admin", method: "GET", path: p, status: 200,
				want: map[string]any{"sla_policies.0.id": 2, "sla_policies.0.position": 1, "sla_policies.1.position": 2}},
			{name: "now VIP applies", as: "admin", method: "POST", path: "/api/v2/tickets", status: 201,
				body: map[string]any{"ticket": map[string]any{"subject": "至急2", "priority": "normal", "tags": []any{"vip"},
					"requester_id": d.Customer.ID, "comment": map[string]any{"body": "電話がつながりません", "author_id": d.Customer.ID}}},
				check: func(t *testing.T, r *apptest.Response) { vipTicket = r.Int("ticket.id") }},
			{name: "update target", as: "admin", method: "PUT", path: p + "/2", status: 200,
				body: map[string]any{"sla_policy": map[string]any{"title": "VIP"}},
				want: map[string]any{"sla_policy.title": "VIP", "sla_policy.policy_metrics.0.target": 60, "sla_policy.position": 1}},
			{name: "show", as: "agent", method: "GET", path: p + "/2.json", status: 200,
				want: map[string]any{"sla_policy.title": "VIP", "sla_policy.description": "VIP顧客は1時間以内に返信"}},
			{name: "definitions", as: "admin", method: "GET", path: p + "/definitions.json", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					found := false
					for i := 0; i < r.Len("definitions.all"); i++ {
						if r.Str(fmt.Sprintf("definitions.all.%d.subject", i)) == "group_id" &&
							r.Str(fmt.Sprintf("definitions.all.%d.values.0.title", i)) == "サポート / Support" {
							found = true
						}
					}
					if !found || r.Len("definitions.any") == 0 {
						t.Errorf("definitions: %s", r.Raw)
					}
				}},
			{name: "unknown policy", as: "admin", method: "GET", path: p + "/99", status: 404},
		})
		check := func(id, policy int64, target int64) {
			r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/slas", id), nil)
			if r.Int("slas.0.policy_id") != policy || r.Int("slas.0.target") != target || r.Str("slas.0.metric") != "first_reply_time" {
				t.Errorf("ticket %d: %s", id, r.Raw)
			}
		}
		check(stdTicket, 1, 480)
		check(vipTicket, 2, 60)
		// Deleting a policy drops its active targets.
		d.Must(204, d.Admin, "DELETE", p+"/2", nil)
		d.Must(404, d.Admin, "GET", p+"/2", nil)
		if r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/slas", vipTicket), nil); r.Len("slas") != 0 {
			t.Errorf("targets of a deleted policy: %s", r.Raw)
		}
		// On the next write the ticket falls to the remaining policy.
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", vipTicket), map[string]any{"ticket": map[string]any{"tags": []any{"vip", "至急"}}})
		check(vipTicket, 1, 480)
		d.Must(404, d.Agent, "GET", "/api/v2/tickets/999/slas", nil)
	})
}
