package api_test

import (
	"context"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func searchTicket(subject, body string, extra map[string]any) map[string]any {
	t := map[string]any{"subject": subject, "comment": map[string]any{"body": body}}
	for k, v := range extra {
		t[k] = v
	}
	return map[string]any{"ticket": t}
}

// importTicket creates a ticket through the tickets service with a past
// creation time (as Zendesk imports do).
func importTicket(t testing.TB, d *apptest.Desk, subject, body string, created time.Time) int64 {
	t.Helper()
	res, err := d.App.Tickets.Create(context.Background(), d.Agent.User,
		tickets.Change{Subject: &subject, Comment: &tickets.CommentInput{Body: body}, CreatedAt: created})
	if err != nil {
		t.Fatal(err)
	}
	return res.Ticket.ID
}

// resultIDs lists the ids of results of one type, in order.
func resultIDs(r *apptest.Response, kind string) []int64 {
	var out []int64
	list, _ := r.Get("results").([]any)
	for _, x := range list {
		m, _ := x.(map[string]any)
		if m["result_type"] == kind {
			id, _ := m["id"].(float64)
			out = append(out, int64(id))
		}
	}
	return out
}

func searchPath(query string, params ...string) string {
	v := url.Values{"query": {query}}
	for i := 0; i+1 < len(params); i += 2 {
		v.Set(params[i], params[i+1])
	}
	return "/api/v2/search.json?" + v.Encode()
}

func sorted(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

// TestSearchJapanese runs Zendesk queries over Japanese tickets through the
// HTTP API, as an agent and as the customer.
func TestSearchJapanese(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		create := func(subject, body string, extra map[string]any) int64 {
			return d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", searchTicket(subject, body, extra)).Int("ticket.id")
		}
		a := create("配送状況を教えてください", "注文番号 ①-12345 の荷物が届きません。", map[string]any{"requester_id": d.Customer.ID, "tags": []string{"配送"}})
		b := create("配送遅延による返金のお願い", "配送が遅れたので返金してください。", map[string]any{"assignee_id": d.Agent.ID, "tags": []string{"返金", "VIP"}, "priority": "urgent"})
		c := create("ポイント還元のお問い合わせ", "ｶﾀｶﾅの名前でも付与されていません", map[string]any{"priority": "low"})
		dd := create("返金 申請の確認", "㈱髙島屋様より返金 申請がありました。", map[string]any{"assignee_id": d.Agent.ID, "status": "solved"})
		e := importTicket(t, d, "昨年の問い合わせ", "年末の注文について", time.Date(2025, 12, 20, 10, 0, 0, 0, time.UTC))
		f := importTicket(t, d, "年始の問い合わせ", "初売りの注文について", time.Date(2026, 1, 5, 10, 0, 0, 0, time.UTC))
		all := []int64{a, b, c, dd, e, f}

		cases := []struct {
			query string
			as    *apptest.User
			want  []int64 // ticket ids, in any order
		}{
			{"配送", d.Agent, []int64{a, b}},    // two characters inside 配送状況
			{"配", d.Agent, []int64{a, b}},     // one character
			{"ﾎﾟｲﾝﾄ", d.Agent, []int64{c}},    // half-width katakana finds ポイント
			{"カタカナ", d.Agent, []int64{c}},     // and the other way round
			{`"返金 申請"`, d.Agent, []int64{dd}}, // quoted phrase
			{"配送 -返金", d.Agent, []int64{a}},   // negation
			{"type:ticket status<solved", d.Agent, []int64{a, b, c, e, f}},
			{"type:ticket status:solved", d.Agent, []int64{dd}},
			{"type:ticket priority>=high", d.Agent, []int64{b}},
			{"tags:vip", d.Agent, []int64{b}},
			{"tags:配送", d.Agent, []int64{a}},
			{"type:ticket -tags:返金 -tags:配送", d.Agent, []int64{c, dd, e, f}},
			{"type:ticket assignee:none", d.Agent, []int64{a, c, e, f}},
			{"type:ticket assignee:me", d.Agent, []int64{b, dd}},
			{`type:ticket assignee:"山田 太郎"`, d.Agent, []int64{b, dd}},
			{`type:ticket assignee:"no such person"`, d.Agent, nil},
			{"requester:hanako@customer.co.jp", d.Agent, []int64{a}},
			{"type:ticket created>2026-01-01", d.Agent, []int64{a, b, c, dd, f}},
			{"type:ticket created<2026-01-01", d.Agent, []int64{e}},
			{"type:ticket created:2026-01-05", d.Agent, []int64{f}},
			{"type:ticket created>2days", d.Agent, []int64{a, b, c, dd}},
			{"問い合わせ created<2days", d.Agent, []int64{e, f}},
			{"type:ticket", d.Customer, []int64{a}}, // end users see their own tickets only
			{"配送", d.Customer, []int64{a}},
		}
		for _, tc := range cases {
			r := d.Must(200, tc.as, "GET", searchPath(tc.query), nil)
			if got := sorted(resultIDs(r, "ticket")); fmt.Sprint(got) != fmt.Sprint(sorted(tc.want)) {
				t.Errorf("%s (as %s): tickets %v, want %v", tc.query, tc.as.Role, got, sorted(tc.want))
			}
			if r.Int("count") != int64(r.Len("results")) || r.Get("facets") != nil || r.Get("next_page") != nil {
				t.Errorf("%s: envelope %s", tc.query, r.Raw)
			}
		}

		// Ordering: order_by:/sort: in the query, or sort_by/sort_order.
		byCreated := []int64{e, f, a, b, c, dd}
		r := d.Must(200, d.Agent, "GET", searchPath("type:ticket order_by:created_at sort:asc"), nil)
		if got := resultIDs(r, "ticket"); fmt.Sprint(got) != fmt.Sprint(byCreated) {
			t.Errorf("order_by:created_at sort:asc = %v, want %v", got, byCreated)
		}
		r = d.Must(200, d.Agent, "GET", searchPath("type:ticket", "sort_by", "created_at", "sort_order", "desc"), nil)
		if got := resultIDs(r, "ticket"); fmt.Sprint(got) != fmt.Sprint(reversed(byCreated)) {
			t.Errorf("sort_by=created_at desc = %v", got)
		}
		r = d.Must(200, d.Agent, "GET", searchPath("type:ticket", "sort_by", "priority", "sort_order", "desc"), nil)
		if got := resultIDs(r, "ticket"); len(got) != len(all) || got[0] != b || got[1] != c {
			t.Errorf("sort_by=priority desc = %v, want %d (urgent) then %d (low) first", got, b, c)
		}
		// Shape: a ticket result is the ticket JSON plus result_type.
		r = d.Must(200, d.Agent, "GET", searchPath("ﾎﾟｲﾝﾄ"), nil)
		if r.Str("results.0.subject") != "ポイント還元のお問い合わせ" || r.Str("results.0.result_type") != "ticket" ||
			r.Str("results.0.url") != fmt.Sprintf("%s/api/v2/tickets/%d.json", d.URL, c) || r.Str("results.0.priority") != "low" {
			t.Errorf("ticket result shape: %s", r.Raw)
		}

		// Users: name search and mixed results.
		r = d.Must(200, d.Agent, "GET", searchPath("type:user 花子"), nil)
		if got := resultIDs(r, "user"); fmt.Sprint(got) != fmt.Sprint([]int64{d.Customer.ID}) || r.Str("results.0.name") != "佐藤 花子" ||
			r.Str("results.0.email") != "hanako@customer.co.jp" || r.Str("results.0.role") != "end-user" {
			t.Errorf("type:user 花子: %s", r.Raw)
		}
		r = d.Must(200, d.Agent, "GET", searchPath("type:user name:太郎 role:agent"), nil)
		if got := resultIDs(r, "user"); fmt.Sprint(got) != fmt.Sprint([]int64{d.Agent.ID}) {
			t.Errorf("name:太郎 role:agent = %v", got)
		}
		r = d.Must(200, d.Agent, "GET", searchPath("髙島屋"), nil) // a ticket body; no user or org
		if fmt.Sprint(resultIDs(r, "ticket")) != fmt.Sprint([]int64{dd}) || r.Len("results") != 1 {
			t.Errorf("髙島屋: %s", r.Raw)
		}
		r = d.Must(200, d.Customer, "GET", searchPath("type:user 花子"), nil)
		if r.Len("results") != 0 {
			t.Errorf("customers must not find users: %s", r.Raw)
		}

		// Count, and offset pages with absolute links.
		if r := d.Must(200, d.Agent, "GET", "/api/v2/search/count.json?query="+url.QueryEscape("配送"), nil); r.Int("count") != 2 {
			t.Errorf("count = %s", r.Raw)
		}
		r = d.Must(200, d.Agent, "GET", searchPath("type:ticket", "per_page", "4", "sort_by", "created_at", "sort_order", "asc"), nil)
		next := r.Str("next_page")
		if r.Int("count") != 6 || r.Len("results") != 4 || !strings.HasPrefix(next, d.URL+"/api/v2/search.json?") || r.Get("previous_page") != nil {
			t.Fatalf("page 1: %s", r.Raw)
		}
		r = d.Must(200, d.Agent, "GET", next, nil)
		if got := resultIDs(r, "ticket"); fmt.Sprint(got) != fmt.Sprint(byCreated[4:]) || r.Get("next_page") != nil || r.Str("previous_page") == "" {
			t.Errorf("page 2: %v %s", got, r.Raw)
		}

		// Searchable the moment the create returns.
		id := create("即時反映のテスト", "作成直後に検索できること", nil)
		if got := resultIDs(d.Must(200, d.Agent, "GET", searchPath("即時反映"), nil), "ticket"); fmt.Sprint(got) != fmt.Sprint([]int64{id}) {
			t.Errorf("new ticket not found at once: %v", got)
		}

		// Bad queries are 4xx with a message, never 500.
		bad := []struct {
			query  string
			status int
			want   string
		}{
			{`"配送状況`, 422, "unbalanced quote"},
			{"foo:bar 配送", 422, "Unknown search field"},
			{"status:finished", 422, "not one of"},
			{"created>someday", 422, "not a date"},
			{" ", 400, "query is required"},
		}
		for _, tc := range bad {
			r := d.Do(d.Agent, "GET", searchPath(tc.query), nil)
			if r.Status != tc.status || !strings.Contains(r.Str("description"), tc.want) || r.Str("error") == "" {
				t.Errorf("%q: %d %s", tc.query, r.Status, r.Raw)
			}
		}
		if r := d.Do(nil, "GET", searchPath("配送"), nil); r.Status != 401 {
			t.Errorf("anonymous search: %d", r.Status)
		}
	})
}

func reversed(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Reverse(out)
	return out
}

// TestSearchBeyondThousand: unlike Zendesk, search has no 1,000-result cap;
// cursor pages, offset pages and the export endpoint all reach the end.
func TestSearchBeyondThousand(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		const n = 1100
		ctx := context.Background()
		err := d.App.Store.Write(ctx, func(tx *store.Tx) error {
			for i := range n {
				subject := fmt.Sprintf("大量問い合わせ %d", i)
				if _, err := d.App.Tickets.CreateTx(tx, d.Agent.User, tickets.Change{Subject: &subject, Comment: &tickets.CommentInput{Body: "在庫の確認"}}); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if r := d.Must(200, d.Agent, "GET", "/api/v2/search/count?query="+url.QueryEscape("大量 type:ticket"), nil); r.Int("count") != n {
			t.Fatalf("count = %s", r.Raw)
		}

		walk := func(first string) []int64 {
			var ids []int64
			next := first
			for pages := 0; next != ""; pages++ {
				if pages > n {
					t.Fatal("pagination does not end")
				}
				r := d.Must(200, d.Agent, "GET", next, nil)
				ids = append(ids, resultIDs(r, "ticket")...)
				next = r.Str("links.next")
				if (next != "") != (r.Get("meta.has_more") == true) {
					t.Fatalf("links.next and meta.has_more disagree: %s", r.Raw)
				}
			}
			return ids
		}
		checkAll := func(name string, ids []int64) {
			t.Helper()
			seen := map[int64]bool{}
			for _, id := range ids {
				if seen[id] {
					t.Fatalf("%s: ticket %d twice", name, id)
				}
				seen[id] = true
			}
			if len(seen) != n {
				t.Fatalf("%s: %d tickets, want %d", name, len(seen), n)
			}
		}
		ids := walk(searchPath("大量 type:ticket", "page[size]", "100"))
		checkAll("cursor", ids)
		if !slices.IsSorted(ids) {
			t.Error("cursor pages default to id order")
		}
		desc := walk(searchPath("type:ticket 在庫", "page[size]", "100", "sort_by", "updated_at", "sort_order", "desc"))
		checkAll("cursor by updated_at", desc)
		checkAll("export", walk("/api/v2/search/export?filter[type]=ticket&page[size]=1000&query="+url.QueryEscape("在庫")))

		// Offset pages past 1,000.
		r := d.Must(200, d.Agent, "GET", searchPath("大量", "page", "11", "per_page", "100"), nil)
		if r.Len("results") != 100 || r.Int("count") != n || r.Get("next_page") != nil || r.Str("previous_page") == "" {
			t.Fatalf("page 11 (the last): count %d, %d results, next %v", r.Int("count"), r.Len("results"), r.Get("next_page"))
		}
		r = d.Must(200, d.Agent, "GET", searchPath("大量", "page", "12", "per_page", "100"), nil)
		if r.Len("results") != 0 || r.Get("next_page") != nil {
			t.Fatalf("page 12 should be past the end: %d results", r.Len("results"))
		}

		// Export requires filter[type]; cursor pages cannot sort by priority.
		for path, status := range map[string]int{
			"/api/v2/search/export?query=" + url.QueryEscape("在庫"):                                  400,
			"/api/v2/search/export?filter[type]=group&query=" + url.QueryEscape("在庫"):               400,
			"/api/v2/search/export?filter[type]=user&query=" + url.QueryEscape("type:ticket 在庫"):    422,
			searchPath("type:ticket 在庫", "page[size]", "10", "sort_by", "priority"):                 400,
			searchPath("type:ticket 在庫", "page[size]", "10", "page[after]", "not-a-cursor"):         400,
			"/api/v2/search/export?filter[type]=ticket&page[size]=0&query=" + url.QueryEscape("在庫"): 400,
		} {
			if r := d.Do(d.Agent, "GET", path, nil); r.Status != status || r.Str("description") == "" {
				t.Errorf("%s: %d, want %d: %s", path, r.Status, status, r.Raw)
			}
		}
	})
}

// TestSearchMixedCursor pages through tickets, users and organizations
// together with page[size]; pages end inside each type.
func TestSearchMixedCursor(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		var want []string
		for i := range 3 {
			id := d.Must(201, d.Agent, "POST", "/api/v2/tickets", searchTicket(fmt.Sprintf("佐藤様の件 %d", i), "佐藤様より", nil)).Int("ticket.id")
			want = append(want, fmt.Sprintf("ticket:%d", id))
		}
		want = append(want, fmt.Sprintf("user:%d", d.Customer.ID))
		err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error {
			for i := range 2 {
				now := time.Now()
				u := &model.User{Name: fmt.Sprintf("佐藤 %d号", i), Email: fmt.Sprintf("sato%d@example.jp", i), Role: model.RoleEndUser,
					Locale: "ja", TimeZone: "Asia/Tokyo", Active: true, CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertUser(u); err != nil {
					return err
				}
				want = append(want, fmt.Sprintf("user:%d", u.ID))
			}
			o := &model.Organization{Name: "佐藤商事", CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := tx.InsertOrganization(o); err != nil {
				return err
			}
			want = append(want, fmt.Sprintf("organization:%d", o.ID))
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		next := searchPath("佐藤", "page[size]", "2")
		for next != "" {
			r := d.Must(200, d.Agent, "GET", next, nil)
			for _, x := range r.Get("results").([]any) {
				m := x.(map[string]any)
				got = append(got, fmt.Sprintf("%s:%d", m["result_type"], int64(m["id"].(float64))))
			}
			next = r.Str("links.next")
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("mixed cursor pages = %v, want %v", got, want)
		}
	})
}
