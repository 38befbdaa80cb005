package api_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

func macroBody(m map[string]any) map[string]any { return map[string]any{"macro": m} }

// setupMacroDesk makes a shipping group with the agent in it, a second agent
// outside it, and a customer's ticket.
func setupMacroDesk(t *testing.T, d *apptest.Desk) (group int64, other *apptest.User, ticket int64) {
	t.Helper()
	group = d.Must(201, d.Admin, "POST", "/api/v2/groups", map[string]any{"group": map[string]any{"name": "配送チーム"}}).Int("group.id")
	d.Must(201, d.Admin, "POST", "/api/v2/group_memberships", map[string]any{"group_membership": map[string]any{"user_id": d.Agent.ID, "group_id": group}})
	other = d.AddUser("takahashi@example.jp", "髙橋 一郎", model.RoleAgent)
	ticket = d.Must(201, d.Agent, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{
		"subject": "配送状況を教えてください", "requester_id": d.Customer.ID, "tags": []string{"配送"},
		"comment": map[string]any{"body": "注文した商品がまだ届きません。"}}}).Int("ticket.id")
	return group, other, ticket
}

func TestMacrosApplyJapanese(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		group, _, ticket := setupMacroDesk(t, d)
		apology := d.Must(201, d.Admin, "POST", "/api/v2/macros", macroBody(map[string]any{
			"title": " 配送 :: 配送遅延のお詫び ", "description": "配送が遅れているお客様へ",
			"actions": []any{
				map[string]any{"field": "comment_value", "value": []any{"channel:all",
					"{{ticket.requester.name}} 様\n\nご注文（チケット #{{ticket.id}}）の配送が遅れております。\n{% if ticket.tags contains '配送' %}担当: {{current_user.name}}{% endif %}"}},
				map[string]any{"field": "status", "value": "pending"},
				map[string]any{"field": "priority", "value": "high"},
				map[string]any{"field": "current_tags", "value": "配送遅延 お詫び"},
				map[string]any{"field": "remove_tags", "value": []any{"配送"}},
				map[string]any{"field": "assignee_id", "value": "current_user"},
				map[string]any{"field": "group_id", "value": fmt.Sprint(group)},
				map[string]any{"field": "comment_mode_is_public", "value": "true"},
			}}))
		id := apology.Int("macro.id")
		if apology.Str("macro.title") != "配送::配送遅延のお詫び" || apology.Str("macro.raw_title") != "配送::配送遅延のお詫び" ||
			apology.Get("macro.restriction") != nil || apology.Get("macro.active") != true || apology.Int("macro.position") != 1 ||
			!strings.HasSuffix(apology.Str("macro.url"), fmt.Sprintf("/api/v2/macros/%d.json", id)) {
			t.Fatalf("created macro: %s", apology.Raw)
		}

		r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply.json", ticket, id), nil)
		wantBody := fmt.Sprintf("佐藤 花子 様\n\nご注文（チケット #%d）の配送が遅れております。\n担当: 山田 太郎", ticket)
		if got := r.Str("result.comment.body"); got != wantBody {
			t.Fatalf("comment body = %q, want %q\n%s", got, wantBody, r.Raw)
		}
		if r.Get("result.comment.public") != true || r.Str("result.comment.scoped_body.0.0") != "channel:all" ||
			r.Str("result.comment.scoped_body.0.1") != wantBody || !strings.Contains(r.Str("result.comment.html_body"), "佐藤 花子 様") {
			t.Fatalf("comment: %s", r.Raw)
		}
		if r.Str("result.ticket.status") != "pending" || r.Str("result.ticket.priority") != "high" ||
			r.Int("result.ticket.assignee_id") != d.Agent.ID || r.Int("result.ticket.group_id") != group || r.Int("result.ticket.id") != ticket {
			t.Fatalf("ticket after: %s", r.Raw)
		}
		if tags := strList(r, "result.ticket.tags"); !slices.Equal(tags, []string{"お詫び", "配送遅延"}) && !slices.Equal(tags, []string{"配送遅延", "お詫び"}) {
			t.Fatalf("tags after = %v", tags)
		}
		// Apply saves nothing …
		now := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", ticket), nil)
		if now.Str("ticket.status") == "pending" || now.Get("ticket.assignee_id") != nil && now.Int("ticket.assignee_id") == d.Agent.ID && now.Str("ticket.priority") == "high" {
			t.Fatalf("apply changed the ticket: %s", now.Raw)
		}
		// … the client saves: result.ticket plus the comment, as Zendesk clients do.
		saved := d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", ticket), map[string]any{"ticket": map[string]any{
			"status": r.Str("result.ticket.status"), "priority": r.Str("result.ticket.priority"), "assignee_id": r.Int("result.ticket.assignee_id"),
			"group_id": r.Int("result.ticket.group_id"), "tags": strList(r, "result.ticket.tags"),
			"comment": map[string]any{"body": r.Str("result.comment.body"), "public": r.Get("result.comment.public")}}})
		if saved.Str("ticket.status") != "pending" {
			t.Fatalf("save: %s", saved.Raw)
		}
		comments := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments", ticket), nil)
		if got := comments.Str(fmt.Sprintf("comments.%d.body", comments.Len("comments")-1)); got != wantBody {
			t.Fatalf("saved comment = %q", got)
		}

		// The latest public comment is a placeholder too.
		quote := d.Must(201, d.Admin, "POST", "/api/v2/macros", macroBody(map[string]any{"title": "引用",
			"actions": []any{map[string]any{"field": "comment_value", "value": "{{ticket.latest_public_comment.author.name}}: {{ticket.latest_public_comment.value | truncate: 8}}"}}})).Int("macro.id")
		q := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, quote), nil)
		if got := q.Str("result.comment.body"); got != "山田 太郎: 佐藤 花子..." {
			t.Fatalf("latest comment: %q", got)
		}

		// A client may also PUT result.ticket as it is: the comment rides inside it.
		again := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, quote), nil)
		if again.Str("result.ticket.comment.body") != again.Str("result.comment.body") {
			t.Fatalf("comment inside ticket: %s", again.Raw)
		}
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", ticket), map[string]any{"ticket": again.Get("result.ticket")})
		comments = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments", ticket), nil)
		if got := comments.Str(fmt.Sprintf("comments.%d.body", comments.Len("comments")-1)); got != "山田 太郎: 佐藤 花子..." {
			t.Fatalf("comment saved from result.ticket = %q", got)
		}

		// Without a ticket: only what the macro sets, placeholders of the ticket empty.
		bare := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/macros/%d/apply", id), nil)
		if bare.Str("result.ticket.status") != "pending" || bare.Int("result.ticket.assignee_id") != d.Agent.ID ||
			bare.Get("result.ticket.subject") != nil || !strings.HasPrefix(bare.Str("result.comment.body"), " 様") {
			t.Fatalf("apply without ticket: %s", bare.Raw)
		}

		// A light agent's macro comment is an internal note.
		light := d.Must(200, d.Light, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, id), nil)
		if light.Get("result.comment.public") != false {
			t.Fatalf("light agent: %s", light.Raw)
		}
		d.Must(403, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, id), nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket+1000, id), nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, id+1000), nil)
	})
}

func TestMacrosHTMLAndFields(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		_, _, ticket := setupMacroDesk(t, d)
		field := d.Must(201, d.Admin, "POST", "/api/v2/ticket_fields", map[string]any{"ticket_field": map[string]any{
			"type": "tagger", "title": "配送方法", "custom_field_options": []any{
				map[string]any{"name": "宅配便", "value": "takuhai"}, map[string]any{"name": "ﾒｰﾙ便", "value": "mail"}}}}).Int("ticket_field.id")
		// Customer data goes into HTML escaped: a name with markup cannot inject.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", d.Customer.ID), map[string]any{"user": map[string]any{"name": "佐藤 <b>花子</b> ㈱"}})
		m := d.Must(201, d.Admin, "POST", "/api/v2/macros", macroBody(map[string]any{"title": "配送方法の確認",
			"actions": []any{
				map[string]any{"field": fmt.Sprintf("custom_fields_%d", field), "value": "takuhai"},
				map[string]any{"field": "comment_value_html", "value": "<p>{{ticket.requester.name}} 様</p><script>alert(1)</script>"},
				map[string]any{"field": "comment_mode_is_public", "value": false},
				map[string]any{"field": "subject", "value": "【{{ticket.id}}】{{ ticket.title | truncate: 6 }}"},
				map[string]any{"field": "set_tags", "value": "ｶﾀｶﾅ 確認中"},
			}})).Int("macro.id")
		r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, m), nil)
		html := r.Str("result.comment.html_body")
		if !strings.Contains(html, "佐藤 &lt;b&gt;花子&lt;/b&gt; ㈱ 様") || strings.Contains(html, "<script") || strings.Contains(html, "<b>") {
			t.Fatalf("html_body = %q", html)
		}
		if r.Str("result.comment.body") != "佐藤 <b>花子</b> ㈱ 様" || r.Get("result.comment.public") != false {
			t.Fatalf("comment: %s", r.Raw)
		}
		if want := fmt.Sprintf("【%d】配送状...", ticket); r.Str("result.ticket.subject") != want {
			t.Fatalf("subject = %q, want %q", r.Str("result.ticket.subject"), want)
		}
		found := false
		for i := 0; i < r.Len("result.ticket.custom_fields"); i++ {
			if r.Int(fmt.Sprintf("result.ticket.custom_fields.%d.id", i)) == field {
				found = r.Str(fmt.Sprintf("result.ticket.custom_fields.%d.value", i)) == "takuhai"
			}
		}
		if !found || len(strList(r, "result.ticket.tags")) != 2 {
			t.Fatalf("fields/tags after: %s", r.Raw)
		}
		// {{ticket.ticket_field_option_title_N}} gives the option's name.
		opt := d.Must(201, d.Admin, "POST", "/api/v2/macros", macroBody(map[string]any{"title": "配送方法の表示",
			"actions": []any{map[string]any{"field": "comment_value", "value": fmt.Sprintf("方法: {{ticket.ticket_field_option_title_%d}} ({{ticket.ticket_field_%d}})", field, field)}}})).Int("macro.id")
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", ticket), map[string]any{"ticket": map[string]any{
			"custom_fields": []any{map[string]any{"id": field, "value": "mail"}}}})
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, opt), nil)
		if got := r.Str("result.comment.body"); got != "方法: ﾒｰﾙ便 (mail)" {
			t.Fatalf("option title: %q", got)
		}
	})
}

func TestMacrosValidation(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		act := func(field string, value any) map[string]any {
			return macroBody(map[string]any{"title": "検証", "actions": []any{map[string]any{"field": field, "value": value}}})
		}
		runSteps(t, d, []step{
			{name: "bad template names line and column", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("comment_value", "{{ticket.requester.name}} 様\n{% if ticket.status %}閉じていない"),
				check: func(t *testing.T, r *apptest.Response) {
					_, desc := detailOf(r, "actions")
					if !strings.Contains(desc, "line 2, column 1") || !strings.Contains(desc, "endif") || !strings.Contains(desc, "2行目") {
						t.Errorf("description = %q", desc)
					}
				}},
			{name: "unknown filter", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("comment_value", "{{ ticket.id | shout }}"), check: wantDetail("actions", "InvalidValue")},
			{name: "unknown field", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("satisfaction_score", "offered"), check: wantDetail("actions", "InvalidValue")},
			{name: "bad status", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("status", "closed"), check: wantDetail("actions", "InvalidValue")},
			{name: "unknown group", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("group_id", 999), check: wantDetail("actions", "InvalidValue")},
			{name: "assignee must be an agent", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("assignee_id", d.Customer.ID), check: wantDetail("actions", "InvalidValue")},
			{name: "unknown custom field", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("custom_fields_424242", "x"), check: wantDetail("actions", "InvalidValue")},
			{name: "tags of the wrong type", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("current_tags", 12), check: wantDetail("actions", "InvalidValue")},
			{name: "tag too long", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: act("current_tags", []any{"短い", strings.Repeat("長", 256)}), check: wantDetail("actions", "InvalidValue")},
			{name: "no actions", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: macroBody(map[string]any{"title": "空"}), check: wantDetail("actions", "BlankValue")},
			{name: "no title", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: macroBody(map[string]any{"actions": []any{map[string]any{"field": "status", "value": "open"}}}), check: wantDetail("title", "BlankValue")},
			{name: "bad restriction", as: "admin", method: "POST", path: "/api/v2/macros", status: 422,
				body: macroBody(map[string]any{"title": "x", "restriction": map[string]any{"type": "Group", "ids": []int{999}},
					"actions": []any{map[string]any{"field": "status", "value": "open"}}}), check: wantDetail("restriction", "InvalidValue")},
			{name: "restriction of the wrong shape", as: "admin", method: "POST", path: "/api/v2/macros", status: 400,
				body: `{"macro": {"title": "x", "restriction": "everyone", "actions": [{"field": "status", "value": "open"}]}}`},
			{name: "not JSON", as: "admin", method: "POST", path: "/api/v2/macros", status: 400, body: `{"macro": `},
			{name: "actions of the wrong type", as: "admin", method: "POST", path: "/api/v2/macros", status: 400, body: `{"macro": {"title": "x", "actions": "status"}}`},
			{name: "no envelope", as: "admin", method: "POST", path: "/api/v2/macros", status: 400, body: `{"title": "x"}`},
			{name: "bad sort", as: "agent", method: "GET", path: "/api/v2/macros?sort_by=random", status: 400},
			{name: "search needs a query", as: "agent", method: "GET", path: "/api/v2/macros/search", status: 400},
			{name: "customers cannot list", as: "customer", method: "GET", path: "/api/v2/macros", status: 403},
			{name: "unknown macro", as: "agent", method: "GET", path: "/api/v2/macros/9999", status: 404},
		})
	})
}
