package web_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

// a11yAudit runs in the page and answers a JSON list of problems: controls
// without an accessible name, duplicate ids, images without alt, not one
// h1, no lang, text below WCAG AA contrast against its effective
// background, and links or buttons without a visible focus indicator.
const a11yAudit = `(() => {
const out = [];
const desc = (el) => {
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (el.getAttribute('name')) s += '[name=' + el.getAttribute('name') + ']';
  if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
  const t = (el.textContent || '').trim().slice(0, 30);
  return t ? s + ' "' + t + '"' : s;
};
const shown = (el) => el.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true });

// Accessible names: label[for] or a wrapping label (el.labels), aria-label,
// aria-labelledby, or a button's text.
for (const el of document.querySelectorAll('input, select, textarea, button')) {
  if (el.type === 'hidden') continue;
  let name = el.getAttribute('aria-label') || '';
  if (!name.trim() && el.getAttribute('aria-labelledby')) {
    name = el.getAttribute('aria-labelledby').split(/\s+/).map((id) => document.getElementById(id)?.textContent || '').join(' ');
  }
  if (!name.trim() && el.labels) name = [...el.labels].map((l) => l.textContent).join(' ');
  if (!name.trim() && el.tagName === 'BUTTON') name = el.textContent;
  if (!name.trim() && el.tagName === 'INPUT' && /^(submit|button|reset)$/.test(el.type)) name = el.value;
  if (!name.trim()) out.push('no accessible name: ' + desc(el));
}
for (const el of document.querySelectorAll('[aria-labelledby]')) {
  for (const id of el.getAttribute('aria-labelledby').split(/\s+/)) {
    if (!document.getElementById(id)) out.push('aria-labelledby names a missing id ' + id + ': ' + desc(el));
  }
}
// Unique ids.
const seen = new Map();
for (const el of document.querySelectorAll('[id]')) seen.set(el.id, (seen.get(el.id) || 0) + 1);
for (const [id, n] of seen) if (n > 1) out.push('id used ' + n + ' times: ' + id);
// Images.
for (const el of document.querySelectorAll('img')) if (!el.hasAttribute('alt')) out.push('img without alt: ' + (el.getAttribute('src') || ''));
for (const el of document.querySelectorAll('[role=img]')) if (!el.getAttribute('aria-label') && !el.getAttribute('aria-labelledby')) out.push('role=img without a name: ' + desc(el));
// One h1, a lang.
const h1 = [...document.querySelectorAll('h1')];
if (h1.length !== 1) out.push('h1 count ' + h1.length + ': ' + h1.map((h) => h.textContent.trim()).join(' | '));
if (!document.documentElement.lang) out.push('html has no lang');

// Contrast.
const parse = (c) => {
  const m = c.match(/rgba?\(([^)]+)\)/);
  if (!m) return [0, 0, 0, 0];
  const p = m[1].split(/[,\s/]+/).filter(Boolean).map(Number);
  return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
};
const over = (top, under) => {
  const a = top[3];
  return [top[0] * a + under[0] * (1 - a), top[1] * a + under[1] * (1 - a), top[2] * a + under[2] * (1 - a), 1];
};
const background = (el) => {
  const layers = [];
  for (let n = el; n && n.nodeType === 1; n = n.parentElement) {
    const c = parse(getComputedStyle(n).backgroundColor);
    if (c[3] > 0) { layers.push(c); if (c[3] >= 1) break; }
  }
  let bg = [255, 255, 255, 1];
  for (let i = layers.length - 1; i >= 0; i--) bg = over(layers[i], bg);
  return bg;
};
const lum = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]);
};
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
const low = new Set();
for (const el of document.querySelectorAll('body *')) {
  if (/^(SCRIPT|STYLE|OPTION|IFRAME|NOSCRIPT|TEMPLATE)$/.test(el.tagName)) continue;
  if (![...el.childNodes].some((n) => n.nodeType === 3 && n.textContent.trim())) continue;
  if (!shown(el)) continue;
  const r = el.getBoundingClientRect();
  if (r.width < 2 || r.height < 2) continue; // visually hidden (.sr)
  if (el.closest(':disabled, [aria-disabled=true]')) continue; // inactive controls are exempt
  const cs = getComputedStyle(el);
  const bg = background(el);
  const fg = over(parse(cs.color), bg);
  const size = parseFloat(cs.fontSize), bold = Number(cs.fontWeight) >= 700;
  const need = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
  const got = ratio(fg, bg);
  if (got < need) {
    const key = desc(el).replace(/ ".*/, '') + ' ' + cs.color + ' on ' + bg.slice(0, 3).map(Math.round).join(',');
    if (!low.has(key)) { low.add(key); out.push('contrast ' + got.toFixed(2) + ' < ' + need + ': ' + desc(el) + ' ' + cs.color + ' on rgb(' + bg.slice(0, 3).map(Math.round).join(',') + ')'); }
  }
}

// Visible focus: every shown link and button, focused as the keyboard does.
const before = document.activeElement;
for (const el of document.querySelectorAll('a[href], button, summary, input:not([type=hidden]), select, textarea')) {
  if (!shown(el) || el.disabled) continue;
  el.focus({ focusVisible: true, preventScroll: true });
  if (document.activeElement !== el) continue;
  const cs = getComputedStyle(el);
  const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || (cs.boxShadow && cs.boxShadow !== 'none');
  if (!ring) out.push('no visible focus: ' + desc(el));
}
before?.focus?.({ preventScroll: true });
document.activeElement?.blur?.();
return JSON.stringify(out);
})()`

// staticBytesJS answers the bytes of the desk's own scripts and styles the
// page (and its same-origin frames) loaded, once the dynamic imports are in.
const staticBytesJS = `(async () => {
await new Promise((r) => setTimeout(r, 150));
const docs = [document, ...[...document.querySelectorAll('iframe')].map((f) => { try { return f.contentDocument; } catch { return null; } }).filter(Boolean)];
const seen = new Map();
for (const d of docs) for (const e of d.defaultView.performance.getEntriesByType('resource')) {
  if (new URL(e.name).pathname.startsWith('/static/')) seen.set(e.name, e.decodedBodySize);
}
return [...seen.values()].reduce((a, b) => a + b, 0);
})()`

// TestBrowserAccessibility signs in as an admin and audits the main pages
// in Japanese and English with a11yAudit in real Chromium.
func TestBrowserAccessibility(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserAccessibility(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserAccessibility(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserAccessibility(t *testing.T, root context.Context, d *apptest.Desk) {
	demo, err := webdemo.Seed(t.Context(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	if err := webdemo.Extras(t.Context(), d.App, demo); err != nil {
		t.Fatal(err)
	}
	admin := demo.Agents[2] // 田中 健
	// A trainee's reply waits for approval: /approvals and the ticket's panel.
	trainee := demo.Agents[1]
	if err := d.App.RequireApproval(t.Context(), trainee.ID, true); err != nil {
		t.Fatal(err)
	}
	trainee.ApprovalRequired = true
	if _, err := app.Lookup[*approvals.Service](d.App).Submit(t.Context(), trainee, demo.Tickets[1], approvals.Input{Body: "ご注文の商品は本日発送いたしました。"}); err != nil {
		t.Fatal(err)
	}

	pages := []struct{ path, ready string }{
		{"/tickets", "#ticket-list"},
		{fmt.Sprintf("/tickets/%d", demo.Busy), "#sla"},
		{fmt.Sprintf("/tickets/%d", demo.MailTicket), ".mailstate.ms-sent"},
		{fmt.Sprintf("/tickets/%d", demo.Tickets[1]), "#approval-panel"},
		{"/search?q=配送", "#search-q"},
		{"/settings", "main h1"},
		{"/settings/inboxes", "main h1"},
		{"/settings/agents", "#agent-list"},
		{"/approvals", "main h1"},
		{"/settings/sessions", "table.sessions"},
		// The rest of the settings and the mail views.
		{"/settings/inboxes/new", "main h1"},
		{"/settings/groups", "main h1"},
		{"/settings/brands", "main h1"},
		{"/settings/signatures", "main h1"},
		{"/settings/fields", "main h1"},
		{"/settings/csat", "main h1"},
		{"/settings/customer-links", "main h1"},
		{"/settings/macros", "main h1"},
		{"/settings/macros/new", "main h1"},
		{"/settings/triggers", "main h1"},
		{"/settings/triggers/new", "main h1"},
		{"/settings/automations", "main h1"},
		{"/settings/automations/new", "main h1"},
		{"/settings/slas", "main h1"},
		{"/settings/slas/new", "main h1"},
		{"/settings/business-hours", "main h1"},
		{"/settings/views", "main h1"},
		{"/settings/views/new", "main h1"},
		{"/search?q=" + url.QueryEscape("type:user 山本"), "#search-q"},
		{"/tickets?view=sla", "#ticket-list"},
		{"/tickets/new", "#newticket-form"},
	}
	var inboxID, mailID int64
	if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
		list, err := tx.Inboxes()
		if err != nil || len(list) == 0 {
			return err
		}
		inboxID = list[0].ID
		mails, err := tx.MailMessagesOfTicket(demo.MailTicket)
		if len(mails) > 0 {
			mailID = mails[0].ID
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	pages = append(pages, struct{ path, ready string }{fmt.Sprintf("/settings/inboxes/%d", inboxID), "main h1"},
		struct{ path, ready string }{fmt.Sprintf("/tickets/%d/mails/%d", demo.MailTicket, mailID), "main h1"})
	for _, lang := range []string{"ja", "en"} {
		// The admin's own language setting wins over the browser's.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", admin.ID), map[string]any{"user": map[string]any{"locale": lang}})
		tb := newTab(t, root, lang)
		tb.run(t, "sign-in page", chromedp.Navigate(d.URL+"/login"), chromedp.WaitVisible(chromedp.CSS("#email")))
		audit(t, tb, lang+" /login")
		tb.run(t, "forgot page", chromedp.Navigate(d.URL+"/password/forgot"), chromedp.WaitVisible(chromedp.CSS("main h1")))
		audit(t, tb, lang+" /password/forgot")
		tb.login(t, d.URL, admin.Email, webdemo.Password)
		for _, p := range pages {
			tb.run(t, "open "+p.path, chromedp.Navigate(d.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.ready)))
			audit(t, tb, lang+" "+p.path)
			// The page's own JavaScript and CSS stay under 100 KB together.
			if n := staticBytes(t, tb); n < 20_000 || n >= 100*1024 {
				t.Errorf("%s: own JS+CSS %d bytes, want under 100 KB (and at least the stylesheet)", p.path, n)
			} else if lang == "ja" && strings.HasPrefix(p.path, "/tickets") {
				t.Logf("%s: own JS+CSS %d bytes", p.path, n)
			}
			if p.path == "/tickets" {
				if h, want := tb.text(t, "#list-title"), map[string]string{"ja": "未解決のすべて", "en": "All unsolved"}[lang]; h != want {
					t.Errorf("queue title %q, want %q", h, want)
				}
			}
		}
		// The audit itself finds a faint text, a nameless input and a
		// duplicate id (so a silent audit means a clean page).
		tb.run(t, "plant", chromedp.Evaluate[chromedp.Void](`(() => { const p = document.createElement('p'); p.textContent = '薄い文字'; p.style.color = '#bbb'; p.id = 'top-q';
			const i = document.createElement('input'); document.querySelector('main').append(p, i); })()`))
		var planted []string
		if err := json.Unmarshal([]byte(tb.eval(t, a11yAudit)), &planted); err != nil {
			t.Fatal(err)
		}
		if all := strings.Join(planted, "\n"); len(planted) != 3 || !strings.Contains(all, "contrast") || !strings.Contains(all, "no accessible name: input") || !strings.Contains(all, "id used 2 times: top-q") {
			t.Errorf("the audit missed planted problems: %q", planted)
		}
		// Real Tab presses from the top of a ticket page: the skip link
		// first, then every stop shows its focus ring.
		tb.run(t, "ticket for Tab", chromedp.Navigate(fmt.Sprintf("%s/tickets/%d", d.URL, demo.Busy)), chromedp.WaitVisible(chromedp.CSS("#ticket-title")))
		var stops []string
		for i := 0; i < 12; i++ {
			tb.run(t, "Tab", chromedp.KeyEvent(kb.Tab))
			stops = append(stops, tb.eval(t, `(() => { const e = document.activeElement, cs = getComputedStyle(e);
				const ring = (cs.outlineStyle !== 'none' && parseFloat(cs.outlineWidth) > 0) || cs.boxShadow !== 'none';
				return (e.id || e.tagName.toLowerCase()) + (ring ? '' : ' (no focus ring)'); })()`))
		}
		if all := strings.Join(stops, " → "); !strings.HasPrefix(all, "a") || strings.Contains(all, "no focus ring") || strings.Contains(all, "body") {
			t.Errorf("%s: Tab stops %s", lang, all)
		} else {
			t.Logf("%s: Tab stops %s", lang, all)
		}
		// The shortcut overlay, open.
		tb.run(t, "overlay", chromedp.Navigate(d.URL+"/tickets"), chromedp.WaitVisible(chromedp.CSS("#ticket-list")),
			chromedp.KeyEvent("?"), chromedp.WaitVisible(chromedp.CSS("#shortcuts[open]")))
		audit(t, tb, lang+" ? overlay")
	}
}

func staticBytes(t *testing.T, tb *tab) int {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	n, err := chromedp.Run(ctx, chromedp.Evaluate[int](staticBytesJS, chromedp.EvalAwaitPromise))
	if err != nil {
		t.Fatalf("static bytes: %v", err)
	}
	return n
}

func audit(t *testing.T, tb *tab, where string) {
	t.Helper()
	var problems []string
	if err := json.Unmarshal([]byte(tb.eval(t, a11yAudit)), &problems); err != nil {
		t.Fatal(err)
	}
	if len(problems) > 0 {
		t.Errorf("%s: %d accessibility problems:\n  %s", where, len(problems), strings.Join(problems, "\n  "))
	}
}
