package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserMacroSplitMerge drives real Chromium through the ticket
// page's macro picker (filter as you type, preview, apply onto a draft,
// send), the one-click split and merge, own to the end and snooze.
func TestBrowserMacroSplitMerge(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserMacroSplitMerge(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserMacroSplitMerge(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserMacroSplitMerge(t *testing.T, root context.Context, d *apptest.Desk) {
	mid := d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
		"title": "配送::配送遅延のお詫び", "actions": []map[string]any{
			{"field": "comment_value", "value": []string{"channel:all", "{{ticket.requester.name}} 様\n\nご注文の配送が遅れております。誠に申し訳ございません。"}},
			{"field": "status", "value": "pending"},
			{"field": "current_tags", "value": "配送遅延"}}}}).Int("macro.id")
	d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
		"title": "返金のご案内", "actions": []map[string]any{{"field": "priority", "value": "high"}}}})
	id := newTicket(t, d, "配送状況を教えてください", "注文番号①の配送状況を教えてください。")
	page := fmt.Sprintf("%s/tickets/%d", d.URL, id)

	agent := newTab(t, root, "ja")
	agent.login(t, d.URL, d.Agent.Email, "password-agent")
	agent.run(t, "open", chromedp.Navigate(page), chromedp.WaitVisible(chromedp.CSS("#macro-list")))

	// Filtering happens as the agent types.
	visible := func() string {
		ctx, cancel := context.WithTimeout(agent.ctx, 15*time.Second)
		defer cancel()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`[...document.querySelectorAll("#macro-list li")].filter(l => !l.hidden).map(l => l.textContent.trim()).join("|")`))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	agent.run(t, "filter", chromedp.SendKeys(chromedp.CSS("#macro-q"), "お詫び"))
	if v := visible(); v != "配送::配送遅延のお詫び" {
		t.Errorf("after typing お詫び: %q", v)
	}

	// A draft, then preview (without leaving the page) and apply.
	agent.run(t, "draft", chromedp.SendKeys(chromedp.CSS("#body"), "お問い合わせありがとうございます。"))
	agent.run(t, "preview", chromedp.Click(chromedp.CSS(fmt.Sprintf(`a[data-macro="%d"]`, mid))))
	agent.waitText(t, "#macro-comment", "佐藤 花子 様", 10*time.Second)
	agent.waitText(t, "#macro-changes", "保留中", 10*time.Second)
	if v := agent.value(t, "#body"); v != "お問い合わせありがとうございます。" {
		t.Errorf("preview lost the draft: %q", v)
	}
	agent.submit(t, "apply", chromedp.Click(chromedp.CSS("#macro-apply")))
	body := agent.value(t, "#body")
	if !strings.HasPrefix(body, "お問い合わせありがとうございます。\n\n佐藤 花子 様") {
		t.Errorf("composer after apply: %q", body)
	}
	if st, tags := agent.value(t, "#status"), agent.value(t, "#tags"); st != "pending" || tags != "配送遅延" {
		t.Errorf("form after apply: status %q tags %q", st, tags)
	}
	if r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil); r.Str("ticket.status") != "new" {
		t.Errorf("applying saved the ticket: %s", r.Str("ticket.status"))
	}
	agent.submit(t, "send", chromedp.Click(chromedp.CSS("#send")))
	agent.waitText(t, ".msg.public:last-of-type .text", "佐藤 花子 様", 10*time.Second)
	agent.waitText(t, "#ticket-status", "保留中", 10*time.Second)

	// Split the reply off into a new ticket, then merge that one back.
	last := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
	cid := int64(last.Get("comments.1.id").(float64))
	agent.run(t, "open split", chromedp.Click(chromedp.CSS(fmt.Sprintf(`#c%d details.split summary`, cid))),
		chromedp.WaitVisible(chromedp.CSS(fmt.Sprintf("#split-%d", cid))),
		chromedp.SendKeys(chromedp.CSS(fmt.Sprintf("#split-subject-%d", cid)), "お詫びの件"))
	agent.submit(t, "split", chromedp.Click(chromedp.CSS(fmt.Sprintf("#split-%d", cid))))
	agent.waitText(t, "#ticket-title", "お詫びの件", 10*time.Second)
	agent.waitText(t, "#split-done", fmt.Sprintf("#%d", id), 10*time.Second)
	agent.run(t, "open merge", chromedp.Click(chromedp.CSS("#merge-open")), chromedp.WaitVisible(chromedp.CSS("#merge-target")),
		chromedp.SendKeys(chromedp.CSS("#merge-target"), fmt.Sprint(id)))
	agent.submit(t, "merge", chromedp.Click(chromedp.CSS("#merge-confirm")))
	agent.waitText(t, "#ticket-title", "配送状況を教えてください", 10*time.Second)
	agent.waitText(t, "#merge-done", "統合しました", 10*time.Second)

	// Own to the end, then snooze until the default (tomorrow 09:00) and wake.
	agent.submit(t, "own", chromedp.Click(chromedp.CSS("#own-on")))
	agent.waitText(t, "#own-state", "最後まで担当中", 10*time.Second)
	agent.run(t, "open snooze", chromedp.Click(chromedp.CSS("#snooze-open")), chromedp.WaitVisible(chromedp.CSS("#snooze-reason")),
		chromedp.SendKeys(chromedp.CSS("#snooze-reason"), "倉庫の回答待ち"))
	agent.submit(t, "snooze", chromedp.Click(chromedp.CSS("#snooze-confirm")))
	agent.waitText(t, "#snoozed", "09:00", 10*time.Second)
	agent.waitText(t, "#snoozed", "倉庫の回答待ち", 10*time.Second)
	agent.submit(t, "wake", chromedp.Click(chromedp.CSS("#unsnooze")))
	agent.waitText(t, "#action-done", "スヌーズを解除しました。", 10*time.Second)
}

// TestBrowserManyPosts: a page's event stream is closed when the page goes,
// so a dozen form posts in a row in one tab never wait for a connection
// (before, the third post hung: each left page kept one of the browser's
// six connections to the desk).
func TestBrowserManyPosts(t *testing.T) {
	root := headless(t)
	d := apptest.Start(t, "")
	id := newTicket(t, d, "配送状況を教えてください", "注文番号①")
	agent := newTab(t, root, "ja")
	agent.login(t, d.URL, d.Agent.Email, "password-agent")
	for i := range 12 {
		agent.run(t, fmt.Sprint("open ", i), chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", d.URL, id)), chromedp.WaitVisible(chromedp.CSS("#ticket-title")))
		agent.live(t)
		agent.submit(t, fmt.Sprint("save ", i), chromedp.Click(chromedp.CSS("#save-props")))
	}
}
