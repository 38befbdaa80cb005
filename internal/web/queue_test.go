package web_test

import (
	"fmt"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/snooze"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

// sidebarCount reads one sidebar entry's count ("" when it is not there).
func sidebarCount(p *page, key string) string {
	m := regexp.MustCompile(`data-count="` + regexp.QuoteMeta(key) + `">(\d+)<`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

// rowIDs lists the ticket ids of a queue or search page, in order.
func rowIDs(p *page) []int64 {
	var out []int64
	for _, m := range regexp.MustCompile(`<tr data-id="(\d+)"`).FindAllStringSubmatch(p.body, -1) {
		var id int64
		fmt.Sscan(m[1], &id)
		out = append(out, id)
	}
	return out
}

// slaOf is the SLA badge state of a row ("" when it has none).
func slaOf(p *page, id int64) string {
	i := strings.Index(p.body, fmt.Sprintf(`<tr data-id="%d"`, id))
	if i < 0 {
		return "missing"
	}
	row := p.body[i:]
	row = row[:strings.Index(row, "</tr>")]
	if m := regexp.MustCompile(`data-sla="(\w+)"`).FindStringSubmatch(row); m != nil {
		return m[1]
	}
	return ""
}

func TestQueueSidebarViews(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		demo, err := webdemo.Seed(t.Context(), d.App)
		if err != nil {
			t.Fatal(err)
		}
		tk := demo.Tickets // 0 配送 (open, high, 鈴木, #配送) 1 請求書 (new, #請求) 2 ログイン (new, urgent)
		// 3 Refund (open, Emily, #refund) 4 領収書 (pending) 5 色違い (solved) 6 解約 (open, 田中, #解約) 7 ①番の部品 (open, high, 鈴木)
		now := time.Now()
		// SLA clocks: one breached, one due within the hour, one later, one fulfilled.
		err = d.App.Store.Write(t.Context(), func(tx *store.Tx) error {
			for _, s := range []*store.SLATarget{
				{TicketID: tk[1], Metric: "first_reply_time", DueAt: now.Add(-2 * time.Hour), BreachedAt: now.Add(-2 * time.Hour)},
				{TicketID: tk[2], Metric: "first_reply_time", DueAt: now.Add(30 * time.Minute)},
				{TicketID: tk[6], Metric: "next_reply_time", DueAt: now.Add(5 * time.Hour)},
				{TicketID: tk[7], Metric: "first_reply_time", DueAt: now.Add(-time.Hour), FulfilledAt: now.Add(-2 * time.Hour)},
			} {
				s.PolicyID, s.StartedAt, s.TargetMinutes, s.RunningSince = 1, now.Add(-3*time.Hour), 60, now.Add(-3*time.Hour)
				if err := tx.SaveSLATarget(s); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// 返金 is snoozed until tomorrow.
		if _, err := app.Lookup[*snooze.Service](d.App).Snooze(t.Context(), demo.Agents[3], tk[3], snooze.Input{Until: now.Add(24 * time.Hour), Reason: "返品の到着待ち"}); err != nil {
			t.Fatal(err)
		}
		// A saved view of high-priority unsolved tickets.
		view := d.Must(201, d.Admin, "POST", "/api/v2/views.json", map[string]any{"view": map[string]any{
			"title": "高優先度の未解決", "all": []map[string]any{
				{"field": "status", "operator": "less_than", "value": "solved"},
				{"field": "priority", "operator": "is", "value": "high"}}}}).Int("view.id")

		b := newBrowser(t, d, "ja")
		b.login(demo.Agents[0].Email, webdemo.Password, false)
		q := b.do("GET", "/tickets", nil)
		var inboxKey string
		if m := regexp.MustCompile(`data-count="(inbox:\d+)"`).FindStringSubmatch(q.body); m != nil {
			inboxKey = m[1]
		}
		if !strings.Contains(q.body, "サポート窓口") || inboxKey == "" {
			t.Fatalf("no inbox entry in the sidebar")
		}
		for key, want := range map[string]string{
			"snoozed": "1", "sla": "2", inboxKey: "1",
			"tag:配送": "1", "tag:請求": "1", "tag:解約": "1", "tag:refund": "1",
			fmt.Sprintf("v:%d", view): "2",
		} {
			if got := sidebarCount(q, key); got != want {
				t.Errorf("sidebar %s = %q, want %s", key, got, want)
			}
		}
		// Unassigned tickets and SLA risks stand out.
		for _, key := range []string{"unassigned", "sla"} {
			if !strings.Contains(q.body, `class="count hot" data-count="`+key+`"`) {
				t.Errorf("%s count does not stand out", key)
			}
		}
		if !strings.Contains(q.body, "高優先度の未解決") || !strings.Contains(q.body, "#配送") {
			t.Errorf("saved view or tag labels missing")
		}
		// Each entry lists its tickets.
		for key, want := range map[string][]int64{
			"snoozed": {tk[3]}, "sla": {tk[1], tk[2]}, inboxKey: {demo.MailTicket},
			"tag:配送": {tk[0]}, "tag:解約": {tk[6]}, fmt.Sprintf("v:%d", view): {tk[0], tk[7]},
		} {
			p := b.do("GET", "/tickets?view="+url.QueryEscape(key), nil)
			got := rowIDs(p)
			slices.Sort(got)
			if p.status != 200 || !slices.Equal(got, want) {
				t.Errorf("view %s lists %v (status %d), want %v", key, got, p.status, want)
			}
		}
		// The list's title names the inbox and the tag.
		if p := b.do("GET", "/tickets?view="+url.QueryEscape("tag:配送"), nil); !strings.Contains(p.body, "タグ: 配送</h1>") {
			t.Errorf("tag view title")
		}
		// SLA badges: red when breached, amber within the hour, plain later, none when fulfilled.
		p := b.do("GET", "/tickets?view=unsolved", nil)
		for id, want := range map[int64]string{tk[1]: "breached", tk[2]: "soon", tk[6]: "ok", tk[7]: "", tk[0]: ""} {
			if got := slaOf(p, id); got != want {
				t.Errorf("SLA badge of #%d = %q, want %q", id, got, want)
			}
		}
		if !strings.Contains(p.body, "超過 2時間") || !strings.Contains(p.body, "残り 29分") && !strings.Contains(p.body, "残り 30分") {
			t.Errorf("SLA badge text missing")
		}
		// Sorting works on the new views too.
		p = b.do("GET", "/tickets?view=sla&sort=id&dir=desc", nil)
		if got := rowIDs(p); len(got) != 2 || got[0] != tk[2] {
			t.Errorf("sla view sorted by id desc: %v", got)
		}
		// Other orders go through the store's view query; a tag outside
		// the top ten starts from the tag index. Same tickets either way.
		if p := b.do("GET", "/tickets?sort=id&dir=asc&view="+url.QueryEscape(inboxKey), nil); !slices.Equal(rowIDs(p), []int64{demo.MailTicket}) {
			t.Errorf("inbox by id: %v", rowIDs(p))
		}
		if p := b.do("GET", "/tickets?sort=subject&view="+url.QueryEscape("tag:配送"), nil); !slices.Equal(rowIDs(p), []int64{tk[0]}) {
			t.Errorf("tag by subject: %v", rowIDs(p))
		}
		if p := b.do("GET", "/tickets?view="+url.QueryEscape("tag:どこにもないタグ"), nil); p.status != 200 || len(rowIDs(p)) != 0 {
			t.Errorf("unused tag: %d %v", p.status, rowIDs(p))
		}
		// Unknown views and views of others are not found.
		for _, key := range []string{"inbox:999999", "v:999999", "tag:", "nonsense"} {
			if p := b.do("GET", "/tickets?view="+url.QueryEscape(key), nil); p.status != 404 {
				t.Errorf("view %q: %d", key, p.status)
			}
		}
		// Counts follow changes: tag 配送 on a second ticket shows after the recount.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", tk[7]), map[string]any{"ticket": map[string]any{"additional_tags": []string{"配送"}}})
		waitCount(t, b, "tag:配送", "2")
		waitCount(t, b, fmt.Sprintf("v:%d", view), "2")
		// Solving a high ticket moves the saved view's count too.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", tk[7]), map[string]any{"ticket": map[string]any{"status": model.StatusSolved}})
		waitCount(t, b, fmt.Sprintf("v:%d", view), "1")
	})
}

// waitCount reloads the queue until the sidebar entry shows want (the
// desk-wide counts are recounted in the background after a change).
func waitCount(t *testing.T, b *browser, key, want string) {
	t.Helper()
	var got string
	for range 150 {
		if got = sidebarCount(b.do("GET", "/tickets", nil), key); got == want {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Errorf("sidebar %s = %q, want %s", key, got, want)
}
