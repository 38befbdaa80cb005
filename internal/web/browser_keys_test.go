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

// TestBrowserKeysMacroStatus: on the ticket page m focuses the macro
// search and s the status menu, without typing the key anywhere; neither
// fires while the agent types in a field; the ? overlay lists both.
func TestBrowserKeysMacroStatus(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserKeysMacroStatus(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserKeysMacroStatus(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserKeysMacroStatus(t *testing.T, root context.Context, d *apptest.Desk) {
	d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
		"title": "配送::配送遅延のお詫び", "actions": []map[string]any{{"field": "status", "value": "pending"}}}})
	d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
		"title": "返金のご案内", "actions": []map[string]any{{"field": "priority", "value": "high"}}}})
	id := newTicket(t, d, "配送状況を教えてください", "注文番号①の配送状況を教えてください。")

	agent := newTab(t, root, "ja")
	agent.login(t, d.URL, d.Agent.Email, "password-agent")
	agent.run(t, "open", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", d.URL, id)), chromedp.WaitVisible(chromedp.CSS("#macro-list")))
	active := func() string { return agent.eval(t, `document.activeElement ? document.activeElement.id : ""`) }
	waitActive := func(want string) {
		t.Helper()
		deadline := time.Now().Add(5 * time.Second)
		for active() != want {
			if time.Now().After(deadline) {
				t.Fatalf("focus on %q, want %q", active(), want)
			}
			time.Sleep(20 * time.Millisecond)
		}
	}
	status := agent.value(t, "#status")

	// m: the macro search, empty (the m is not typed into it).
	agent.run(t, "m", chromedp.KeyEvent("m"))
	waitActive("macro-q")
	if v := agent.value(t, "#macro-q"); v != "" {
		t.Errorf("macro search after m: %q", v)
	}
	// Typing there: s and m are letters, not shortcuts; the filter works.
	agent.run(t, "type", chromedp.KeyEvent("s"), chromedp.KeyEvent("m"))
	if v := agent.value(t, "#macro-q"); v != "sm" {
		t.Errorf("macro search after typing: %q", v)
	}
	if a := active(); a != "macro-q" {
		t.Errorf("typing s moved the focus to %q", a)
	}
	agent.run(t, "filter", chromedp.Evaluate[chromedp.Void](`document.getElementById("macro-q").value = ""`), chromedp.SendKeys(chromedp.CSS("#macro-q"), "お詫び"))
	agent.waitText(t, "#macro-list li:not([hidden])", "配送遅延のお詫び", 10*time.Second)

	// s from the page: the status menu, its value unchanged.
	agent.run(t, "leave the field", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`))
	agent.run(t, "s", chromedp.KeyEvent("s"))
	waitActive("status")
	if v := agent.value(t, "#status"); v != status {
		t.Errorf("status after s: %q, want %q unchanged", v, status)
	}
	// In the menu, m is the menu's own key: the focus stays.
	agent.run(t, "m in the menu", chromedp.KeyEvent("m"))
	if a := active(); a != "status" {
		t.Errorf("m in the status menu moved the focus to %q", a)
	}
	// The composer: neither key fires while writing.
	agent.run(t, "compose", chromedp.Click(chromedp.CSS("#body")), chromedp.KeyEvent("m"), chromedp.KeyEvent("s"))
	if v, a := agent.value(t, "#body"), active(); v != "ms" || a != "body" {
		t.Errorf("composer after m s: %q, focus %q", v, a)
	}

	// The overlay lists both keys, in Japanese and in English.
	agent.run(t, "overlay", chromedp.Evaluate[chromedp.Void](`document.activeElement.blur()`), chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.CSS("#shortcuts[open]")))
	agent.waitText(t, "#shortcuts", "マクロを選ぶ", 10*time.Second)
	agent.waitText(t, "#shortcuts", "ステータスを変更", 10*time.Second)
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Admin.ID), map[string]any{"user": map[string]any{"locale": "en"}})
	en := newTab(t, root, "en-US")
	en.login(t, d.URL, d.Admin.Email, "管理者のパスワード")
	en.run(t, "overlay (en)", chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.CSS("#shortcuts[open]")))
	en.waitText(t, "#shortcuts", "Pick a macro", 10*time.Second)
	en.waitText(t, "#shortcuts", "Change the status", 10*time.Second)
}
