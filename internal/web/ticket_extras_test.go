package web_test

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// mailDesk is a desk with a mail inbox (shared signature サポート窓口)
// and an agent with a personal signature.
func mailDesk(t *testing.T, d *apptest.Desk) *model.Inbox {
	t.Helper()
	d.Must(201, d.Admin, "POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{
		"name": "サポート窓口", "addresses": []string{"support@example.jp"}, "signature": "株式会社絆 サポート窓口\nTEL 03-0000-0000"}})
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Agent.ID), map[string]any{"user": map[string]any{"signature": "山田 太郎（サポート担当）"}})
	var in *model.Inbox
	if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
		var err error
		in, err = tx.InboxByAddress("support@example.jp")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return in
}

// jisRaw is a customer's mail in ISO-2022-JP, as many Japanese mailers
// still send.
func jisRaw(t *testing.T, subject, body, msgID, inReplyTo string) []byte {
	t.Helper()
	enc := func(s string) string {
		b, err := japanese.ISO2022JP.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s <hanako@customer.co.jp>\r\nTo: support@example.jp\r\nSubject: %s\r\nMessage-ID: %s\r\nDate: %s\r\n",
		mime.BEncoding.Encode("ISO-2022-JP", enc("佐藤 花子")), mime.BEncoding.Encode("ISO-2022-JP", enc(subject)), msgID, time.Now().Format(time.RFC1123Z))
	if inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", inReplyTo, inReplyTo)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(enc(body), "\n", "\r\n") + "\r\n")
	return []byte(b.String())
}

// receive puts raw through the spool and the processor, as the SMTP
// listener would, and returns the stored mail.
func receive(t *testing.T, d *apptest.Desk, in *model.Inbox, raw []byte) *model.MailMessage {
	t.Helper()
	m, _, err := d.App.Spool.Receive(t.Context(), in, bytes.NewReader(raw), 1<<20, "smtp", "hanako@customer.co.jp", []string{"support@example.jp"})
	if err != nil {
		t.Fatal(err)
	}
	if err := d.App.MailProcessor.Process(t.Context(), m.ID); err != nil {
		t.Fatal(err)
	}
	return mailByID(t, d, m.ID)
}

func mailByID(t *testing.T, d *apptest.Desk, id int64) *model.MailMessage {
	t.Helper()
	var m *model.MailMessage
	if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
		var err error
		m, err = tx.MailMessage(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return m
}

// outMail is the reply mail of comment cid.
func outMail(t *testing.T, d *apptest.Desk, ticketID, cid int64) *model.MailMessage {
	t.Helper()
	var out *model.MailMessage
	if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
		list, err := tx.MailMessagesOfTicket(ticketID)
		for _, m := range list {
			if m.Direction == model.MailOut && m.CommentID == cid {
				out = m
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	if out == nil {
		t.Fatalf("no reply mail for comment %d", cid)
	}
	return out
}

var sentRe = regexp.MustCompile(`[?&]sent=(\d+)`)

func sentComment(t *testing.T, p *page) int64 {
	t.Helper()
	m := sentRe.FindStringSubmatch(p.loc)
	if p.status != http.StatusSeeOther || m == nil {
		t.Fatalf("reply: %d %q\n%.800s", p.status, p.loc, p.body)
	}
	var id int64
	fmt.Sscan(m[1], &id)
	return id
}

func TestTicketPageMail(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		in := mailDesk(t, d)
		body := "ご回答ありがとうございます。\n追加で伺います。\n\n-- \n佐藤 花子\n㈱さくらマーケット\n\n2026年11月20日(金) 10:00 山田太郎 <yamada@example.jp>:\n> 配送業者に確認いたします。\n> よろしくお願いします。"
		raw := jisRaw(t, "配送状況について①", body, "<first.1@customer.co.jp>", "")
		first := receive(t, d, in, raw)
		id := first.TicketID
		if id == 0 {
			t.Fatalf("mail did not become a ticket: %+v", first)
		}
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		path := fmt.Sprintf("/tickets/%d", id)
		tp := b.do("GET", path, nil)

		// Quoted history and the signature are folded behind "…".
		q := regexp.MustCompile(`(?s)<div class="text">([^<]*)</div>\s*<details class="quoted"><summary[^>]*>…</summary>(.*?)</details>`).FindStringSubmatch(tp.body)
		if q == nil {
			t.Fatalf("no folded quote on the page:\n%s", tp.body)
		}
		if !strings.Contains(q[1], "追加で伺います。") || strings.Contains(q[1], "配送業者") || strings.Contains(q[1], "佐藤 花子\n") {
			t.Errorf("shown text %q", q[1])
		}
		if !strings.Contains(q[2], "&gt; 配送業者に確認いたします。") || !strings.Contains(q[2], "㈱さくらマーケット") {
			t.Errorf("folded part %q", q[2])
		}

		// Original mail and raw source links on the customer's mail.
		mailPath := fmt.Sprintf("/tickets/%d/mails/%d", id, first.ID)
		for _, want := range []string{`href="` + mailPath + `"`, `href="` + mailPath + `/raw"`, `href="` + mailPath + `/raw?download=1"`, "元のメール", "ソースを表示"} {
			if !strings.Contains(tp.body, want) {
				t.Errorf("page lacks %q", want)
			}
		}
		// The raw source is the stored bytes, unchanged, in their charset.
		f, err := d.App.Blobs.Open(first.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		stored, _ := io.ReadAll(f)
		f.Close()
		rp := b.do("GET", mailPath+"/raw", nil)
		if rp.status != 200 || rp.body != string(stored) || !bytes.Contains(stored, []byte("\x1b$B")) {
			t.Errorf("raw: %d, identical %v, has JIS escapes %v", rp.status, rp.body == string(stored), bytes.Contains(stored, []byte("\x1b$B")))
		}
		if ct := rp.header.Get("Content-Type"); ct != "text/plain; charset=iso-2022-jp" || !strings.Contains(rp.header.Get("Content-Security-Policy"), "sandbox") {
			t.Errorf("raw headers: %q %q", ct, rp.header.Get("Content-Security-Policy"))
		}
		if dp := b.do("GET", mailPath+"/raw?download=1", nil); dp.body != string(stored) || !strings.HasPrefix(dp.header.Get("Content-Disposition"), "attachment") {
			t.Errorf("download: %q", dp.header.Get("Content-Disposition"))
		}
		// The original mail page shows the whole text, decoded.
		op := b.do("GET", mailPath, nil)
		if op.status != 200 || !strings.Contains(op.body, "&gt; 配送業者に確認いたします。") || !strings.Contains(op.body, "配送状況について①") {
			t.Errorf("original mail page: %d\n%.600s", op.status, op.body)
		}
		// A mail of another ticket is not reachable through this one.
		other := newTicket(t, d, "別件", "別件です")
		if p := b.do("GET", fmt.Sprintf("/tickets/%d/mails/%d/raw", other, first.ID), nil); p.status != 404 {
			t.Errorf("mail through another ticket: %d", p.status)
		}

		// The composer shows the signatures a reply is sent with.
		for _, want := range []string{"署名（送信時に追加されます）", "山田 太郎（サポート担当）", "-- \n株式会社絆 サポート窓口"} {
			if !strings.Contains(tp.body, want) {
				t.Errorf("composer lacks %q", want)
			}
		}

		// A bad CC address is refused with the draft kept.
		token := tp.csrf(t)
		p := b.do("POST", path, url.Values{"csrf": {token}, "mode": {"public"}, "body": {"下書きです"}, "cc": {"部長 <bucho@"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "CC のメールアドレス") || !strings.Contains(p.body, "下書きです") {
			t.Fatalf("bad CC: %d", p.status)
		}

		// Reply with CC: the CC'd people become collaborators and get the mail.
		p = b.do("POST", path, url.Values{"csrf": {token}, "mode": {"public"}, "body": {"お問い合わせありがとうございます。確認いたします。"},
			"cc": {"鈴木 部長 <bucho@customer.co.jp>、kakari+order@customer.co.jp"}})
		cid := sentComment(t, p)
		tk := d.Must(200, d.Admin, "GET", "/api/v2"+path+".json", nil)
		if n := len(tk.Get("ticket.collaborator_ids").([]any)); n != 2 {
			t.Errorf("collaborators after CC: %v", tk.Get("ticket.collaborator_ids"))
		}
		reply := outMail(t, d, id, cid)
		if got := strings.Join(reply.RcptTo, " "); !strings.Contains(got, "bucho@customer.co.jp") || !strings.Contains(got, "kakari+order@customer.co.jp") {
			t.Errorf("reply recipients %q", got)
		}
		// Undo: the banner recalls the queued mail and the text comes back.
		tp = b.do("GET", p.loc, nil)
		undo := regexp.MustCompile(`<form method="post" action="(/tickets/\d+/mails/(\d+)/cancel)" class="inline">`).FindStringSubmatch(tp.body)
		if undo == nil || undo[2] != fmt.Sprint(reply.ID) || !strings.Contains(tp.body, `id="undo-send"`) || !strings.Contains(tp.body, "送信待ち") {
			t.Fatalf("no undo banner for mail %d", reply.ID)
		}
		p = b.do("POST", undo[1], url.Values{"csrf": {tp.csrf(t)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("undo: %d", p.status)
		}
		if m := mailByID(t, d, reply.ID); m.State != "cancelled" {
			t.Errorf("mail after undo: %s", m.State)
		}
		tp = b.do("GET", p.loc, nil)
		if !strings.Contains(tp.body, `id="undone"`) || !strings.Contains(tp.body, ">お問い合わせありがとうございます。確認いたします。</textarea>") || !strings.Contains(tp.body, "取り消し済み") {
			t.Errorf("after undo the text is not back in the composer:\n%s", tp.body)
		}
		// Undoing again: too late, said so.
		if p := b.do("POST", undo[1], url.Values{"csrf": {tp.csrf(t)}}); !strings.Contains(p.loc, "undo_failed=1") {
			t.Errorf("second undo: %d %q", p.status, p.loc)
		}

		// Scheduled send: the time in the agent's zone (Asia/Tokyo) is the
		// outbox's send time; the past is refused.
		tokyo, _ := time.LoadLocation("Asia/Tokyo")
		at := time.Now().In(tokyo).Add(3 * time.Hour).Truncate(time.Minute)
		p = b.do("POST", path, url.Values{"csrf": {token}, "mode": {"public"}, "body": {"明日の午前中に発送いたします。"}, "send_at": {at.Format("2006-01-02T15:04")}})
		sched := outMail(t, d, id, sentComment(t, p))
		if sched.Source != "scheduled" || !sched.NextAttemptAt.Equal(at) || sched.State != "queued" {
			t.Errorf("scheduled mail: %s %s at %v, want %v", sched.Source, sched.State, sched.NextAttemptAt, at)
		}
		tp = b.do("GET", path, nil)
		if !strings.Contains(tp.body, `data-state="scheduled"`) || !strings.Contains(tp.body, at.Format("2006-01-02 15:04 JST")) {
			t.Errorf("scheduled state not shown")
		}
		if p := b.do("POST", path, url.Values{"csrf": {token}, "mode": {"public"}, "body": {"過去"}, "send_at": {time.Now().In(tokyo).Add(-time.Hour).Format("2006-01-02T15:04")}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "未来にしてください") {
			t.Errorf("past send time: %d", p.status)
		}
		// The customer writes first: the scheduled reply is held.
		receive(t, d, in, jisRaw(t, "Re: 配送状況について①", "もう一点質問です。", "<second.2@customer.co.jp>", "<first.1@customer.co.jp>"))
		if m := mailByID(t, d, sched.ID); m.State != "held" {
			t.Errorf("scheduled mail after the customer wrote: %s", m.State)
		}
		tp = b.do("GET", path, nil)
		if !strings.Contains(tp.body, `data-state="held"`) || !strings.Contains(tp.body, "保留中（送信前にお客様から返信がありました）") {
			t.Errorf("held state not shown")
		}
		// The agent decides it should go anyway: queued again, for now.
		if p := b.do("POST", fmt.Sprintf("/tickets/%d/mails/%d/retry", id, sched.ID), url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
			t.Errorf("send now: %d", p.status)
		}
		if m := mailByID(t, d, sched.ID); m.State != "queued" || m.NextAttemptAt.After(time.Now()) {
			t.Errorf("held mail after send now: %s at %v", m.State, m.NextAttemptAt)
		}

		// Delivery states: sent, and failed with the relay's reason.
		p = b.do("POST", path, url.Values{"csrf": {token}, "mode": {"public"}, "body": {"再送のテストです。"}})
		failed := outMail(t, d, id, sentComment(t, p))
		p = b.do("POST", path, url.Values{"csrf": {token}, "mode": {"public"}, "body": {"届きましたでしょうか。"}})
		sent := outMail(t, d, id, sentComment(t, p))
		if err := d.App.Store.Write(t.Context(), func(tx *store.Tx) error {
			failed.State, failed.Error, failed.Attempts = "failed", "550 5.1.1 宛先のメールボックスがありません", 1
			sent.State = "sent"
			if err := tx.UpdateMailMessage(failed); err != nil {
				return err
			}
			return tx.UpdateMailMessage(sent)
		}); err != nil {
			t.Fatal(err)
		}
		tp = b.do("GET", path, nil)
		fm := regexp.MustCompile(`(?s)<p class="mailstate ms-failed" data-mail="` + fmt.Sprint(failed.ID) + `".*?</p>`).FindString(tp.body)
		if !strings.Contains(fm, "送信失敗") || !strings.Contains(fm, "550 5.1.1 宛先のメールボックスがありません") {
			t.Errorf("failed state: %q", fm)
		}
		if !strings.Contains(tp.body, `<p class="mailstate ms-sent" data-mail="`+fmt.Sprint(sent.ID)+`"`) {
			t.Errorf("sent state not shown")
		}
	})
}

func TestTicketPageSLAAndCSAT(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		id := newTicket(t, d, "ログインできません", "パスワードを変更したらログインできません。")
		now := time.Now().UTC().Truncate(time.Millisecond)
		if err := d.App.Store.Write(t.Context(), func(tx *store.Tx) error {
			for _, tg := range []*store.SLATarget{
				{TicketID: id, Metric: "first_reply_time", StartedAt: now.Add(-time.Hour), DueAt: now.Add(95 * time.Minute), TargetMinutes: 155, RunningSince: now.Add(-time.Hour)},
				{TicketID: id, Metric: "next_reply_time", StartedAt: now.Add(-2 * time.Hour), DueAt: now.Add(-30 * time.Minute), BreachedAt: now.Add(-30 * time.Minute), TargetMinutes: 90, RunningSince: now.Add(-2 * time.Hour)},
				{TicketID: id, Metric: "requester_wait_time", StartedAt: now.Add(-2 * time.Hour), TargetMinutes: 480, UsedMS: int64(time.Hour / time.Millisecond)},
			} {
				if err := tx.SaveSLATarget(tg); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		tp := b.do("GET", fmt.Sprintf("/tickets/%d", id), nil)
		timers := regexp.MustCompile(`(?s)<li class="sla-timer stage-(\w+)( breached)?" data-metric="([a-z_.]+)">(.*?)</li>`).FindAllStringSubmatch(tp.body, -1)
		if len(timers) != 3 {
			t.Fatalf("SLA timers: %d\n%s", len(timers), tp.body)
		}
		first, next, wait := timers[0], timers[1], timers[2]
		if first[1] != "active" || first[2] != "" || !strings.Contains(first[4], "初回返信") || !strings.Contains(first[4], "残り 1時間35分") {
			t.Errorf("first reply timer %q", first[0])
		}
		if next[2] != " breached" || !strings.Contains(next[4], "次回返信") || !strings.Contains(next[4], "30分 超過") || !strings.Contains(next[4], "違反") {
			t.Errorf("next reply timer %q", next[0])
		}
		if wait[1] != "paused" || !strings.Contains(wait[4], "解決") || !strings.Contains(wait[4], "7時間0分") {
			t.Errorf("resolution timer %q", wait[0])
		}
		if strings.Contains(tp.body, `id="csat"`) {
			t.Errorf("a rating shown before there is one")
		}

		// Solved and rated bad with a comment: the rating is shown.
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"status": "solved", "assignee_id": d.Agent.ID, "comment": map[string]any{"body": "再設定の手順をお送りしました。"}}})
		if err := d.App.Store.Write(t.Context(), func(tx *store.Tx) error {
			tk, err := tx.Ticket(id)
			if err != nil {
				return err
			}
			_, err = csat.Rate(tx, tk, d.Customer.User, csat.Answer{Score: "bad", Comment: "返信が遅かったです。", Via: "web"}, time.Now())
			return err
		}); err != nil {
			t.Fatal(err)
		}
		tp = b.do("GET", fmt.Sprintf("/tickets/%d", id), nil)
		c := regexp.MustCompile(`(?s)<p class="csat csat-(\w+)" id="csat">(.*?)</p>`).FindStringSubmatch(tp.body)
		if c == nil || c[1] != "bad" || !strings.Contains(c[2], "不満") || !strings.Contains(c[2], "返信が遅かったです。") {
			t.Errorf("CSAT: %q", c)
		}
	})
}

func TestCustomerPanel(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		org := d.Must(201, d.Admin, "POST", "/api/v2/organizations.json", map[string]any{"organization": map[string]any{"name": "㈱さくらマーケット"}})
		orgID := int64(org.Get("organization.id").(float64))
		open := func(subject, body string) (ticketID, requesterID int64) {
			r := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"subject": subject,
				"comment": map[string]any{"body": body}, "requester": map[string]any{"name": "佐藤 花子", "email": "hanako+shop@customer.co.jp"}}})
			return int64(r.Get("ticket.id").(float64)), int64(r.Get("ticket.requester_id").(float64))
		}
		past, req := open("前回の請求書について", "請求書の宛名を変えてください。")
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", req), map[string]any{"user": map[string]any{
			"organization_id": orgID, "phone": "03-1234-5678", "external_id": "C-100/7", "time_zone": "Asia/Tokyo", "locale": "ja", "tags": []string{"vip"}}})
		d.Must(201, d.Admin, "POST", fmt.Sprintf("/api/v2/users/%d/identities.json", req), map[string]any{"identity": map[string]any{"type": "email", "value": "sato.hanako@customer.co.jp"}})
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", past), map[string]any{"ticket": map[string]any{"status": "solved", "assignee_id": d.Agent.ID, "comment": map[string]any{"body": "変更しました。"}}})
		id, _ := open("配送状況を教えてください", "注文番号①はいつ届きますか。")

		// Links: only admins configure them; a bad template is explained.
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		if p := agent.do("GET", "/settings/customer-links", nil); p.status != http.StatusForbidden {
			t.Errorf("agent on the links settings: %d", p.status)
		}
		admin := newBrowser(t, d, "ja")
		admin.login(d.Admin.Email, "管理者のパスワード", false)
		lp := admin.do("GET", "/settings/customer-links", nil)
		if lp.status != 200 || !strings.Contains(lp.body, "{{external_id}}") {
			t.Fatalf("links page: %d", lp.status)
		}
		p := admin.do("POST", "/settings/customer-links", url.Values{"csrf": {lp.csrf(t)}, "name": {"CRM"}, "url_template": {"javascript:alert(1)//{{email}}"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "http:// または https://") || !strings.Contains(p.body, `value="CRM"`) {
			t.Errorf("bad template: %d", p.status)
		}
		for name, tpl := range map[string]string{
			"顧客管理（CRM）": "https://crm.example.co.jp/customers/{{external_id}}",
			"管理画面で検索":   "https://admin.example.jp/search?email={{email}}&tel={{phone}}&name={{name}}",
		} {
			if p := admin.do("POST", "/settings/customer-links", url.Values{"csrf": {lp.csrf(t)}, "name": {name}, "url_template": {tpl}}); p.status != http.StatusSeeOther {
				t.Fatalf("add link %s: %d\n%s", name, p.status, p.body)
			}
		}
		if lp = admin.do("GET", "/settings/customer-links", nil); strings.Count(lp.body, "data-link=") != 2 {
			t.Errorf("links listed: %d", strings.Count(lp.body, "data-link="))
		}

		tp := agent.do("GET", fmt.Sprintf("/tickets/%d", id), nil)
		panel := tp.body[strings.Index(tp.body, `id="customer"`):]
		for _, want := range []string{"佐藤 花子", "sato.hanako@customer.co.jp", "hanako&#43;shop@customer.co.jp", "03-1234-5678", "㈱さくらマーケット", "Asia/Tokyo", "C-100/7", ">vip<",
			`href="https://crm.example.co.jp/customers/C-100%2F7" target="_blank" rel="noopener noreferrer"`,
			`href="https://admin.example.jp/search?email=hanako%2Bshop%40customer.co.jp&amp;tel=03-1234-5678&amp;name=%E4%BD%90%E8%97%A4%20%E8%8A%B1%E5%AD%90"`,
			fmt.Sprintf(`href="/tickets/%d">#%d 前回の請求書について</a>`, past, past), "この依頼者のチケット"} {
			if !strings.Contains(panel, want) {
				t.Errorf("customer panel lacks %q", want)
			}
		}
		// The timeline marks the ticket on screen and gives each a channel icon.
		if !strings.Contains(panel, fmt.Sprintf(`class="current" aria-current="page" data-ticket="%d"`, id)) || strings.Count(panel, `<svg class="ico"`) < 2 {
			t.Errorf("timeline rows")
		}

		// Notes on the customer and the organization, saved from the panel.
		p = agent.do("POST", fmt.Sprintf("/tickets/%d/customer", id), url.Values{"csrf": {tp.csrf(t)},
			"user_notes": {"電話よりメール希望。\n午前中は不在。"}, "org_notes": {"年間契約（2027年3月まで）"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("save notes: %d\n%s", p.status, p.body)
		}
		u := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/users/%d.json", req), nil)
		o := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/organizations/%d.json", orgID), nil)
		if u.Get("user.notes") != "電話よりメール希望。\n午前中は不在。" || o.Get("organization.notes") != "年間契約（2027年3月まで）" {
			t.Errorf("notes: %v / %v", u.Get("user.notes"), o.Get("organization.notes"))
		}
		tp = agent.do("GET", p.loc, nil)
		if !strings.Contains(tp.body, "メモを保存しました。") || !strings.Contains(tp.body, "年間契約（2027年3月まで）") {
			t.Errorf("page after saving notes")
		}
		// A light agent may not change them.
		light := newBrowser(t, d, "ja")
		light.login(d.Light.Email, "password-light-agent", false)
		lt := light.do("GET", fmt.Sprintf("/tickets/%d", id), nil)
		if strings.Contains(lt.body, `id="save-notes"`) {
			t.Errorf("light agent gets the notes form")
		}
		if p := light.do("POST", fmt.Sprintf("/tickets/%d/customer", id), url.Values{"csrf": {lt.csrf(t)}, "org_notes": {"消す"}}); p.status == http.StatusSeeOther {
			t.Errorf("light agent changed the organization notes")
		}
	})
}

func TestMailFrameFoldsQuote(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		in := mailDesk(t, d)
		raw := strings.ReplaceAll(`From: hanako@customer.co.jp
To: support@example.jp
Subject: =?UTF-8?B?5Zyo5bqr44Gr44Gk44GE44Gm?=
Message-ID: <html.1@customer.co.jp>
MIME-Version: 1.0
Content-Type: text/html; charset=utf-8

<div dir="ltr">在庫を確認してください。</div><br><div class="gmail_quote"><div class="gmail_attr">2026年11月20日(金) 10:00 山田太郎 &lt;yamada@example.jp&gt;:<br></div><blockquote class="gmail_quote">在庫は十分にございます。</blockquote></div>
`, "\n", "\r\n")
		m := receive(t, d, in, []byte(raw))
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		tp := b.do("GET", fmt.Sprintf("/tickets/%d", m.TicketID), nil)
		src := regexp.MustCompile(`<iframe class="mailframe" src="([^"]+)"`).FindStringSubmatch(tp.body)
		if src == nil {
			t.Fatalf("no mail frame")
		}
		fr := b.do("GET", src[1], nil)
		fold := regexp.MustCompile(`(?s)<body>(.*)<details class="quoted"><summary[^>]*>…</summary>(.*)</details></body>`).FindStringSubmatch(fr.body)
		if fold == nil || !strings.Contains(fold[1], "在庫を確認してください。") || strings.Contains(fold[1], "十分") || !strings.Contains(fold[2], "在庫は十分にございます。") {
			t.Fatalf("frame:\n%s", fr.body)
		}
		if full := b.do("GET", src[1]+"?full=1", nil); strings.Contains(full.body, "<details") || !strings.Contains(full.body, "在庫は十分にございます。") {
			t.Errorf("full frame:\n%s", full.body)
		}
	})
}
