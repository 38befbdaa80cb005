package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func macroUses(t *testing.T, d *apptest.Desk, id int64) int64 {
	t.Helper()
	var n int64
	err := d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
		u, err := tx.MacroUsages(time.Now())
		n = u[id].H1
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestMacroPicker(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		tid := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "配送状況を教えてください", "requester_id": d.Customer.ID, "tags": []string{"vip"},
			"comment": map[string]any{"body": "注文①がまだ届きません。"}}}).Int("ticket.id")
		mid := d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
			"title": "配送::配送遅延のお詫び", "actions": []map[string]any{
				{"field": "comment_value", "value": []string{"channel:all", "{{ticket.requester.name}} 様\n\nご注文の配送が遅れております。"}},
				{"field": "status", "value": "pending"},
				{"field": "current_tags", "value": "配送遅延"},
				{"field": "remove_tags", "value": "vip"},
				{"field": "assignee_id", "value": "current_user"}}}}).Int("macro.id")
		personal := d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
			"title": "管理者専用の返金メモ", "restriction": map[string]any{"type": "User", "id": d.Admin.ID},
			"actions": []map[string]any{{"field": "priority", "value": "high"}}}}).Int("macro.id")

		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		path := fmt.Sprintf("/tickets/%d", tid)

		// The list has the shared macro, not the admin's personal one.
		p := b.do("GET", path, nil)
		if !strings.Contains(p.body, "配送::配送遅延のお詫び") || strings.Contains(p.body, "管理者専用の返金メモ") {
			t.Fatalf("macro list:\n%s", p.body)
		}
		// The no-JS filter.
		if p := b.do("GET", path+"?macro_q="+url.QueryEscape("お詫び"), nil); !strings.Contains(p.body, "配送遅延のお詫び</a>") {
			t.Errorf("filter お詫び lost the macro")
		}
		if p := b.do("GET", path+"?macro_q="+url.QueryEscape("返金"), nil); strings.Contains(p.body, "配送遅延のお詫び</a>") || !strings.Contains(p.body, `id="macro-none"`) {
			t.Errorf("filter 返金 kept the macro")
		}

		// Preview: the rendered comment and the field changes; no use counted.
		p = b.do("GET", fmt.Sprintf("%s?macro=%d", path, mid), nil)
		for _, want := range []string{`id="macro-preview"`, "佐藤 花子 様\n\nご注文の配送が遅れております。", "保留中", "山田 太郎", "配送遅延", "<dt>外すタグ</dt><dd>vip</dd>"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("preview lacks %q", want)
			}
		}
		if n := macroUses(t, d, mid); n != 0 {
			t.Errorf("preview counted %d uses", n)
		}
		if p := b.do("GET", fmt.Sprintf("%s?macro=%d", path, personal), nil); strings.Contains(p.body, `id="macro-preview"`) {
			t.Errorf("another's personal macro previewed")
		}

		// Apply without a CSRF token is refused; another's macro is not found.
		if p := b.do("POST", path+"/macro", url.Values{"macro": {fmt.Sprint(mid)}}); p.status != http.StatusForbidden {
			t.Errorf("apply without csrf: %d", p.status)
		}
		token := p.csrf(t)
		if p := b.do("POST", path+"/macro", url.Values{"csrf": {token}, "macro": {fmt.Sprint(personal)}}); p.status != http.StatusNotFound {
			t.Errorf("apply another's personal macro: %d", p.status)
		}

		// Apply fills the composer (after the draft) and the form, saves
		// nothing, and counts one use.
		p = b.do("POST", path+"/macro", url.Values{"csrf": {token}, "macro": {fmt.Sprint(mid)}, "draft": {"お問い合わせありがとうございます。"}})
		if p.status != 200 {
			t.Fatalf("apply: %d\n%s", p.status, p.body)
		}
		for _, want := range []string{"お問い合わせありがとうございます。\n\n佐藤 花子 様\n\nご注文の配送が遅れております。</textarea>",
			`<option value="pending" selected>`, fmt.Sprintf(`<option value="%d" selected>山田 太郎`, d.Agent.ID), `id="macro-applied"`} {
			if !strings.Contains(p.body, want) {
				t.Errorf("applied page lacks %q", want)
			}
		}
		tags := regexp.MustCompile(`id="tags" name="tags" form="ticket-form" value="([^"]*)"`).FindStringSubmatch(p.body)
		if tags == nil || tags[1] != "配送遅延" {
			t.Errorf("tag box after apply: %v", tags)
		}
		if r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", tid), nil); r.Str("ticket.status") != "new" {
			t.Errorf("apply saved the ticket: status %s", r.Str("ticket.status"))
		}
		if n := macroUses(t, d, mid); n != 1 {
			t.Errorf("uses after apply = %d, want 1", n)
		}

		// The agent sends as usual.
		f := url.Values{"csrf": {token}, "mode": {"public"}, "body": {"佐藤 花子 様\n\nご注文の配送が遅れております。"},
			"status": {"pending"}, "priority": {""}, "assignee_id": {fmt.Sprint(d.Agent.ID)}, "group_id": {""}, "tags": {tags[1]}}
		if p := b.do("POST", path, f); p.status != http.StatusSeeOther {
			t.Fatalf("send: %d\n%s", p.status, p.body)
		}
		r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", tid), nil)
		if r.Str("ticket.status") != "pending" || r.Int("ticket.assignee_id") != d.Agent.ID || fmt.Sprint(r.Get("ticket.tags")) != "[配送遅延]" {
			t.Errorf("after send: %s %d %v", r.Str("ticket.status"), r.Int("ticket.assignee_id"), r.Get("ticket.tags"))
		}

		// English labels.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Agent.ID), map[string]any{"user": map[string]any{"locale": "en"}})
		if p := b.do("GET", fmt.Sprintf("%s?macro=%d", path, mid), nil); !strings.Contains(p.body, "Fields it changes") || !strings.Contains(p.body, ">Apply<") {
			t.Errorf("English preview lacks its labels")
		}
	})
}
