package outbound_test

import (
	"bytes"
	"context"
	"fmt"
	"net/mail"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func TestScheduledSendAndHold(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		e := setup(t, d, "")
		id := e.ticket()
		at := e.clock.Now().Add(time.Hour).Truncate(time.Second)
		out := e.reply(id, map[string]any{"body": "明朝にお送りする予定の返信です。", "metadata": map[string]any{"send_at": at.In(time.FixedZone("JST", 9*3600)).Format(time.RFC3339)}})
		if out["next_attempt_at"] != at.Format(time.RFC3339) || out["source"] != "scheduled" {
			t.Fatalf("scheduled reply: %v", out)
		}
		e.clock.Add(59 * time.Minute)
		if e.deliver() != 0 {
			t.Fatal("a scheduled reply went before its time")
		}
		e.clock.Add(time.Minute)
		if e.deliver() != 1 || len(e.cap.messages()) != 1 {
			t.Fatal("the scheduled reply did not go at its time")
		}

		// The customer writes again before the next scheduled reply goes:
		// inbound processing holds it back; it never goes, and can be
		// cancelled.
		out = e.reply(id, map[string]any{"body": "来週お送りする返信です。", "metadata": map[string]any{"send_at": e.clock.Now().Add(7 * 24 * time.Hour).Format(time.RFC3339)}})
		undo := e.reply(id, map[string]any{"body": "すぐに送る返信です。"}) // not scheduled: not held
		e.write(func(tx *store.Tx) error { return outbound.HoldScheduled(tx, id) })
		if s := e.mail(out["id"]).Str("mail_message.state"); s != "held" {
			t.Fatalf("state %q, want held", s)
		}
		if s := e.mail(undo["id"]).Str("mail_message.state"); s != "queued" {
			t.Fatalf("an ordinary reply was held: %q", s)
		}
		e.clock.Add(8 * 24 * time.Hour)
		e.deliver()
		if got := e.cap.messages(); len(got) != 2 || !strings.Contains(string(got[1].Data), undo["message_id"].(string)) {
			t.Fatalf("want the ordinary reply only, got %d mails", len(got))
		}
		// The agent decides the held reply should still go.
		d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/retry", out["id"]), nil)
		if e.deliver() != 1 || len(e.cap.messages()) != 3 {
			t.Fatal("a released held reply did not go")
		}
		held := e.reply(id, map[string]any{"body": "保留後に取り消す返信", "metadata": map[string]any{"send_at": e.clock.Now().Add(time.Hour).Format(time.RFC3339)}})
		e.write(func(tx *store.Tx) error { return outbound.HoldScheduled(tx, id) })
		d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/cancel", held["id"]), nil)

		bad := d.Do(d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"comment": map[string]any{
			"body": "日時が不正", "public": true, "metadata": map[string]any{"send_at": "来週の月曜"}}}})
		if bad.Status != 422 {
			t.Fatalf("bad send_at: %d %s", bad.Status, bad.Raw)
		}
	})
}

func TestUndoSend(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		e := setup(t, d, "")
		id := e.ticket()
		out := e.reply(id, map[string]any{"body": "宛先を間違えた返信です。"})
		d.Must(403, d.Light, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/cancel", out["id"]), nil)
		e.clock.Add(5 * time.Second)
		r := d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/cancel", out["id"]), nil)
		if r.Str("mail_message.state") != "cancelled" {
			t.Fatalf("cancel: %s", r.Raw)
		}
		e.clock.Add(time.Hour)
		if e.deliver() != 0 || len(e.cap.messages()) != 0 {
			t.Fatal("a recalled reply was delivered")
		}
		d.Must(409, d.Agent, "POST", fmt.Sprintf("/api/v2/mail_messages/%v/cancel", out["id"]), nil)
		d.Must(404, d.Agent, "POST", "/api/v2/mail_messages/999999/cancel", nil)
		c := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
		n := c.Len("comments")
		last, recalled := c.Get(fmt.Sprintf("comments.%d", n-1)).(map[string]any), c.Get(fmt.Sprintf("comments.%d", n-2)).(map[string]any)
		if last["public"] != false || !strings.Contains(last["body"].(string), "送信を取り消しました") {
			t.Errorf("no internal note about the recall: %v", last)
		}
		if recalled["public"] != false || recalled["body"] != "宛先を間違えた返信です。" {
			t.Errorf("the recalled reply is still public: %v", recalled)
		}
	})
}

func TestISO2022JPInboxDelivers(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		e := setup(t, d, "iso-2022-jp")
		id := e.ticket()
		e.reply(id, map[string]any{"body": "佐藤様\n\nいつもお世話になっております。"})
		e.clock.Add(time.Minute)
		e.deliver()
		got := e.cap.messages()
		if len(got) != 1 {
			t.Fatalf("%d mails", len(got))
		}
		msg, err := mail.ReadMessage(bytes.NewReader(got[0].Data))
		must(t, err)
		if !strings.HasPrefix(msg.Header.Get("Subject"), "=?ISO-2022-JP?B?") {
			t.Errorf("Subject %q is not ISO-2022-JP", msg.Header.Get("Subject"))
		}
		if !strings.Contains(string(got[0].Data), "text/plain; charset=ISO-2022-JP") {
			t.Error("text part is not ISO-2022-JP")
		}
		if body, _ := readParts(t, msg); !strings.Contains(body, "いつもお世話になっております。") {
			t.Errorf("body = %q", body)
		}
	})
}

// Two nodes share one database: each mail is delivered exactly once, and a
// claim left by a node that died is taken over after its lease.
func TestTwoWorkersNeverSendTwice(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		e := setup(t, d, "")
		st2 := d.App.Store
		if d.App.Store.Dialect() == "postgres" {
			db, err := store.Open(context.Background(), d.App.Config.Database, t.TempDir())
			must(t, err)
			t.Cleanup(func() { db.Close() })
			st2 = db
		}
		second := newOutbox(st2, d, e.clock)
		id := e.ticket()
		const n = 12
		for i := 0; i < n; i++ {
			e.reply(id, map[string]any{"body": fmt.Sprintf("返信その%d", i+1)})
		}
		e.clock.Add(time.Minute)
		var wg sync.WaitGroup
		var mu sync.Mutex
		total := 0
		for _, box := range []*outbound.Outbox{e.box, second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := 0; i < 3; i++ {
					k, err := box.DeliverDue(context.Background())
					if err != nil {
						t.Error(err)
					}
					mu.Lock()
					total += k
					mu.Unlock()
				}
			}()
		}
		wg.Wait()
		seen := map[string]int{}
		for _, m := range e.cap.messages() {
			msg, err := mail.ReadMessage(bytes.NewReader(m.Data))
			must(t, err)
			seen[msg.Header.Get("Message-ID")]++
		}
		if len(seen) != n || total != n {
			t.Fatalf("%d distinct mails, %d attempts; want %d each", len(seen), total, n)
		}
		for id, k := range seen {
			if k != 1 {
				t.Errorf("%s delivered %d times", id, k)
			}
		}

		// A node takes a mail and dies: after the lease the other sends it.
		out := e.reply(id, map[string]any{"body": "途中で止まったノードの返信"})
		e.clock.Add(time.Minute)
		e.write(func(tx *store.Tx) error {
			m, err := tx.MailMessage(int64(out["id"].(float64)))
			if err != nil {
				return err
			}
			now := e.clock.Now()
			ok, err := tx.ClaimMail(m.ID, m.State, m.NextAttemptAt.UnixMilli(), outbound.StateSending, now.Add(5*time.Minute).UnixMilli(), now.UnixMilli(), true)
			if !ok && err == nil {
				err = fmt.Errorf("could not claim")
			}
			return err
		})
		if e.deliver() != 0 {
			t.Fatal("a live claim was taken over")
		}
		e.clock.Add(6 * time.Minute)
		if second.DeliverDue(context.Background()); e.mail(out["id"]).Str("mail_message.state") != "sent" {
			t.Fatal("a stale claim was not taken over")
		}
		if len(e.cap.messages()) != n+1 {
			t.Fatalf("%d mails captured, want %d", len(e.cap.messages()), n+1)
		}
	})
}

// Run delivers on its own once a mail is due (real time, no undo window).
func TestRunDelivers(t *testing.T) {
	d := apptest.Start(t, "")
	e := setup(t, d, "")
	box := outbound.New(d.App.Store, d.App.Blobs, outbound.Config{UndoWindow: -1, Poll: 20 * time.Millisecond}, nil)
	d.App.Tickets.BeforeCommit = []func(*store.Tx, tickets.Result) error{box.BeforeCommit}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() { box.Run(ctx); close(done) }()
	defer func() { cancel(); <-done }()
	id := e.ticket()
	e.reply(id, map[string]any{"body": "すぐ届くはずの返信"})
	deadline := time.Now().Add(5 * time.Second)
	for len(e.cap.messages()) == 0 && time.Now().Before(deadline) {
		time.Sleep(20 * time.Millisecond)
	}
	if len(e.cap.messages()) != 1 {
		t.Fatal("Run did not deliver the reply")
	}
}
