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

// TestBrowserNewTicketSuggest: in real Chromium the customer lookup
// suggests customers as the agent types; the list is an accessible
// listbox (audited) that the arrow keys move through; Enter picks the
// customer without leaving the page (what was typed stays), "change"
// brings the lookup back, Escape closes the list, a click picks again,
// and the ticket is created for the picked customer.
func TestBrowserNewTicketSuggest(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserNewTicketSuggest(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserNewTicketSuggest(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserNewTicketSuggest(t *testing.T, root context.Context, d *apptest.Desk) {
	tb := newTab(t, root, "ja")
	tb.login(t, d.URL, d.Agent.Email, "password-agent")
	tb.nextPage(t, "new ticket form", "#newticket-form", 10*time.Second, chromedp.Navigate(d.URL+"/tickets/new"))
	opt := fmt.Sprintf("#nt-sug-%d", d.Customer.ID)

	tb.run(t, "subject", chromedp.SendKeys(chromedp.CSS("#subject"), "配送先を変更したい"),
		chromedp.Evaluate[chromedp.Void](`window.kzOld = true`))
	tb.run(t, "type a name", chromedp.SendKeys(chromedp.CSS("#requester_q"), "佐藤"))
	tb.run(t, "suggestions", chromedp.WaitVisible(chromedp.CSS(opt)))
	if got := tb.text(t, opt); !strings.Contains(got, "佐藤 花子") || !strings.Contains(got, d.Customer.Email) {
		t.Errorf("suggestion %q", got)
	}
	if v := tb.eval(t, `document.getElementById('requester_q').getAttribute('aria-expanded')`); v != "true" {
		t.Errorf("aria-expanded %q", v)
	}
	tb.waitText(t, "#nt-suggest-status", "1 件の候補", 5*time.Second)
	audit(t, tb, "ja /tickets/new with suggestions")

	// The keyboard: down marks the customer, Enter picks them, no page load.
	// (The audit moves the focus around; leaving the field closes the
	// list, and the down arrow opens it again.)
	tb.run(t, "arrow down", chromedp.Focus(chromedp.CSS("#requester_q")), chromedp.KeyEvent(kb.ArrowDown))
	if v := tb.eval(t, `document.getElementById('requester_q').getAttribute('aria-activedescendant')`); "#"+v != opt {
		t.Errorf("active option %q, want %s", v, opt)
	}
	if v := tb.eval(t, `document.querySelector(`+jsString(opt)+`).getAttribute('aria-selected')`); v != "true" {
		t.Errorf("aria-selected %q", v)
	}
	tb.run(t, "enter", chromedp.KeyEvent(kb.Enter))
	tb.waitText(t, "#nt-picked", "佐藤 花子", 5*time.Second)
	if tb.eval(t, `String(window.kzOld === true)`) != "true" {
		t.Fatalf("picking a suggestion loaded a page")
	}
	if v := tb.value(t, "#nt-picked-id"); v != fmt.Sprint(d.Customer.ID) {
		t.Errorf("picked id %q", v)
	}
	if v := tb.eval(t, `String(document.getElementById('nt-new').disabled && document.getElementById('requester_q').closest('.nt-find').hidden)`); v != "true" {
		t.Errorf("the lookup and the new-customer fields should step aside")
	}
	if v := tb.eval(t, `document.activeElement.id`); v != "nt-picked" {
		t.Errorf("focus on %q after picking, want the chosen customer's line", v)
	}
	tb.waitText(t, "#nt-suggest-status", "佐藤 花子 さんを選びました", 5*time.Second)

	// Change: the lookup comes back with its words; a click picks again.
	tb.run(t, "change", chromedp.Click(chromedp.CSS("#nt-unpick")))
	if v := tb.eval(t, `String(!document.getElementById('nt-picked') && !document.getElementById('nt-picked-id') && !document.getElementById('nt-new').disabled)`); v != "true" {
		t.Errorf("change did not bring the lookup back")
	}
	tb.run(t, "type again", chromedp.SendKeys(chromedp.CSS("#requester_q"), " "))
	tb.run(t, "suggestions again", chromedp.WaitVisible(chromedp.CSS(opt)))
	// Escape closes the list; the down arrow opens it again.
	tb.run(t, "escape", chromedp.KeyEvent(kb.Escape))
	if v := tb.eval(t, `String(document.getElementById('nt-suggest').hidden) + ' ' + document.getElementById('requester_q').getAttribute('aria-expanded')`); v != "true false" {
		t.Errorf("after Escape: hidden, expanded = %s", v)
	}
	tb.run(t, "reopen", chromedp.KeyEvent(kb.ArrowDown), chromedp.WaitVisible(chromedp.CSS(opt)), chromedp.Click(chromedp.CSS(opt)))
	tb.waitText(t, "#nt-picked", "佐藤 花子", 5*time.Second)

	body := "お客様より電話。来週届く荷物の配送先を、自宅から勤務先に変更したいとのご依頼でした。"
	tb.run(t, "message", chromedp.SendKeys(chromedp.CSS("#body"), body))
	tb.nextPage(t, "create", "#action-done", 15*time.Second, chromedp.Click(chromedp.CSS("#nt-create")))
	if got := tb.text(t, "#ticket-title"); !strings.Contains(got, "配送先を変更したい") {
		t.Errorf("title %q", got)
	}
	tb.waitText(t, "#customer", "佐藤 花子", 5*time.Second)
}
