package imappoll_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"slices"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/imappoll"
	"github.com/kizuna-desk/kizuna/internal/imappoll/imaptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// gate fails one message (by Message-ID) while poison is set, to show a
// message that cannot be stored neither blocks the others nor gets marked.
type gate struct {
	imappoll.Deliverer
	poison atomic.Value // string
	tries  atomic.Int64
}

func (g *gate) Receive(ctx context.Context, ib *model.Inbox, raw io.Reader, max int64, source, from string, rcpt []string) (*model.MailMessage, bool, error) {
	b, err := io.ReadAll(raw)
	if err != nil {
		return nil, false, err
	}
	if p, _ := g.poison.Load().(string); p != "" && bytes.Contains(b, []byte("<"+p+">")) {
		g.tries.Add(1)
		return nil, false, errors.New("cannot store (test)")
	}
	return g.Deliverer.Receive(ctx, ib, bytes.NewReader(b), max, source, from, rcpt)
}

func TestPollDovecot(t *testing.T) {
	t.Parallel()
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dv := imaptest.Start(t)
		c := dv.Client(t)
		// Waiting in the mailbox before the poller first looks.
		c.Append("INBOX", iso2022jpMail("jis@customer.co.jp", "配送状況を教えてください", "注文番号１２３の配送状況を教えてください。"))
		c.Append("INBOX", sjisMail("sjis@customer.co.jp", "①㈱髙橋商事ｶﾀｶﾅの請求書について", "①請求書の金額が違います。㈱髙橋商事 ｶﾀｶﾅ"))
		c.Append("INBOX", bigMail("big@customer.co.jp", "大きな添付ファイル", 15<<18)) // 5 MB as sent (base64)
		c.Append("INBOX", brokenMail("broken@customer.co.jp"))
		hugeUID := c.Append("INBOX", bigMail("huge@customer.co.jp", "上限を超えるメール", 5<<20)) // ~6.8 MB > 6 MB limit
		c.Append("INBOX", utf8Mail("after-huge@customer.co.jp", "大きいメールの後", "後ろのメールも届くこと"))

		d := newDesk(t, db, dv, nil)
		g := &gate{Deliverer: d.spool}
		d.mgr.Spool = g
		d.start()

		for _, tc := range []struct{ id, subject string }{
			{"jis@customer.co.jp", "配送状況を教えてください"},
			{"sjis@customer.co.jp", "①㈱髙橋商事ｶﾀｶﾅの請求書について"},
			{"big@customer.co.jp", "大きな添付ファイル"},
			{"after-huge@customer.co.jp", "大きいメールの後"},
		} {
			tk := d.ticketOf(tc.id)
			if tk.Subject != tc.subject {
				t.Errorf("%s: ticket subject %q, want %q", tc.id, tk.Subject, tc.subject)
			}
			ms := d.mails(tc.id)
			if len(ms) != 1 || ms[0].Source != "imap" {
				t.Errorf("%s: rows %+v", tc.id, ms)
			}
			waitFor(t, tc.id+" seen", 5*time.Second, func() bool { return c.Seen("INBOX", tc.id) })
		}
		waitFor(t, "broken mail stored and seen", 10*time.Second, func() bool {
			return len(d.mails("broken@customer.co.jp")) == 1 && c.Seen("INBOX", "broken@customer.co.jp")
		})
		waitFor(t, "position past the oversize mail", 5*time.Second, func() bool { return d.state().LastUID > uint32(hugeUID) })
		if len(d.mails("huge@customer.co.jp")) != 0 || c.Seen("INBOX", "huge@customer.co.jp") {
			t.Fatal("the oversize mail was stored or marked seen; it must stay in the mailbox unseen")
		}

		// New mail while the poller IDLEs arrives at once (the fallback
		// timers are far longer than the wait here).
		start := time.Now()
		c.Append("INBOX", utf8Mail("idle@customer.co.jp", "IDLE中に届いたメール", "すぐ届くこと"))
		waitFor(t, "mail appended during IDLE", 3*time.Second, func() bool { return c.Seen("INBOX", "idle@customer.co.jp") })
		t.Logf("picked up %v after APPEND", time.Since(start).Round(time.Millisecond))

		// One message that cannot be stored stays unseen and does not hold
		// back the next one; it is stored on a later try.
		g.poison.Store("poison@customer.co.jp")
		poisonUID := c.Append("INBOX", utf8Mail("poison@customer.co.jp", "保存できないメール", "再試行されること"))
		c.Append("INBOX", utf8Mail("next@customer.co.jp", "その次のメール", "先に届くこと"))
		waitFor(t, "mail behind the failing one", 5*time.Second, func() bool { return c.Seen("INBOX", "next@customer.co.jp") })
		waitFor(t, "retries of the failing mail", 5*time.Second, func() bool { return g.tries.Load() >= 2 })
		if c.Seen("INBOX", "poison@customer.co.jp") || len(d.mails("poison@customer.co.jp")) != 0 {
			t.Fatal("a mail that was not stored is marked seen or recorded")
		}
		if st := d.state(); st.LastUID >= uint32(poisonUID) {
			t.Fatalf("position %d moved past the unstored uid %d", st.LastUID, poisonUID)
		}
		g.poison.Store("")
		waitFor(t, "failing mail stored on retry", 5*time.Second, func() bool { return c.Seen("INBOX", "poison@customer.co.jp") })
		d.ticketOf("poison@customer.co.jp")

		// The whole database down: nothing marked until it is back.
		d.flaky.fail.Store(true)
		c.Append("INBOX", utf8Mail("dbdown@customer.co.jp", "データベース停止中", "後で保存されること"))
		waitFor(t, "failed writes while the database is down", 5*time.Second, func() bool { return d.flaky.failed.Load() >= 2 })
		if c.Seen("INBOX", "dbdown@customer.co.jp") {
			t.Fatal("marked seen while the store failed")
		}
		d.flaky.fail.Store(false)
		waitFor(t, "stored after the database is back", 5*time.Second, func() bool { return c.Seen("INBOX", "dbdown@customer.co.jp") })
		if len(d.mails("dbdown@customer.co.jp")) != 1 {
			t.Fatal("mail stored while the database was down is missing")
		}

		// Same Message-ID over SMTP first, then in the mailbox: stored once.
		both := utf8Mail("both@customer.co.jp", "SMTPとIMAPの両方で届いたメール", "一度だけ保存")
		if _, _, err := d.spool.Receive(ctx, d.inbox, bytes.NewReader(both), 0, "smtp", "hanako@customer.co.jp", []string{"support@example.jp"}); err != nil {
			t.Fatal(err)
		}
		c.Append("INBOX", both)
		waitFor(t, "duplicate marked seen", 5*time.Second, func() bool { return c.Seen("INBOX", "both@customer.co.jp") })
		if ms := d.mails("both@customer.co.jp"); len(ms) != 1 || ms[0].Source != "smtp" {
			t.Fatalf("SMTP+IMAP duplicate: %+v", ms)
		}

		// A restart with the position lost rescans everything and stores
		// nothing twice.
		d.stop()
		st := d.state()
		st.LastUID = 0
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.SaveIMAPState(st) }); err != nil {
			t.Fatal(err)
		}
		before := d.mailCount()
		d.start()
		c.Append("INBOX", utf8Mail("restart@customer.co.jp", "再起動後のメール", "本文"))
		waitFor(t, "mail after restart", 10*time.Second, func() bool { return c.Seen("INBOX", "restart@customer.co.jp") })
		if n := d.mailCount(); n != before+1 {
			t.Fatalf("after a full rescan %d mails, want %d", n, before+1)
		}

		uidValidity(t, d, c)
		processedFolder(t, d, c)

		// Deactivated: the poller stops without a restart.
		d.updateInbox(func(ib *model.Inbox) { ib.Active = false })
		waitFor(t, "poller stopped", 5*time.Second, func() bool { return len(d.mgr.Running()) == 0 })
	})
}

// uidValidity switches the inbox to another mailbox (an edit taking effect
// without a restart), then deletes and recreates that mailbox: both change
// UIDVALIDITY, and the rescans store only what is new.
func uidValidity(t *testing.T, d *desk, c *imaptest.Client) {
	t.Helper()
	c.Create("Support")
	c.Append("Support", iso2022jpMail("jis@customer.co.jp", "配送状況を教えてください", "注文番号１２３の配送状況を教えてください。"))
	c.Append("Support", utf8Mail("support1@customer.co.jp", "別フォルダのメール", "本文"))
	before := d.mailCount()
	v0 := d.state().UIDValidity
	d.updateInbox(func(ib *model.Inbox) { ib.Incoming["mailbox"] = "Support" })
	waitFor(t, "mail in the new mailbox", 10*time.Second, func() bool { return c.Seen("Support", "support1@customer.co.jp") })
	v1 := d.state().UIDValidity
	if v1 == v0 || d.mailCount() != before+1 || !c.Seen("Support", "jis@customer.co.jp") {
		t.Fatalf("switch mailbox: validity %d→%d, mails %d→%d", v0, v1, before, d.mailCount())
	}

	// Recreated while Kizuna was away (an IDLEing Dovecot session notices a
	// deleted mailbox only at its next check, up to 30s later).
	d.stop()
	c.Delete("Support")
	c.Create("Support")
	c.Append("Support", utf8Mail("support1@customer.co.jp", "別フォルダのメール", "本文"))
	c.Append("Support", utf8Mail("support2@customer.co.jp", "作り直したフォルダのメール", "本文"))
	d.start()
	waitFor(t, "mail in the recreated mailbox", 10*time.Second, func() bool { return c.Seen("Support", "support2@customer.co.jp") })
	if v2 := d.state().UIDValidity; v2 == v1 || d.mailCount() != before+2 || !c.Seen("Support", "support1@customer.co.jp") {
		t.Fatalf("recreated mailbox: validity %d→%d, mails %d→%d", v1, v2, before, d.mailCount())
	}
	if ms := d.mails("support1@customer.co.jp"); len(ms) != 1 {
		t.Fatalf("rescanned mail stored %d times", len(ms))
	}
}

// processedFolder: with processed_mailbox set, stored mail is moved there.
func processedFolder(t *testing.T, d *desk, c *imaptest.Client) {
	t.Helper()
	d.updateInbox(func(ib *model.Inbox) { ib.Incoming[imappoll.KeyProcessedMailbox] = "処理済み" })
	time.Sleep(500 * time.Millisecond) // two reloads: the poller now has the setting
	c.Append("Support", utf8Mail("archive@customer.co.jp", "処理済みフォルダへ移動", "本文"))
	waitFor(t, "mail moved to the processed folder", 10*time.Second, func() bool {
		_, inSupport := c.Flags("Support", "archive@customer.co.jp")
		_, moved := c.Flags("処理済み", "archive@customer.co.jp")
		return moved && !inSupport
	})
	if len(d.mails("archive@customer.co.jp")) != 1 {
		t.Fatal("moved mail not stored")
	}
	if ids := d.mgr.Running(); !slices.Equal(ids, []int64{d.inbox.ID}) {
		t.Fatalf("running pollers %v", ids)
	}
}
