package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestGroupsAndMemberships(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		// The desk starts with group 1, the default "サポート / Support".
		const billing, shipping = 2, 3
		var first, second int64
		agentMemberships := fmt.Sprintf("/api/v2/users/%d/group_memberships", d.Agent.ID)
		runSteps(t, d, []step{
			{name: "the default group", as: "agent", method: "GET", path: "/api/v2/groups.json", status: 200,
				want: map[string]any{"count": 1, "groups.0.name": "サポート / Support", "groups.0.default": true, "groups.0.deleted": false}},
			{name: "admin creates a group", as: "admin", method: "POST", path: "/api/v2/groups", status: 201,
				body: map[string]any{"group": map[string]any{"name": "請求チーム", "description": "請求・返金の問い合わせ"}},
				want: map[string]any{"group.id": billing, "group.name": "請求チーム", "group.default": false, "group.is_public": true}},
			{name: "and another", as: "admin", method: "POST", path: "/api/v2/groups", status: 201,
				body: map[string]any{"group": map[string]any{"name": "配送チーム"}}, want: map[string]any{"group.id": shipping}},
			{name: "agents cannot create groups", as: "agent", method: "POST", path: "/api/v2/groups", status: 403,
				body: map[string]any{"group": map[string]any{"name": "勝手なチーム"}}},
			{name: "names are unique", as: "admin", method: "POST", path: "/api/v2/groups", status: 422,
				body: map[string]any{"group": map[string]any{"name": "請求チーム"}}, check: wantDetail("name", "DuplicateValue")},
			{name: "names are required", as: "admin", method: "POST", path: "/api/v2/groups", status: 422,
				body: map[string]any{"group": map[string]any{"description": "名無し"}}, check: wantDetail("name", "BlankValue")},
			{name: "customers cannot list groups", as: "customer", method: "GET", path: "/api/v2/groups", status: 403},
			{name: "light agents cannot assign", as: "light", method: "GET", path: "/api/v2/groups/assignable", status: 403},
			{name: "agents see assignable groups", as: "agent", method: "GET", path: "/api/v2/groups/assignable.json", status: 200, want: map[string]any{"count": 3}},
			{name: "a missing group", as: "agent", method: "GET", path: "/api/v2/groups/99999", status: 404},
			{name: "rename", as: "admin", method: "PUT", path: fmt.Sprintf("/api/v2/groups/%d", billing), status: 200,
				body: map[string]any{"group": map[string]any{"name": "請求・返金チーム"}}, want: map[string]any{"group.name": "請求・返金チーム", "group.description": "請求・返金の問い合わせ"}},

			{name: "first membership becomes the default", as: "admin", method: "POST", path: "/api/v2/group_memberships.json", status: 201,
				body:  map[string]any{"group_membership": map[string]any{"user_id": d.Agent.ID, "group_id": billing}},
				want:  map[string]any{"group_membership.default": true, "group_membership.user_id": d.Agent.ID, "group_membership.group_id": billing},
				check: func(t *testing.T, r *apptest.Response) { first = r.Int("group_membership.id") }},
			{name: "the agent's default group", as: "agent", method: "GET", path: "/api/v2/users/me", status: 200, want: map[string]any{"user.default_group_id": billing}},
			{name: "second membership is not", as: "admin", method: "POST", path: agentMemberships, status: 201,
				body:  map[string]any{"group_membership": map[string]any{"group_id": shipping}},
				want:  map[string]any{"group_membership.default": false, "group_membership.user_id": d.Agent.ID},
				check: func(t *testing.T, r *apptest.Response) { second = r.Int("group_membership.id") }},
			{name: "light agents may be members", as: "admin", method: "POST", path: "/api/v2/group_memberships", status: 201,
				body: map[string]any{"group_membership": map[string]any{"user_id": d.Light.ID, "group_id": shipping}}},
			{name: "customers may not", as: "admin", method: "POST", path: "/api/v2/group_memberships", status: 422,
				body: map[string]any{"group_membership": map[string]any{"user_id": d.Customer.ID, "group_id": shipping}}, check: wantDetail("user_id", "InvalidValue")},
			{name: "twice in one group", as: "admin", method: "POST", path: "/api/v2/group_memberships", status: 422,
				body: map[string]any{"group_membership": map[string]any{"user_id": d.Agent.ID, "group_id": billing}}, check: wantDetail("user_id", "DuplicateValue")},
			{name: "unknown group and user", as: "admin", method: "POST", path: "/api/v2/group_memberships", status: 422,
				body: map[string]any{"group_membership": map[string]any{"user_id": 99999, "group_id": 99999}},
				check: func(t *testing.T, r *apptest.Response) {
					if detail(r, "user_id") == "" || detail(r, "group_id") == "" {
						t.Errorf("want both problems: %s", r.Raw)
					}
				}},
			{name: "agents cannot add members", as: "agent", method: "POST", path: "/api/v2/group_memberships", status: 403,
				body: map[string]any{"group_membership": map[string]any{"user_id": d.Agent.ID, "group_id": 1}}},
		})
		runSteps(t, d, []step{
			{name: "the agent's memberships", as: "agent", method: "GET", path: agentMemberships + ".json", status: 200, want: map[string]any{"count": 2}},
			{name: "a group's memberships", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/groups/%d/memberships", shipping), status: 200, want: map[string]any{"count": 2}},
			{name: "all memberships, paged", as: "agent", method: "GET", path: "/api/v2/group_memberships?per_page=2", status: 200,
				want: map[string]any{"count": 3},
				check: func(t *testing.T, r *apptest.Response) {
					if r.Len("group_memberships") != 2 || r.Str("next_page") == "" {
						t.Errorf("page 1: %s", r.Raw)
					}
				}},
			{name: "memberships by cursor", as: "agent", method: "GET", path: "/api/v2/group_memberships?page[size]=2", status: 200,
				want: map[string]any{"meta.has_more": true}},
			{name: "show one", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/group_memberships/%d", second), status: 200, want: map[string]any{"group_membership.group_id": shipping}},
			{name: "make the second the default", as: "admin", method: "PUT", path: fmt.Sprintf("%s/%d/make_default.json", agentMemberships, second), status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					for i := 0; i < r.Len("group_memberships"); i++ {
						id, def := r.Int(fmt.Sprintf("group_memberships.%d.id", i)), r.Get(fmt.Sprintf("group_memberships.%d.default", i))
						if (id == second) != (def == true) {
							t.Errorf("membership %d default = %v\n%s", id, def, r.Raw)
						}
					}
				}},
			{name: "default group follows", as: "agent", method: "GET", path: "/api/v2/users/me", status: 200, want: map[string]any{"user.default_group_id": shipping}},
			{name: "another user's membership", as: "admin", method: "PUT", path: fmt.Sprintf("/api/v2/users/%d/group_memberships/%d/make_default", d.Light.ID, first), status: 404},
			{name: "removing the default promotes the other", as: "admin", method: "DELETE", path: fmt.Sprintf("/api/v2/group_memberships/%d", second), status: 204},
			{name: "promoted", as: "agent", method: "GET", path: "/api/v2/users/me", status: 200, want: map[string]any{"user.default_group_id": billing}},
			{name: "remove twice", as: "admin", method: "DELETE", path: fmt.Sprintf("/api/v2/group_memberships/%d", second), status: 404},
			{name: "agents cannot remove members", as: "agent", method: "DELETE", path: fmt.Sprintf("/api/v2/group_memberships/%d", first), status: 403},
			{name: "the default group cannot be deleted", as: "admin", method: "DELETE", path: "/api/v2/groups/1", status: 422},
			{name: "agents cannot delete groups", as: "agent", method: "DELETE", path: fmt.Sprintf("/api/v2/groups/%d", billing), status: 403},
			{name: "delete a group", as: "admin", method: "DELETE", path: fmt.Sprintf("/api/v2/groups/%d.json", billing), status: 204},
			{name: "it shows as deleted", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/groups/%d", billing), status: 200, want: map[string]any{"group.deleted": true}},
			{name: "and is not listed", as: "agent", method: "GET", path: "/api/v2/groups", status: 200, want: map[string]any{"count": 2}},
			{name: "its members left it", as: "agent", method: "GET", path: "/api/v2/users/me", status: 200, want: map[string]any{"user.default_group_id": nil}},
			{name: "a deleted group cannot be updated", as: "admin", method: "PUT", path: fmt.Sprintf("/api/v2/groups/%d", billing), status: 404,
				body: map[string]any{"group": map[string]any{"name": "復活"}}},
			{name: "a deleted group takes no members", as: "admin", method: "POST", path: "/api/v2/group_memberships", status: 422,
				body: map[string]any{"group_membership": map[string]any{"user_id": d.Agent.ID, "group_id": billing}}, check: wantDetail("group_id", "InvalidValue")},
			{name: "a new default replaces the old", as: "admin", method: "PUT", path: fmt.Sprintf("/api/v2/groups/%d", shipping), status: 200,
				body: map[string]any{"group": map[string]any{"default": true}}, want: map[string]any{"group.default": true}},
			{name: "old default is not", as: "agent", method: "GET", path: "/api/v2/groups/1", status: 200, want: map[string]any{"group.default": false}},
		})
	})
}
