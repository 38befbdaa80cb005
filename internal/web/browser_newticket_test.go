package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserNewTicket: in real Chromium an agent opens the new-ticket
// form from the top navigation (and with g n), finds the customer with
// Enter in the lookup, sees the first message's default follow the
// channel, fills the form in Japanese and lands on the new ticket's page
// with its subject and message; the form passes the accessibility audit.
func TestBrowserNewTicket(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserNewTicket(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserNewTicket(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserNewTicket(t *testing.T, root context.Context, d *apptest.Desk) {
	tb := newTab(t, root, "ja")
	tb.login(t, d.URL, d.Agent.Email, "password-agent")

	// The keyboard: g then n opens the form.
	tb.nextPage(t, "g n", "#newticket-form", 10*time.Second, chromedp.KeyEvent("g"), chromedp.KeyEvent("n"))
	tb.nextPage(t, "back to the queue", "#ticket-list", 10*time.Second, chromedp.Navigate(d.URL+"/tickets"))
	// The top navigation.
	tb.nextPage(t, "nav link", "#newticket-form", 10*time.Second, chromedp.Click(chromedp.CSS("#nav-new-ticket")))
	audit(t, tb, "ja /tickets/new")
	if n := staticBytes(t, tb); n >= 100*1024 {
		t.Errorf("/tickets/new: own JS+CSS %d bytes, want under 100 KB", n)
	}

	// Phone is the default channel, and with it an internal note.
	if v := tb.value(t, "#via"); v != "voice" {
		t.Errorf("default channel %q", v)
	}
	checked := func(sel string) bool {
		return tb.eval(t, `String(document.querySelector(`+jsString(sel)+`).checked)`) == "true"
	}
	if !checked("#mode-note") {
		t.Errorf("a phone call should default to an internal note")
	}
	tb.run(t, "mail channel", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('via'); s.value = 'email'; s.dispatchEvent(new Event('change', { bubbles: true })); })()`))
	if !checked("#mode-public") {
		t.Errorf("mail should default to a public reply")
	}
	tb.run(t, "phone channel", chromedp.Evaluate[chromedp.Void](`(() => { const s = document.getElementById('via'); s.value = 'voice'; s.dispatchEvent(new Event('change', { bubbles: true })); })()`))
	if !checked("#mode-note") {
		t.Errorf("back on phone the note should be chosen again")
	}

	// The subject first, then the lookup (Enter finds; the subject stays).
	tb.run(t, "subject", chromedp.SendKeys(chromedp.CSS("#subject"), "ログインできない"))
	tb.nextPage(t, "find the customer", "#nt-matches", 10*time.Second,
		chromedp.SendKeys(chromedp.CSS("#requester_q"), "佐藤"), chromedp.KeyEvent(kb.Enter))
	if v := tb.value(t, "#subject"); v != "ログインできない" {
		t.Errorf("the lookup lost the subject: %q", v)
	}
	if !checked(fmt.Sprintf("#nt-match-%d", d.Customer.ID)) {
		t.Fatalf("佐藤 花子 is not chosen")
	}
	audit(t, tb, "ja /tickets/new with matches")

	body := "お客様より電話があり、昨日からパスワードを再設定してもログイン画面に戻されてしまい、管理画面に入れないため至急対応してほしいとのご要望でした。"
	tb.run(t, "message", chromedp.SendKeys(chromedp.CSS("#body"), body),
		chromedp.SendKeys(chromedp.CSS("#tags"), "電話 ログイン"))
	tb.nextPage(t, "create", "#action-done", 15*time.Second, chromedp.Click(chromedp.CSS("#nt-create")))
	if got := tb.text(t, "#action-done"); !strings.Contains(got, "チケットを作成しました") {
		t.Errorf("notice %q", got)
	}
	if got := tb.text(t, "#ticket-title"); !strings.Contains(got, "ログインできない") {
		t.Errorf("title %q", got)
	}
	tb.waitText(t, "main", body, 5*time.Second)
	tb.waitText(t, "#customer", "佐藤 花子", 5*time.Second)
}
