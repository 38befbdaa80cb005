package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// newTicket opens a ticket as the customer through the API.
func newTicket(t *testing.T, d *apptest.Desk, subject, body string) int64 {
	t.Helper()
	r := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
		"subject": subject, "comment": map[string]any{"body": body}}})
	return int64(r.Get("ticket.id").(float64))
}

// TestBrowserAgentFlow drives real Chromium through a working day's main
// flow: sign in (Japanese), pick a ticket from the queue with the keyboard,
// reply with Ctrl+Enter, add a note, assign to me, change status, the
// missing-attachment warning, a second agent (English UI) seeing changes
// and the customer's new message live, the shortcut overlay and sign-out.
func TestBrowserAgentFlow(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserAgentFlow(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserAgentFlow(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserAgentFlow(t *testing.T, root context.Context, d *apptest.Desk) {
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Admin.ID), map[string]any{"user": map[string]any{"locale": "en"}})
	newTicket(t, d, "請求書の再発行について", "㈱髙橋商事です。請求書を再発行してください。")
	id := newTicket(t, d, "配送状況を教えてください", "注文番号①の配送状況を教えてください。ｶﾀｶﾅ")

	agent := newTab(t, root, "ja")
	agent.login(t, d.URL, d.Agent.Email, "password-agent")
	if h := agent.text(t, "#list-title"); h != "未解決のすべて" {
		t.Fatalf("queue title %q", h)
	}
	// j selects the first row (newest first), o opens it.
	agent.run(t, "pick with j/o", chromedp.KeyEvent("j"), chromedp.WaitVisible(chromedp.CSS("tr.selected")), chromedp.KeyEvent("o"),
		chromedp.WaitVisible(chromedp.CSS("#ticket-title")))
	agent.waitText(t, "#ticket-title", "配送状況を教えてください", 10*time.Second)
	agent.live(t)

	admin := newTab(t, root, "en-US")
	admin.login(t, d.URL, d.Admin.Email, "管理者のパスワード")
	if h := admin.text(t, "#list-title"); h != "All unsolved" {
		t.Fatalf("English queue title %q", h)
	}
	admin.run(t, "open the same ticket", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", d.URL, id)), chromedp.WaitVisible(chromedp.CSS("#ticket-title")))
	admin.live(t)

	// Reply: r focuses the composer in reply mode, Ctrl+Enter sends.
	agent.submit(t, "reply", chromedp.KeyEvent("r"), chromedp.SendKeys(chromedp.CSS("#body"), "確認いたします。少々お待ちください。"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)))
	agent.waitText(t, ".msg.public:last-of-type .text", "確認いたします。", 10*time.Second)
	// The other agent is told, live, that someone else changed the ticket.
	admin.waitText(t, "#live-banner", "updated by someone else", 10*time.Second)

	// Note: n switches to an internal note.
	agent.submit(t, "note", chromedp.KeyEvent("n"), chromedp.SendKeys(chromedp.CSS("#body"), "社内メモ: 倉庫に確認中"),
		chromedp.Click(chromedp.CSS("#send")))
	agent.waitText(t, ".msg.note", "倉庫に確認中", 10*time.Second)

	// a assigns the ticket to me.
	agent.submit(t, "assign to me", chromedp.KeyEvent("a"))
	agent.run(t, "assigned", chromedp.WaitVisible(chromedp.CSS("#assign-me[disabled]")))
	assignee := agent.value(t, "#assignee_id")
	if assignee != fmt.Sprint(d.Agent.ID) {
		t.Errorf("assignee after assign to me: %q", assignee)
	}

	// Status to pending with the side form.
	agent.submit(t, "status", chromedp.SetValue(chromedp.CSS("#status"), "pending"), chromedp.Click(chromedp.CSS("#save-props")))
	agent.waitText(t, "#ticket-status", "保留中", 10*time.Second)

	// The text promises an attachment but none is chosen: stopped once.
	agent.run(t, "attachment warning", chromedp.SendKeys(chromedp.CSS("#body"), "見積書を添付します。"),
		chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl)),
		chromedp.WaitVisible(chromedp.CSS("#attach-warning")))
	if n := commentCount(t, d, id); n != 3 {
		t.Fatalf("comments after the warning: %d, want 3 (nothing sent)", n)
	}
	agent.submit(t, "send anyway", chromedp.Click(chromedp.CSS("#send-anyway")))
	if n := commentCount(t, d, id); n != 4 {
		t.Fatalf("comments after send anyway: %d, want 4", n)
	}

	// The customer answers while the admin is typing: the banner says so.
	admin.run(t, "start typing", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", d.URL, id)), chromedp.WaitVisible(chromedp.CSS("#body")))
	admin.live(t)
	admin.run(t, "type", chromedp.SendKeys(chromedp.CSS("#body"), "Draft reply"))
	d.Must(200, d.Customer, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
		"comment": map[string]any{"body": "追加で質問があります。"}}})
	admin.waitText(t, "#live-banner", "New message", 10*time.Second)
	draft := admin.value(t, "#body")
	if draft != "Draft reply" {
		t.Errorf("the banner lost the draft: %q", draft)
	}

	// The queue updates itself: a new ticket appears in an open queue.
	admin.run(t, "queue", chromedp.Navigate(d.URL+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")))
	admin.live(t)
	start := time.Now()
	newTicket(t, d, "ログインできません", "パスワードを忘れました。")
	admin.waitText(t, "#ticket-list", "ログインできません", 10*time.Second)
	t.Logf("new ticket shown in the open queue after %v", time.Since(start))
	admin.waitText(t, `[data-count="unsolved"]`, "3", 10*time.Second)

	// ? shows the shortcut list.
	admin.run(t, "overlay", chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.CSS("#shortcuts[open]")))
	admin.waitText(t, "#shortcuts", "Assign to me", 10*time.Second)

	// Sign out.
	agent.run(t, "logout", chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#email")))
	agent.run(t, "signed out", chromedp.Navigate(d.URL+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#email")))
}

// TestBrowserCollision: two agents on one ticket see each other; while one
// writes a public reply the other's reply is held back until they
// deliberately take over (二重返信防止).
func TestBrowserCollision(t *testing.T) {
	root := headless(t)
	d := apptest.Start(t, "")
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Admin.ID), map[string]any{"user": map[string]any{"locale": "en"}})
	id := newTicket(t, d, "返品の送料について", "返品の送料はどちらの負担ですか？")
	page := fmt.Sprintf("%s/tickets/%d", d.URL, id)

	yamada := newTab(t, root, "ja")
	yamada.login(t, d.URL, d.Agent.Email, "password-agent")
	yamada.run(t, "open", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#ticket-title")))
	yamada.live(t)
	admin := newTab(t, root, "en")
	admin.login(t, d.URL, d.Admin.Email, "管理者のパスワード")
	admin.run(t, "open", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#ticket-title")))
	admin.live(t)

	// Each sees the other viewing.
	yamada.waitText(t, "#presence", "管理者 Admin が閲覧中", 10*time.Second)
	admin.waitText(t, "#presence", "山田 太郎 is viewing", 10*time.Second)

	// 山田 starts a reply: the admin sees it.
	yamada.run(t, "type", chromedp.SendKeys(chromedp.CSS("#body"), "送料は弊社で負担いたします。"))
	admin.waitText(t, "#presence", "山田 太郎 is replying", 10*time.Second)

	// The admin's own public reply is held back, with the draft kept.
	admin.submit(t, "second reply", chromedp.SendKeys(chromedp.CSS("#body"), "We will pay for the return."), chromedp.Click(chromedp.CSS("#send")))
	admin.waitText(t, "#form-errors", "山田 太郎 is writing a reply", 10*time.Second)
	if n := commentCount(t, d, id); n != 1 {
		t.Fatalf("the held-back reply was stored: %d comments", n)
	}
	if v := admin.value(t, "#body"); v != "We will pay for the return." {
		t.Errorf("draft after the lock: %q", v)
	}
	// Taking over sends it.
	admin.submit(t, "take over", chromedp.Click(chromedp.CSS("#take-over")))
	if n := commentCount(t, d, id); n != 2 {
		t.Fatalf("after taking over: %d comments", n)
	}
	// 山田 is told that someone else changed the ticket while typing.
	yamada.waitText(t, "#live-banner", "他の人によって更新されました", 10*time.Second)

	// 山田 empties the composer: no longer replying.
	yamada.run(t, "clear", chromedp.Evaluate[chromedp.Void](`(() => { const b = document.getElementById("body"); b.value = ""; b.dispatchEvent(new Event("input")); })()`))
	admin.waitText(t, "#presence", "山田 太郎 is viewing", 10*time.Second)
	// Leaving the page ends "viewing".
	yamada.run(t, "leave", chromedp.Navigate(d.URL+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")))
	admin.run(t, "presence gone", chromedp.WaitNotVisible(chromedp.CSS("#presence")))
}
