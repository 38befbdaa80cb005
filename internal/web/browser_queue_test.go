package web_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserBulkAndInstantSearch drives real Chromium: an agent ticks
// three tickets in the queue (x on the focused row, then two boxes),
// assigns them to themself and tags them 要確認 from the bulk bar, and the
// sidebar counts change without a reload; then an instant search for 配送
// shows a ticket and a customer as they type.
func TestBrowserBulkAndInstantSearch(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserBulk(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserBulk(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserBulk(t *testing.T, root context.Context, d *apptest.Desk) {
	ids := []int64{
		newTicket(t, d, "配送状況を教えてください", "注文番号①の配送状況を教えてください。"),
		newTicket(t, d, "請求書の再発行について", "㈱髙橋商事です。請求書を再発行してください。"),
		newTicket(t, d, "ログインできません", "パスワードを忘れました。ｶﾀｶﾅ"),
	}
	d.Must(201, d.Admin, "POST", "/api/v2/users.json", map[string]any{"user": map[string]any{
		"name": "配送センター 佐藤", "email": "sato@haiso.example.jp", "role": "end-user"}})

	agent := newTab(t, root, "ja")
	agent.login(t, d.URL, d.Agent.Email, "password-agent")
	agent.live(t)
	agent.waitText(t, `[data-count="mine"]`, "0", 10*time.Second)
	agent.waitText(t, `[data-count="unassigned"]`, "3", 10*time.Second)
	agent.run(t, "mark the page", chromedp.Evaluate[chromedp.Void](`window.kzStay = true`))

	// x ticks the focused row; the other two by their boxes.
	agent.run(t, "select three",
		chromedp.KeyEvent("j"), chromedp.WaitVisible(chromedp.CSS("tr.selected")), chromedp.KeyEvent("x"),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-id="%d"] input.pick-row`, ids[1]))),
		chromedp.Click(chromedp.CSS(fmt.Sprintf(`tr[data-id="%d"] input.pick-row`, ids[0]))))
	agent.waitText(t, "#bulk-count", "3件選択中", 10*time.Second)
	ok, err := chromedp.Run(agent.ctx, chromedp.Evaluate[bool](fmt.Sprintf(`document.querySelector('tr[data-id="%d"] input.pick-row').checked`, ids[2])))
	if err != nil || !ok {
		t.Fatalf("x did not tick the focused row (%v)", err)
	}

	agent.run(t, "bulk assign and tag",
		chromedp.SetValue(chromedp.CSS("#bulk-assignee"), "me"),
		chromedp.SendKeys(chromedp.CSS("#bulk-add-tags"), "要確認"),
		chromedp.Click(chromedp.CSS("#bulk-apply")))
	agent.waitText(t, "#bulk-message", "3件更新", 10*time.Second)
	// The counts follow, live: mine at once, the desk-wide ones after the
	// background recount pushes "counts".
	agent.waitText(t, `[data-count="mine"]`, "3", 10*time.Second)
	agent.waitText(t, `[data-count="unassigned"]`, "0", 10*time.Second)
	agent.waitText(t, `[data-count="tag:要確認"]`, "3", 10*time.Second)
	stayed, err := chromedp.Run(agent.ctx, chromedp.Evaluate[bool](`window.kzStay === true && location.pathname === "/tickets"`))
	if err != nil || !stayed {
		t.Fatalf("the page reloaded (%v)", err)
	}
	for _, id := range ids {
		tk := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		if tk.Int("ticket.assignee_id") != d.Agent.ID {
			t.Errorf("#%d not assigned to the agent", id)
		}
	}

	// Instant search: results as the agent types, no form submission.
	agent.run(t, "search page", chromedp.Navigate(d.URL+"/search"), chromedp.WaitVisible(chromedp.CSS(`body[data-instant="on"] #search-q`)),
		chromedp.Evaluate[chromedp.Void](`window.kzStay = true`),
		chromedp.SendKeys(chromedp.CSS("#search-q"), "配送"))
	agent.waitText(t, "#res-tickets", "配送状況を教えてください", 10*time.Second)
	agent.waitText(t, "#res-users", "配送センター 佐藤", 10*time.Second)
	agent.waitText(t, "#res-comments", "注文番号①の配送状況", 10*time.Second)
	url, err := chromedp.Run(agent.ctx, chromedp.Evaluate[string](`window.kzStay === true ? location.search : "reloaded"`))
	if err != nil || url != "?q=%E9%85%8D%E9%80%81" {
		t.Errorf("after instant search: %q %v", url, err)
	}
}
