package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestOrganizations(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		var org, member int64
		orgPath := func() string { return fmt.Sprintf("/api/v2/organizations/%d", org) }
		runSteps(t, d, []step{
			{name: "agent creates an organization", as: "agent", method: "POST", path: "/api/v2/organizations.json", status: 201,
				body: map[string]any{"organization": map[string]any{"name": "株式会社サンプル商事", "external_id": "sf-001",
					"domain_names": []string{"Sample.CO.JP", "sample.co.jp", "例え.jp"}, "tags": []string{"Enterprise", "重要"},
					"notes": "年間契約", "organization_fields": map[string]any{"contract_start": "2026-01-01"}}},
				want: map[string]any{"organization.name": "株式会社サンプル商事", "organization.domain_names": []string{"sample.co.jp", "例え.jp"},
					"organization.tags": []string{"enterprise", "重要"}, "organization.external_id": "sf-001", "organization.group_id": nil,
					"organization.organization_fields.contract_start": "2026-01-01", "organization.shared_tickets": false},
				check: func(t *testing.T, r *apptest.Response) {
					org = r.Int("organization.id")
					if r.Str("organization.url") != fmt.Sprintf("%s/api/v2/organizations/%d.json", d.URL, org) {
						t.Errorf("url %s", r.Str("organization.url"))
					}
				}},
			{name: "a user with that email domain joins it", as: "agent", method: "POST", path: "/api/v2/users", status: 201,
				body: map[string]any{"user": map[string]any{"name": "サンプル 太郎", "email": "taro@sample.co.jp"}},
				check: func(t *testing.T, r *apptest.Response) {
					member = r.Int("user.id")
					if r.Int("user.organization_id") != org {
						t.Errorf("organization_id = %v, want %d", r.Get("user.organization_id"), org)
					}
				}},
			{name: "so does a Japanese domain", as: "agent", method: "POST", path: "/api/v2/users", status: 201,
				body: map[string]any{"user": map[string]any{"name": "例 花子", "email": "hanako@例え.jp"}},
				check: func(t *testing.T, r *apptest.Response) {
					if r.Int("user.organization_id") != org {
						t.Errorf("organization_id = %v, want %d\n%s", r.Get("user.organization_id"), org, r.Raw)
					}
				}},
			{name: "other domains do not", as: "agent", method: "POST", path: "/api/v2/users", status: 201,
				body: map[string]any{"user": map[string]any{"name": "他社 次郎", "email": "jiro@other.co.jp"}}, want: map[string]any{"user.organization_id": nil}},
			{name: "the organization's users", as: "agent", method: "GET", path: "/api/v2/organizations/1/users.json", status: 200, // the first organization
				want:  map[string]any{"count": 2},
				check: func(t *testing.T, r *apptest.Response) { hasID("users", member, true)(t, r) }},
			{name: "same name in another case", as: "agent", method: "POST", path: "/api/v2/organizations", status: 422,
				body: map[string]any{"organization": map[string]any{"name": "株式会社サンプル商事"}}, check: wantDetail("name", "DuplicateValue")},
			{name: "a domain another organization has", as: "agent", method: "POST", path: "/api/v2/organizations", status: 422,
				body: map[string]any{"organization": map[string]any{"name": "横取り㈱", "domain_names": []string{"SAMPLE.co.jp"}}}, check: wantDetail("domain_names", "DuplicateValue")},
			{name: "not a domain", as: "agent", method: "POST", path: "/api/v2/organizations", status: 422,
				body: map[string]any{"organization": map[string]any{"name": "変な会社", "domain_names": []string{"user@mail.example.jp"}}}, check: wantDetail("domain_names", "InvalidValue")},
			{name: "blank name", as: "agent", method: "POST", path: "/api/v2/organizations", status: 422,
				body: map[string]any{"organization": map[string]any{"name": "  "}}, check: wantDetail("name", "BlankValue")},
			{name: "unknown group", as: "agent", method: "POST", path: "/api/v2/organizations", status: 422,
				body: map[string]any{"organization": map[string]any{"name": "グループ違い", "group_id": 987654}}, check: wantDetail("group_id", "InvalidValue")},
			{name: "duplicate external id", as: "agent", method: "POST", path: "/api/v2/organizations", status: 422,
				body: map[string]any{"organization": map[string]any{"name": "別会社", "external_id": "sf-001"}}, check: wantDetail("external_id", "DuplicateValue")},
			{name: "over-long external id", as: "agent", method: "POST", path: "/api/v2/organizations", status: 422,
				body: map[string]any{"organization": map[string]any{"name": "長い会社", "external_id": strings.Repeat("x", 5000)}}, check: wantDetail("external_id", "TooLong")},
			{name: "domain_names of the wrong type", as: "agent", method: "POST", path: "/api/v2/organizations", status: 400,
				body: `{"organization": {"name": "型違い", "domain_names": "sample.jp"}}`},
			{name: "light agents cannot create", as: "light", method: "POST", path: "/api/v2/organizations", status: 403,
				body: map[string]any{"organization": map[string]any{"name": "営業の会社"}}},
			{name: "customers cannot create", as: "customer", method: "POST", path: "/api/v2/organizations", status: 403,
				body: map[string]any{"organization": map[string]any{"name": "客の会社"}}},
			{name: "customer outside it cannot see it", as: "customer", method: "GET", path: "/api/v2/organizations/1", status: 403},
			{name: "customer lists none", as: "customer", method: "GET", path: "/api/v2/organizations", status: 200, want: map[string]any{"count": 0}},
			{name: "put the customer in it", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/users/%d", d.Customer.ID), status: 200,
				body: map[string]any{"user": map[string]any{"organization_id": 1}}},
		})
		if org != 1 {
			t.Fatalf("first organization has id %d; the steps below assume 1", org)
		}
		runSteps(t, d, []step{
			{name: "customer sees own organization, not agents' notes", as: "customer", method: "GET", path: orgPath(), status: 200,
				want: map[string]any{"organization.id": org, "organization.notes": "", "organization.tags": []string{}}},
			{name: "customer lists only it", as: "customer", method: "GET", path: "/api/v2/organizations", status: 200, want: map[string]any{"count": 1}},
			{name: "agent updates domains and notes", as: "agent", method: "PUT", path: orgPath() + ".json", status: 200,
				body: map[string]any{"organization": map[string]any{"domain_names": []string{"sample.jp"}, "notes": "担当: 山田", "shared_tickets": true}},
				want: map[string]any{"organization.domain_names": []string{"sample.jp"}, "organization.notes": "担当: 山田",
					"organization.shared_tickets": true, "organization.name": "株式会社サンプル商事", "organization.tags": []string{"enterprise", "重要"}}},
			{name: "the old domain is free", as: "agent", method: "POST", path: "/api/v2/users", status: 201,
				body: map[string]any{"user": map[string]any{"name": "元 社員", "email": "moto@sample.co.jp"}}, want: map[string]any{"user.organization_id": nil}},
			{name: "search by exact name", as: "agent", method: "GET", path: "/api/v2/organizations/search?name=株式会社サンプル商事", status: 200,
				want: map[string]any{"count": 1, "organizations.0.id": org}},
			{name: "search by external id", as: "agent", method: "GET", path: "/api/v2/organizations/search.json?external_id=sf-001", status: 200,
				want: map[string]any{"count": 1, "organizations.0.id": org}},
			{name: "search finds nothing", as: "agent", method: "GET", path: "/api/v2/organizations/search?name=無い会社", status: 200, want: map[string]any{"count": 0}},
			{name: "search needs a parameter", as: "agent", method: "GET", path: "/api/v2/organizations/search", status: 400},
			{name: "autocomplete Japanese", as: "agent", method: "GET", path: "/api/v2/organizations/autocomplete?name=サンプル", status: 200,
				want: map[string]any{"count": 1, "organizations.0.id": org}},
			{name: "create_or_update by external id updates", as: "agent", method: "POST", path: "/api/v2/organizations/create_or_update", status: 200,
				body: map[string]any{"organization": map[string]any{"external_id": "sf-001", "details": "本社: 東京都千代田区"}},
				want: map[string]any{"organization.id": org, "organization.details": "本社: 東京都千代田区"}},
			{name: "create_or_update by name updates", as: "agent", method: "POST", path: "/api/v2/organizations/create_or_update", status: 200,
				body: map[string]any{"organization": map[string]any{"name": "株式会社サンプル商事", "group_id": 1}},
				want: map[string]any{"organization.id": org, "organization.group_id": 1}},
			{name: "create_or_update creates", as: "agent", method: "POST", path: "/api/v2/organizations/create_or_update", status: 201,
				body: map[string]any{"organization": map[string]any{"name": "合同会社ｶﾀｶﾅ", "external_id": "sf-002"}}},
			{name: "show_many", as: "agent", method: "GET", path: "/api/v2/organizations/show_many?ids=1,2,999", status: 200, want: map[string]any{"count": 2}},
			{name: "show_many by external ids", as: "agent", method: "GET", path: "/api/v2/organizations/show_many?external_ids=sf-002", status: 200,
				want: map[string]any{"count": 1, "organizations.0.name": "合同会社ｶﾀｶﾅ"}},
			{name: "agents cannot delete", as: "agent", method: "DELETE", path: orgPath(), status: 403},
			{name: "admin deletes", as: "admin", method: "DELETE", path: orgPath(), status: 204},
			{name: "gone", as: "agent", method: "GET", path: orgPath(), status: 404},
			{name: "its users stay, without it", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/users/%d", member), status: 200,
				want: map[string]any{"user.organization_id": nil}},
			{name: "delete again", as: "admin", method: "DELETE", path: orgPath(), status: 404},
			{name: "update missing", as: "agent", method: "PUT", path: orgPath(), status: 404, body: map[string]any{"organization": map[string]any{"notes": "x"}}},
		})

		// Offset and cursor paging over organizations.
		for i := 1; i <= 3; i++ {
			d.Must(201, d.Agent, "POST", "/api/v2/organizations", map[string]any{"organization": map[string]any{"name": fmt.Sprintf("取引先 %d", i)}})
		}
		r := d.Must(200, d.Agent, "GET", "/api/v2/organizations.json?per_page=3", nil)
		if r.Int("count") != 4 || r.Len("organizations") != 3 || r.Str("next_page") == "" {
			t.Fatalf("page 1: %s", r.Raw)
		}
		r = d.Must(200, d.Agent, "GET", r.Str("next_page"), nil)
		if r.Len("organizations") != 1 || r.Get("next_page") != nil {
			t.Errorf("page 2: %s", r.Raw)
		}
		r = d.Must(200, d.Agent, "GET", "/api/v2/organizations?page[size]=3", nil)
		if r.Get("meta.has_more") != true {
			t.Fatalf("cursor page 1: %s", r.Raw)
		}
		r = d.Must(200, d.Agent, "GET", r.Str("links.next"), nil)
		if r.Len("organizations") != 1 || r.Get("meta.has_more") != false {
			t.Errorf("cursor page 2: %s", r.Raw)
		}
	})
}
