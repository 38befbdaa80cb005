package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestUsersCreateAndValidate(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		var ichiro int64
		runSteps(t, d, []step{
			{name: "agent creates a customer", as: "agent", method: "POST", path: "/api/v2/users.json", status: 201,
				body: map[string]any{"user": map[string]any{"name": "髙橋 一郎", "email": " Ichiro@Example.CO.JP ", "phone": "03-1234-5678",
					"time_zone": "Tokyo", "tags": []string{"VIP", "vip", "法人"}, "external_id": "crm-①",
					"user_fields": map[string]any{"sign_up_date": "2026-04-01", "plan": "プレミアム"}}},
				want: map[string]any{"user.name": "髙橋 一郎", "user.email": "ichiro@example.co.jp", "user.role": "end-user",
					"user.role_type": nil, "user.time_zone": "Tokyo", "user.iana_time_zone": "Asia/Tokyo", "user.locale": "ja",
					"user.locale_id": 67, "user.tags": []string{"vip", "法人"}, "user.external_id": "crm-①", "user.active": true,
					"user.user_fields.sign_up_date": "2026-04-01", "user.ticket_restriction": "requested", "user.organization_id": nil,
					"user.only_private_comments": false, "user.photo": nil, "user.shared_phone_number": false, "user.signature": nil},
				check: func(t *testing.T, r *apptest.Response) {
					ichiro = r.Int("user.id")
					if want := fmt.Sprintf("%s/api/v2/users/%d.json", d.URL, ichiro); r.Str("user.url") != want || r.Header.Get("Location") != want {
						t.Errorf("url %q, Location %q, want %q", r.Str("user.url"), r.Header.Get("Location"), want)
					}
				}},
			{name: "agent /me", as: "agent", method: "GET", path: "/api/v2/users/" + "me", status: 200,
				want: map[string]any{"user.id": d.Agent.ID, "user.role": "agent", "user.role_type": nil, "user.ticket_restriction": nil}},
			{name: "malformed email", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "田中", "email": "tanaka@@example"}}, check: wantDetail("email", "InvalidFormat")},
			{name: "duplicate email in any case", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "偽 花子", "email": "HANAKO@customer.co.jp"}}, check: wantDetail("email", "DuplicateValue")},
			{name: "duplicate external id", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "別人", "external_id": "crm-①"}}, check: wantDetail("external_id", "DuplicateValue")},
			{name: "unknown organization", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body:  map[string]any{"user": map[string]any{"name": "山本", "email": "yamamoto@example.jp", "organization_id": 987654}},
				check: wantDetail("organization_id", "InvalidValue")},
			{name: "bad role", as: "admin", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "社長", "email": "boss@example.jp", "role": "boss"}}, check: wantDetail("role", "InvalidValue")},
			{name: "no name and no email", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"notes": "名無し"}}, check: wantDetail("name", "BlankValue")},
			{name: "unknown time zone", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "旅人", "time_zone": "Asia/Atlantis"}}, check: wantDetail("time_zone", "InvalidValue")},
			{name: "unknown locale id", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "旅人", "locale_id": 99999}}, check: wantDetail("locale_id", "InvalidValue")},
			{name: "nested user field", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body:  map[string]any{"user": map[string]any{"name": "入れ子", "user_fields": map[string]any{"x": map[string]any{"y": 1}}}},
				check: wantDetail("user_fields", "InvalidValue")},
			{name: "all problems reported together", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"email": "bad@", "organization_id": 987654}},
				check: func(t *testing.T, r *apptest.Response) {
					if detail(r, "email") == "" || detail(r, "organization_id") == "" {
						t.Errorf("want email and organization_id problems: %s", r.Raw)
					}
				}},
			{name: "over-long external id", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "長い", "external_id": strings.Repeat("外", 3000)}}, check: wantDetail("external_id", "TooLong")},
			{name: "over-long email", as: "agent", method: "POST", path: "/api/v2/users", status: 422,
				body: map[string]any{"user": map[string]any{"name": "長い", "email": strings.Repeat("a", 3000) + "@example.jp"}},
				check: func(t *testing.T, r *apptest.Response) {
					if detail(r, "email") == "" {
						t.Errorf("want an email problem: %s", r.Raw)
					}
				}},
			{name: "name of the wrong type", as: "agent", method: "POST", path: "/api/v2/users", status: 400,
				body: `{"user": {"name": 123}}`, want: map[string]any{"error": "InvalidValue"}},
			{name: "broken JSON", as: "agent", method: "POST", path: "/api/v2/users", status: 400, body: `{"user": {`},
			{name: "invalid UTF-8", as: "agent", method: "POST", path: "/api/v2/users", status: 400, body: "{\"user\": {\"name\": \"\xff\"}}"},
			{name: "no envelope", as: "agent", method: "POST", path: "/api/v2/users", status: 400, body: `{"name": "裸"}`},
			{name: "role by locale_id and English", as: "admin", method: "POST", path: "/api/v2/users", status: 201,
				body: map[string]any{"user": map[string]any{"name": "John Smith", "email": "john@example.com", "locale_id": 1, "time_zone": "Pacific Time (US & Canada)"}},
				want: map[string]any{"user.locale": "en-US", "user.locale_id": 1, "user.iana_time_zone": "America/Los_Angeles", "user.time_zone": "Pacific Time (US & Canada)"}},
		})
		runSteps(t, d, []step{
			{name: "sign-up date kept for automations", as: "admin", method: "GET", path: fmt.Sprintf("/api/v2/users/%d", ichiro), status: 200,
				want: map[string]any{"user.user_fields.sign_up_date": "2026-04-01", "user.user_fields.plan": "プレミアム", "user.phone": "03-1234-5678"}},
			{name: "user_fields merge on update", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/users/%d.json", ichiro), status: 200,
				body: map[string]any{"user": map[string]any{"user_fields": map[string]any{"plan": nil, "seats": 12}}},
				want: map[string]any{"user.user_fields.sign_up_date": "2026-04-01", "user.user_fields.plan": nil, "user.user_fields.seats": 12}},
			{name: "missing user", as: "agent", method: "GET", path: "/api/v2/users/99999999", status: 404, want: map[string]any{"error": "RecordNotFound"}},
			{name: "non-numeric id", as: "agent", method: "GET", path: "/api/v2/users/abc.json", status: 404},
			{name: "update missing user", as: "admin", method: "PUT", path: "/api/v2/users/99999999", status: 404,
				body: map[string]any{"user": map[string]any{"name": "誰"}}},
		})
	})
}

func TestUsersPermissions(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		user := func(id int64) string { return fmt.Sprintf("/api/v2/users/%d.json", id) }
		var lightID int64
		runSteps(t, d, []step{
			{name: "agent cannot create an agent", as: "agent", method: "POST", path: "/api/v2/users", status: 403,
				body: map[string]any{"user": map[string]any{"name": "新人", "email": "shinjin@example.jp", "role": "agent"}}},
			{name: "light agent cannot create users", as: "light", method: "POST", path: "/api/v2/users", status: 403,
				body: map[string]any{"user": map[string]any{"name": "客", "email": "kyaku@example.jp"}}},
			{name: "customer cannot create users", as: "customer", method: "POST", path: "/api/v2/users", status: 403,
				body: map[string]any{"user": map[string]any{"name": "客", "email": "kyaku@example.jp"}}},
			{name: "customer cannot list users", as: "customer", method: "GET", path: "/api/v2/users", status: 403},
			{name: "customer cannot see an agent", as: "customer", method: "GET", path: user(d.Agent.ID), status: 403},
			{name: "customer sees themselves", as: "customer", method: "GET", path: user(d.Customer.ID), status: 200,
				want: map[string]any{"user.name": "佐藤 花子", "user.restricted_agent": true}},
			{name: "customer /me", as: "customer", method: "GET", path: "/api/v2/users/me.json", status: 200, want: map[string]any{"user.id": d.Customer.ID}},
			{name: "light agent lists users", as: "light", method: "GET", path: "/api/v2/users", status: 200},
			{name: "agent cannot change an admin", as: "agent", method: "PUT", path: user(d.Admin.ID), status: 403,
				body: map[string]any{"user": map[string]any{"name": "乗っ取り"}}},
			{name: "agent cannot promote a customer", as: "agent", method: "PUT", path: user(d.Customer.ID), status: 403,
				body: map[string]any{"user": map[string]any{"role": "admin"}}},
			{name: "agent edits a customer", as: "agent", method: "PUT", path: user(d.Customer.ID), status: 200,
				body: map[string]any{"user": map[string]any{"notes": "電話は午前中希望", "details": "フリガナ: サトウ ハナコ"}},
				want: map[string]any{"user.notes": "電話は午前中希望"}},
			{name: "customer renames themselves", as: "customer", method: "PUT", path: user(d.Customer.ID), status: 200,
				body: map[string]any{"user": map[string]any{"name": "佐藤 はな子", "locale": "ja", "time_zone": "Asia/Tokyo"}},
				want: map[string]any{"user.name": "佐藤 はな子"}},
			{name: "customer does not see agents' notes", as: "customer", method: "GET", path: "/api/v2/users/me", status: 200,
				want: map[string]any{"user.notes": "", "user.details": "", "user.tags": []string{}}},
			{name: "customer's notes and tags are ignored", as: "customer", method: "PUT", path: user(d.Customer.ID), status: 200,
				body: map[string]any{"user": map[string]any{"notes": "VIP です", "tags": []string{"vip"}}}, want: map[string]any{"user.notes": ""}},
			{name: "agents' notes are intact", as: "agent", method: "GET", path: user(d.Customer.ID), status: 200,
				want: map[string]any{"user.notes": "電話は午前中希望", "user.tags": []string{}}},
			{name: "customer cannot change their email", as: "customer", method: "PUT", path: user(d.Customer.ID), status: 403,
				body: map[string]any{"user": map[string]any{"email": "other@customer.co.jp"}}},
			{name: "customer cannot suspend themselves", as: "customer", method: "PUT", path: user(d.Customer.ID), status: 403,
				body: map[string]any{"user": map[string]any{"suspended": true}}},
			{name: "customer cannot make themselves admin", as: "customer", method: "PUT", path: user(d.Customer.ID), status: 403,
				body: map[string]any{"user": map[string]any{"role": "admin"}}},
			{name: "customer cannot edit others", as: "customer", method: "PUT", path: user(d.Agent.ID), status: 403,
				body: map[string]any{"user": map[string]any{"name": "x"}}},
			{name: "agent edits own details and signature", as: "agent", method: "PUT", path: user(d.Agent.ID), status: 200,
				body: map[string]any{"user": map[string]any{"details": "請求担当", "signature": "山田 太郎\nサポートチーム"}},
				want: map[string]any{"user.details": "請求担当", "user.signature": "山田 太郎\nサポートチーム"}},
			{name: "but not own email", as: "agent", method: "PUT", path: user(d.Agent.ID), status: 403,
				body: map[string]any{"user": map[string]any{"email": "yamada2@example.jp"}}},
			{name: "light agent shows as agent with role_type 1", as: "agent", method: "GET", path: user(d.Light.ID), status: 200,
				want: map[string]any{"user.role": "agent", "user.role_type": 1, "user.only_private_comments": true}},
			{name: "light agent sends back role agent and stays light", as: "light", method: "PUT", path: user(d.Light.ID), status: 200,
				body: map[string]any{"user": map[string]any{"role": "agent", "signature": "営業部 次郎"}},
				want: map[string]any{"user.role": "agent", "user.role_type": 1, "user.signature": "営業部 次郎"}},
			{name: "light agent cannot become a full agent", as: "light", method: "PUT", path: user(d.Light.ID), status: 403,
				body: map[string]any{"user": map[string]any{"role": "agent", "role_type": 0}}},
			{name: "admin creates a light agent with role_type", as: "admin", method: "POST", path: "/api/v2/users", status: 201,
				body:  map[string]any{"user": map[string]any{"name": "経理 三郎", "email": "keiri@example.jp", "role": "agent", "role_type": 1}},
				want:  map[string]any{"user.role": "agent", "user.role_type": 1, "user.only_private_comments": true},
				check: func(t *testing.T, r *apptest.Response) { lightID = r.Int("user.id") }},
			{name: "admin creates a light agent by name", as: "admin", method: "POST", path: "/api/v2/users", status: 201,
				body: map[string]any{"user": map[string]any{"name": "法務 四郎", "email": "houmu@example.jp", "role": "light-agent"}},
				want: map[string]any{"user.role": "agent", "user.role_type": 1}},
			{name: "admin cannot demote themselves", as: "admin", method: "PUT", path: user(d.Admin.ID), status: 403,
				body: map[string]any{"user": map[string]any{"role": "end-user"}}},
			{name: "agent deletes nobody on staff", as: "agent", method: "DELETE", path: user(d.Light.ID), status: 403},
			{name: "agent cannot delete an admin", as: "agent", method: "DELETE", path: user(d.Admin.ID), status: 403},
			{name: "nobody deletes themselves", as: "admin", method: "DELETE", path: user(d.Admin.ID), status: 403},
			{name: "customer cannot delete", as: "customer", method: "DELETE", path: user(d.Agent.ID), status: 403},
			{name: "delete a missing user", as: "admin", method: "DELETE", path: "/api/v2/users/99999999", status: 404},
		})
		runSteps(t, d, []step{
			{name: "admin makes the light agent a full agent", as: "admin", method: "PUT", path: user(lightID), status: 200,
				body: map[string]any{"user": map[string]any{"role_type": 0}},
				want: map[string]any{"user.role": "agent", "user.role_type": nil, "user.only_private_comments": false}},
			{name: "role filter: agent includes light agents", as: "agent", method: "GET", path: "/api/v2/users.json?role=agent", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					hasID("users", d.Light.ID, true)(t, r)
					hasID("users", d.Agent.ID, true)(t, r)
					hasID("users", d.Customer.ID, false)(t, r)
				}},
			{name: "role[] filter", as: "agent", method: "GET", path: "/api/v2/users?role[]=admin&role[]=end-user", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					hasID("users", d.Admin.ID, true)(t, r)
					hasID("users", d.Customer.ID, true)(t, r)
					hasID("users", d.Agent.ID, false)(t, r)
				}},
		})

		// A deleted customer stays readable but inactive and cannot sign in.
		gone := d.AddUser("taikai@customer.co.jp", "退会 五郎", "end-user")
		d.Must(200, gone, "GET", "/api/v2/users/me", nil)
		r := d.Must(200, d.Agent, "DELETE", user(gone.ID), nil)
		if r.Get("user.active") != false {
			t.Errorf("deleted user still active: %s", r.Raw)
		}
		d.Must(401, gone, "GET", "/api/v2/users/me", nil)
		if r := d.Must(200, d.Agent, "GET", user(gone.ID), nil); r.Get("user.active") != false {
			t.Errorf("deleted user is not shown inactive: %s", r.Raw)
		}
		// Demoting an agent takes them out of their groups.
		g := d.Must(201, d.Admin, "POST", "/api/v2/groups", map[string]any{"group": map[string]any{"name": "一次対応"}})
		d.Must(201, d.Admin, "POST", "/api/v2/group_memberships", map[string]any{"group_membership": map[string]any{"user_id": lightID, "group_id": g.Int("group.id")}})
		r = d.Must(200, d.Admin, "PUT", user(lightID), map[string]any{"user": map[string]any{"role": "end-user"}})
		if r.Get("user.default_group_id") != nil {
			t.Errorf("demoted agent keeps a default group: %s", r.Raw)
		}
		if r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/users/%d/group_memberships", lightID), nil); r.Len("group_memberships") != 0 {
			t.Errorf("demoted agent keeps memberships: %s", r.Raw)
		}
	})
}

func TestUsersListPagingAndBulk(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		var people []map[string]any
		for i := 1; i <= 5; i++ {
			people = append(people, map[string]any{"name": fmt.Sprintf("顧客 %d号", i), "email": fmt.Sprintf("kokyaku%d@example.jp", i), "external_id": fmt.Sprintf("ext-%d", i)})
		}
		people = append(people, map[string]any{"name": "壊れた", "email": "broken@"})
		r := d.Must(200, d.Agent, "POST", "/api/v2/users/create_many.json", map[string]any{"users": people})
		if r.Str("job_status.status") != "completed" || r.Len("job_status.results") != 6 {
			t.Fatalf("job: %s", r.Raw)
		}
		if r.Get("job_status.results.0.success") != true || r.Str("job_status.results.0.status") != "Created" ||
			r.Get("job_status.results.5.success") != false || r.Str("job_status.results.5.error") != "RecordInvalid" {
			t.Errorf("job results: %s", r.Raw)
		}
		d.Must(200, d.Agent, "GET", "/api/v2/job_statuses/"+r.Str("job_status.id"), nil)
		d.Must(403, d.Light, "POST", "/api/v2/users/create_many", map[string]any{"users": people[:1]})
		d.Must(400, d.Agent, "POST", "/api/v2/users/create_many", map[string]any{"users": []any{}})

		total := d.Must(200, d.Agent, "GET", "/api/v2/users", nil).Int("count")
		if total != 9 { // 4 desk users + 5 created
			t.Fatalf("count = %d, want 9", total)
		}
		// Offset pagination: absolute next_page links until null.
		seen := map[int64]bool{}
		next, pages := d.URL+"/api/v2/users.json?per_page=2", 0
		for next != "" {
			r := d.Must(200, d.Agent, "GET", next, nil)
			pages++
			for _, id := range idsAt(r, "users") {
				seen[id] = true
			}
			if r.Int("count") != total {
				t.Errorf("count %d on page %d", r.Int("count"), pages)
			}
			np, _ := r.Get("next_page").(string)
			if np != "" && (!strings.HasPrefix(np, d.URL+"/api/v2/users.json?") || !strings.Contains(np, "per_page=2")) {
				t.Errorf("next_page not absolute: %q", np)
			}
			if pages > 1 && r.Get("previous_page") == nil {
				t.Errorf("page %d has no previous_page", pages)
			}
			next = np
		}
		if pages != 5 || int64(len(seen)) != total {
			t.Errorf("offset paging: %d pages, %d users, want 5 and %d", pages, len(seen), total)
		}
		// Cursor pagination: has_more and links.next.
		seen = map[int64]bool{}
		next, pages = d.URL+"/api/v2/users.json?page[size]=4", 0
		for next != "" {
			r := d.Must(200, d.Agent, "GET", next, nil)
			pages++
			for _, id := range idsAt(r, "users") {
				if seen[id] {
					t.Errorf("user %d on two pages", id)
				}
				seen[id] = true
			}
			more := r.Get("meta.has_more") == true
			nl, _ := r.Get("links.next").(string)
			if more != (nl != "") {
				t.Errorf("has_more %v but links.next %q", more, nl)
			}
			next = nl
		}
		if pages != 3 || int64(len(seen)) != total {
			t.Errorf("cursor paging: %d pages, %d users", pages, len(seen))
		}
		d.Must(400, d.Agent, "GET", "/api/v2/users?page[after]=garbage", nil)
		d.Must(400, d.Agent, "GET", "/api/v2/users?per_page=zero", nil)

		runSteps(t, d, []step{
			{name: "show_many by ids", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/users/show_many.json?ids=%d,%d,99999999", d.Customer.ID, d.Agent.ID),
				status: 200, want: map[string]any{"count": 2}},
			{name: "show_many by external ids", as: "agent", method: "GET", path: "/api/v2/users/show_many?external_ids=ext-1,ext-3", status: 200,
				want: map[string]any{"count": 2}},
			{name: "show_many needs ids", as: "agent", method: "GET", path: "/api/v2/users/show_many", status: 400},
			{name: "filter by external_id", as: "agent", method: "GET", path: "/api/v2/users?external_id=ext-2", status: 200,
				want: map[string]any{"count": 1, "users.0.name": "顧客 2号"}},
			{name: "create_or_update creates", as: "agent", method: "POST", path: "/api/v2/users/create_or_update.json", status: 201,
				body: map[string]any{"user": map[string]any{"name": "鈴木 ㈱担当", "email": "suzuki@example.jp"}}, want: map[string]any{"user.name": "鈴木 ㈱担当"}},
			{name: "create_or_update matches the email", as: "agent", method: "POST", path: "/api/v2/users/create_or_update", status: 200,
				body: map[string]any{"user": map[string]any{"name": "鈴木 次郎", "email": "SUZUKI@example.jp"}}, want: map[string]any{"user.name": "鈴木 次郎"}},
			{name: "create_or_update matches the external id", as: "agent", method: "POST", path: "/api/v2/users/create_or_update", status: 200,
				body: map[string]any{"user": map[string]any{"name": "顧客 一号様", "external_id": "ext-1"}},
				want: map[string]any{"user.name": "顧客 一号様", "user.email": "kokyaku1@example.jp"}},
			{name: "create_or_update keeps the rules", as: "agent", method: "POST", path: "/api/v2/users/create_or_update", status: 403,
				body: map[string]any{"user": map[string]any{"email": d.Admin.Email, "name": "乗っ取り"}}},
			{name: "count", as: "agent", method: "GET", path: "/api/v2/users/count", status: 200, want: map[string]any{"count.value": 10}},
		})
	})
}

func TestUsersSearch(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/users/%d", d.Customer.ID),
			map[string]any{"user": map[string]any{"details": "フリガナ: サトウ ハナコ", "tags": []string{"優良顧客"}, "external_id": "crm-100"}})
		tanaka := d.Must(201, d.Agent, "POST", "/api/v2/users", map[string]any{"user": map[string]any{"name": "田中 花", "email": "tanaka@example.jp"}}).Int("user.id")
		runSteps(t, d, []step{
			{name: "by given name 花子", as: "agent", method: "GET", path: "/api/v2/users/search.json?query=花子", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					hasID("users", d.Customer.ID, true)(t, r)
					hasID("users", tanaka, false)(t, r)
				}},
			{name: "half-width katakana finds full-width reading", as: "agent", method: "GET", path: "/api/v2/users/search?query=ｻﾄｳ", status: 200,
				check: hasID("users", d.Customer.ID, true)},
			{name: "one kanji is a prefix", as: "agent", method: "GET", path: "/api/v2/users/search?query=花", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					hasID("users", d.Customer.ID, true)(t, r)
					hasID("users", tanaka, true)(t, r)
				}},
			{name: "exact email", as: "agent", method: "GET", path: "/api/v2/users/search?query=hanako@customer.co.jp", status: 200,
				want: map[string]any{"count": 1, "users.0.id": d.Customer.ID}},
			{name: "external_id parameter", as: "agent", method: "GET", path: "/api/v2/users/search?external_id=crm-100", status: 200,
				want: map[string]any{"count": 1, "users.0.id": d.Customer.ID}},
			{name: "role filter with text", as: "agent", method: "GET", path: "/api/v2/users/search?query=" + "role:agent%20山田", status: 200,
				want: map[string]any{"count": 1, "users.0.id": d.Agent.ID}},
			{name: "tag filter", as: "agent", method: "GET", path: "/api/v2/users/search?query=tags:優良顧客", status: 200,
				want: map[string]any{"count": 1, "users.0.id": d.Customer.ID}},
			{name: "no match", as: "agent", method: "GET", path: "/api/v2/users/search?query=存在しない人", status: 200, want: map[string]any{"count": 0}},
			{name: "punctuation matches nothing", as: "agent", method: "GET", path: "/api/v2/users/search?query=!!!", status: 200, want: map[string]any{"count": 0}},
			{name: "query required", as: "agent", method: "GET", path: "/api/v2/users/search", status: 400},
			{name: "bad syntax", as: "agent", method: "GET", path: "/api/v2/users/search?query=%22unclosed", status: 400},
			{name: "customers cannot search", as: "customer", method: "GET", path: "/api/v2/users/search?query=花子", status: 403},
			{name: "autocomplete Latin prefix", as: "agent", method: "GET", path: "/api/v2/users/autocomplete?name=yam", status: 200,
				check: hasID("users", d.Agent.ID, true)},
			{name: "autocomplete Japanese", as: "agent", method: "GET", path: "/api/v2/users/autocomplete.json?name=佐藤", status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					hasID("users", d.Customer.ID, true)(t, r)
					hasID("users", d.Agent.ID, false)(t, r)
				}},
			{name: "autocomplete needs a name", as: "agent", method: "GET", path: "/api/v2/users/autocomplete", status: 400},
		})
	})
}
