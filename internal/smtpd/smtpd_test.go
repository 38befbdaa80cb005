package smtpd_test

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/smtp"
	"net/textproto"
	"strings"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

type rig struct {
	db    store.Store
	spool *inbound.Spool
	srv   *smtpd.Server
	inbox *model.Inbox
}

func start(t *testing.T, db store.Store, cfg smtpd.Config) *rig {
	t.Helper()
	now := time.Now().UTC()
	in := &model.Inbox{Name: "サポート窓口", Addresses: []string{"support@example.jp"}, TicketToken: "both", Active: true, CreatedAt: now, UpdatedAt: now}
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertInbox(in) }); err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	r := &rig{db: db, inbox: in, spool: &inbound.Spool{Store: db, Blobs: blobs}}
	cfg.Addr = "127.0.0.1:0"
	r.srv, err = smtpd.New(cfg, db, r.spool, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := r.srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.srv.Close() })
	return r
}

// send delivers one message with net/smtp and returns the server's answer
// to the first command that failed (nil: 250 after DATA). It is safe to
// call from any goroutine.
func send(t *testing.T, addr string, tlsCfg *tls.Config, from string, to []string, msg string) error {
	t.Helper()
	c, err := smtp.Dial(addr)
	if err != nil {
		return err
	}
	defer c.Close()
	if err := c.Hello("client.example.jp"); err != nil {
		return err
	}
	if tlsCfg != nil {
		if err := c.StartTLS(tlsCfg); err != nil {
			return err
		}
	}
	if err := c.Mail(from); err != nil {
		return err
	}
	for _, rc := range to {
		if err := c.Rcpt(rc); err != nil {
			return err
		}
	}
	w, err := c.Data()
	if err != nil {
		return err
	}
	if _, err := io.WriteString(w, msg); err != nil {
		return err
	}
	if err := w.Close(); err != nil {
		return err
	}
	c.Quit() // the 250 above is what counts; a server shutting down may hang up now
	return nil
}

func code(err error) int {
	var te *textproto.Error
	if errors.As(err, &te) {
		return te.Code
	}
	return 0
}

// japaneseMail is a typical Japanese mail: ISO-2022-JP subject (RFC 2047)
// and body.
func japaneseMail(t *testing.T, msgID string) string {
	t.Helper()
	enc := func(s string) string {
		b, err := japanese.ISO2022JP.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	subject := "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(enc("配送状況を教えてください"))) + "?="
	return "From: =?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(enc("佐藤 花子"))) + "?= <hanako@customer.co.jp>\r\n" +
		"To: support@example.jp\r\nSubject: " + subject + "\r\nMessage-ID: <" + msgID + ">\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
		enc("お世話になっております。㈱テストの髙橋です。\r\n注文番号①の配送状況を教えてください。") + "\r\n"
}

func rows(t *testing.T, db store.Store) []*model.MailMessage {
	t.Helper()
	var out []*model.MailMessage
	err := db.Read(context.Background(), func(tx *store.Tx) error {
		ids, err := tx.DueInboundMail(time.Now().Add(time.Hour).UnixMilli(), 10000)
		for _, id := range ids {
			m, err := tx.MailMessage(id)
			if err != nil {
				return err
			}
			out = append(out, m)
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestListener(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		r := start(t, db, smtpd.Config{MaxMessageBytes: 64 << 10})
		addr := r.srv.Addr()

		msg := japaneseMail(t, "20261123.0001@customer.co.jp")
		if err := send(t, addr, nil, "hanako@customer.co.jp", []string{"Support@Example.jp"}, msg); err != nil {
			t.Fatalf("japanese mail: %v", err)
		}
		got := rows(t, db)
		if len(got) != 1 || got[0].MessageID != "20261123.0001@customer.co.jp" || got[0].InboxID != r.inbox.ID ||
			got[0].MailFrom != "hanako@customer.co.jp" || strings.Join(got[0].RcptTo, ",") != "support@example.jp" || got[0].Source != "smtp" {
			t.Fatalf("rows = %+v", got)
		}
		f, err := r.spool.Blobs.Open(got[0].SHA256)
		if err != nil {
			t.Fatal(err)
		}
		raw, _ := io.ReadAll(f)
		f.Close()
		if !bytes.Equal(raw, []byte(msg)) {
			t.Fatalf("stored bytes differ:\n%q\n%q", raw, msg)
		}

		cases := []struct {
			name string
			to   []string
			msg  string
			want int
		}{
			{"unknown recipient", []string{"nobody@example.jp"}, japaneseMail(t, "x1@c"), 550},
			{"relay attempt", []string{"someone@gmail.example"}, japaneseMail(t, "x2@c"), 550},
			{"oversize", []string{"support@example.jp"}, japaneseMail(t, "x3@c") + strings.Repeat("あいうえお\r\n", 8000), 552},
			{"plus address", []string{"support+t123@example.jp"}, japaneseMail(t, "plus@c"), 0},
			{"redelivery", []string{"support@example.jp"}, "Received: from mx2.example\r\n" + msg, 0},
			{"known and unknown recipient", []string{"nobody@example.jp", "support@example.jp"}, "", 550},
		}
		for _, c := range cases {
			err := send(t, addr, nil, "hanako@customer.co.jp", c.to, c.msg)
			if code(err) != c.want || (c.want == 0 && err != nil) {
				t.Fatalf("%s: got %v, want %d", c.name, err, c.want)
			}
		}
		got = rows(t, db)
		if len(got) != 2 || got[1].MessageID != "plus@c" || got[1].RcptTo[0] != "support+t123@example.jp" {
			t.Fatalf("after cases: %d rows %+v", len(got), got)
		}

		// A line far over 1000 characters (HTML from some mailers) is kept as sent.
		long := japaneseMail(t, "long-line@c") + "<p>" + strings.Repeat("長い行", 3000) + "</p>\r\n"
		if err := send(t, addr, nil, "hanako@customer.co.jp", []string{"support@example.jp"}, long); err != nil {
			t.Fatalf("long line: %v", err)
		}
		got = rows(t, db)
		if len(got) != 3 || got[2].Size != int64(len(long)) {
			t.Fatalf("long line: %d rows %+v", len(got), got[len(got)-1])
		}

		// One message to two inboxes: one blob, a row in each, each with its own recipients.
		billing := &model.Inbox{Name: "請求", Addresses: []string{"billing@example.jp"}, TicketToken: "subject", Active: true,
			CreatedAt: time.Now().UTC(), UpdatedAt: time.Now().UTC()}
		if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertInbox(billing) }); err != nil {
			t.Fatal(err)
		}
		if err := send(t, addr, nil, "hanako@customer.co.jp", []string{"support@example.jp", "billing@example.jp", "support+x@example.jp"},
			japaneseMail(t, "both@c")); err != nil {
			t.Fatalf("two inboxes: %v", err)
		}
		got = rows(t, db)
		if len(got) != 5 || got[3].SHA256 != got[4].SHA256 || got[3].InboxID == got[4].InboxID ||
			strings.Join(got[3].RcptTo, ",") != "support@example.jp,support+x@example.jp" || strings.Join(got[4].RcptTo, ",") != "billing@example.jp" {
			t.Fatalf("two inboxes: %+v / %+v", got[3], got[4])
		}

		// A new address works at once, without a restart.
		err = db.Write(context.Background(), func(tx *store.Tx) error {
			in, err := tx.Inbox(r.inbox.ID)
			if err != nil {
				return err
			}
			in.Addresses = append(in.Addresses, "help@example.jp")
			return tx.UpdateInbox(in)
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := send(t, addr, nil, "a@b.example", []string{"help@example.jp"}, japaneseMail(t, "new@c")); err != nil {
			t.Fatalf("new address: %v", err)
		}
	})
}

// failingStore fails every write, as a full disk or a lost database would.
type failingStore struct{ store.Store }

func (failingStore) Write(context.Context, func(*store.Tx) error) error {
	return errors.New("disk full")
}

// TestNoAckWithoutCommit: when the row cannot be committed the sender gets
// a temporary 451, never 250, so it keeps the message and retries.
func TestNoAckWithoutCommit(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		r := start(t, db, smtpd.Config{})
		r.spool.Store = failingStore{db}
		err := send(t, r.srv.Addr(), nil, "hanako@customer.co.jp", []string{"support@example.jp"}, japaneseMail(t, "lost@c"))
		if code(err) != 451 {
			t.Fatalf("storage failure answered %v, want 451", err)
		}
		if n := len(rows(t, db)); n != 0 {
			t.Fatalf("%d rows stored", n)
		}
		r.spool.Store = db // the retry succeeds once storage is back
		if err := send(t, r.srv.Addr(), nil, "hanako@customer.co.jp", []string{"support@example.jp"}, japaneseMail(t, "lost@c")); err != nil {
			t.Fatal(err)
		}
		if n := len(rows(t, db)); n != 1 {
			t.Fatalf("%d rows after retry", n)
		}
	})
}

// TestConcurrentDelivery: several clients deliver at once; every message
// answered 250 is stored exactly once, and the worker processes each.
func TestConcurrentDelivery(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		r := start(t, db, smtpd.Config{})
		proc := &countingProcessor{db: db, seen: map[int64]int{}}
		w := &inbound.Worker{Store: db, Processor: proc, PollInterval: time.Hour}
		r.spool.Notify = w.Notify
		ctx, cancel := context.WithCancel(context.Background())
		stopped := make(chan struct{})
		go func() { w.Run(ctx); close(stopped) }()
		defer func() { cancel(); <-stopped }()

		const clients, each = 4, 50
		var wg sync.WaitGroup
		errc := make(chan error, clients*each)
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for i := range each {
					id := fmt.Sprintf("c%d-%d@customer.co.jp", c, i)
					if err := send(t, r.srv.Addr(), nil, "hanako@customer.co.jp", []string{"support@example.jp"}, japaneseMail(t, id)); err != nil {
						errc <- fmt.Errorf("%s: %w", id, err)
					}
					if i%10 == 0 { // a redelivery now and then
						send(t, r.srv.Addr(), nil, "hanako@customer.co.jp", []string{"support@example.jp"}, japaneseMail(t, id))
					}
				}
			}()
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			t.Fatal(err)
		}
		var n int
		err := db.Read(context.Background(), func(tx *store.Tx) error {
			for c := range clients {
				for i := range each {
					if _, err := tx.MailByMessageID(r.inbox.ID, model.MailIn, fmt.Sprintf("c%d-%d@customer.co.jp", c, i)); err != nil {
						return err
					}
				}
			}
			for _, st := range []string{model.MailReceived, model.MailProcessed} {
				list, err := tx.MailMessagesInState(st, time.Now().Add(time.Hour).UnixMilli(), 10*clients*each)
				if err != nil {
					return err
				}
				n += len(list)
			}
			return nil
		})
		if err != nil || n != clients*each {
			t.Fatalf("%d rows, want %d (%v)", n, clients*each, err)
		}
		deadline := time.Now().Add(20 * time.Second)
		for proc.total() < clients*each && time.Now().Before(deadline) {
			time.Sleep(20 * time.Millisecond)
		}
		if got := proc.total(); got != clients*each {
			t.Fatalf("processed %d, want %d", got, clients*each)
		}
	})
}

type countingProcessor struct {
	db   store.Store
	mu   sync.Mutex
	seen map[int64]int
}

func (p *countingProcessor) Process(ctx context.Context, id int64) error {
	p.mu.Lock()
	p.seen[id]++
	p.mu.Unlock()
	return nil // the worker settles a mail left received as processed
}

func (p *countingProcessor) total() int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return len(p.seen)
}
