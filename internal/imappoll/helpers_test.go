package imappoll_test

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"io"
	"log/slog"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/imappoll"
	"github.com/kizuna-desk/kizuna/internal/imappoll/imaptest"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/mail"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/secrets"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// flakyStore fails every write while fail is set, as a full disk or a lost
// database connection would: the spool then cannot store anything.
type flakyStore struct {
	store.Store
	fail   atomic.Bool
	failed atomic.Int64
}

func (f *flakyStore) Write(ctx context.Context, fn func(*store.Tx) error) error {
	if f.fail.Load() {
		f.failed.Add(1)
		return errors.New("database unavailable (test)")
	}
	return f.Store.Write(ctx, fn)
}

// desk is a store, a spool (over a flaky store), a real mail processor and
// worker, an IMAP inbox pointed at a test Dovecot, and a Manager (start it).
type desk struct {
	t      *testing.T
	db     *store.DB
	flaky  *flakyStore
	spool  *inbound.Spool
	box    *secrets.Box
	inbox  *model.Inbox
	dv     *imaptest.Server
	mgr    *imappoll.Manager
	cancel context.CancelFunc
	done   chan struct{}
	logs   *logBuffer
}

// logBuffer keeps what was logged, to wait for a poller's report.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) Contains(s string) bool {
	l.mu.Lock()
	defer l.mu.Unlock()
	return strings.Contains(l.b.String(), s)
}

func newDesk(t *testing.T, db *store.DB, dv *imaptest.Server, incoming map[string]any) *desk {
	t.Helper()
	ctx := context.Background()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	key := make([]byte, 32)
	rand.Read(key)
	box, err := secrets.New(key)
	if err != nil {
		t.Fatal(err)
	}
	d := &desk{t: t, db: db, flaky: &flakyStore{Store: db}, box: box, dv: dv}
	d.logs = &logBuffer{}
	log := slog.New(slog.NewTextHandler(io.MultiWriter(os.Stderr, d.logs), &slog.HandlerOptions{Level: slog.LevelWarn}))
	svc := tickets.New(db)
	proc := &mail.Processor{Store: db, Tickets: svc, Blobs: blobs, Now: time.Now, Log: log}
	// One mail at a time: mail.Processor can race when two first mails from
	// one new sender are processed at once (both create the user; the loser
	// gets a "permanent" RecordInvalid and is marked failed). That is the
	// processor's to fix, not this package's.
	worker := &inbound.Worker{Store: db, Processor: proc, Log: log, PollInterval: 200 * time.Millisecond, Concurrency: 1,
		Backoff: func(int) time.Duration { return 100 * time.Millisecond }}
	d.spool = &inbound.Spool{Store: d.flaky, Blobs: blobs, Notify: worker.Notify}

	settings := map[string]any{"type": "imap", "host": dv.Host, "port": float64(dv.Port), "tls": "none",
		"username": dv.Username, "password": box.Seal(dv.Password)}
	for k, v := range incoming {
		settings[k] = v
	}
	now := time.Now().UTC()
	d.inbox = &model.Inbox{Name: "きずなサポート", Addresses: []string{"support@example.jp"}, TicketToken: "subject", Active: true,
		Incoming: settings, Outgoing: map[string]any{}, CreatedAt: now, UpdatedAt: now}
	if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertInbox(d.inbox) }); err != nil {
		t.Fatal(err)
	}
	d.mgr = &imappoll.Manager{Store: db, Spool: d.spool, Open: box.Open, Log: log,
		Config: imappoll.Config{MaxBytes: 6 << 20, RetryInterval: 300 * time.Millisecond, MinBackoff: 100 * time.Millisecond,
			MaxBackoff: 500 * time.Millisecond, PollInterval: time.Second, Reload: 200 * time.Millisecond}}
	wctx, wcancel := context.WithCancel(ctx)
	wdone := make(chan struct{})
	go func() { worker.Run(wctx); close(wdone) }()
	t.Cleanup(func() { d.stop(); wcancel(); <-wdone })
	return d
}

func (d *desk) start() {
	ctx, cancel := context.WithCancel(context.Background())
	d.cancel, d.done = cancel, make(chan struct{})
	go func() { d.mgr.Run(ctx); close(d.done) }()
}

func (d *desk) stop() {
	if d.cancel != nil {
		d.cancel()
		<-d.done
		d.cancel = nil
	}
}

// updateInbox changes the stored inbox as the API would.
func (d *desk) updateInbox(change func(*model.Inbox)) {
	d.t.Helper()
	err := d.db.Write(context.Background(), func(tx *store.Tx) error {
		ib, err := tx.Inbox(d.inbox.ID)
		if err != nil {
			return err
		}
		change(ib)
		return tx.UpdateInbox(ib)
	})
	if err != nil {
		d.t.Fatal(err)
	}
}

// mails lists the inbox's received mails with this Message-ID.
func (d *desk) mails(messageID string) []*model.MailMessage {
	d.t.Helper()
	var out []*model.MailMessage
	err := d.db.Read(context.Background(), func(tx *store.Tx) error {
		m, err := tx.MailByMessageID(d.inbox.ID, model.MailIn, messageID)
		if err == nil {
			out = append(out, m)
		} else if !errors.Is(err, store.ErrNotFound) {
			return err
		}
		return nil
	})
	if err != nil {
		d.t.Fatal(err)
	}
	return out
}

func (d *desk) mailCount() int64 {
	d.t.Helper()
	var n int64
	err := d.db.Read(context.Background(), func(tx *store.Tx) (err error) { n, err = tx.InboxMailCount(d.inbox.ID); return })
	if err != nil {
		d.t.Fatal(err)
	}
	return n
}

func (d *desk) state() *store.IMAPState {
	d.t.Helper()
	var st *store.IMAPState
	err := d.db.Read(context.Background(), func(tx *store.Tx) (err error) { st, err = tx.IMAPState(d.inbox.ID); return })
	if err != nil {
		d.t.Fatal(err)
	}
	return st
}

// ticketOf waits until the mail with this Message-ID is on a ticket.
func (d *desk) ticketOf(messageID string) *model.Ticket {
	d.t.Helper()
	var tk *model.Ticket
	waitFor(d.t, "ticket for "+messageID, 20*time.Second, func() bool {
		ms := d.mails(messageID)
		if len(ms) == 0 || ms[0].TicketID == 0 {
			return false
		}
		d.db.Read(context.Background(), func(tx *store.Tx) (err error) { tk, err = tx.Ticket(ms[0].TicketID); return })
		return tk != nil
	})
	return tk
}

func waitFor(t *testing.T, what string, timeout time.Duration, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %v waiting for %s", timeout, what)
		}
		time.Sleep(25 * time.Millisecond)
	}
}

// Mails, as Japanese mailers write them.

func header(id, subject, ctype string) string {
	return "From: 佐藤 花子 <hanako@customer.co.jp>\r\nTo: support@example.jp\r\nSubject: " + subject +
		"\r\nMessage-ID: <" + id + ">\r\nDate: Mon, 23 Nov 2026 10:00:00 +0900\r\nMIME-Version: 1.0\r\nContent-Type: " + ctype + "\r\n"
}

func iso2022jpMail(id, subject, body string) []byte {
	subj, _ := japanese.ISO2022JP.NewEncoder().String(subject)
	b, _ := japanese.ISO2022JP.NewEncoder().String(body)
	return []byte(header(id, "=?ISO-2022-JP?B?"+base64.StdEncoding.EncodeToString([]byte(subj))+"?=", "text/plain; charset=ISO-2022-JP") +
		"Content-Transfer-Encoding: 7bit\r\n\r\n" + b + "\r\n")
}

func sjisMail(id, subject, body string) []byte {
	subj, _ := japanese.ShiftJIS.NewEncoder().String(subject)
	b, _ := japanese.ShiftJIS.NewEncoder().String(body)
	return []byte(header(id, "=?Shift_JIS?B?"+base64.StdEncoding.EncodeToString([]byte(subj))+"?=", "text/plain; charset=Shift_JIS") +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" + b + "\r\n")
}

func utf8Mail(id, subject, body string) []byte {
	return []byte(header(id, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(subject))+"?=", "text/plain; charset=UTF-8") +
		"Content-Transfer-Encoding: 8bit\r\n\r\n" + body + "\r\n")
}

// bigMail carries a random attachment of n bytes (base64, so ~4/3 n).
func bigMail(id, subject string, n int) []byte {
	data := make([]byte, n)
	rand.Read(data)
	enc := base64.StdEncoding.EncodeToString(data)
	var b bytes.Buffer
	b.WriteString(header(id, "=?UTF-8?B?"+base64.StdEncoding.EncodeToString([]byte(subject))+"?=", `multipart/mixed; boundary="b1"`))
	b.WriteString("\r\n--b1\r\nContent-Type: text/plain; charset=UTF-8\r\n\r\n資料を添付します。\r\n--b1\r\n")
	b.WriteString("Content-Type: application/octet-stream\r\nContent-Transfer-Encoding: base64\r\nContent-Disposition: attachment; filename=\"data.bin\"\r\n\r\n")
	for len(enc) > 76 {
		b.WriteString(enc[:76] + "\r\n")
		enc = enc[76:]
	}
	b.WriteString(enc + "\r\n--b1--\r\n")
	return b.Bytes()
}

// brokenMail: a multipart without its closing boundary, a part with bad
// base64, and a charset that does not exist.
func brokenMail(id string) []byte {
	return []byte(header(id, "=?X-UNKNOWN?B?44GC?= 壊れたメール", `multipart/mixed; boundary="zz"`) +
		"\r\n--zz\r\nContent-Type: text/plain; charset=x-no-such\r\nContent-Transfer-Encoding: base64\r\n\r\n!!!not base64###\r\n" +
		"--zz\r\nContent-Type: text/html\r\n\r\n<p>途中で切れた")
}
