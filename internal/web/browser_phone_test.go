package web_test

import (
	"context"
	"fmt"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

// tapJS answers "" when every visible element matching sel is at least
// 40 px high (a thumb's tap target), else which ones are not.
const tapJS = `((sel) => {
const low = [...document.querySelectorAll(sel)].filter((e) => e.checkVisibility())
  .map((e) => (e.id ? '#' + e.id : e.tagName.toLowerCase() + ' ' + e.textContent.trim().slice(0, 12)) + ' ' + Math.round(e.getBoundingClientRect().height) + 'px')
  .filter((s) => parseInt(s.split(' ').pop()) < 40);
return low.join(', ');
})`

// navJS answers "" when the top bar's destinations (queues, approvals,
// settings, search, sign-out) are on screen at the top of the page, inside
// its width and not covered by anything: usable without scrolling sideways.
const navJS = `(() => {
scrollTo(0, 0);
const w = document.documentElement.clientWidth, out = [];
for (const sel of ['.top nav a[href="/tickets"]', '.top nav a[href="/approvals"]', '.top nav a[href="/settings"]', '#top-q', '#logout']) {
  const e = document.querySelector(sel);
  if (!e || !e.checkVisibility()) { out.push(sel + ' hidden'); continue; }
  const r = e.getBoundingClientRect();
  if (r.left < 0 || r.right > w + 1 || r.top < 0 || r.bottom > innerHeight) { out.push(sel + ' off screen ' + Math.round(r.left) + ',' + Math.round(r.top) + '..' + Math.round(r.right) + ',' + Math.round(r.bottom)); continue; }
  const hit = document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2);
  if (!hit || !(hit === e || e.contains(hit) || hit.contains(e))) out.push(sel + ' covered');
  if (sel !== '#top-q' && r.height < 40) out.push(sel + ' only ' + Math.round(r.height) + 'px high');
}
return out.join(', ');
})()`

// TestBrowserPhone: at a phone's 390×844 and 360×740, in Japanese and
// English, the queue, a ticket with a long Japanese subject and a long
// unbroken URL in a comment, search results, approvals, the settings
// index and the sign-in page never scroll sideways; the composer and its
// send button are reachable by scrolling down; the top bar's links, the
// search box and sign-out are on screen at the top; and primary buttons
// are at least 40 px high.
func TestBrowserPhone(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserPhone(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserPhone(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserPhone(t *testing.T, root context.Context, d *apptest.Desk) {
	demo, err := webdemo.Seed(t.Context(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	if err := webdemo.Extras(t.Context(), d.App, demo); err != nil {
		t.Fatal(err)
	}
	long := newTicket(t, d, "【至急】先月ご注文いただいた商品の配送状況と請求書の再発行および返品手続きについての確認のお願い（株式会社髙橋商事）",
		"詳細はこちらをご覧ください：https://example.co.jp/orders/2026/11/very-long-path-without-any-breaks/abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmnopqrstuvwxyz0123456789?session=ｶﾀｶﾅ&ref=配送状況")
	// A trainee's draft waiting for approval, so /approvals lists a row.
	trainee := addTrainee(t, d)
	d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", long),
		map[string]any{"draft": map[string]any{"body": "ご連絡ありがとうございます。配送状況を確認いたします。"}})

	pages := []struct {
		path  string
		parts []string // the first is waited for; each is reachable by scrolling
	}{
		{"/tickets", []string{"#ticket-list"}},
		{fmt.Sprintf("/tickets/%d", long), []string{"#ticket-title", "#body", ".props"}},
		{fmt.Sprintf("/tickets/%d", demo.Busy), []string{"#ticket-title", "#body", "#customer"}},
		{"/search?q=" + "配送", []string{"#search-results"}},
		{"/approvals", []string{"#approval-list"}},
		{"/settings", []string{".settings-grid"}},
	}
	for _, lang := range []string{"ja", "en"} {
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", demo.Agents[2].ID), map[string]any{"user": map[string]any{"locale": lang}})
		tb := newTab(t, root, lang)
		for _, size := range [][2]int64{{390, 844}, {360, 740}} {
			tb.run(t, "resize", chromedp.EmulateViewport(size[0], size[1], chromedp.EmulateMobile, chromedp.EmulateTouch))
			// Signed out: the sign-in page.
			where := fmt.Sprintf("%s %dx%d /login", lang, size[0], size[1])
			tb.run(t, where, chromedp.Navigate(d.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
			tb.phoneChecks(t, where, size[0], []string{"#email", "#password"}, "button.primary")
			tb.login(t, d.URL, demo.Agents[2].Email, webdemo.Password)
			for _, p := range pages {
				where := fmt.Sprintf("%s %dx%d %s", lang, size[0], size[1], p.path)
				tb.run(t, where, chromedp.Navigate(d.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.parts[0])))
				if s := tb.eval(t, navJS); s != "" {
					t.Errorf("%s: navigation: %s", where, s)
				}
				tb.phoneChecks(t, where, size[0], p.parts, "button.primary, #send, #request-approval")
				if strings.HasPrefix(p.path, "/tickets/") {
					// The send button: below the composer, on screen when scrolled to.
					if s := tb.eval(t, `(() => { const b = document.querySelector('#send'); b.scrollIntoView({ block: 'center' });
						const r = b.getBoundingClientRect(), w = document.documentElement.clientWidth;
						return r.left >= 0 && r.right <= w + 1 && r.top >= 0 && r.bottom <= innerHeight && document.elementFromPoint(r.left + r.width / 2, r.top + r.height / 2) === b ? "" : "send button not usable at " + Math.round(r.left) + "," + Math.round(r.top); })()`); s != "" {
						t.Errorf("%s: %s", where, s)
					}
				}
			}
			tb.run(t, "sign out", chromedp.Evaluate[chromedp.Void](`scrollTo(0, 0)`), chromedp.Click(chromedp.CSS("#logout")), chromedp.WaitVisible(chromedp.CSS("#email")))
		}
	}
}

// phoneChecks: the page has the phone's width and no sideways scroll,
// the parts are reachable, the primary buttons tall enough.
func (tb *tab) phoneChecks(t *testing.T, where string, width int64, parts []string, primary string) {
	t.Helper()
	if w := tb.eval(t, `String(document.documentElement.clientWidth)`); w != fmt.Sprint(width) {
		t.Fatalf("%s: page width %s", where, w)
	}
	if s := tb.eval(t, overflowJS); s != "" {
		t.Errorf("%s: sideways scroll: %s", where, s)
	}
	if s := tb.eval(t, `document.documentElement.scrollWidth <= innerWidth ? "" : "scrollWidth " + document.documentElement.scrollWidth + " > innerWidth " + innerWidth`); s != "" {
		t.Errorf("%s: %s", where, s)
	}
	for _, sel := range parts {
		if s := tb.eval(t, reachableJS+"("+jsString(sel)+")"); s != "" {
			t.Errorf("%s: %s", where, s)
		}
	}
	if s := tb.eval(t, tapJS+"("+jsString(primary)+")"); s != "" {
		t.Errorf("%s: tap targets under 40px: %s", where, s)
	}
}
