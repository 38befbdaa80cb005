package web_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

// overflowJS answers "" when the page does not scroll sideways, else the
// widths and the elements that stick out on the right.
const overflowJS = `(() => {
const de = document.documentElement;
if (de.scrollWidth <= de.clientWidth) return "";
const wide = [...document.querySelectorAll('body *')].filter((e) => e.getBoundingClientRect().right > de.clientWidth + 1 && e.checkVisibility())
  .slice(0, 8).map((e) => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + (typeof e.className === 'string' && e.className ? '.' + e.className.trim().split(/\s+/).join('.') : '') + ' right=' + Math.round(e.getBoundingClientRect().right));
return 'scrollWidth ' + de.scrollWidth + ' > clientWidth ' + de.clientWidth + ': ' + wide.join(', ');
})()`

// reachable answers "" when the element is shown, at least 200 px wide,
// inside the page's width and, scrolled to, on screen.
const reachableJS = `((sel) => {
const e = document.querySelector(sel);
if (!e) return sel + ' missing';
if (!e.checkVisibility()) return sel + ' hidden';
e.scrollIntoView({ block: 'start' });
const r = e.getBoundingClientRect(), w = document.documentElement.clientWidth;
if (r.width < 200) return sel + ' only ' + Math.round(r.width) + 'px wide';
if (r.left < 0 || r.right > w + 1) return sel + ' outside the page: ' + Math.round(r.left) + '..' + Math.round(r.right) + ' of ' + w;
if (r.top >= innerHeight || r.bottom <= 0) return sel + ' not on screen after scrolling';
return '';
})`

// TestBrowserTabletLaptop: at a tablet's 768×1024 and a laptop's 1280×800
// the queue, the ticket page and the agents settings never scroll sideways,
// and the sidebar of views, the list, the properties and the customer
// panel stay reachable (an admin, 田中 健, signed in).
func TestBrowserTabletLaptop(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserTabletLaptop(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { browserTabletLaptop(t, root, apptest.Start(t, storetest.PostgresURL(t))) })
}

func browserTabletLaptop(t *testing.T, root context.Context, d *apptest.Desk) {
	demo, err := webdemo.Seed(t.Context(), d.App)
	if err != nil {
		t.Fatal(err)
	}
	if err := webdemo.Extras(t.Context(), d.App, demo); err != nil {
		t.Fatal(err)
	}
	pages := []struct {
		path  string
		parts []string
	}{
		{"/tickets", []string{"#ticket-list", ".sidebar", "#bulk", ".load"}},
		{fmt.Sprintf("/tickets/%d", demo.Busy), []string{"#ticket-title", "#body", ".props", "#customer", "#sla"}},
		{fmt.Sprintf("/tickets/%d", demo.MailTicket), []string{"iframe.mailframe", "#customer", ".mailstate"}},
		{"/settings/agents", []string{"#agent-list"}},
	}
	for _, lang := range []string{"ja", "en"} {
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", demo.Agents[2].ID), map[string]any{"user": map[string]any{"locale": lang}})
		tb := newTab(t, root, lang)
		tb.login(t, d.URL, demo.Agents[2].Email, webdemo.Password)
		for _, size := range [][2]int64{{768, 1024}, {1280, 800}} {
			tb.run(t, "resize", chromedp.EmulateViewport(size[0], size[1]))
			for _, p := range pages {
				where := fmt.Sprintf("%s %dx%d %s", lang, size[0], size[1], p.path)
				tb.run(t, where, chromedp.Navigate(d.URL+p.path), chromedp.WaitVisible(chromedp.CSS(p.parts[0])))
				if w := tb.eval(t, `String(document.documentElement.clientWidth)`); w != fmt.Sprint(size[0]) {
					t.Fatalf("%s: page width %s", where, w)
				}
				if s := tb.eval(t, overflowJS); s != "" {
					t.Errorf("%s: sideways scroll: %s", where, s)
				}
				if p.parts[0] == "#ticket-title" {
					// The properties stay next to the conversation, one click away.
					if s := tb.eval(t, `(() => { const c = document.querySelector('.conv').getBoundingClientRect(), s = document.querySelector('.side').getBoundingClientRect();
						return s.left >= c.right && s.top < c.bottom ? "" : "side panel below the conversation"; })()`); s != "" {
						t.Errorf("%s: %s", where, s)
					}
				}
				for _, sel := range p.parts {
					if s := tb.eval(t, reachableJS+"("+jsString(sel)+")"); s != "" {
						t.Errorf("%s: %s", where, s)
					}
				}
			}
		}
	}
}
