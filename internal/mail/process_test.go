package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// desk is a store with one inbox, one agent and a mail processor.
type desk struct {
	t     *testing.T
	db    *store.DB
	blobs *blob.Store
	p     *Processor
	svc   *tickets.Service
	inbox *model.Inbox
	agent *model.User
	now   time.Time
}

func newDesk(t *testing.T, db *store.DB) *desk {
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	d := &desk{t: t, db: db, blobs: blobs, svc: tickets.New(db), now: time.Date(2024, 4, 1, 9, 0, 0, 0, time.UTC)}
	d.svc.Now = func() time.Time { return d.now }
	d.p = &Processor{Store: db, Tickets: d.svc, Blobs: blobs, Now: func() time.Time { return d.now }}
	err = db.Write(context.Background(), func(tx *store.Tx) error {
		g := &model.Group{Name: "サポート", CreatedAt: d.now, UpdatedAt: d.now}
		if err := tx.InsertGroup(g); err != nil {
			return err
		}
		d.inbox = &model.Inbox{Name: "きずなサポート", Addresses: []string{"support@example.jp", "help@example.jp"}, DefaultGroupID: g.ID,
			TicketToken: "both", AutoAck: true, Active: true, CreatedAt: d.now, UpdatedAt: d.now}
		if err := tx.InsertInbox(d.inbox); err != nil {
			return err
		}
		d.agent = &model.User{Name: "担当 次郎", Email: "jiro@kizuna.example.jp", Role: model.RoleAgent}
		return users.Create(tx, d.agent, d.now)
	})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

// deliver stores raw as the receiver would, processes it and returns the row.
func (d *desk) deliver(raw string) (*model.MailMessage, error) {
	d.t.Helper()
	d.now = d.now.Add(time.Minute)
	sum, size, err := d.blobs.Put(strings.NewReader(raw), 0)
	if err != nil {
		d.t.Fatal(err)
	}
	msg := Parse([]byte(raw))
	row := &model.MailMessage{InboxID: d.inbox.ID, Direction: model.MailIn, MessageID: msg.MessageID, SHA256: sum, Size: size,
		MailFrom: msg.From.Address, RcptTo: []string{"support@example.jp"}, Subject: msg.Subject, State: model.MailReceived,
		Source: "smtp", CreatedAt: d.now, UpdatedAt: d.now}
	if err := d.db.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertMailMessage(row) }); err != nil {
		d.t.Fatal(err)
	}
	perr := d.p.Process(context.Background(), row.ID)
	return d.row(row.ID), perr
}

func (d *desk) row(id int64) *model.MailMessage {
	var m *model.MailMessage
	d.read(func(tx *store.Tx) (err error) { m, err = tx.MailMessage(id); return })
	return m
}

func (d *desk) read(fn func(tx *store.Tx) error) {
	d.t.Helper()
	if err := d.db.Read(context.Background(), fn); err != nil {
		d.t.Fatal(err)
	}
}

func (d *desk) ticket(id int64) *model.Ticket {
	var tk *model.Ticket
	d.read(func(tx *store.Tx) (err error) { tk, err = tx.Ticket(id); return })
	return tk
}

func (d *desk) comments(id int64) []*model.Comment {
	var cs []*model.Comment
	d.read(func(tx *store.Tx) (err error) { cs, err = tx.Comments(id, false, 0, 100, false); return })
	return cs
}

func (d *desk) user(id int64) *model.User {
	var u *model.User
	d.read(func(tx *store.Tx) (err error) { u, err = tx.User(id); return })
	return u
}

func jis(s string) string {
	b, err := japanese.ISO2022JP.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func jisWord(s string) string {
	return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(jis(s))) + "?="
}

func b64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }

func plainMail(from, subject, extra, body string) string {
	return "From: " + from + "\r\nTo: support@example.jp\r\nSubject: " + subject + "\r\n" + extra +
		"Date: Mon, 1 Apr 2024 09:00:00 +0900\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + jis(body) + "\r\n"
}

func mustProcessed(t *testing.T, row *model.MailMessage, err error) {
	t.Helper()
	if err != nil || row.State != model.MailProcessed || row.TicketID == 0 || row.CommentID == 0 {
		t.Fatalf("mail not processed: %+v, %v", row, err)
	}
}

func TestProcessNewMailBecomesTicket(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		d := newDesk(t, db)
		pdf := bytes.Repeat([]byte{0x25, 0x50, 0xff, 0x00}, 1000)
		raw := "From: " + jisWord("佐藤 花子") + " <Hanako@Example.com>\r\nTo: support@example.jp\r\nCc: " + jisWord("加藤 部長") +
			" <kato@example.com>, help@example.jp\r\nSubject: " + jisWord("配送状況を教えてください①") + "\r\nMessage-ID: <first@example.com>\r\n" +
			"Content-Type: multipart/mixed; boundary=\"b1\"\r\n\r\n" +
			"--b1\r\nContent-Type: multipart/alternative; boundary=\"b2\"\r\n\r\n" +
			"--b2\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\n\r\n" + jis("注文番号１２３の配送状況を教えてください。\r\n㈱きずな 髙橋") + "\r\n" +
			"--b2\r\nContent-Type: multipart/related; boundary=\"b3\"\r\n\r\n" +
			"--b3\r\nContent-Type: text/html; charset=UTF-8\r\n\r\n<p>注文番号１２３の配送状況を教えてください。</p><img src=\"cid:logo@x\"><script>x()</script>\r\n" +
			"--b3\r\nContent-Type: image/png\r\nContent-ID: <logo@x>\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64("PNGDATA") + "\r\n--b3--\r\n--b2--\r\n" +
			"--b1\r\nContent-Type: application/pdf\r\nContent-Disposition: attachment; filename*=UTF-8''%E8%A6%8B%E7%A9%8D%E6%9B%B8%E2%91%A0.pdf\r\n" +
			"Content-Transfer-Encoding: base64\r\n\r\n" + base64.StdEncoding.EncodeToString(pdf) + "\r\n--b1--\r\n"
		row, err := d.deliver(raw)
		mustProcessed(t, row, err)
		tk := d.ticket(row.TicketID)
		if tk.Subject != "配送状況を教えてください①" || tk.Via != "email" || tk.InboxID != d.inbox.ID || tk.GroupID != d.inbox.DefaultGroupID ||
			tk.Recipient != "support@example.jp" || tk.Status != model.StatusNew {
			t.Fatalf("ticket = %+v", tk)
		}
		if !strings.Contains(tk.Description, "注文番号１２３の配送状況") || !strings.Contains(tk.Description, "㈱きずな 髙橋") {
			t.Errorf("description = %q", tk.Description)
		}
		req := d.user(tk.RequesterID)
		if req.Name != "佐藤 花子" || req.Email != "hanako@example.com" || req.Role != model.RoleEndUser {
			t.Errorf("requester = %+v", req)
		}
		if len(tk.CollaboratorIDs) != 1 || d.user(tk.CollaboratorIDs[0]).Email != "kato@example.com" || d.user(tk.CollaboratorIDs[0]).Name != "加藤 部長" {
			t.Errorf("collaborators = %v (our help@ address must not be one)", tk.CollaboratorIDs)
		}
		cs := d.comments(tk.ID)
		if len(cs) != 1 || !cs[0].Public || cs[0].AuthorID != req.ID || cs[0].ID != row.CommentID || cs[0].Via != "email" {
			t.Fatalf("comments = %+v", cs)
		}
		c := cs[0]
		if strings.Contains(c.HTMLBody, "script") || strings.Contains(c.HTMLBody, "cid:") {
			t.Errorf("html = %s", c.HTMLBody)
		}
		if c.Metadata["message_id"] != "first@example.com" || fmt.Sprint(c.Metadata["mail_message_id"]) != fmt.Sprint(row.ID) ||
			c.Metadata["from"] != "hanako@example.com" || c.Metadata["auto_submitted"] != false {
			t.Errorf("metadata = %v", c.Metadata)
		}
		if len(c.Attachments) != 2 {
			t.Fatalf("attachments = %+v", c.Attachments)
		}
		img, doc := c.Attachments[0], c.Attachments[1]
		if !img.Inline || !strings.Contains(c.HTMLBody, fmt.Sprintf("/api/v2/attachments/%d/content", img.ID)) {
			t.Errorf("inline image %+v not shown in place: %s", img, c.HTMLBody)
		}
		if doc.FileName != "見積書①.pdf" || doc.Size != int64(len(pdf)) || doc.ContentType != "application/pdf" || doc.Inline {
			t.Errorf("attachment = %+v", doc)
		}
		f, err := d.blobs.Open(doc.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(got, pdf) {
			t.Error("attachment bytes differ")
		}
		// Processing again does nothing.
		if err := d.p.Process(context.Background(), row.ID); err != nil || len(d.comments(tk.ID)) != 1 {
			t.Errorf("reprocessing: %v", err)
		}
	})
}

func TestProcessThreading(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		d := newDesk(t, db)
		ctx := context.Background()
		first, err := d.deliver(plainMail(jisWord("佐藤 花子")+" <hanako@example.com>", jisWord("返品について"), "Message-ID: <q1@example.com>\r\n", "返品したいです。"))
		mustProcessed(t, first, err)
		id := first.TicketID
		// An agent replies and waits on the customer; the reply went out with this Message-ID.
		res, err := d.svc.Update(ctx, d.agent, id, tickets.Change{Status: ptr(model.StatusPending), AssigneeID: &d.agent.ID,
			Comment: &tickets.CommentInput{Body: "ご連絡ありがとうございます。"}})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			return tx.InsertMailMessage(&model.MailMessage{InboxID: d.inbox.ID, Direction: model.MailOut, MessageID: "out-1@kizuna.example.jp",
				TicketID: id, CommentID: res.Comment.ID, State: model.MailSent, Source: "api", CreatedAt: d.now, UpdatedAt: d.now})
		})
		if err != nil {
			t.Fatal(err)
		}

		steps := []struct {
			name, raw string
			join      bool
		}{
			{"reply by In-Reply-To to our outgoing mail", plainMail("hanako@example.com", jisWord("Re: 返品について"),
				"In-Reply-To: <out-1@kizuna.example.jp>\r\nReferences: <q1@example.com> <out-1@kizuna.example.jp>\r\n", "よろしくお願いします。"), true},
			{"reply by References to the customer's own first mail", plainMail("hanako@example.com", "Re", "References: <q1@example.com>\r\n", "追記です。"), true},
			{"reply by subject tag", plainMail("hanako@example.com", jisWord(fmt.Sprintf("Re: [#%d] 返品について", id)), "", "タグで返信"), true},
			{"reply by plus address", strings.Replace(plainMail("hanako@example.com", "x", "", "アドレスで返信"), "To: support@example.jp",
				fmt.Sprintf("To: support+t%d@example.jp", id), 1), true},
			{"same subject without references", plainMail("hanako@example.com", jisWord("返品について"), "", "別件です"), false},
			{"subject tag from a stranger", plainMail("stranger@example.org", jisWord(fmt.Sprintf("[#%d] 返品について", id)), "", "知らない人"), false},
		}
		for _, s := range steps {
			row, err := d.deliver(s.raw)
			mustProcessed(t, row, err)
			if (row.TicketID == id) != s.join {
				t.Errorf("%s: went to ticket %d (thread %d), join=%v", s.name, row.TicketID, id, s.join)
			}
		}
		tk := d.ticket(id)
		if tk.Status != model.StatusOpen {
			t.Errorf("customer's reply left status %s, want open", tk.Status)
		}
		if n := len(d.comments(id)); n != 6 {
			t.Errorf("thread has %d comments, want 6", n)
		}
	})
}

func ptr[T any](v T) *T { return &v }

func TestProcessFollowupCollaboratorsAndAgents(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		d := newDesk(t, db)
		ctx := context.Background()
		first, err := d.deliver(plainMail("hanako@example.com", jisWord("請求書の件"), "Message-ID: <c1@example.com>\r\n", "請求書をください"))
		mustProcessed(t, first, err)
		id := first.TicketID

		// A colleague copied on the thread replies to all: joins, becomes a CC.
		row, err := d.deliver(plainMail(jisWord("加藤 部長")+" <kato@example.com>", "Re", "In-Reply-To: <c1@example.com>\r\nCc: hanako@example.com, support@example.jp\r\n", "私からも補足します"))
		mustProcessed(t, row, err)
		tk := d.ticket(id)
		if row.TicketID != id || len(tk.CollaboratorIDs) != 1 || d.user(tk.CollaboratorIDs[0]).Email != "kato@example.com" {
			t.Fatalf("colleague reply: ticket %d, collaborators %v", row.TicketID, tk.CollaboratorIDs)
		}

		// The agent answers from their own mailbox: the comment is theirs.
		row, err = d.deliver(plainMail("jiro@kizuna.example.jp", "Re", "In-Reply-To: <c1@example.com>\r\n", "担当の次郎です。"))
		mustProcessed(t, row, err)
		cs := d.comments(id)
		if last := cs[len(cs)-1]; last.AuthorID != d.agent.ID || !last.Public {
			t.Errorf("agent mail comment = %+v", last)
		}

		// A light agent's mail becomes an internal note (and copies no one).
		light := &model.User{Name: "閲覧 三郎", Email: "saburo@kizuna.example.jp", Role: model.RoleLightAgent}
		if err := db.Write(ctx, func(tx *store.Tx) error { return users.Create(tx, light, d.now) }); err != nil {
			t.Fatal(err)
		}
		row, err = d.deliver(plainMail("saburo@kizuna.example.jp", "Re", "In-Reply-To: <c1@example.com>\r\nCc: new@example.com\r\n", "社内メモです"))
		mustProcessed(t, row, err)
		cs = d.comments(id)
		if last := cs[len(cs)-1]; last.AuthorID != light.ID || last.Public || len(d.ticket(id).CollaboratorIDs) != 1 {
			t.Errorf("light agent mail comment = %+v", last)
		}

		// Closed: a reply opens a follow-up ticket linked to it.
		if _, err := d.svc.Update(ctx, d.agent, id, tickets.Change{Status: ptr(model.StatusClosed), AssigneeID: &d.agent.ID}); err != nil {
			t.Fatal(err)
		}
		row, err = d.deliver(plainMail("hanako@example.com", jisWord("Re: 請求書の件"), "In-Reply-To: <c1@example.com>\r\n", "まだ届いていません"))
		mustProcessed(t, row, err)
		fu := d.ticket(row.TicketID)
		if row.TicketID == id || fu.ViaFollowupSourceID != id || fu.InboxID != d.inbox.ID || fu.Subject != "Re: 請求書の件" {
			t.Errorf("follow-up = %+v", fu)
		}
		if src := d.ticket(id); len(src.FollowupIDs) != 1 || src.FollowupIDs[0] != fu.ID {
			t.Errorf("closed ticket's follow-ups = %v", src.FollowupIDs)
		}

		// Mail from our own address is a loop: ignored, no ticket.
		row, err = d.deliver(plainMail("support@example.jp", "loop", "", "自分から"))
		if err != nil || row.State != model.MailIgnored || row.TicketID != 0 {
			t.Errorf("own address: %+v %v", row, err)
		}
	})
}

func TestProcessBounceAndAutoReply(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		d := newDesk(t, db)
		ctx := context.Background()
		first, err := d.deliver(plainMail("nobody@example.org", jisWord("問い合わせ"), "", "本文"))
		mustProcessed(t, first, err)
		id := first.TicketID
		res, err := d.svc.Update(ctx, d.agent, id, tickets.Change{Comment: &tickets.CommentInput{Body: "ご返信です"}})
		if err != nil {
			t.Fatal(err)
		}
		out := &model.MailMessage{InboxID: d.inbox.ID, Direction: model.MailOut, MessageID: "out-bounced@kizuna.example.jp", TicketID: id,
			CommentID: res.Comment.ID, State: model.MailSent, Source: "api", CreatedAt: d.now, UpdatedAt: d.now}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertMailMessage(out) }); err != nil {
			t.Fatal(err)
		}
		dsn := "From: MAILER-DAEMON@mx.example.org (Mail Delivery System)\r\nTo: support@example.jp\r\nSubject: Undelivered Mail\r\n" +
			"Message-ID: <dsn1@mx.example.org>\r\nContent-Type: multipart/report; report-type=delivery-status; boundary=R\r\n\r\n" +
			"--R\r\nContent-Type: text/plain\r\n\r\nDelivery failed.\r\n" +
			"--R\r\nContent-Type: message/delivery-status\r\n\r\nReporting-MTA: dns; mx.example.org\r\n\r\n" +
			"Final-Recipient: rfc822; nobody@example.org\r\nAction: failed\r\nStatus: 5.1.1\r\nDiagnostic-Code: smtp; 550 5.1.1 User unknown\r\n" +
			"--R\r\nContent-Type: text/rfc822-headers\r\n\r\nMessage-ID: <out-bounced@kizuna.example.jp>\r\nSubject: Re\r\n--R--\r\n"
		row, err := d.deliver(dsn)
		if err != nil || row.State != model.MailIgnored || row.TicketID != id {
			t.Fatalf("bounce row = %+v, %v", row, err)
		}
		d.read(func(tx *store.Tx) error {
			if _, err := tx.Ticket(id + 1); err != store.ErrNotFound {
				t.Errorf("a bounce opened a ticket: %v", err)
			}
			return nil
		})
		if o := d.row(out.ID); o.State != model.MailBounced || !strings.Contains(o.Error, "nobody@example.org") || !strings.Contains(o.Error, "5.1.1") {
			t.Errorf("bounced outgoing mail = %+v", o)
		}
		cs := d.comments(id)
		note := cs[len(cs)-1]
		if note.Public || note.AuthorID != d.agent.ID || !strings.Contains(note.Body, "配信に失敗しました") || note.ID != row.CommentID {
			t.Errorf("bounce note = %+v", note)
		}

		ooo := plainMail("nobody@example.org", jisWord("自動応答: 不在"), "Auto-Submitted: auto-replied\r\nX-Autoreply: yes\r\nIn-Reply-To: <out-bounced@kizuna.example.jp>\r\n", "不在です")
		row, err = d.deliver(ooo)
		mustProcessed(t, row, err)
		cs = d.comments(row.TicketID)
		if last := cs[len(cs)-1]; last.Metadata["auto_submitted"] != true || row.TicketID != id {
			t.Errorf("auto-reply comment = %+v on %d", last.Metadata, row.TicketID)
		}
		ours, err := d.p.OurAddresses(ctx)
		if err != nil || ShouldAutoReply(Parse([]byte(ooo)), d.inbox, ours) {
			t.Errorf("auto-reply would be answered (%v)", err)
		}
		if !ShouldAutoReply(Parse([]byte(plainMail("nobody@example.org", "q", "", "人間です"))), d.inbox, ours) {
			t.Error("a person's mail gets no auto-ack")
		}
	})
}

func TestProcessBrokenMailIsNeverLost(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		d := newDesk(t, db)
		// Garbage with a sender still becomes a ticket, with warnings.
		raw := "From: broken@example.com\r\nSubject: =?x-foo?B?6YWN6YCB?=\r\nContent-Type: multipart/mixed; boundary=Z\r\n\r\n--Z\r\n" +
			"Content-Type: text/plain; charset=x-bogus\r\nContent-Transfer-Encoding: base64\r\n\r\n" + b64(sjis("壊れた本文①")) + "\r\n--Z\r\nContent-Type: ???\r\n\r\n\xff\xfe"
		row, err := d.deliver(raw)
		mustProcessed(t, row, err)
		cs := d.comments(row.TicketID)
		if !strings.Contains(cs[0].Body, "壊れた本文①") || len(cs[0].Metadata["warnings"].([]any)) == 0 {
			t.Errorf("broken mail comment = %q %v", cs[0].Body, cs[0].Metadata["warnings"])
		}
		// No sender at all: failed, with the reason, raw kept.
		row, err = d.deliver("Subject: 差出人なし\r\n\r\n本文\r\n")
		if err == nil || row.State != model.MailFailed || row.Error == "" || row.TicketID != 0 {
			t.Fatalf("senderless mail = %+v, %v", row, err)
		}
		f, err := d.blobs.Open(row.SHA256)
		if err != nil {
			t.Fatalf("raw lost: %v", err)
		}
		f.Close()
		// Raw bytes missing from the blob store: failed, not a panic.
		var miss *model.MailMessage
		err = db.Write(context.Background(), func(tx *store.Tx) error {
			miss = &model.MailMessage{InboxID: d.inbox.ID, Direction: model.MailIn, MessageID: "gone@x", SHA256: strings.Repeat("ab", 32),
				State: model.MailReceived, Source: "smtp", CreatedAt: d.now, UpdatedAt: d.now}
			return tx.InsertMailMessage(miss)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := d.p.Process(context.Background(), miss.ID); err == nil || d.row(miss.ID).State != model.MailFailed {
			t.Errorf("missing raw: %v, %+v", err, d.row(miss.ID))
		}
	})
}

// TestProcessCorpus feeds every message of the Python-made corpus through
// the processor: each becomes a ticket (or, for the bounce, none) with the
// subject, requester name, body and attachments the manifest names.
func TestProcessCorpus(t *testing.T) {
	dir, cases := genCorpus(t)
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		d := newDesk(t, db)
		for _, c := range cases {
			raw, err := os.ReadFile(filepath.Join(dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			row, err := d.deliver(string(raw))
			if c.Bounce != nil {
				if err != nil || row.State != model.MailIgnored || row.TicketID != 0 {
					t.Errorf("%s: bounce for an unknown message = %+v, %v", c.File, row, err)
				}
				continue
			}
			mustProcessed(t, row, err)
			tk := d.ticket(row.TicketID)
			cs := d.comments(tk.ID)
			c0 := cs[len(cs)-1]
			if c.InReplyTo == "" && tk.Subject != c.Subject {
				t.Errorf("%s: subject %q, want %q", c.File, tk.Subject, c.Subject)
			}
			if req := d.user(c0.AuthorID); req.Email != c.FromAddress || (c.FromName != "" && req.Name != c.FromName) {
				t.Errorf("%s: author %q <%s>, want %q <%s>", c.File, req.Name, req.Email, c.FromName, c.FromAddress)
			}
			for _, s := range c.BodyContains {
				if !strings.Contains(c0.Body, s) {
					t.Errorf("%s: body lacks %q: %q", c.File, s, c0.Body)
				}
			}
			if len(c0.Attachments) != len(c.Attachments) {
				t.Errorf("%s: %d attachments, want %d", c.File, len(c0.Attachments), len(c.Attachments))
				continue
			}
			for i, a := range c.Attachments {
				if got := c0.Attachments[i]; got.FileName != a.Name || got.Size != a.Size {
					t.Errorf("%s: attachment %q %d, want %q %d", c.File, got.FileName, got.Size, a.Name, a.Size)
				}
			}
			if c.AutoSubmitted != (c0.Metadata["auto_submitted"] == true) {
				t.Errorf("%s: auto_submitted metadata %v", c.File, c0.Metadata["auto_submitted"])
			}
		}
	})
}
