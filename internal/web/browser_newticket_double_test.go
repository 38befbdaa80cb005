package web_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/chromedp/cdproto/input"
	"github.com/chromedp/chromedp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestBrowserNewTicketDoubleSubmit: in real Chromium an agent records a
// first call from a new number and double-clicks Create (and the form is
// submitted once more from script) while the first post's answer is still
// on its way: the desk gets one post, and there is one ticket and one
// customer. A proxy in front of the desk holds back the answer to the
// first post (the ticket exists by then), as a slow network would; without
// the form's guard the second click would post again and make a second
// ticket.
func TestBrowserNewTicketDoubleSubmit(t *testing.T) {
	root := headless(t)
	t.Run("sqlite", func(t *testing.T) { browserNewTicketDoubleSubmit(t, root, apptest.Start(t, "")) })
	t.Run("postgres", func(t *testing.T) {
		browserNewTicketDoubleSubmit(t, root, apptest.Start(t, storetest.PostgresURL(t)))
	})
}

// slowPosts is a proxy to the desk that counts the posts of the new-ticket
// form and holds back each one's answer until release is closed.
type slowPosts struct {
	posts    atomic.Int32
	answered chan struct{} // gets a value when a post's answer is held
	release  chan struct{}
}

func newSlowPosts(t *testing.T, desk string) (*slowPosts, string) {
	target, err := url.Parse(desk)
	if err != nil {
		t.Fatal(err)
	}
	sp := &slowPosts{answered: make(chan struct{}, 10), release: make(chan struct{})}
	rp := httputil.NewSingleHostReverseProxy(target)
	rp.FlushInterval = -1 // the live event stream
	rp.ModifyResponse = func(res *http.Response) error {
		if res.Request.Method == http.MethodPost && res.Request.URL.Path == "/tickets/new" {
			sp.answered <- struct{}{}
			select {
			case <-sp.release:
			case <-time.After(20 * time.Second):
			}
		}
		return nil
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method == http.MethodPost && r.URL.Path == "/tickets/new" {
			sp.posts.Add(1)
		}
		rp.ServeHTTP(w, r)
	}))
	t.Cleanup(func() {
		select {
		case <-sp.release:
		default:
			close(sp.release)
		}
		srv.Close()
	})
	return sp, srv.URL
}

func browserNewTicketDoubleSubmit(t *testing.T, root context.Context, d *apptest.Desk) {
	sp, base := newSlowPosts(t, d.URL)
	tb := newTab(t, root, "ja")
	tb.login(t, base, d.Agent.Email, "password-agent")
	tb.nextPage(t, "new ticket form", "#newticket-form", 10*time.Second, chromedp.Navigate(base+"/tickets/new"))

	const (
		subject = "初めてのお電話: 請求書の再発行"
		phone   = "090-1234-5678"
	)
	tb.run(t, "fill the form",
		chromedp.SendKeys(chromedp.CSS("#new_name"), "鈴木 一郎"),
		chromedp.SendKeys(chromedp.CSS("#new_phone"), phone),
		chromedp.SendKeys(chromedp.CSS("#subject"), subject),
		chromedp.SendKeys(chromedp.CSS("#body"), "先月分の請求書を紛失したため、再発行してほしいとのご依頼。宛名は株式会社すずき商店。"),
		// The page counts the submit events it sees (kept in the tab's
		// session storage, read on the next page: while a post is on its
		// way the browser runs no script for the test), and a double click
		// submits once more from script.
		chromedp.Evaluate[chromedp.Void](`(() => {
			const f = document.getElementById('newticket-form');
			sessionStorage.setItem('kzSubmits', '0');
			f.addEventListener('submit', () => sessionStorage.setItem('kzSubmits', String(Number(sessionStorage.getItem('kzSubmits')) + 1)));
			f.addEventListener('dblclick', () => f.requestSubmit(document.getElementById('nt-create')));
		})()`))

	// A double click with the real mouse: press and release twice, the
	// second time once the first post has made the ticket. The browser
	// answers no script or query while the post is on its way, so these
	// are raw input events.
	at, err := chromedp.Run(tb.ctx, chromedp.Evaluate[[2]float64](`(() => { const b = document.getElementById('nt-create'); b.scrollIntoView({block: 'center'}); const r = b.getBoundingClientRect(); return [r.x + r.width / 2, r.y + r.height / 2]; })()`))
	if err != nil {
		t.Fatalf("button position: %v", err)
	}
	click := func(count int64) {
		t.Helper()
		for _, typ := range []input.DispatchMouseEventType{input.DispatchMouseEventTypeMousePressed, input.DispatchMouseEventTypeMouseReleased} {
			if _, err := chromedp.Call(tb.ctx, input.DispatchMouseEvent, input.DispatchMouseEventParams{
				Type: typ, X: at[0], Y: at[1], Button: input.MouseButtonLeft, Buttons: 1, ClickCount: count}); err != nil {
				t.Fatalf("click: %v", err)
			}
		}
	}
	click(1)
	select {
	case <-sp.answered:
	case <-time.After(15 * time.Second):
		t.Fatal("the first post got no answer")
	}
	click(2)
	time.Sleep(300 * time.Millisecond) // room for a second post to leave
	close(sp.release)

	tb.waitText(t, "#action-done", "チケットを作成しました", 15*time.Second)
	if seen := tb.eval(t, `String(sessionStorage.getItem('kzSubmits'))`); seen != "3" {
		t.Errorf("the form saw %s submits, want 3 (click, click, script)", seen)
	}
	if got := tb.text(t, "#ticket-title"); !strings.Contains(got, subject) {
		t.Errorf("title %q", got)
	}
	if n := sp.posts.Load(); n != 1 {
		t.Errorf("the desk got %d posts, want 1", n)
	}

	var tickets, callers int
	err = d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		tks, err := tx.ListTickets(store.TicketFilter{}, store.TicketOrder{Field: "id"}, store.Page{Limit: 1000})
		if err != nil {
			return err
		}
		for _, tk := range tks {
			if tk.Subject == subject {
				tickets++
			}
		}
		users, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleEndUser}}, 0, 0, 1000, false)
		for _, u := range users {
			if u.Phone == phone {
				callers++
			}
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if tickets != 1 || callers != 1 {
		t.Errorf("%d tickets and %d customers with %s, want 1 and 1", tickets, callers, phone)
	}
}
