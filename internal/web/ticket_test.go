package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

// postFiles submits the composer as multipart/form-data with files.
func (b *browser) postFiles(path string, fields map[string]string, files map[string]string) *page {
	b.t.Helper()
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for k, v := range fields {
		w.WriteField(k, v)
	}
	for name, content := range files {
		fw, _ := w.CreateFormFile("files", name)
		io.WriteString(fw, content)
	}
	w.Close()
	req, _ := http.NewRequest("POST", b.d.URL+path, &buf)
	req.Header.Set("Content-Type", w.FormDataContentType())
	resp, err := b.c.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	return &page{status: resp.StatusCode, header: resp.Header, body: string(raw), loc: resp.Header.Get("Location")}
}

func TestTicketPage(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		demo, err := webdemo.Seed(t.Context(), d.App)
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, d, "ja")
		b.login(demo.Agents[0].Email, webdemo.Password, false)

		// Mail HTML is shown only in a sandboxed frame without scripts,
		// served with its own policy.
		tp := b.do("GET", fmt.Sprintf("/tickets/%d", demo.MailTicket), nil)
		m := regexp.MustCompile(`<iframe class="mailframe" src="(/tickets/\d+/comments/\d+/mail)" sandbox="([^"]*)"`).FindStringSubmatch(tp.body)
		if m == nil {
			t.Fatalf("no mail frame in the ticket page")
		}
		if strings.Contains(m[2], "allow-scripts") || strings.Contains(tp.body, "<table>") {
			t.Errorf("sandbox %q, or the mail's HTML is inlined in the page", m[2])
		}
		fr := b.do("GET", m[1], nil)
		csp := fr.header.Get("Content-Security-Policy")
		if fr.status != 200 || !strings.Contains(csp, "default-src 'none'") || !strings.Contains(csp, "sandbox") ||
			!strings.Contains(csp, "frame-ancestors 'self'") || fr.header.Get("X-Frame-Options") != "SAMEORIGIN" {
			t.Errorf("mail frame: %d, CSP %q, XFO %q", fr.status, csp, fr.header.Get("X-Frame-Options"))
		}
		if !strings.Contains(fr.body, "<td>KZ-100</td>") || strings.Contains(fr.body, "<script") || strings.Contains(fr.body, "alert(") {
			t.Errorf("mail frame body:\n%s", fr.body)
		}
		// A comment of another ticket is not reachable through this one.
		other := regexp.MustCompile(`/comments/(\d+)/mail`).FindStringSubmatch(m[1])[1]
		if p := b.do("GET", fmt.Sprintf("/tickets/%d/comments/%s/mail", demo.Busy, other), nil); p.status != 404 || p.header.Get("Content-Security-Policy") == "" {
			t.Errorf("mail of another ticket: %d, CSP %q", p.status, p.header.Get("Content-Security-Policy"))
		}

		// Public reply vs internal note are marked apart; the side panel
		// shows the requester, the organization and other tickets.
		tp = b.do("GET", fmt.Sprintf("/tickets/%d", demo.Busy), nil)
		for _, want := range []string{`class="msg public"`, `class="msg note"`, "社内メモ", "㈱さくらマーケット", "この依頼者のチケット", "見積書の修正をお願いします"} {
			if !strings.Contains(tp.body, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		token := tp.csrf(t)

		// A reply with a file through the composer (multipart).
		path := fmt.Sprintf("/tickets/%d", demo.Busy)
		p := b.postFiles(path, map[string]string{"csrf": token, "mode": "public", "body": "見積書を添付します。"},
			map[string]string{"見積書①.txt": "数量: 20", "写真.png": "\x89PNG\r\n\x1a\n"})
		if p.status != http.StatusSeeOther {
			t.Fatalf("reply with file: %d\n%s", p.status, p.body)
		}
		tp = b.do("GET", path, nil)
		am := regexp.MustCompile(`href="(/tickets/\d+/attachments/\d+)">📎 見積書①.txt`).FindStringSubmatch(tp.body)
		if am == nil {
			t.Fatalf("attachment link missing")
		}
		ap := b.do("GET", am[1], nil)
		if ap.status != 200 || ap.body != "数量: 20" || !strings.HasPrefix(ap.header.Get("Content-Disposition"), "attachment") ||
			ap.header.Get("Content-Type") != "application/octet-stream" {
			t.Errorf("attachment: %d %q %q %q", ap.status, ap.body, ap.header.Get("Content-Disposition"), ap.header.Get("Content-Type"))
		}
		// Images get a preview and are served inline as what they are.
		im := regexp.MustCompile(`<img class="thumb" src="(/tickets/\d+/attachments/\d+)" alt="" loading="lazy"> 📎 写真.png`).FindStringSubmatch(tp.body)
		if im == nil {
			t.Fatalf("no image preview")
		}
		if ip := b.do("GET", im[1], nil); ip.header.Get("Content-Type") != "image/png" || !strings.HasPrefix(ip.header.Get("Content-Disposition"), "inline") {
			t.Errorf("image attachment: %q %q", ip.header.Get("Content-Type"), ip.header.Get("Content-Disposition"))
		}
		if p := b.do("GET", strings.Replace(am[1], fmt.Sprint(demo.Busy), fmt.Sprint(demo.MailTicket), 1), nil); p.status != 404 {
			t.Errorf("attachment through another ticket: %d", p.status)
		}

		// Fields: only what changed reaches the audit.
		p = b.do("POST", path, url.Values{"csrf": {token}, "status": {"open"}, "priority": {"urgent"}, "assignee_id": {fmt.Sprint(demo.Agents[1].ID)},
			"group_id": {""}, "tags": {"配送 至急"}, "body": {""}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("field update: %d\n%s", p.status, p.body)
		}
		r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json?sort_order=desc", demo.Busy), nil)
		events := fmt.Sprint(r.Get("audits.0.events"))
		if !strings.Contains(events, "priority") || !strings.Contains(events, "assignee_id") || !strings.Contains(events, "tags") || strings.Contains(events, "status") {
			t.Errorf("audit of the field update: %s", events)
		}
		r = d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", demo.Busy), nil)
		if r.Get("ticket.priority") != "urgent" || fmt.Sprint(r.Get("ticket.tags")) != "[至急 配送]" {
			t.Errorf("ticket after update: %v %v", r.Get("ticket.priority"), r.Get("ticket.tags"))
		}

		// Invalid input shows the page again with the message and the draft.
		p = b.do("POST", path, url.Values{"csrf": {token}, "status": {"new"}, "body": {"下書きの返信"}, "mode": {"public"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="form-errors"`) || !strings.Contains(p.body, "下書きの返信</textarea>") {
			t.Errorf("invalid update: %d\n%.2000s", p.status, p.body)
		}
		// Unknown values are a clean 400, unknown tickets a 404.
		if p := b.do("POST", path, url.Values{"csrf": {token}, "status": {"exploded"}}); p.status != 400 {
			t.Errorf("bad status: %d", p.status)
		}
		for _, u := range []string{"/tickets/999999", "/tickets/abc", "/tickets?view=nope"} {
			if p := b.do("GET", u, nil); p.status != 404 {
				t.Errorf("%s: %d", u, p.status)
			}
		}

		// A light agent sees the page, may add notes, and cannot reply.
		light := newBrowser(t, d, "ja")
		light.login(d.Light.Email, "password-light-agent", false)
		lp := light.do("GET", path, nil)
		if strings.Contains(lp.body, `id="mode-public"`) || strings.Contains(lp.body, `id="assign-me"`) {
			t.Errorf("light agent is offered a public reply or assignment")
		}
		if p := light.do("POST", path, url.Values{"csrf": {lp.csrf(t)}, "mode": {"note"}, "body": {"営業からのメモ"}}); p.status != http.StatusSeeOther {
			t.Errorf("light agent note: %d", p.status)
		}
		if p := light.do("POST", path, url.Values{"csrf": {lp.csrf(t)}, "mode": {"public"}, "body": {"公開で返信"}}); p.status != 422 || !strings.Contains(p.body, "この操作は許可されていません") {
			t.Errorf("light agent public reply: %d", p.status)
		}
		var notes int
		d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
			cs, err := tx.Comments(demo.Busy, false, 0, 100, false)
			for _, c := range cs {
				if c.Body == "営業からのメモ" && !c.Public && c.Via == "web" {
					notes++
				}
				if c.Body == "公開で返信" {
					t.Errorf("light agent's public reply was stored")
				}
			}
			return err
		})
		if notes != 1 {
			t.Errorf("light agent notes stored: %d", notes)
		}
	})
}

func TestQueuePage(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		demo, err := webdemo.Seed(t.Context(), d.App)
		if err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, d, "ja")
		b.login(demo.Agents[0].Email, webdemo.Password, false)
		count := func(p *page, view string) string {
			m := regexp.MustCompile(`data-count="` + view + `">(\d+)<`).FindStringSubmatch(p.body)
			if m == nil {
				t.Fatalf("no count for %s", view)
			}
			return m[1]
		}
		q := b.do("GET", "/tickets", nil)
		// Demo: 9 tickets (8 + the mail one); solved 1; pending 1; unassigned: 2 new + the mail one; mine (鈴木): 2.
		for view, want := range map[string]string{"unsolved": "8", "unassigned": "3", "mine": "2", "pending": "1", "solved": "1"} {
			if got := count(q, view); got != want {
				t.Errorf("count %s = %s, want %s", view, got, want)
			}
		}
		rows := regexp.MustCompile(`<tr data-id="(\d+)"`).FindAllStringSubmatch(q.body, -1)
		if len(rows) != 8 {
			t.Errorf("unsolved rows: %d", len(rows))
		}
		// Team load: each agent's open count.
		if m := regexp.MustCompile(fmt.Sprintf(`data-open="%d">(\d+)<`, demo.Agents[0].ID)).FindStringSubmatch(q.body); m == nil || m[1] != "2" {
			t.Errorf("team load of 鈴木: %v", m)
		}
		// Sorting by subject ascending, and the header says so.
		q = b.do("GET", "/tickets?view=unsolved&sort=subject&dir=asc", nil)
		if !strings.Contains(q.body, `aria-sort="ascending" class="col-subject"`) {
			t.Errorf("subject column not marked ascending")
		}
		subjects := regexp.MustCompile(`class="open-ticket">([^<]+)<`).FindAllStringSubmatch(q.body, -1)
		for i := 1; i < len(subjects); i++ {
			if subjects[i-1][1] > subjects[i][1] {
				t.Errorf("not sorted: %q before %q", subjects[i-1][1], subjects[i][1])
			}
		}
		// A change made elsewhere shows on the next render (the cached
		// counts follow the change hub).
		one := "solved"
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", demo.Tickets[0]), map[string]any{"ticket": map[string]any{"status": one}})
		q = b.do("GET", "/tickets?view=mine", nil)
		if got := count(q, "mine"); got != "1" {
			t.Errorf("mine after solving one: %s", got)
		}
		// The desk-wide counts are recounted in the background after a
		// change and show within moments.
		for i := 0; ; i++ {
			if got := count(b.do("GET", "/tickets", nil), "unsolved"); got == "7" {
				break
			} else if i == 100 {
				t.Fatalf("unsolved count after solving one: %s", got)
			}
			time.Sleep(20 * time.Millisecond)
		}
		// Search: words and Zendesk filters, Japanese included.
		subjectsOf := func(p *page) []string {
			var out []string
			for _, m := range regexp.MustCompile(`class="open-ticket">([^<]+)<`).FindAllStringSubmatch(p.body, -1) {
				out = append(out, m[1])
			}
			return out
		}
		for q, want := range map[string]string{
			"配送":                         "配送状況を教えてください",
			"status:pending":             "領収書の宛名変更",
			"部品 priority:high":           "①番の部品が足りません",
			"requester:john@example.org": "Refund for order #5531",
		} {
			p := b.do("GET", "/search?q="+url.QueryEscape(q), nil)
			if got := subjectsOf(p); p.status != 200 || len(got) != 1 || got[0] != want {
				t.Errorf("search %q: %d %q", q, p.status, got)
			}
		}
		if p := b.do("GET", "/search?q="+url.QueryEscape(`"unbalanced`), nil); p.status != 422 || !strings.Contains(p.body, `id="search-error"`) {
			t.Errorf("bad query: %d", p.status)
		}
		if p := b.do("GET", "/search?q="+url.QueryEscape("存在しない言葉ｶﾀｶﾅ"), nil); p.status != 200 || !strings.Contains(p.body, `id="search-empty"`) {
			t.Errorf("no match: %d", p.status)
		}
		// Static files: hashed URLs cached for a year, others revalidated.
		m := regexp.MustCompile(`href="(/static/[0-9a-f]+/app.css)"`).FindStringSubmatch(q.body)
		if m == nil {
			t.Fatal("no stylesheet link")
		}
		s := b.do("GET", m[1], nil)
		if s.status != 200 || !strings.Contains(s.header.Get("Cache-Control"), "immutable") || s.header.Get("ETag") == "" {
			t.Errorf("static: %d %q", s.status, s.header.Get("Cache-Control"))
		}
		if s := b.do("GET", "/static/0000/app.js", nil); s.status != 200 || s.header.Get("Cache-Control") != "no-cache" || !strings.Contains(s.header.Get("Content-Type"), "javascript") {
			t.Errorf("old hash: %d %q", s.status, s.header.Get("Cache-Control"))
		}
		if s := b.do("GET", "/static/"+strings.Split(m[1], "/")[2]+"/../web.go", nil); s.status == 200 {
			t.Errorf("static escaped its directory")
		}
	})
}
