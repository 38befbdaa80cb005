package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/customerlinks"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserTicketPage drives real Chromium through the ticket page's
// customer panel (a past ticket, a configured link), a reply with CC,
// undo send (the text comes back to the composer) and a folded quote
// opened with a click.
func TestBrowserTicketPage(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserTicketPage(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserTicketPage(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

// submitUntil runs actions that submit a form and waits for the next page
// to show sel.
func (tb *tab) submitUntil(t testing.TB, what, sel string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tb.nextPage(t, what, sel, 15*time.Second, actions...)
}

func (tb *tab) eval(t testing.TB, js string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Evaluate[string](js))
	if err != nil {
		t.Fatalf("%s: %v", js, err)
	}
	return s
}

func browserTicketPage(t *testing.T, root context.Context, d *apptest.Desk) {
	in := mailDesk(t, d)
	past := newTicket(t, d, "前回の請求書について", "請求書の宛名を変えてください。")
	if err := d.App.Store.Write(t.Context(), func(tx *store.Tx) error {
		_, err := customerlinks.Add(tx, d.Admin.User, "顧客管理（CRM）", "https://crm.example.co.jp/search?email={{email}}&name={{name}}", time.Now())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	m := receive(t, d, in, jisRaw(t, "配送状況について", "追加で質問です。\n\n2026年11月20日(金) 10:00 山田太郎 <yamada@example.jp>:\n> 明日発送いたします。",
		"<b1@customer.co.jp>", ""))
	page := fmt.Sprintf("%s/tickets/%d", d.URL, m.TicketID)

	agent := newTab(t, root, "ja")
	agent.login(t, d.URL, d.Agent.Email, "password-agent")
	agent.run(t, "open", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#customer")))

	// The customer panel: the past ticket and the configured link.
	agent.waitText(t, "#customer-timeline", "前回の請求書について", 10*time.Second)
	if href := agent.eval(t, fmt.Sprintf(`document.querySelector('#customer-timeline a[href="/tickets/%d"]') ? "ok" : ""`, past)); href != "ok" {
		t.Errorf("past ticket not linked")
	}
	link := agent.eval(t, `(() => { const a = document.querySelector('#customer-links a'); return a.href + " " + a.target + " " + a.rel + " " + a.textContent.trim() })()`)
	if link != "https://crm.example.co.jp/search?email=hanako%40customer.co.jp&name=%E4%BD%90%E8%97%A4%20%E8%8A%B1%E5%AD%90 _blank noopener noreferrer 顧客管理（CRM） ↗" {
		t.Errorf("customer link %q", link)
	}

	// The quoted history is folded and opens with a click.
	shown := `(() => { const q = document.querySelector('.msg details.quoted .text'); return q && q.checkVisibility() ? "shown" : "hidden" })()`
	if v := agent.eval(t, shown); v != "hidden" {
		t.Errorf("quote before the click: %s", v)
	}
	agent.run(t, "open the quote", chromedp.Click(chromedp.CSS(".msg details.quoted summary")), chromedp.WaitVisible(chromedp.CSS(".msg details.quoted[open] .text")))
	agent.waitText(t, ".msg details.quoted", "> 明日発送いたします。", 10*time.Second)
	if v := agent.eval(t, shown); v != "shown" {
		t.Errorf("quote after the click: %s", v)
	}

	// A reply with CC, sent; then undone: the text is back in the composer.
	text := "お問い合わせありがとうございます。本日発送いたしました。"
	agent.run(t, "CC", chromedp.Click(chromedp.CSS("#compose-extras-open")), chromedp.WaitVisible(chromedp.CSS("#cc")),
		chromedp.SendKeys(chromedp.CSS("#cc"), "鈴木 部長 <bucho@customer.co.jp>"))
	agent.waitText(t, "#sig-preview", "株式会社絆 サポート窓口", 10*time.Second)
	agent.submitUntil(t, "send", "#undo-banner", chromedp.SendKeys(chromedp.CSS("#body"), text), chromedp.Click(chromedp.CSS("#send")))
	agent.waitText(t, "#undo-banner", "返信を送信しました。", 10*time.Second)
	agent.waitText(t, "#cc-now", "bucho@customer.co.jp", 10*time.Second)
	r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", m.TicketID), nil)
	if ids, _ := r.Get("ticket.collaborator_ids").([]any); len(ids) != 1 {
		t.Errorf("collaborators %v", r.Get("ticket.collaborator_ids"))
	}
	agent.submitUntil(t, "undo", "#undone", chromedp.Click(chromedp.CSS("#undo-send")))
	if v := agent.value(t, "#body"); v != text {
		t.Errorf("composer after undo: %q", v)
	}
	if v := agent.eval(t, `document.activeElement.id`); v != "body" {
		t.Errorf("focus after undo: %q", v)
	}
	agent.waitText(t, ".mailstate.ms-cancelled", "取り消し済み", 10*time.Second)
	if st := agent.eval(t, `document.querySelector('#undo-banner') ? "banner" : ""`); st != "" {
		t.Errorf("undo banner still shown")
	}
	if !strings.Contains(agent.text(t, "#undone"), "本文を入力欄に戻しました") {
		t.Errorf("undone notice")
	}
}
