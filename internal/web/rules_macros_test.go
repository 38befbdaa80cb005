package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func macroByTitle(t *testing.T, d *apptest.Desk, title string) *store.Macro {
	t.Helper()
	var out *store.Macro
	for _, m := range readStore(t, d, func(tx *store.Tx) ([]*store.Macro, error) { return tx.Macros(store.MacroFilter{}) }) {
		if m.Title == title {
			out = m
		}
	}
	return out
}

func TestRuleSettingsMacros(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := adminBrowser(t, d)
		createTicket(t, d, "配送状況を教えてください")
		form := b.do("GET", "/settings/macros/new", nil)
		if form.status != 200 || !strings.Contains(form.body, `value="comment_value"`) || !strings.Contains(form.body, `value="remove_tags"`) {
			t.Fatalf("new macro form: %d", form.status)
		}
		f := url.Values{"title": {"配送::配送遅延のお詫び"}, "active": {"1"}, "visibility": {"shared"},
			"act_field": {"comment_value", "status", "current_tags", ""},
			"act_value": {"{{ticket.requester.name}} 様\n\nご注文の配送が遅れております。", "pending", "配送遅延", ""}}

		// Preview before saving: the comment rendered for the latest ticket.
		pv := url.Values{}
		for k, v := range f {
			pv[k] = v
		}
		pv.Set("preview", "1")
		p := b.postFrom("/settings/macros/new", form, pv)
		if p.status != 200 || !strings.Contains(p.body, "佐藤 花子 様") || !strings.Contains(p.body, "配送状況を教えてください") || !strings.Contains(p.body, "保留中") {
			t.Fatalf("preview: %d\n%s", p.status, p.body)
		}
		if macroByTitle(t, d, "配送::配送遅延のお詫び") != nil {
			t.Fatal("preview saved the macro")
		}

		// A broken placeholder and no title: Japanese messages, nothing saved.
		bad := url.Values{"title": {""}, "visibility": {"shared"}, "act_field": {"status"}, "act_value": {"閉じる"}}
		p = b.postFrom("/settings/macros/new", form, bad)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "タイトルを入力してください") || !strings.Contains(p.body, "アクション「ステータス」: 値が正しくありません") {
			t.Errorf("macro validation: %d", p.status)
		}
		p = b.postFrom("/settings/macros/new", form, url.Values{"title": {"空のマクロ"}, "visibility": {"shared"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "アクションを1つ以上指定してください") {
			t.Errorf("macro without actions: %d", p.status)
		}

		if p := b.postFrom("/settings/macros/new", form, f); p.status != http.StatusSeeOther {
			t.Fatalf("create macro: %d\n%s", p.status, p.body)
		}
		m := macroByTitle(t, d, "配送::配送遅延のお詫び")
		if m == nil || len(m.Actions) != 3 || m.RestrictionType != "" {
			t.Fatalf("stored macro: %+v", m)
		}
		// It works on the ticket page exactly as one made through the API.
		tk := createTicket(t, d, "まだ届きません")
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		tp := agent.do("GET", fmt.Sprintf("/tickets/%d?macro=%d", tk.ID, m.ID), nil)
		if !strings.Contains(tp.body, "佐藤 花子 様") {
			t.Errorf("the ticket page's preview of the new macro lacks the requester's name")
		}

		list := b.do("GET", "/settings/macros?done=saved", nil)
		for _, want := range []string{"配送::配送遅延のお詫び", "<td>配送</td>", "共有", "0／0", "保存しました。"} {
			if !strings.Contains(list.body, want) {
				t.Errorf("macro list lacks %q", want)
			}
		}

		d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
			"title": "返金::返金のご案内", "actions": []map[string]any{{"field": "priority", "value": "high"}}}})
		fl := b.do("GET", "/settings/macros?category="+url.QueryEscape("返金"), nil)
		if !strings.Contains(fl.body, "返金::返金のご案内") || strings.Contains(fl.body, "配送::配送遅延のお詫び") || !strings.Contains(fl.body, `<option value="配送">`) {
			t.Errorf("category filter")
		}
		// Edit into a personal macro; clone; deactivate; delete.
		ep := b.do("GET", fmt.Sprintf("/settings/macros/%d", m.ID), nil)
		if !strings.Contains(ep.body, "{{ticket.requester.name}} 様") {
			t.Fatalf("edit form lacks the comment")
		}
		f.Set("visibility", fmt.Sprintf("user:%d", d.Admin.ID))
		f.Set("title", "配送::配送遅延のお詫び（個人用）")
		if p := b.postFrom(fmt.Sprintf("/settings/macros/%d", m.ID), ep, f); p.status != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", p.status, p.body)
		}
		if m2 := macroByTitle(t, d, "配送::配送遅延のお詫び（個人用）"); m2 == nil || m2.RestrictionType != "User" {
			t.Fatalf("macro not made personal: %+v", m2)
		}
		cp := b.do("GET", fmt.Sprintf("/settings/macros/new?clone=%d", m.ID), nil)
		if !strings.Contains(cp.body, `value="配送::配送遅延のお詫び（個人用）（コピー）"`) || !strings.Contains(cp.body, "配送遅延") || !strings.Contains(cp.body, `action="/settings/macros/new"`) {
			t.Errorf("clone form")
		}
		if p := b.postFrom(fmt.Sprintf("/settings/macros/%d/active", m.ID), list, url.Values{}); p.status != http.StatusSeeOther {
			t.Errorf("deactivate: %d", p.status)
		}
		if m3 := macroByTitle(t, d, "配送::配送遅延のお詫び（個人用）"); m3.Active {
			t.Errorf("macro still active")
		}

		// Agents: read-only list (only what they may see), 403 on writes.
		al := agent.do("GET", "/settings/macros", nil)
		if al.status != 200 || strings.Contains(al.body, "配送遅延のお詫び") || !strings.Contains(al.body, `id="read-only"`) {
			t.Errorf("agent's macro list: %d (the admin's personal macro must not show)", al.status)
		}
		if p := agent.postFrom(fmt.Sprintf("/settings/macros/%d/delete", m.ID), al, url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("agent delete: %d", p.status)
		}
		if p := b.postFrom(fmt.Sprintf("/settings/macros/%d/delete", m.ID), list, url.Values{}); p.status != http.StatusSeeOther {
			t.Errorf("delete: %d", p.status)
		}
		if macroByTitle(t, d, "配送::配送遅延のお詫び（個人用）") != nil {
			t.Errorf("macro not deleted")
		}
	})
}
