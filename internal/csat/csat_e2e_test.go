package csat_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/holidays"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/store"
)

type clock struct{ ms atomic.Int64 }

func (c *clock) Now() time.Time  { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) Set(t time.Time) { c.ms.Store(t.UnixMilli()) }

func jst(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, holidays.Tokyo())
}

// recorder passes notices on to the real outbox and keeps them.
type recorder struct {
	next    csat.Notifier
	mu      sync.Mutex
	notices []outbound.Notice
}

func (r *recorder) EnqueueNotice(tx *store.Tx, n outbound.Notice) error {
	if err := r.next.EnqueueNotice(tx, n); err != nil {
		return err
	}
	// Kept only once the write commits, as the mail row is.
	tx.AfterCommit(func() {
		r.mu.Lock()
		defer r.mu.Unlock()
		r.notices = append(r.notices, n)
	})
	return nil
}

func (r *recorder) all() []outbound.Notice {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]outbound.Notice(nil), r.notices...)
}

type desk struct {
	*apptest.Desk
	t     *testing.T
	clk   *clock
	svc   *csat.Service
	rec   *recorder
	inbox int64
	group int64
}

func start(t *testing.T, d *apptest.Desk) *desk {
	x := &desk{Desk: d, t: t, clk: &clock{}}
	x.clk.Set(jst(16, 9, 0))
	x.svc = app.Lookup[*csat.Service](d.App)
	if x.svc == nil {
		t.Fatal("the csat extension did not provide its service")
	}
	x.rec = &recorder{next: x.svc.Outbox}
	x.svc.Outbox, x.svc.BaseURL = x.rec, d.URL
	useClock(t, d, x.clk)
	x.inbox = d.Must(201, d.Admin, "POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{
		"name": "サポート窓口", "addresses": []string{"support@example.jp"}, "brand_id": 1}}).Int("inbox.id")
	x.group = d.Must(200, d.Admin, "GET", "/api/v2/groups.json", nil).Int("groups.0.id")
	return x
}

// useClock makes the desk's ticket writes and API read the test's clock.
// The no-op write afterwards orders these assignments before anything the
// server does (every write passes through the same writer).
func useClock(t *testing.T, d *apptest.Desk, c *clock) {
	d.App.Tickets.Now = c.Now
	d.App.API.Now = c.Now
	if err := d.App.Store.Write(context.Background(), func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// round runs the survey job as the scheduler would, at a fixed time.
func (x *desk) round(at time.Time) int {
	x.t.Helper()
	n, err := x.svc.Round(context.Background(), at)
	if err != nil {
		x.t.Fatal(err)
	}
	return n
}

// surveyMails counts the survey mails queued in the outbox for a ticket.
func (x *desk) surveyMails(ticketID int64) int {
	x.t.Helper()
	n := 0
	err := x.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		list, err := tx.MailMessagesOfTicket(ticketID)
		for _, m := range list {
			if m.Source == "notice:csat" && m.State == "queued" {
				n++
			}
		}
		return err
	})
	if err != nil {
		x.t.Fatal(err)
	}
	return n
}

func (x *desk) newTicket(subject string) int64 {
	return x.Must(201, x.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
		"subject": subject, "comment": map[string]any{"body": "お電話でのお問い合わせ: " + subject},
		"requester_id": x.Customer.ID, "inbox_id": x.inbox, "type": "incident", "tags": []string{"配送", "vip"}}}).Int("ticket.id")
}

func (x *desk) solve(id int64, at time.Time) {
	x.clk.Set(at)
	x.Must(200, x.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
		"status": "solved", "assignee_id": x.Agent.ID, "group_id": x.group,
		"comment": map[string]any{"body": "本日発送いたしました。", "public": true}}})
}

var linkRE = regexp.MustCompile(`http://[^\s"<>]+/csat/[A-Za-z0-9_-]+`)

// page fetches a survey page without any credentials.
func page(t *testing.T, method, u string, form url.Values) (int, string, http.Header) {
	t.Helper()
	var resp *http.Response
	var err error
	if method == "POST" {
		resp, err = http.PostForm(u, form)
	} else {
		resp, err = http.Get(u)
	}
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, string(b), resp.Header
}

// TestSurveyEndToEnd: solve → nothing before the delay → one mail after it
// (once, even with two nodes) → the public page in Japanese and English →
// a good rating with a comment → visible in the API with agent, group, type
// and tags → reopen and solve again → a new offer.
func TestSurveyEndToEnd(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		x := start(t, d)
		id := x.newTicket("配送状況を教えてください")
		solvedAt := jst(16, 10, 0)
		x.solve(id, solvedAt)

		if n := x.round(solvedAt.Add(24*time.Hour - time.Minute)); n != 0 || x.surveyMails(id) != 0 {
			t.Fatalf("a round before the delay sent %d surveys", n)
		}
		tk := x.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		if tk.Str("ticket.satisfaction_rating.score") != "unoffered" {
			t.Errorf("before the survey: satisfaction_rating = %v", tk.Get("ticket.satisfaction_rating"))
		}
		// Two nodes run the same round at once: one mail.
		var wg sync.WaitGroup
		sent := make([]int, 2)
		for i := range sent {
			wg.Add(1)
			go func() {
				defer wg.Done()
				n, err := x.svc.Round(context.Background(), solvedAt.Add(24*time.Hour))
				if err != nil {
					t.Error(err)
				}
				sent[i] = n
			}()
		}
		wg.Wait()
		if sent[0]+sent[1] != 1 || x.surveyMails(id) != 1 {
			t.Fatalf("after the delay: sent %v, %d survey mails queued; want exactly 1", sent, x.surveyMails(id))
		}
		if n := x.round(solvedAt.Add(48 * time.Hour)); n != 0 || x.surveyMails(id) != 1 {
			t.Fatalf("a later round sent the survey again")
		}
		notices := x.rec.all()
		if len(notices) != 1 {
			t.Fatalf("notices: %+v", notices)
		}
		n := notices[0]
		if n.Kind != "csat" || n.TicketID != id || len(n.To) != 1 || n.To[0] != d.Customer.Email ||
			!strings.HasPrefix(n.Subject, "今回の対応はいかがでしたか？") || !strings.Contains(n.Body, "今回の対応はいかがでしたか？") ||
			!strings.Contains(n.Body, "How did we do?") || !strings.Contains(n.HTMLBody, "良かった") {
			t.Fatalf("survey notice: %+v", n)
		}
		link := linkRE.FindString(n.Body)
		if link == "" || !strings.HasPrefix(link, d.URL+"/csat/") {
			t.Fatalf("no survey link in %q", n.Body)
		}

		// The page in Japanese with "good" preselected; opening it stores nothing.
		code, body, hdr := page(t, "GET", link+"?score=good&lang=ja", nil)
		if code != 200 || !strings.Contains(body, "今回の対応はいかがでしたか？") || !strings.Contains(body, `value="good" checked`) ||
			!strings.Contains(body, "配送状況を教えてください") || strings.Contains(body, "<script") {
			t.Fatalf("Japanese page: %d\n%s", code, body)
		}
		if !strings.Contains(hdr.Get("Content-Security-Policy"), "default-src 'none'") || hdr.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("page headers: %v", hdr)
		}
		code, body, _ = page(t, "GET", link+"?score=bad&lang=en", nil)
		if code != 200 || !strings.Contains(body, "How did we do?") || !strings.Contains(body, `value="bad" checked`) || !strings.Contains(body, `lang="en"`) {
			t.Fatalf("English page: %d\n%s", code, body)
		}
		r := x.Must(200, d.Admin, "GET", "/api/v2/satisfaction_ratings.json?score=offered", nil)
		if r.Len("satisfaction_ratings") != 1 || r.Str("satisfaction_ratings.0.score") != "offered" {
			t.Fatalf("after opening the page: %s", r.Raw)
		}

		// The requester confirms.
		x.clk.Set(solvedAt.Add(25 * time.Hour))
		const thanks = "迅速な対応ありがとうございました"
		code, body, _ = page(t, "POST", link, url.Values{"score": {"good"}, "comment": {thanks}, "lang": {"ja"}, "reason_code": {"0"}})
		if code != 200 || !strings.Contains(body, "ご評価ありがとうございました") || !strings.Contains(body, thanks) {
			t.Fatalf("rating: %d\n%s", code, body)
		}
		r = x.Must(200, d.Admin, "GET", "/api/v2/satisfaction_ratings.json?score=good_with_comment", nil)
		if r.Len("satisfaction_ratings") != 1 {
			t.Fatalf("good ratings: %s", r.Raw)
		}
		want := map[string]any{"score": "good", "comment": thanks, "ticket_id": float64(id), "assignee_id": float64(d.Agent.ID),
			"group_id": float64(x.group), "requester_id": float64(d.Customer.ID), "ticket_type": "incident", "tags.0": "配送", "tags.1": "vip",
			"rated_at": solvedAt.Add(25 * time.Hour).UTC().Format(time.RFC3339), "reason_code": nil}
		for k, v := range want {
			if got := r.Get("satisfaction_ratings.0." + k); got != v {
				t.Errorf("rating %s = %v, want %v", k, got, v)
			}
		}
		ratingID := r.Int("satisfaction_ratings.0.id")
		x.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/satisfaction_ratings/%d.json", ratingID), nil)
		tk = x.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		if tk.Str("ticket.satisfaction_rating.score") != "good" || tk.Str("ticket.satisfaction_rating.comment") != thanks ||
			tk.Int("ticket.satisfaction_rating.id") != ratingID {
			t.Errorf("ticket satisfaction_rating = %v", tk.Get("ticket.satisfaction_rating"))
		}
		audits := x.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil)
		if !strings.Contains(string(audits.Raw), `"SatisfactionRating"`) {
			t.Errorf("the rating is not in the audit trail: %s", audits.Raw)
		}

		// Reopened by the customer and solved again: a new survey.
		x.clk.Set(jst(17, 15, 0))
		x.Must(200, d.Customer, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "届いた商品が違いました。"}}})
		resolved := jst(17, 16, 0)
		x.solve(id, resolved)
		if n := x.round(resolved.Add(24*time.Hour - time.Second)); n != 0 {
			t.Fatalf("the second survey went before its delay")
		}
		if n := x.round(resolved.Add(24 * time.Hour)); n != 1 || x.surveyMails(id) != 2 {
			t.Fatalf("re-solved: sent %d, %d survey mails; want a second offer", n, x.surveyMails(id))
		}
		tk = x.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		if tk.Str("ticket.satisfaction_rating.score") != "offered" {
			t.Errorf("after the new offer: %v", tk.Get("ticket.satisfaction_rating"))
		}
		// The first survey's link is closed now; the new one works.
		code, body, _ = page(t, "POST", link, url.Values{"score": {"bad"}, "lang": {"en"}})
		if code != 409 || !strings.Contains(body, "This survey is closed") {
			t.Errorf("old link after a new solve: %d\n%s", code, body)
		}
		second := linkRE.FindString(x.rec.all()[1].Body)
		if second == "" || second == link {
			t.Fatalf("second survey link %q", second)
		}
		code, body, _ = page(t, "POST", second, url.Values{"score": {"bad"}, "reason_code": {"5"}, "comment": {"二回目は時間がかかりました"}, "lang": {"ja"}})
		if code != 200 || !strings.Contains(body, "良くなかった") {
			t.Errorf("second rating: %d\n%s", code, body)
		}
		r = x.Must(200, d.Admin, "GET", "/api/v2/satisfaction_ratings.json?score=received", nil)
		if r.Len("satisfaction_ratings") != 2 || r.Str("satisfaction_ratings.1.score") != "bad" || r.Int("satisfaction_ratings.1.reason_code") != 5 ||
			r.Str("satisfaction_ratings.1.reason") == "" || r.Str("satisfaction_ratings.0.score") != "good" {
			t.Errorf("both ratings: %s", r.Raw)
		}
	})
}
