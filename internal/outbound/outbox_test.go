package outbound_test

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"mime"
	"net/mail"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// clock is a fake clock the outbox reads.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time      { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }
func (c *clock) Set(t time.Time)     { c.mu.Lock(); c.t = t; c.mu.Unlock() }
func newClock() *clock               { return &clock{t: time.Now().UTC()} }
func ctx() context.Context           { return context.Background() }
func (e *env) write(fn func(*store.Tx) error) {
	e.t.Helper()
	must(e.t, e.d.App.Store.Write(ctx(), fn))
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// env is a desk with a mail inbox, an outbox wired into the ticket service
// and a capture SMTP server standing in for the relay.
type env struct {
	t     *testing.T
	d     *apptest.Desk
	clock *clock
	box   *outbound.Outbox
	cap   *capture
	inbox *model.Inbox
}

func setup(t *testing.T, d *apptest.Desk, legacy string) *env {
	e := &env{t: t, d: d, clock: newClock(), cap: startCapture(t)}
	e.box = newOutbox(d.App.Store, d, e.clock)
	// Replace the desk's own outbox: this test drives one it configured itself.
	d.App.Tickets.BeforeCommit = []func(*store.Tx, tickets.Result) error{e.box.BeforeCommit}
	now := time.Now().UTC()
	e.write(func(tx *store.Tx) error {
		b, err := tx.DefaultBrand()
		if err != nil {
			return err
		}
		b.Name = "キズナ商店"
		if err := tx.UpdateBrand(b); err != nil {
			return err
		}
		e.inbox = &model.Inbox{Name: "サポート窓口", BrandID: b.ID, Addresses: []string{"support@kizuna-shop.jp"}, TicketToken: "both",
			LegacyCharset: legacy, Signature: "キズナ商店 サポート窓口", Active: true, CreatedAt: now, UpdatedAt: now,
			Outgoing: map[string]any{"host": "127.0.0.1", "port": strings.Split(e.cap.addr, ":")[1], "tls": "none",
				"username": "kizuna", "password": "送信用パスワード"}}
		return tx.InsertInbox(e.inbox)
	})
	return e
}

func newOutbox(st store.Store, d *apptest.Desk, c *clock) *outbound.Outbox {
	return outbound.New(st, d.App.Blobs, outbound.Config{Now: c.Now, RetryBase: time.Minute, MaxAttempts: 5}, nil)
}

// ticket opens a mail ticket from 佐藤 花子 with 鈴木 一郎 copied, and
// records two inbound mails on it as the inbound processor would.
func (e *env) ticket() int64 {
	e.t.Helper()
	d := e.d
	r := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
		"subject": "配送状況を教えてください", "requester_id": d.Customer.ID, "inbox_id": e.inbox.ID,
		"collaborators": []any{map[string]any{"name": "鈴木 一郎", "email": "suzuki@customer.co.jp"}},
		"comment":       map[string]any{"body": "注文した商品がまだ届きません。", "author_id": d.Customer.ID}}})
	id := r.Int("ticket.id")
	now := time.Now().UTC()
	e.write(func(tx *store.Tx) error {
		for _, mid := range []string{fmt.Sprintf("first-%d@customer.co.jp", id), fmt.Sprintf("second-%d@customer.co.jp", id)} {
			m := &model.MailMessage{InboxID: e.inbox.ID, Direction: model.MailIn, MessageID: mid, SHA256: strings.Repeat("0", 64), Size: 10,
				MailFrom: "hanako@customer.co.jp", TicketID: id, State: model.MailProcessed, Source: "smtp", CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertMailMessage(m); err != nil {
				return err
			}
		}
		return nil
	})
	return id
}

// reply adds an agent's public reply and returns its queued outgoing mail.
func (e *env) reply(ticketID int64, comment map[string]any) map[string]any {
	e.t.Helper()
	comment["public"] = true
	e.d.Must(200, e.d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", ticketID), map[string]any{"ticket": map[string]any{"comment": comment}})
	return e.lastOut(ticketID)
}

func (e *env) mails(ticketID int64) []any {
	e.t.Helper()
	r := e.d.Must(200, e.d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/mail_messages.json", ticketID), nil)
	l, _ := r.Get("mail_messages").([]any)
	return l
}

func (e *env) lastOut(ticketID int64) map[string]any {
	e.t.Helper()
	var out map[string]any
	for _, m := range e.mails(ticketID) {
		if mm := m.(map[string]any); mm["direction"] == "out" {
			out = mm
		}
	}
	if out == nil {
		e.t.Fatalf("ticket %d has no outgoing mail", ticketID)
	}
	return out
}

func (e *env) mail(id any) *apptest.Response {
	e.t.Helper()
	return e.d.Must(200, e.d.Agent, "GET", fmt.Sprintf("/api/v2/mail_messages/%v.json", id), nil)
}

func (e *env) deliver() int {
	e.t.Helper()
	n, err := e.box.DeliverDue(ctx())
	must(e.t, err)
	return n
}

func TestReplyIsDeliveredWithThreadingAndAttachments(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		e := setup(t, d, "")
		id := e.ticket()
		up := d.Must(201, d.Agent, "POST", "/api/v2/uploads.json?filename="+url.QueryEscape("見積書.pdf"), []byte("%PDF-1.4 見積書"))
		out := e.reply(id, map[string]any{"body": "佐藤様\n\n本日発送いたしました。①㈱髙ｶﾀｶﾅ", "uploads": []any{up.Str("upload.token")}})
		if out["state"] != "queued" || out["attempts"].(float64) != 0 || out["next_attempt_at"] == nil {
			t.Fatalf("new reply: %v", out)
		}
		if n := e.deliver(); n != 0 || len(e.cap.messages()) != 0 {
			t.Fatal("a reply went out inside the undo window")
		}
		e.clock.Add(11 * time.Second)
		if n := e.deliver(); n != 1 {
			t.Fatalf("delivered %d, want 1", n)
		}
		got := e.cap.messages()
		if len(got) != 1 {
			t.Fatalf("capture got %d mails", len(got))
		}
		c := got[0]
		if c.From != "support@kizuna-shop.jp" || strings.Join(c.To, ",") != "hanako@customer.co.jp,suzuki@customer.co.jp" {
			t.Errorf("envelope from %q to %v", c.From, c.To)
		}
		if e.cap.auths == nil {
			t.Error("the inbox's SMTP login was not used")
		}
		msg, err := mail.ReadMessage(bytes.NewReader(c.Data))
		must(t, err)
		h := msg.Header
		dec := new(mime.WordDecoder)
		from, _ := h.AddressList("From")
		if len(from) != 1 || from[0].Name != "山田 太郎 via キズナ商店" || from[0].Address != "support@kizuna-shop.jp" {
			t.Errorf("From = %q", h.Get("From"))
		}
		if to, _ := h.AddressList("To"); len(to) != 1 || to[0].Address != "hanako@customer.co.jp" || to[0].Name != "佐藤 花子" {
			t.Errorf("To = %q", h.Get("To"))
		}
		if cc, _ := h.AddressList("Cc"); len(cc) != 1 || cc[0].Address != "suzuki@customer.co.jp" {
			t.Errorf("Cc = %q", h.Get("Cc"))
		}
		if s, _ := dec.DecodeHeader(h.Get("Subject")); s != fmt.Sprintf("Re: 配送状況を教えてください [#%d]", id) {
			t.Errorf("Subject = %q", s)
		}
		if h.Get("Reply-To") != fmt.Sprintf("<support+t%d@kizuna-shop.jp>", id) {
			t.Errorf("Reply-To = %q", h.Get("Reply-To"))
		}
		if h.Get("Message-ID") != "<"+out["message_id"].(string)+">" || !strings.HasPrefix(out["message_id"].(string), fmt.Sprintf("kz.%d.", id)) {
			t.Errorf("Message-ID %q, listed %v", h.Get("Message-ID"), out["message_id"])
		}
		if h.Get("In-Reply-To") != fmt.Sprintf("<second-%d@customer.co.jp>", id) {
			t.Errorf("In-Reply-To = %q", h.Get("In-Reply-To"))
		}
		if refs := strings.Fields(h.Get("References")); len(refs) != 2 || refs[0] != fmt.Sprintf("<first-%d@customer.co.jp>", id) {
			t.Errorf("References = %q", h.Get("References"))
		}
		body, files := readParts(t, msg)
		if !strings.Contains(body, "本日発送いたしました。①㈱髙ｶﾀｶﾅ") || !strings.Contains(body, "キズナ商店 サポート窓口") {
			t.Errorf("text body = %q", body)
		}
		if string(files["見積書.pdf"]) != "%PDF-1.4 見積書" {
			t.Errorf("attachments %v", files)
		}
		sent := e.mail(out["id"])
		if sent.Str("mail_message.state") != "sent" || sent.Int("mail_message.attempts") != 1 || sent.Get("mail_message.error") != nil {
			t.Errorf("after delivery: %s", sent.Raw)
		}
		raw := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/mail_messages/%v/raw", out["id"]), nil)
		if raw.Header.Get("Content-Type") != "message/rfc822" || !bytes.Equal(raw.Raw, c.Data) {
			t.Errorf("raw download (%s) differs from what was delivered", raw.Header.Get("Content-Type"))
		}
		d.Must(403, d.Customer, "GET", fmt.Sprintf("/api/v2/mail_messages/%v/raw", out["id"]), nil)
		d.Must(403, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/mail_messages", id), nil)
		d.Must(404, d.Agent, "GET", "/api/v2/tickets/999999/mail_messages", nil)
		d.Must(409, d.Agent, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/cancel", out["id"]), nil)
		if e.deliver() != 0 || len(e.cap.messages()) != 1 {
			t.Error("a sent mail went out again")
		}
		// Internal notes and the customer's own comments are never mailed.
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "社内メモ", "public": false}}})
		d.Must(200, d.Customer, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "ありがとうございます"}}})
		if n := len(e.mails(id)); n != 3 {
			t.Errorf("%d mails on the ticket, want 3 (2 in, 1 out)", n)
		}
	})
}

// readParts returns the decoded text/plain body and the attachments.
func readParts(t *testing.T, msg *mail.Message) (string, map[string][]byte) {
	t.Helper()
	files := map[string][]byte{}
	var text string
	var walk func(ct string, cte string, disp string, r io.Reader)
	walk = func(ct, cte, disp string, r io.Reader) {
		mt, params, err := mime.ParseMediaType(ct)
		must(t, err)
		if strings.HasPrefix(mt, "multipart/") {
			mr := multipartReader(r, params["boundary"])
			for {
				p, err := mr.NextRawPart()
				if err == io.EOF {
					return
				}
				must(t, err)
				walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p.Header.Get("Content-Disposition"), p)
			}
		}
		data := decodeCTE(t, cte, r)
		if _, dp, err := mime.ParseMediaType(disp); err == nil && dp["filename"] != "" {
			files[dp["filename"]] = data
		} else if mt == "text/plain" {
			text = decodeCharset(t, params["charset"], data)
		}
	}
	walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), "", msg.Body)
	return text, files
}

func TestTemporaryFailureIsRetriedPermanentFails(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		e := setup(t, d, "")
		e.cap.data = func(n int) error {
			if n == 1 {
				return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "Try again later"}
			}
			return nil
		}
		id := e.ticket()
		out := e.reply(id, map[string]any{"body": "ご不便をおかけしております。"})
		e.clock.Add(11 * time.Second)
		e.deliver()
		m := e.mail(out["id"])
		if m.Str("mail_message.state") != "queued" || m.Int("mail_message.attempts") != 1 || !strings.Contains(m.Str("mail_message.error"), "451") {
			t.Fatalf("after 451: %s", m.Raw)
		}
		if e.deliver() != 0 {
			t.Fatal("retried before the backoff elapsed")
		}
		e.clock.Add(time.Minute)
		if e.deliver() != 1 {
			t.Fatal("not retried after the backoff")
		}
		m = e.mail(out["id"])
		if m.Str("mail_message.state") != "sent" || m.Int("mail_message.attempts") != 2 || len(e.cap.messages()) != 1 {
			t.Fatalf("after retry: %s", m.Raw)
		}

		// 550 for the only recipient: failed for good with the server's words.
		e.cap.rcpt = func(to string) error {
			return &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1}, Message: "No such user here"}
		}
		out = e.reply(id, map[string]any{"body": "再送いたします。"})
		e.clock.Add(11 * time.Second)
		e.deliver()
		m = e.mail(out["id"])
		if m.Str("mail_message.state") != "failed" || !strings.Contains(m.Str("mail_message.error"), "550") || !strings.Contains(m.Str("mail_message.error"), "No such user here") {
			t.Fatalf("after 550: %s", m.Raw)
		}
		e.clock.Add(24 * time.Hour)
		if e.deliver() != 0 {
			t.Fatal("a failed mail was retried")
		}
		// Once the address is fixed an agent sends it again.
		e.cap.rcpt = nil
		d.Must(403, d.Light, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/retry", out["id"]), nil)
		if r := d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/retry", out["id"]), nil); r.Str("mail_message.state") != "queued" {
			t.Fatalf("retry: %s", r.Raw)
		}
		if e.deliver() != 1 || e.mail(out["id"]).Str("mail_message.state") != "sent" || len(e.cap.messages()) != 2 {
			t.Fatal("a retried mail was not sent")
		}
		d.Must(409, d.Agent, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/retry", out["id"]), nil)

		// Connection refused is temporary; after MaxAttempts it fails.
		e.write(func(tx *store.Tx) error {
			e.inbox.Outgoing = map[string]any{"addr": "127.0.0.1:1", "tls": "none"}
			return tx.UpdateInbox(e.inbox)
		})
		out = e.reply(id, map[string]any{"body": "三度目の正直です。"})
		for i := 0; i < 5; i++ {
			e.clock.Add(24 * time.Hour)
			e.deliver()
		}
		m = e.mail(out["id"])
		if len(e.cap.messages()) != 2 || m.Str("mail_message.state") != "failed" || m.Int("mail_message.attempts") != 5 || !strings.Contains(m.Str("mail_message.error"), "gave up after 5 attempts") {
			t.Fatalf("after refused connections: %s", m.Raw)
		}
	})
}
