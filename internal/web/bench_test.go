package web_test

import (
	"fmt"
	"html"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/inboxes"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/web"
)

// benchDesk returns the desk's handler, a signed-in session cookie and a
// ticket id. With KIZUNA_BENCH_DATA it opens that seeded SQLite desk
// (`kizuna seed --tickets 1000000 --data DIR`); otherwise it seeds n
// tickets (KIZUNA_WEB_BENCH_N, default 5,000) spread over statuses and
// agents.
func benchDesk(b *testing.B) (http.Handler, *web.Hub, *http.Cookie, int64) {
	if dir := os.Getenv("KIZUNA_BENCH_DATA"); dir != "" {
		return seededDesk(b, dir)
	}
	n := 5000
	if v, err := strconv.Atoi(os.Getenv("KIZUNA_WEB_BENCH_N")); err == nil && v > 0 {
		n = v
	}
	d := apptest.Start(b, os.Getenv("KIZUNA_WEB_BENCH_DB"))
	agents := []*model.User{d.Agent.User, d.Admin.User}
	statuses := []string{"new", "open", "open", "pending", "hold", "solved"}
	tags := [][]string{{"配送"}, {"要確認", "vip"}, {"返金"}, nil}
	var last int64
	// The sidebar's other entries: an inbox (a third of the tickets), SLA
	// clocks (a tenth, some breached), a saved view.
	var inbox *model.Inbox
	if err := d.App.Store.Write(b.Context(), func(tx *store.Tx) error {
		name, addrs := "サポート窓口", []string{"support@bench.example.jp"}
		var err error
		inbox, err = inboxes.Create(tx, d.Admin.User, inboxes.Input{Name: &name, Addresses: &addrs}, d.App.Secrets, time.Now())
		return err
	}); err != nil {
		b.Fatal(err)
	}
	d.Must(201, d.Admin, "POST", "/api/v2/views.json", map[string]any{"view": map[string]any{
		"title": "配送の未解決", "all": []map[string]any{{"field": "status", "operator": "less_than", "value": "solved"}, {"field": "current_tags", "operator": "includes", "value": "配送"}}}})
	for start := 0; start < n; start += 500 {
		err := d.App.Store.Write(b.Context(), func(tx *store.Tx) error {
			for i := start; i < min(n, start+500); i++ {
				subject := fmt.Sprintf("配送状況を教えてください ① 注文 %d", i)
				res, err := d.App.Tickets.CreateTx(tx, d.Customer.User, tickets.Change{Subject: &subject,
					Comment: &tickets.CommentInput{Body: "注文番号の配送状況を教えてください。㈱髙橋"}})
				if err != nil {
					return err
				}
				st := statuses[i%len(statuses)]
				ch := tickets.Change{AddTags: tags[i%len(tags)]}
				if i%3 == 0 {
					ch.InboxID = &inbox.ID
				}
				if st != "new" {
					ch.Status = &st
					ch.AssigneeID = &agents[i%2].ID
				}
				if _, err := d.App.Tickets.UpdateTx(tx, agents[0], res.Ticket.ID, ch); err != nil {
					return err
				}
				if i%10 == 0 {
					now := time.Now()
					due := now.Add(time.Duration(i%7-3) * time.Hour)
					if err := tx.SaveSLATarget(&store.SLATarget{TicketID: res.Ticket.ID, Metric: "first_reply_time", PolicyID: 1,
						StartedAt: now, DueAt: due, TargetMinutes: 60, RunningSince: now}); err != nil {
						return err
					}
				}
				last = res.Ticket.ID
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	// Sign in through the form once.
	jarless := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	lp, err := jarless.Get(d.URL + "/login")
	if err != nil {
		b.Fatal(err)
	}
	lp.Body.Close()
	var csrf *http.Cookie
	for _, c := range lp.Cookies() {
		if c.Name == "kizuna_csrf" {
			csrf = c
		}
	}
	req, _ := http.NewRequest("POST", d.URL+"/login", strings.NewReader("email="+d.Agent.Email+"&password=password-agent&csrf="+csrf.Value))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.AddCookie(csrf)
	resp, err := jarless.Do(req)
	if err != nil {
		b.Fatal(err)
	}
	resp.Body.Close()
	for _, c := range resp.Cookies() {
		if c.Name == web.SessionCookie {
			return d.App.Handler(), app.Lookup[*web.Server](d.App).Hub, c, last
		}
	}
	b.Fatalf("no session cookie (status %d)", resp.StatusCode)
	return nil, nil, nil, 0
}

// BenchmarkQueuePage renders a queue of 50 (the handler, in process, with
// its database reads), as an agent does all day. The "after a change"
// cases publish a ticket change before each page, so the cached sidebar
// counts and team load are counted again: the cost right after new mail.
// The sidebar's SLA-at-risk, snoozed, first inbox, first tag and first
// saved view are measured too (found in the first page's sidebar, so a
// seeded desk measures its own).
func BenchmarkQueuePage(b *testing.B) {
	h, hub, cookie, _ := benchDesk(b)
	type bench struct {
		view    string
		changed bool
	}
	cases := []bench{{"unsolved", false}, {"mine", false}, {"unassigned", false}, {"unsolved", true}, {"sla", false}, {"snoozed", false}}
	req := httptest.NewRequest("GET", "/tickets", nil)
	req.AddCookie(cookie)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	for _, kind := range []string{"inbox", "tag", "v"} {
		if m := regexp.MustCompile(`data-count="(` + kind + `:[^"]+)"`).FindStringSubmatch(rec.Body.String()); m != nil {
			cases = append(cases, bench{html.UnescapeString(m[1]), false})
		}
	}
	for _, c := range cases {
		name := strings.ReplaceAll(c.view, ":", "_")
		if c.changed {
			name += "_after_a_change"
		}
		b.Run(name, func(b *testing.B) {
			for b.Loop() {
				if c.changed {
					hub.Publish(web.Event{TicketID: 1, Kind: "updated"})
				}
				req := httptest.NewRequest("GET", "/tickets?view="+url.QueryEscape(c.view), nil)
				req.AddCookie(cookie)
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				if rec.Code != 200 || (!strings.Contains(rec.Body.String(), `<tr data-id=`) && c.view != "snoozed" && c.view != "sla") {
					b.Fatalf("status %d", rec.Code)
				}
			}
		})
	}
}

// BenchmarkTicketPage renders one ticket with its conversation and side panel.
func BenchmarkTicketPage(b *testing.B) {
	h, _, cookie, id := benchDesk(b)
	for b.Loop() {
		req := httptest.NewRequest("GET", fmt.Sprintf("/tickets/%d", id), nil)
		req.AddCookie(cookie)
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		if rec.Code != 200 {
			b.Fatalf("status %d", rec.Code)
		}
	}
}

// seededDesk opens an existing desk and signs its first agent in by
// storing a session directly (seeded agents have no passwords).
func seededDesk(b *testing.B, dir string) (http.Handler, *web.Hub, *http.Cookie, int64) {
	a, err := app.Open(b.Context(), app.Config{DataDir: dir}, slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { a.Close() })
	secret := auth.NewSecret()
	var id int64
	err = a.Store.Write(b.Context(), func(tx *store.Tx) error {
		staff, err := tx.StaffUsers(1)
		if err != nil || len(staff) == 0 {
			return fmt.Errorf("no agent in the desk: %v", err)
		}
		now := time.Now()
		if err := tx.InsertWebSession(&store.WebSession{UserID: staff[0].ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour)}, auth.HashSecret(secret)); err != nil {
			return err
		}
		list, err := tx.ListTickets(store.TicketFilter{Statuses: []string{"open"}}, store.TicketOrder{Field: "updated_at", Desc: true}, store.Page{Limit: 1})
		if err != nil || len(list) == 0 {
			return fmt.Errorf("no open ticket: %v", err)
		}
		id = list[0].ID
		return nil
	})
	if err != nil {
		b.Fatal(err)
	}
	return a.Handler(), app.Lookup[*web.Server](a).Hub, &http.Cookie{Name: web.SessionCookie, Value: secret}, id
}
