package inbound_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func newInbox(t *testing.T, db store.Store, name string, addrs ...string) *model.Inbox {
	t.Helper()
	now := time.Now().UTC()
	in := &model.Inbox{Name: name, Addresses: addrs, TicketToken: "subject", Active: true, CreatedAt: now, UpdatedAt: now}
	if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertInbox(in) }); err != nil {
		t.Fatal(err)
	}
	return in
}

func newSpool(t *testing.T, db store.Store) *inbound.Spool {
	t.Helper()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	return &inbound.Spool{Store: db, Blobs: blobs}
}

func mailText(msgID, subject, body string) string {
	h := "From: 佐藤 花子 <hanako@customer.co.jp>\r\nTo: support@example.jp\r\nSubject: " + subject + "\r\n"
	if msgID != "" {
		h += "Message-ID: <" + msgID + ">\r\n"
	}
	return h + "In-Reply-To: <parent@mail.example.jp>\r\nReferences: <root@mail.example.jp>\r\n <parent@mail.example.jp>\r\n\r\n" + body + "\r\n"
}

func getMail(t *testing.T, db store.Store, id int64) *model.MailMessage {
	t.Helper()
	var m *model.MailMessage
	if err := db.Read(context.Background(), func(tx *store.Tx) (err error) { m, err = tx.MailMessage(id); return }); err != nil {
		t.Fatal(err)
	}
	return m
}

func TestSpoolReceive(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := newInbox(t, db, "サポート", "support@example.jp")
		sp := newSpool(t, db)
		raw := mailText("abc@mail.example.jp", "=?UTF-8?B?6YWN6YCB54q25rOB?=", "㈱テストの髙橋です。①")
		m, dup, err := sp.Receive(ctx, in, strings.NewReader(raw), 1<<20, "smtp", "hanako@customer.co.jp", []string{"support@example.jp"})
		if err != nil || dup {
			t.Fatalf("receive: %v dup=%v", err, dup)
		}
		got := getMail(t, db, m.ID)
		if got.MessageID != "abc@mail.example.jp" || got.InReplyTo != "parent@mail.example.jp" ||
			strings.Join(got.References, " ") != "root@mail.example.jp parent@mail.example.jp" || got.State != model.MailReceived ||
			got.Direction != model.MailIn || got.Source != "smtp" || got.Size != int64(len(raw)) || got.Subject != "=?UTF-8?B?6YWN6YCB54q25rOB?=" {
			t.Fatalf("stored row = %+v", got)
		}
		f, err := sp.Blobs.Open(got.SHA256)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(f)
		f.Close()
		if string(b) != raw {
			t.Fatalf("blob differs from the raw mail")
		}
		// Redelivery with another trace header: stored once.
		m2, dup, err := sp.Receive(ctx, in, strings.NewReader("Received: from relay2\r\n"+raw), 1<<20, "imap", "", nil)
		if err != nil || !dup || m2.ID != m.ID {
			t.Fatalf("redelivery: %+v dup=%v err=%v", m2, dup, err)
		}
		// Mail without a Message-ID is never deduplicated.
		for range 2 {
			if _, dup, err := sp.Receive(ctx, in, strings.NewReader(mailText("", "no id", "x")), 1<<20, "smtp", "", nil); err != nil || dup {
				t.Fatalf("no message-id: dup=%v err=%v", dup, err)
			}
		}
		// Raw 8-bit Shift_JIS in a header, NUL bytes: still stored.
		sjis := "Subject: \x93\xfa\x96\x7b\x00\r\nMessage-ID: <sjis\x93@x>\r\n\r\nbody\r\n"
		m3, _, err := sp.Receive(ctx, in, strings.NewReader(sjis), 1<<20, "smtp", "", nil)
		if err != nil {
			t.Fatalf("8-bit header: %v", err)
		}
		if got := getMail(t, db, m3.ID); got.Size != int64(len(sjis)) || strings.Contains(got.Subject, "\x00") {
			t.Fatalf("8-bit header row = %+v", got)
		}
		// Over the limit: refused, nothing stored.
		if _, _, err := sp.Receive(ctx, in, strings.NewReader(mailText("big@x", "big", strings.Repeat("あ", 2000))), 1000, "smtp", "", nil); !errors.Is(err, inbound.ErrTooLarge) {
			t.Fatalf("oversize: %v", err)
		}
		var n int
		db.Read(ctx, func(tx *store.Tx) error {
			ids, err := tx.DueInboundMail(time.Now().UnixMilli(), 100)
			n = len(ids)
			return err
		})
		if n != 4 {
			t.Fatalf("%d received rows, want 4", n)
		}
	})
}

// fakeProcessor records calls; mails whose subject contains "壊れた" fail,
// "待って" blocks until released; the rest are marked processed.
type fakeProcessor struct {
	db      store.Store
	mu      sync.Mutex
	calls   map[int64]int
	release chan struct{}
	done    chan int64
}

func (p *fakeProcessor) Process(ctx context.Context, id int64) error {
	p.mu.Lock()
	p.calls[id]++
	p.mu.Unlock()
	m := getMailCtx(ctx, p.db, id)
	if m == nil {
		return errors.New("cannot load")
	}
	defer func() { p.done <- id }()
	switch {
	case strings.Contains(m.Subject, "壊れた"):
		return fmt.Errorf("壊れたメール: cannot parse")
	case strings.Contains(m.Subject, "待って"):
		select {
		case <-p.release:
		case <-ctx.Done():
			return ctx.Err()
		}
	}
	return p.db.Write(ctx, func(tx *store.Tx) error {
		m.State = model.MailProcessed
		return tx.UpdateMailMessage(m)
	})
}

func getMailCtx(ctx context.Context, db store.Store, id int64) *model.MailMessage {
	var m *model.MailMessage
	db.Read(ctx, func(tx *store.Tx) (err error) { m, err = tx.MailMessage(id); return })
	return m
}

func (p *fakeProcessor) count(id int64) int {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.calls[id]
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func TestWorker(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := newInbox(t, db, "サポート", "support@example.jp")
		sp := newSpool(t, db)
		proc := &fakeProcessor{db: db, calls: map[int64]int{}, release: make(chan struct{}), done: make(chan int64, 100)}
		receive := func(id, subject string) int64 {
			m, _, err := sp.Receive(ctx, in, strings.NewReader(mailText(id, subject, "本文")), 1<<20, "smtp", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			return m.ID
		}
		// Stored before the worker starts, as if left over from before a crash.
		leftover := receive("left@x", "再起動前のメール")

		w := &inbound.Worker{Store: db, Processor: proc, Concurrency: 2, MaxAttempts: 3, PollInterval: time.Hour,
			Backoff: func(n int) time.Duration { return time.Duration(n) * 50 * time.Millisecond }}
		sp.Notify = w.Notify
		wctx, cancel := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { w.Run(wctx); close(stopped) }()
		defer func() { cancel(); close(proc.release); <-stopped }()

		state := func(id int64) string { return getMail(t, db, id).State }
		waitFor(t, "leftover mail processed on start", func() bool { return state(leftover) == model.MailProcessed })

		// One mail hangs; others (notified, poll interval is an hour) still flow.
		slow := receive("slow@x", "待ってください")
		waitFor(t, "slow mail started", func() bool { return proc.count(slow) == 1 })
		var quick []int64
		for i := range 5 {
			quick = append(quick, receive(fmt.Sprintf("q%d@x", i), fmt.Sprintf("配送状況を教えてください %d", i)))
		}
		for _, id := range quick {
			waitFor(t, "quick mail processed", func() bool { return state(id) == model.MailProcessed })
			if proc.count(id) != 1 {
				t.Fatalf("mail %d processed %d times", id, proc.count(id))
			}
		}
		if state(slow) != model.MailReceived {
			t.Fatalf("slow mail state %s", state(slow))
		}

		// A broken mail is retried with backoff, then marked failed; its raw stays.
		broken := receive("broken@x", "壊れたメール")
		start := time.Now()
		waitFor(t, "broken mail failed", func() bool { return state(broken) == model.MailFailed })
		m := getMail(t, db, broken)
		if proc.count(broken) != 3 || m.Attempts != 3 || !strings.Contains(m.Error, "cannot parse") {
			t.Fatalf("broken mail: calls=%d row=%+v", proc.count(broken), m)
		}
		if el := time.Since(start); el < 150*time.Millisecond { // 50ms + 100ms of backoff
			t.Fatalf("retries did not back off: all 3 attempts in %v", el)
		}
		f, err := sp.Blobs.Open(m.SHA256)
		if err != nil {
			t.Fatalf("raw of failed mail gone: %v", err)
		}
		f.Close()
		time.Sleep(200 * time.Millisecond)
		if proc.count(broken) != 3 {
			t.Fatalf("failed mail retried again: %d", proc.count(broken))
		}
	})
}

// TestWorkerClaimsOnce runs two workers (two nodes) on one database: each
// mail is processed exactly once.
func TestWorkerClaimsOnce(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := newInbox(t, db, "サポート", "support@example.jp")
		sp := newSpool(t, db)
		const n = 60
		var ids []int64
		for i := range n {
			m, _, err := sp.Receive(ctx, in, strings.NewReader(mailText(fmt.Sprintf("m%d@x", i), "お問い合わせ", "本文")), 1<<20, "smtp", "", nil)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, m.ID)
		}
		proc := &fakeProcessor{db: db, calls: map[int64]int{}, release: make(chan struct{}), done: make(chan int64, 2*n)}
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			w := &inbound.Worker{Store: db, Processor: proc, Concurrency: 3, PollInterval: 20 * time.Millisecond}
			wg.Add(1)
			go func() { defer wg.Done(); w.Run(wctx) }()
		}
		for range n {
			<-proc.done
		}
		time.Sleep(100 * time.Millisecond) // let a double claim show up
		cancel()
		wg.Wait()
		for _, id := range ids {
			if c := proc.count(id); c != 1 {
				t.Fatalf("mail %d processed %d times", id, c)
			}
		}
	})
}

// TestStaleClaimRetried: a mail claimed by a node that then died is taken
// up again once the claim's lease has run out.
func TestStaleClaimRetried(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := newInbox(t, db, "サポート", "support@example.jp")
		sp := newSpool(t, db)
		m, _, err := sp.Receive(ctx, in, strings.NewReader(mailText("stale@x", "途中で落ちたノード", "本文")), 1<<20, "smtp", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		now := time.Now()
		err = db.Write(ctx, func(tx *store.Tx) error {
			ok, err := tx.ClaimInboundMail(m.ID, now.UnixMilli(), now.Add(300*time.Millisecond).UnixMilli())
			if err == nil && !ok {
				err = errors.New("first claim refused")
			}
			if ok2, err2 := tx.ClaimInboundMail(m.ID, now.UnixMilli(), now.Add(time.Minute).UnixMilli()); err == nil && (err2 != nil || ok2) {
				err = fmt.Errorf("second claim while leased: %v %v", ok2, err2)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		proc := &fakeProcessor{db: db, calls: map[int64]int{}, release: make(chan struct{}), done: make(chan int64, 10)}
		w := &inbound.Worker{Store: db, Processor: proc, PollInterval: 20 * time.Millisecond}
		wctx, cancel := context.WithCancel(ctx)
		stopped := make(chan struct{})
		go func() { w.Run(wctx); close(stopped) }()
		defer func() { cancel(); <-stopped }()
		time.Sleep(150 * time.Millisecond)
		if proc.count(m.ID) != 0 {
			t.Fatal("a claimed mail was processed before its lease ran out")
		}
		waitFor(t, "stale claim retried", func() bool { return getMail(t, db, m.ID).State == model.MailProcessed })
		if got := getMail(t, db, m.ID); got.Attempts != 2 || proc.count(m.ID) != 1 {
			t.Fatalf("attempts %d, calls %d", got.Attempts, proc.count(m.ID))
		}
	})
}

// TestClaimRenewed: a node working longer than the lease renews its claim,
// so a second node does not take the mail up meanwhile.
func TestClaimRenewed(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		in := newInbox(t, db, "サポート", "support@example.jp")
		sp := newSpool(t, db)
		m, _, err := sp.Receive(ctx, in, strings.NewReader(mailText("slow@x", "待って：大きな添付", "本文")), 1<<20, "smtp", "", nil)
		if err != nil {
			t.Fatal(err)
		}
		proc := &fakeProcessor{db: db, calls: map[int64]int{}, release: make(chan struct{}), done: make(chan int64, 10)}
		wctx, cancel := context.WithCancel(ctx)
		var wg sync.WaitGroup
		for range 2 {
			w := &inbound.Worker{Store: db, Processor: proc, Lease: 150 * time.Millisecond, PollInterval: 20 * time.Millisecond}
			wg.Add(1)
			go func() { defer wg.Done(); w.Run(wctx) }()
		}
		waitFor(t, "first attempt", func() bool { return proc.count(m.ID) == 1 })
		time.Sleep(600 * time.Millisecond) // four leases
		if c := proc.count(m.ID); c != 1 {
			t.Fatalf("mail taken up %d times while its node was still working", c)
		}
		close(proc.release)
		waitFor(t, "processed", func() bool { return getMail(t, db, m.ID).State == model.MailProcessed })
		cancel()
		wg.Wait()
	})
}
