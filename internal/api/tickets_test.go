package api_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func ticketBody(subject, body string, extra map[string]any) map[string]any {
	t := map[string]any{"subject": subject, "comment": map[string]any{"body": body}}
	for k, v := range extra {
		t[k] = v
	}
	return map[string]any{"ticket": t}
}

// TestTicketScenarios walks the ticket endpoints as Zendesk clients use
// them, step by step, each step checking status and shape.
func TestTicketScenarios(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		// Create with a new requester given by name and email.
		r := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", ticketBody("配送状況を教えてください",
			"注文番号 ①-12345、㈱髙島屋様宛の荷物が届きません。ｶﾀｶﾅも混ざります。",
			map[string]any{"requester": map[string]any{"name": "髙橋 一郎", "email": "Takahashi@Example.co.jp"}, "priority": "high", "tags": []string{"配送", "Urgent"}}))
		id := r.Int("ticket.id")
		if r.Str("ticket.status") != "new" || r.Str("ticket.priority") != "high" || r.Str("ticket.subject") != "配送状況を教えてください" {
			t.Fatalf("created ticket: %s", r.Raw)
		}
		if got := r.Get("ticket.tags"); fmt.Sprint(got) != "[配送 urgent]" {
			t.Fatalf("tags = %v", got)
		}
		if r.Str("ticket.description") != "注文番号 ①-12345、㈱髙島屋様宛の荷物が届きません。ｶﾀｶﾅも混ざります。" {
			t.Fatalf("description mangled: %q", r.Str("ticket.description"))
		}
		if want := fmt.Sprintf("%s/api/v2/tickets/%d.json", d.URL, id); r.Str("ticket.url") != want || r.Header.Get("Location") != want {
			t.Fatalf("url = %q, Location = %q, want %q", r.Str("ticket.url"), r.Header.Get("Location"), want)
		}
		if r.Str("audit.events.0.type") != "Comment" || r.Get("ticket.assignee_id") != nil {
			t.Fatalf("audit/assignee: %s", r.Raw)
		}
		requester := r.Int("ticket.requester_id")
		u := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", id), nil)
		if u.Int("ticket.requester_id") != requester {
			t.Fatal("show differs from create")
		}

		steps := []struct {
			name   string
			as     *apptest.User
			method string
			path   string
			body   any
			status int
			check  func(r *apptest.Response) error
		}{
			{"assign opens", d.Agent, "PUT", "/api/v2/tickets/%d.json", map[string]any{"ticket": map[string]any{"assignee_id": d.Agent.ID}}, 200,
				func(r *apptest.Response) error { return expect(r.Str("ticket.status"), "open") }},
			{"back to new refused", d.Agent, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"status": "new"}}, 422,
				func(r *apptest.Response) error { return expect(r.Str("error"), "RecordInvalid") }},
			{"internal note", d.Agent, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "社内メモ：返金は不要", "public": false}}}, 200,
				func(r *apptest.Response) error { return expect(fmt.Sprint(r.Get("audit.events.0.public")), "false") }},
			{"pending with reply", d.Agent, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"status": "pending", "comment": map[string]any{"html_body": "<p>確認します<script>alert(1)</script></p>"}}}, 200,
				func(r *apptest.Response) error {
					if strings.Contains(r.Str("audit.events.0.html_body"), "script") {
						return fmt.Errorf("script survived: %s", r.Str("audit.events.0.html_body"))
					}
					return expect(r.Str("ticket.status"), "pending")
				}},
			{"light agent public reply forbidden", d.Light, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "営業です", "public": true}}}, 403, nil},
			{"light agent note", d.Light, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "解約リスクあり"}}}, 200,
				func(r *apptest.Response) error { return expect(fmt.Sprint(r.Get("audit.events.0.public")), "false") }},
			{"customer cannot see others' ticket", d.Customer, "GET", "/api/v2/tickets/%d", nil, 404, nil},
			{"solve", d.Agent, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"status": "solved"}}, 200,
				func(r *apptest.Response) error { return expect(r.Str("ticket.status"), "solved") }},
			{"close", d.Admin, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"status": "closed"}}, 200, nil},
			{"closed is read-only", d.Agent, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"priority": "low"}}, 422, nil},
			{"closed still takes tags", d.Agent, "PUT", "/api/v2/tickets/%d", map[string]any{"ticket": map[string]any{"additional_tags": []string{"後処理"}}}, 200,
				func(r *apptest.Response) error {
					return expect(fmt.Sprint(r.Get("ticket.tags")), "[配送 urgent 後処理]")
				}},
			{"comments list hides nothing from agents", d.Agent, "GET", "/api/v2/tickets/%d/comments.json", nil, 200,
				func(r *apptest.Response) error { return expect(fmt.Sprint(r.Len("comments")), "4") }},
			{"audits trail", d.Agent, "GET", "/api/v2/tickets/%d/audits", nil, 200,
				func(r *apptest.Response) error { return expect(fmt.Sprint(r.Int("count")), "8") }},
			{"unknown ticket", d.Agent, "GET", "/api/v2/tickets/999999", nil, 404,
				func(r *apptest.Response) error { return expect(r.Str("error"), "RecordNotFound") }},
		}
		for _, s := range steps {
			path := s.path
			if strings.Contains(path, "%d") {
				path = fmt.Sprintf(path, id)
			}
			r := d.Do(s.as, s.method, path, s.body)
			if r.Status != s.status {
				t.Fatalf("%s: status %d, want %d: %s", s.name, r.Status, s.status, r.Raw)
			}
			if s.check != nil {
				if err := s.check(r); err != nil {
					t.Fatalf("%s: %v\n%s", s.name, err, r.Raw)
				}
			}
		}

		// The customer sees their own ticket, public comments only, and a
		// reply from them reopens a pending ticket.
		r = d.Must(201, d.Customer, "POST", "/api/v2/tickets", ticketBody("ログインできません", "パスワードを忘れました", nil))
		own := r.Int("ticket.id")
		if r.Int("ticket.requester_id") != d.Customer.ID {
			t.Fatalf("customer ticket requester = %d", r.Int("ticket.requester_id"))
		}
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", own), map[string]any{"ticket": map[string]any{"assignee_id": d.Agent.ID, "status": "pending",
			"comment": map[string]any{"body": "リセット用のメールを送りました"}}})
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", own), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "社内: 本人確認済み", "public": false}}})
		c := d.Must(200, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments", own), nil)
		if c.Len("comments") != 2 {
			t.Fatalf("customer sees %d comments, want 2 public ones: %s", c.Len("comments"), c.Raw)
		}
		r = d.Must(200, d.Customer, "PUT", fmt.Sprintf("/api/v2/tickets/%d", own), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "まだ届きません"}}})
		if r.Str("ticket.status") != "open" {
			t.Fatalf("customer reply left status %q", r.Str("ticket.status"))
		}
		d.Must(403, d.Customer, "GET", "/api/v2/tickets", nil)
		d.Must(403, d.Customer, "PUT", fmt.Sprintf("/api/v2/tickets/%d", own), map[string]any{"ticket": map[string]any{"status": "solved"}})

		// Delete answers 204 with no body; the ticket is gone from reads.
		del := d.Must(204, d.Agent, "DELETE", fmt.Sprintf("/api/v2/tickets/%d.json", own), nil)
		if len(del.Raw) != 0 {
			t.Fatalf("204 with a body: %q", del.Raw)
		}
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", own), nil)
	})
}

func expect(got, want string) error {
	if got != want {
		return fmt.Errorf("got %q, want %q", got, want)
	}
	return nil
}

func TestTicketPagination(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		for i := range 7 {
			d.Must(201, d.Agent, "POST", "/api/v2/tickets", ticketBody(fmt.Sprintf("問い合わせ %d", i), "本文", nil))
		}
		// Offset: absolute next_page, null on the last page, count.
		r := d.Must(200, d.Agent, "GET", "/api/v2/tickets.json?per_page=3&sort_order=desc", nil)
		if r.Len("tickets") != 3 || r.Int("count") != 7 || r.Get("previous_page") != nil {
			t.Fatalf("page 1: %s", r.Raw)
		}
		next := r.Str("next_page")
		if !strings.HasPrefix(next, d.URL+"/api/v2/tickets.json?") || !strings.Contains(next, "page=2") || !strings.Contains(next, "sort_order=desc") {
			t.Fatalf("next_page = %q", next)
		}
		seen := map[int64]bool{}
		pages := 0
		for next != "" {
			r = d.Must(200, d.Agent, "GET", next, nil)
			for i := range r.Len("tickets") {
				seen[r.Int(fmt.Sprintf("tickets.%d.id", i))] = true
			}
			next = r.Str("next_page")
			pages++
		}
		if pages != 2 || len(seen) != 4 {
			t.Fatalf("pages after the first = %d, tickets = %d", pages, len(seen))
		}
		// Cursor: meta.has_more and links.next until the end, no duplicates.
		url := "/api/v2/tickets.json?page[size]=2&sort=-updated_at"
		ids := map[int64]bool{}
		for url != "" {
			r = d.Must(200, d.Agent, "GET", url, nil)
			for i := range r.Len("tickets") {
				id := r.Int(fmt.Sprintf("tickets.%d.id", i))
				if ids[id] {
					t.Fatalf("ticket %d twice", id)
				}
				ids[id] = true
			}
			url = r.Str("links.next")
			if (url != "") != (r.Get("meta.has_more") == true) {
				t.Fatalf("links.next and has_more disagree: %s", r.Raw)
			}
		}
		if len(ids) != 7 {
			t.Fatalf("cursor paging saw %d tickets, want 7", len(ids))
		}
		// show_many, count
		r = d.Must(200, d.Agent, "GET", "/api/v2/tickets/show_many.json?ids=1,2,999", nil)
		if r.Len("tickets") != 2 {
			t.Fatalf("show_many: %s", r.Raw)
		}
		r = d.Must(200, d.Agent, "GET", "/api/v2/tickets/count.json", nil)
		if r.Int("count.value") != 7 {
			t.Fatalf("count: %s", r.Raw)
		}
		d.Must(400, d.Agent, "GET", "/api/v2/tickets?per_page=abc", nil)
		d.Must(400, d.Agent, "GET", "/api/v2/tickets?page[size]=2&page[after]=garbage!", nil)
		// A page far beyond the end is empty, not an error.
		r = d.Must(200, d.Agent, "GET", "/api/v2/tickets?page=99999999999", nil)
		if r.Len("tickets") != 0 {
			t.Fatalf("huge page: %s", r.Raw)
		}
	})
}

func TestTicketBulk(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		r := d.Must(200, d.Agent, "POST", "/api/v2/tickets/create_many.json", map[string]any{"tickets": []any{
			ticketBody("一括1", "本文1", nil)["ticket"],
			map[string]any{"subject": "本文なし"},
			ticketBody("一括3", "本文3", map[string]any{"priority": "urgent"})["ticket"],
		}})
		if r.Str("job_status.status") != "completed" || r.Len("job_status.results") != 3 {
			t.Fatalf("create_many: %s", r.Raw)
		}
		if r.Get("job_status.results.1.success") != false || r.Get("job_status.results.0.success") != true {
			t.Fatalf("per-item results: %s", r.Raw)
		}
		id1, id3 := r.Int("job_status.results.0.id"), r.Int("job_status.results.2.id")
		poll := d.Must(200, d.Agent, "GET", "/api/v2/job_statuses/"+r.Str("job_status.id")+".json", nil)
		if poll.Str("job_status.status") != "completed" {
			t.Fatalf("job poll: %s", poll.Raw)
		}
		r = d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/update_many.json?ids=%d,%d", id1, id3),
			map[string]any{"ticket": map[string]any{"additional_tags": []string{"一括"}, "assignee_id": d.Agent.ID}})
		if r.Get("job_status.results.1.success") != true {
			t.Fatalf("update_many: %s", r.Raw)
		}
		got := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", id3), nil)
		if got.Str("ticket.status") != "open" || fmt.Sprint(got.Get("ticket.tags")) != "[一括]" {
			t.Fatalf("after update_many: %s", got.Raw)
		}
		d.Must(200, d.Agent, "DELETE", fmt.Sprintf("/api/v2/tickets/destroy_many.json?ids=%d", id1), nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", id1), nil)
	})
}

// TestBadInput: every malformed request gets a clear 4xx in Zendesk's error
// shape, never a 500, and nothing is half-written.
func TestBadInput(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		cases := []struct {
			name    string
			method  string
			path    string
			body    any
			status  int
			errWord string
		}{
			{"invalid json", "POST", "/api/v2/tickets", `{"ticket": {"subject": "途中で`, 400, "InvalidJSON"},
			{"empty body", "POST", "/api/v2/tickets", "", 400, "InvalidJSON"},
			{"not an object", "POST", "/api/v2/tickets", `[1,2]`, 400, "InvalidValue"},
			{"wrong type", "POST", "/api/v2/tickets", `{"ticket": {"subject": 12, "comment": {"body": "x"}}}`, 400, "InvalidValue"},
			{"wrong id type", "POST", "/api/v2/tickets", `{"ticket": {"assignee_id": "山田", "comment": {"body": "x"}}}`, 400, "InvalidValue"},
			{"invalid utf-8", "POST", "/api/v2/tickets", []byte("{\"ticket\": {\"subject\": \"\xff\xfe\", \"comment\": {\"body\": \"x\"}}}"), 400, "InvalidJSON"},
			{"missing envelope", "POST", "/api/v2/tickets", `{"subject": "x"}`, 400, "InvalidValue"},
			{"unknown assignee", "POST", "/api/v2/tickets", `{"ticket": {"assignee_id": 424242, "comment": {"body": "x"}}}`, 422, "RecordInvalid"},
			{"unknown group", "POST", "/api/v2/tickets", `{"ticket": {"group_id": 424242, "comment": {"body": "x"}}}`, 422, "RecordInvalid"},
			{"bad status", "POST", "/api/v2/tickets", `{"ticket": {"status": "done", "comment": {"body": "x"}}}`, 422, "RecordInvalid"},
			{"bad priority", "POST", "/api/v2/tickets", `{"ticket": {"priority": "至急", "comment": {"body": "x"}}}`, 422, "RecordInvalid"},
			{"bad requester email", "POST", "/api/v2/tickets", `{"ticket": {"requester": {"email": "not-an-email"}, "comment": {"body": "x"}}}`, 422, "RecordInvalid"},
			{"oversize", "POST", "/api/v2/tickets", `{"ticket": {"comment": {"body": "` + strings.Repeat("あ", 400000) + `"}}}`, 413, "RequestTooLarge"},
			{"unknown ticket update", "PUT", "/api/v2/tickets/424242", `{"ticket": {"priority": "low"}}`, 404, "RecordNotFound"},
			{"bad id in path", "GET", "/api/v2/tickets/abc", nil, 404, "RecordNotFound"},
			{"unknown endpoint", "GET", "/api/v2/nothing_here", nil, 404, "InvalidEndpoint"},
			{"bad ids list", "GET", "/api/v2/tickets/show_many?ids=1,x", nil, 400, "InvalidValue"},
			{"bad sort", "GET", "/api/v2/tickets?sort_by=password", nil, 400, "InvalidValue"},
			// Text no database can store (PostgreSQL refused it with a 500).
			{"NUL in a string", "POST", "/api/v2/tickets", `{"ticket": {"subject": "配送\u0000状況", "comment": {"body": "x"}}}`, 400, "InvalidValue"},
			{"NUL in a user", "POST", "/api/v2/users", `{"user": {"name": "山田\u0000太郎", "email": "nul@example.jp"}}`, 400, "InvalidValue"},
			{"NUL in a search", "GET", "/api/v2/search?query=tags:%E9%85%8D%00", nil, 400, "InvalidValue"},
			{"invalid utf-8 in a search", "GET", "/api/v2/search?query=%E9%85", nil, 400, "InvalidValue"},
			{"NUL in an external id", "GET", "/api/v2/users/search?external_id=%00", nil, 400, "InvalidValue"},
			{"invalid utf-8 in an external id", "GET", "/api/v2/users/show_many?external_ids=%FF", nil, 400, "InvalidValue"},
			{"invalid utf-8 in a name", "GET", "/api/v2/organizations/search?name=%E6%A0", nil, 400, "InvalidValue"},
			// Keys PostgreSQL indexes have a length bound (a 500 there before).
			{"tag too long", "POST", "/api/v2/tickets", `{"ticket": {"tags": ["` + strings.Repeat("配", 256) + `"], "comment": {"body": "x"}}}`, 422, "RecordInvalid"},
			{"external id too long", "POST", "/api/v2/tickets", `{"ticket": {"external_id": "` + strings.Repeat("x", 3000) + `", "comment": {"body": "x"}}}`, 422, "RecordInvalid"},
		}
		for _, c := range cases {
			r := d.Do(d.Agent, c.method, c.path, c.body)
			if r.Status != c.status || r.Str("error") != c.errWord {
				t.Errorf("%s: got %d %s, want %d %s", c.name, r.Status, r.Raw, c.status, c.errWord)
			}
			if r.Status >= 400 && r.Status != 404 && r.Str("description") == "" && r.Get("details") == nil {
				t.Errorf("%s: error without a description: %s", c.name, r.Raw)
			}
		}
		// Nothing was written by any of them.
		r := d.Must(200, d.Agent, "GET", "/api/v2/tickets/count", nil)
		if r.Int("count.value") != 0 {
			t.Fatalf("bad requests wrote %d tickets", r.Int("count.value"))
		}
		// No requester user was half-created by the failed tickets either.
		if r := d.Do(d.Agent, "GET", "/api/v2/users/search?query=not-an-email", nil); r.Status == 200 && r.Len("users") != 0 {
			t.Fatalf("a failed ticket left a user behind: %s", r.Raw)
		}
		// Unauthenticated and wrong tokens: 401 with Zendesk's message.
		if r := d.Do(nil, "GET", "/api/v2/tickets", nil); r.Status != 401 || r.Str("error") != "Couldn't authenticate you" {
			t.Fatalf("anonymous: %d %s", r.Status, r.Raw)
		}
		wrong := &apptest.User{User: d.Agent.User, Token: "wrong"}
		d.Must(401, wrong, "GET", "/api/v2/tickets", nil)
	})
}

func TestRateLimit(t *testing.T) {
	d := apptest.StartWith(t, "", apiConfig(3))
	for i := range 3 {
		r := d.Must(200, d.Agent, "GET", "/api/v2/tickets", nil)
		if got := r.Header.Get("X-Rate-Limit-Remaining"); got != fmt.Sprint(2-i) {
			t.Fatalf("remaining = %q after %d calls", got, i+1)
		}
	}
	r := d.Must(http.StatusTooManyRequests, d.Agent, "GET", "/api/v2/tickets", nil)
	if r.Header.Get("Retry-After") == "" {
		t.Fatal("429 without Retry-After")
	}
	// Limits are per user: another user is unaffected.
	d.Must(200, d.Admin, "GET", "/api/v2/tickets", nil)
}
