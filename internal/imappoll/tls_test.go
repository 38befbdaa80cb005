package imappoll_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/imappoll/imaptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// STARTTLS and implicit TLS against Dovecot's self-signed certificate: used
// with insecure set, refused without it.
func TestPollTLS(t *testing.T) {
	t.Parallel()
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		dv := imaptest.Start(t)
		c := dv.Client(t)
		d := newDesk(t, db, dv, map[string]any{"tls": "starttls", "insecure": true})
		d.start()
		c.Append("INBOX", utf8Mail("starttls@customer.co.jp", "STARTTLSで受信", "本文"))
		waitFor(t, "mail over STARTTLS", 10*time.Second, func() bool { return c.Seen("INBOX", "starttls@customer.co.jp") })
		if ms := d.mails("starttls@customer.co.jp"); len(ms) != 1 || ms[0].Source != "imap" {
			t.Fatalf("rows %+v", ms)
		}

		// Without insecure the self-signed certificate is refused: nothing
		// is fetched.
		d.updateInbox(func(ib *model.Inbox) { delete(ib.Incoming, "insecure") })
		time.Sleep(500 * time.Millisecond) // the manager has restarted the poller
		c.Append("INBOX", utf8Mail("verify@customer.co.jp", "証明書を検証", "本文"))
		waitFor(t, "the refused certificate reported", 5*time.Second, func() bool { return d.logs.Contains("certificate signed by unknown authority") })
		time.Sleep(500 * time.Millisecond)
		if c.Seen("INBOX", "verify@customer.co.jp") || len(d.mails("verify@customer.co.jp")) != 0 {
			t.Fatal("fetched over TLS with an unverified certificate")
		}

		// Implicit TLS (IMAPS) on its own port.
		d.updateInbox(func(ib *model.Inbox) {
			ib.Incoming["tls"], ib.Incoming["port"], ib.Incoming["insecure"] = "tls", float64(dv.TLSPort), true
		})
		waitFor(t, "mail over IMAPS", 10*time.Second, func() bool { return c.Seen("INBOX", "verify@customer.co.jp") })
		if len(d.mails("verify@customer.co.jp")) != 1 {
			t.Fatal("mail over IMAPS not stored")
		}
	})
}

// Several inboxes are polled at once, each with its own connection; one
// with a wrong password does not hold up the others.
func TestPollManyInboxes(t *testing.T) {
	t.Parallel()
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		dv := imaptest.Start(t)
		c := dv.Client(t)
		d := newDesk(t, db, dv, nil)
		var ids []int64
		for i, name := range []string{"営業", "経理", "パスワード違い"} {
			settings := map[string]any{"type": "imap", "host": dv.Host, "port": float64(dv.Port), "tls": "none",
				"username": dv.Username, "password": d.box.Seal(dv.Password), "mailbox": name}
			if name == "パスワード違い" {
				settings["password"] = d.box.Seal("wrong")
			}
			now := time.Now().UTC()
			ib := &model.Inbox{Name: name, Addresses: []string{string(rune('a'+i)) + "@example.jp"}, TicketToken: "subject", Active: true,
				Incoming: settings, Outgoing: map[string]any{}, CreatedAt: now, UpdatedAt: now}
			if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertInbox(ib) }); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, ib.ID)
			c.Create(name)
			c.Append(name, utf8Mail(name+"@customer.co.jp", name+"宛のメール", "本文"))
		}
		c.Append("INBOX", utf8Mail("main@customer.co.jp", "サポート宛", "本文"))
		d.start()
		waitFor(t, "four pollers", 5*time.Second, func() bool { return len(d.mgr.Running()) == 4 })
		for i, name := range []string{"営業", "経理"} {
			waitFor(t, "mail in "+name, 10*time.Second, func() bool { return c.Seen(name, name+"@customer.co.jp") })
			err := db.Read(ctx, func(tx *store.Tx) error {
				m, err := tx.MailByMessageID(ids[i], model.MailIn, name+"@customer.co.jp")
				if err == nil && m.Source != "imap" {
					err = errors.New("source " + m.Source)
				}
				return err
			})
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
		}
		waitFor(t, "mail in INBOX", 10*time.Second, func() bool { return c.Seen("INBOX", "main@customer.co.jp") })
		waitFor(t, "the failed login reported", 10*time.Second, func() bool { return d.logs.Contains("AUTHENTICATIONFAILED") })
		if c.Seen("パスワード違い", "パスワード違い@customer.co.jp") {
			t.Fatal("fetched with a wrong password")
		}
		err := db.Read(ctx, func(tx *store.Tx) error {
			_, err := tx.MailByMessageID(ids[2], model.MailIn, "パスワード違い@customer.co.jp")
			return err
		})
		if !errors.Is(err, store.ErrNotFound) {
			t.Fatalf("wrong password inbox: %v", err)
		}
		// Removing an inbox stops its poller.
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteInbox(ids[2]) }); err != nil {
			t.Fatal(err)
		}
		waitFor(t, "poller of the deleted inbox stopped", 5*time.Second, func() bool { return !slices.Contains(d.mgr.Running(), ids[2]) })
	})
}

// Without IDLE the mailbox is checked every PollInterval.
func TestPollWithoutIdle(t *testing.T) {
	t.Parallel()
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		dv := imaptest.Start(t)
		c := dv.Client(t)
		d := newDesk(t, db, dv, nil)
		d.mgr.Config.DisableIdle, d.mgr.Config.PollInterval = true, 300*time.Millisecond
		d.start()
		for _, id := range []string{"poll1@customer.co.jp", "poll2@customer.co.jp"} {
			c.Append("INBOX", utf8Mail(id, "定期確認で受信", "本文"))
			waitFor(t, id+" by polling", 5*time.Second, func() bool { return c.Seen("INBOX", id) })
		}
		d.stop()
		// Dovecot logs the last command of a closed session: never IDLE here.
		waitFor(t, "the poller's logout in Dovecot's log", 5*time.Second, func() bool {
			for _, l := range strings.Split(dv.Logs(), "\n") {
				if strings.Contains(l, "imap(") && strings.Contains(l, "Disconnected") {
					return true
				}
			}
			return false
		})
		if strings.Contains(dv.Logs(), "IDLE") {
			t.Fatalf("IDLE used although disabled:\n%s", dv.Logs())
		}
	})
}
