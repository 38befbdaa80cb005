package outbound_test

import (
	"mime"
	"net/mail"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// A notice is a system mail: one per address, sent through the outbox and
// its relay, auto-submitted, in the ticket's thread only when it goes to
// the requester.
func TestEnqueueNotice(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		e := setup(t, d, "")
		id := e.ticket()
		e.write(func(tx *store.Tx) error {
			return e.box.EnqueueNotice(tx, outbound.Notice{TicketID: id, To: []string{"hanako@customer.co.jp", " YAMADA@example.jp", "yamada@example.jp", ""},
				Subject: "【解決】配送状況を教えてください", Body: "佐藤 花子 様\nお問い合わせは解決しました。", Kind: "trigger"})
		})
		if n, err := e.box.DeliverDue(ctx()); err != nil || n != 2 {
			t.Fatalf("delivered %d, %v", n, err)
		}
		got := e.cap.messages()
		if len(got) != 2 {
			t.Fatalf("captured %d mails", len(got))
		}
		seen := map[string]bool{}
		for _, c := range got {
			if len(c.To) != 1 {
				t.Fatalf("one address per mail, got %v", c.To)
			}
			m, err := mail.ReadMessage(strings.NewReader(string(c.Data)))
			must(t, err)
			subj, err := new(mime.WordDecoder).DecodeHeader(m.Header.Get("Subject"))
			must(t, err)
			if !strings.HasPrefix(subj, "【解決】配送状況を教えてください") || strings.HasPrefix(subj, "Re:") {
				t.Errorf("subject %q", subj)
			}
			if m.Header.Get("Auto-Submitted") != "auto-generated" || m.Header.Get("Cc") != "" {
				t.Errorf("headers %v", m.Header)
			}
			seen[c.To[0]] = true
		}
		if !seen["hanako@customer.co.jp"] || !seen["yamada@example.jp"] {
			t.Fatalf("recipients %v", seen)
		}
		// Only the requester's notice is part of the ticket's mail thread.
		outs := 0
		for _, m := range e.mails(id) {
			if mm := m.(map[string]any); mm["direction"] == "out" {
				outs++
			}
		}
		if outs != 1 {
			t.Fatalf("ticket thread has %d outgoing mails, want the requester's notice only", outs)
		}
		// No address, nothing queued; no inbox at all is logged, not an error.
		e.write(func(tx *store.Tx) error {
			return e.box.EnqueueNotice(tx, outbound.Notice{TicketID: id, Kind: "trigger"})
		})
		if n, _ := e.box.DeliverDue(ctx()); n != 0 {
			t.Fatalf("queued a notice to nobody")
		}
	})
}
