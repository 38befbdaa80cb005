package web_test

import (
	"context"
	"fmt"
	"os"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	cdplog "github.com/chromedp/cdproto/log"
	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/cdproto/runtime"
	"github.com/chromedp/chromedp"
)

// chromium finds the browser, or skips (fails with KIZUNA_REQUIRE_CHROMIUM=1,
// as ./scripts/test.sh sets, which also installs it).
func chromium(t testing.TB) string {
	t.Helper()
	for _, name := range []string{"chromium", "chromium-browser", "google-chrome"} {
		if p, err := exec.LookPath(name); err == nil {
			return p
		}
	}
	if os.Getenv("KIZUNA_REQUIRE_CHROMIUM") == "1" {
		t.Fatal("chromium not found but KIZUNA_REQUIRE_CHROMIUM=1")
	}
	t.Skip("chromium not installed; ./scripts/test.sh installs it")
	return ""
}

// headless starts one headless Chromium for the test with a fresh profile
// and returns its root context; contexts made from it with newTab are
// separate browser contexts (own cookies), like two people's browsers.
func headless(t testing.TB) context.Context {
	t.Helper()
	opts := []chromedp.ExecAllocatorOption{
		chromedp.ExecPath(chromium(t)),
		chromedp.Flag("headless", true),
		chromedp.Flag("no-sandbox", true),
		chromedp.Flag("disable-gpu", true),
		chromedp.Flag("disable-quic", true),
		chromedp.Flag("no-first-run", true),
		chromedp.Flag("no-default-browser-check", true),
		chromedp.Flag("disable-background-networking", true),
		chromedp.Flag("disable-component-update", true),
		chromedp.Flag("disable-sync", true),
		chromedp.Flag("disable-dev-shm-usage", true),
		chromedp.Flag("hide-scrollbars", true),
		chromedp.UserDataDir(t.TempDir()),
		chromedp.WindowSize(1400, 900),
	}
	actx, cancelA := chromedp.NewExecAllocator(context.Background(), opts...)
	bctx, cancelB := chromedp.NewContext(actx)
	if err := chromedp.Do(bctx); err != nil {
		cancelB()
		cancelA()
		t.Fatalf("start chromium: %v", err)
	}
	t.Cleanup(func() { cancelB(); cancelA() })
	return bctx
}

// tab is one person's browser: its own browser context (cookies), a page
// language, and a record of script errors and CSP violations, which fail
// the test when it ends.
type tab struct {
	ctx    context.Context
	mu     sync.Mutex
	issues []string
}

func newTab(t testing.TB, root context.Context, lang string) *tab {
	t.Helper()
	ctx, cancel := chromedp.NewContext(root, chromedp.WithNewBrowserContext())
	tb := &tab{ctx: ctx}
	if err := chromedp.Do(ctx); err != nil {
		t.Fatalf("open tab: %v", err)
	}
	err := chromedp.Listen(ctx, func(ev any) {
		switch e := ev.(type) {
		case *runtime.EventExceptionThrown:
			d := e.ExceptionDetails
			msg := d.Text
			if d.Exception != nil {
				msg += " " + d.Exception.Description
			}
			tb.note(fmt.Sprintf("exception at %s:%d: %s", d.URL, d.LineNumber, msg))
		case *cdplog.EventEntryAdded:
			if e.Entry.Source == cdplog.EntrySourceSecurity || strings.Contains(e.Entry.Text, "Content Security Policy") ||
				(e.Entry.Source == cdplog.EntrySourceJavascript && e.Entry.Level == cdplog.EntryLevelError) {
				tb.note("console: " + e.Entry.Text)
			}
		}
	})
	if err != nil {
		t.Fatalf("listen: %v", err)
	}
	if _, err := chromedp.Call(ctx, cdplog.Enable, cdp.Empty{}); err != nil {
		t.Fatalf("log enable: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.Enable, network.EnableParams{}); err != nil {
		t.Fatalf("network enable: %v", err)
	}
	if _, err := chromedp.Call(ctx, network.SetExtraHTTPHeaders, network.SetExtraHTTPHeadersParams{Headers: network.Headers{"Accept-Language": lang}}); err != nil {
		t.Fatalf("set language: %v", err)
	}
	t.Cleanup(func() {
		cancel()
		tb.mu.Lock()
		defer tb.mu.Unlock()
		for _, s := range tb.issues {
			t.Errorf("browser reported %s", s)
		}
	})
	return tb
}

func (tb *tab) note(s string) {
	tb.mu.Lock()
	tb.issues = append(tb.issues, s)
	tb.mu.Unlock()
}

// run performs actions with a time limit, failing the test on error.
func (tb *tab) run(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 15*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, actions...); err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// text returns the text of the first node matching sel.
func (tb *tab) text(t testing.TB, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Text(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("read %s: %v", sel, err)
	}
	return s
}

// value returns a form control's value.
func (tb *tab) value(t testing.TB, sel string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, 10*time.Second)
	defer cancel()
	s, err := chromedp.Run(ctx, chromedp.Value(chromedp.CSS(sel)))
	if err != nil {
		t.Fatalf("value of %s: %v", sel, err)
	}
	return s
}

// waitText waits until the node matching sel contains want.
func (tb *tab) waitText(t testing.TB, sel, want string, limit time.Duration) {
	t.Helper()
	ctx, cancel := context.WithTimeout(tb.ctx, limit)
	defer cancel()
	var got string
	for {
		s, err := chromedp.Run(ctx, chromedp.Evaluate[string](`(() => { const n = document.querySelector(`+jsString(sel)+`); return n ? n.textContent : "" })()`))
		if err == nil {
			got = s
			if strings.Contains(got, want) {
				return
			}
		}
		if ctx.Err() != nil {
			t.Fatalf("waiting for %q in %s: have %q", want, sel, got)
		}
		time.Sleep(15 * time.Millisecond)
	}
}

func jsString(s string) string {
	r := strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
	return `"` + r.Replace(s) + `"`
}

// login signs in through the form.
func (tb *tab) login(t testing.TB, base, email, password string) {
	t.Helper()
	tb.run(t, "sign in as "+email,
		chromedp.Navigate(base+"/login"),
		chromedp.WaitVisible(chromedp.CSS("#email")),
		chromedp.SendKeys(chromedp.CSS("#email"), email),
		chromedp.SendKeys(chromedp.CSS("#password"), password),
		chromedp.Click(chromedp.CSS(`button[type=submit]`)),
		chromedp.WaitVisible(chromedp.CSS("#ticket-list")),
	)
}

// live waits until the page's event stream is connected.
func (tb *tab) live(t testing.TB) {
	t.Helper()
	tb.run(t, "event stream", chromedp.WaitVisible(chromedp.CSS(`body[data-live="on"]`)))
}

// submit runs actions that submit a form and waits until the next page
// has loaded (the old document is gone and #saved or #form-errors shows).
func (tb *tab) submit(t testing.TB, what string, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	tb.nextPage(t, what, "#saved, #form-errors, #ticket-list, #email, #macro-applied, #split-done, #merge-done, #action-done", 15*time.Second, actions...)
}

// nextPage runs actions that load a new page (a form post, a click) and
// waits until the old document is gone and sel shows on the new one.
func (tb *tab) nextPage(t testing.TB, what, sel string, wait time.Duration, actions ...chromedp.Action[chromedp.Void]) {
	t.Helper()
	mark := chromedp.Evaluate[chromedp.Void](`window.kzOld = true`)
	tb.run(t, what, append([]chromedp.Action[chromedp.Void]{mark}, actions...)...)
	ctx, cancel := context.WithTimeout(tb.ctx, wait)
	defer cancel()
	for {
		done, err := chromedp.Run(ctx, chromedp.Evaluate[bool](`!window.kzOld && document.readyState === "complete" && !!document.querySelector(`+jsString(sel)+`)`))
		if err == nil && done {
			return
		}
		if ctx.Err() != nil {
			t.Fatalf("%s: %s did not show on the next page", what, sel)
		}
		time.Sleep(15 * time.Millisecond)
	}
}
