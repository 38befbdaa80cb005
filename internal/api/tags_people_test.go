package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestTicketTags(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		newTicket := func(tags ...string) int64 {
			return d.Must(201, d.Agent, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{
				"subject": "配送状況を教えてください", "comment": map[string]any{"body": "注文番号①の配送はいつですか"},
				"requester_id": d.Customer.ID, "tags": tags}}).Int("ticket.id")
		}
		tk := newTicket("配送")
		other := newTicket("至急", "配送")
		tags := fmt.Sprintf("/api/v2/tickets/%d/tags", tk)
		runSteps(t, d, []step{
			{name: "show", as: "agent", method: "GET", path: tags + ".json", status: 200, want: map[string]any{"tags": []string{"配送"}}},
			{name: "set replaces", as: "agent", method: "POST", path: tags, status: 200,
				body: map[string]any{"tags": []string{"至急", "Refund", "refund"}}, want: map[string]any{"tags": []string{"至急", "refund"}}},
			{name: "add keeps", as: "agent", method: "PUT", path: tags + ".json", status: 200,
				body: map[string]any{"tags": []string{"vip", "至急"}}, want: map[string]any{"tags": []string{"至急", "refund", "vip"}}},
			{name: "remove by body", as: "agent", method: "DELETE", path: tags, status: 200,
				body: map[string]any{"tags": []string{"REFUND"}}, want: map[string]any{"tags": []string{"至急", "vip"}}},
			{name: "remove by query", as: "agent", method: "DELETE", path: tags + "?tags=vip", status: 200, want: map[string]any{"tags": []string{"至急"}}},
			{name: "the ticket shows them", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/tickets/%d", tk), status: 200, want: map[string]any{"ticket.tags": []string{"至急"}}},
			{name: "changes are audited", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/tickets/%d/audits", tk), status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					n := 0
					for i := 0; i < r.Len("audits"); i++ {
						for j := 0; j < r.Len(fmt.Sprintf("audits.%d.events", i)); j++ {
							if r.Str(fmt.Sprintf("audits.%d.events.%d.field_name", i, j)) == "tags" {
								n++
							}
						}
					}
					if n < 4 { // create + set + add + two removes
						t.Errorf("%d tag change events, want at least 4\n%s", n, r.Raw)
					}
				}},
			{name: "most used tags with counts", as: "agent", method: "GET", path: "/api/v2/tags.json", status: 200,
				want: map[string]any{"count": 2, "tags.0.name": "至急", "tags.0.count": 2, "tags.1.name": "配送", "tags.1.count": 1}},
			{name: "tags by cursor", as: "agent", method: "GET", path: "/api/v2/tags?page[size]=1", status: 200,
				want: map[string]any{"tags.0.name": "至急", "meta.has_more": true},
				check: func(t *testing.T, r *apptest.Response) {
					r2 := d.Must(200, d.Agent, "GET", r.Str("links.next"), nil)
					if r2.Str("tags.0.name") != "配送" || r2.Get("meta.has_more") != false {
						t.Errorf("page 2: %s", r2.Raw)
					}
				}},
			{name: "light agents cannot tag", as: "light", method: "PUT", path: tags, status: 403, body: map[string]any{"tags": []string{"営業"}}},
			{name: "customers cannot tag", as: "customer", method: "PUT", path: tags, status: 403, body: map[string]any{"tags": []string{"自分で"}}},
			{name: "customers cannot list tags", as: "customer", method: "GET", path: "/api/v2/tags", status: 403},
			{name: "missing ticket", as: "agent", method: "PUT", path: "/api/v2/tickets/99999999/tags", status: 404, body: map[string]any{"tags": []string{"x"}}},
			{name: "tags must be a list", as: "agent", method: "PUT", path: tags, status: 400, body: `{"tags": "vip"}`},
			{name: "tags are required", as: "agent", method: "POST", path: tags, status: 400, body: `{}`},
			{name: "safe update with a stale stamp", as: "agent", method: "PUT", path: tags, status: 409,
				body: map[string]any{"tags": []string{"x"}, "safe_update": true, "updated_stamp": "2001-01-01T00:00:00Z"}},
			// A closed ticket's tags stay editable; nothing else is.
			{name: "solve", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d", other), status: 200,
				body: map[string]any{"ticket": map[string]any{"status": "solved", "assignee_id": d.Agent.ID}}},
			{name: "close", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d", other), status: 200,
				body: map[string]any{"ticket": map[string]any{"status": "closed"}}, want: map[string]any{"ticket.status": "closed"}},
			{name: "tag a closed ticket", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d/tags", other), status: 200,
				body: map[string]any{"tags": []string{"要改善"}}, want: map[string]any{"tags": []string{"至急", "配送", "要改善"}}},
			{name: "but not reopen it", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d", other), status: 422,
				body: map[string]any{"ticket": map[string]any{"status": "open"}}},
		})
	})
}

func TestUserAndOrganizationTags(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		org := d.Must(201, d.Agent, "POST", "/api/v2/organizations", map[string]any{"organization": map[string]any{"name": "㈱タグ", "tags": []string{"既存"}}}).Int("organization.id")
		userTags := fmt.Sprintf("/api/v2/users/%d/tags", d.Customer.ID)
		orgTags := fmt.Sprintf("/api/v2/organizations/%d/tags", org)
		runSteps(t, d, []step{
			{name: "user: none yet", as: "agent", method: "GET", path: userTags, status: 200, want: map[string]any{"tags": []string{}}},
			{name: "user: set", as: "agent", method: "POST", path: userTags + ".json", status: 200, body: map[string]any{"tags": []string{"VIP", "要注意"}},
				want: map[string]any{"tags": []string{"vip", "要注意"}}},
			{name: "user: add", as: "agent", method: "PUT", path: userTags, status: 200, body: map[string]any{"tags": []string{"法人"}},
				want: map[string]any{"tags": []string{"vip", "要注意", "法人"}}},
			{name: "user: remove", as: "agent", method: "DELETE", path: userTags, status: 200, body: map[string]any{"tags": []string{"要注意"}},
				want: map[string]any{"tags": []string{"vip", "法人"}}},
			{name: "user: stored on the user", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/users/%d", d.Customer.ID), status: 200,
				want: map[string]any{"user.tags": []string{"vip", "法人"}}},
			{name: "user: searchable by tag", as: "agent", method: "GET", path: "/api/v2/users/search?query=tags:法人", status: 200,
				want: map[string]any{"count": 1, "users.0.id": d.Customer.ID}},
			{name: "user: agents cannot tag admins", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/users/%d/tags", d.Admin.ID), status: 403,
				body: map[string]any{"tags": []string{"x"}}},
			{name: "user: customers cannot tag themselves", as: "customer", method: "PUT", path: userTags, status: 403, body: map[string]any{"tags": []string{"x"}}},
			{name: "user: customers cannot read tags", as: "customer", method: "GET", path: userTags, status: 403},
			{name: "user: missing", as: "agent", method: "PUT", path: "/api/v2/users/99999999/tags", status: 404, body: map[string]any{"tags": []string{"x"}}},
			{name: "org: show", as: "agent", method: "GET", path: orgTags, status: 200, want: map[string]any{"tags": []string{"既存"}}},
			{name: "org: add", as: "agent", method: "PUT", path: orgTags, status: 200, body: map[string]any{"tags": []string{"解約リスク"}},
				want: map[string]any{"tags": []string{"既存", "解約リスク"}}},
			{name: "org: set", as: "agent", method: "POST", path: orgTags, status: 200, body: map[string]any{"tags": []string{"新規"}},
				want: map[string]any{"tags": []string{"新規"}}},
			{name: "org: remove", as: "agent", method: "DELETE", path: orgTags + "?tags=新規", status: 200, want: map[string]any{"tags": []string{}}},
			{name: "org: light agents cannot", as: "light", method: "PUT", path: orgTags, status: 403, body: map[string]any{"tags": []string{"x"}}},
			{name: "org: missing", as: "agent", method: "GET", path: "/api/v2/organizations/99999/tags", status: 404},
		})
		if r := d.Must(200, d.Agent, "GET", "/api/v2/tags", nil); r.Int("count") != 0 || r.Len("tags") != 0 {
			t.Errorf("user tags leaked into ticket tag counts: %s", r.Raw)
		}
	})
}
