package store_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func TestInboxesAndMailMessages(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		err := db.Write(ctx, func(tx *store.Tx) error {
			in := &model.Inbox{Name: "サポート窓口", Addresses: []string{"Support@Example.jp", "help@example.jp"}, TicketToken: "subject",
				Active: true, Incoming: map[string]any{"imap_host": "127.0.0.1"}, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertInbox(in); err != nil {
				return err
			}
			other := &model.Inbox{Name: "請求", Addresses: []string{"support@example.jp"}, CreatedAt: now, UpdatedAt: now}
			if err := tx.Savepoint(func() error { return tx.InsertInbox(other) }); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("duplicate address: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			for _, addr := range []string{"support@example.jp", "SUPPORT+t123@example.jp", "help@example.jp"} {
				in, err := tx.InboxByAddress(addr)
				if err != nil || in.Name != "サポート窓口" || len(in.Addresses) != 2 {
					t.Fatalf("InboxByAddress(%s) = %+v, %v", addr, in, err)
				}
			}
			if _, err := tx.InboxByAddress("nobody@example.jp"); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("unknown address: %v", err)
			}
			m := &model.MailMessage{InboxID: 1, Direction: model.MailIn, MessageID: "abc@mail.example.jp", SHA256: "00", Size: 10,
				Subject: "件名", References: []string{"a@x", "b@x"}, State: model.MailReceived, Source: "smtp", CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertMailMessage(m); err != nil {
				return err
			}
			dup := *m
			dup.ID = 0
			if err := tx.Savepoint(func() error { return tx.InsertMailMessage(&dup) }); !errors.Is(err, store.ErrConflict) {
				t.Fatalf("redelivery stored twice: %v", err)
			}
			got, err := tx.MailByMessageID(1, model.MailIn, "abc@mail.example.jp")
			if err != nil || got.Subject != "件名" || len(got.References) != 2 {
				t.Fatalf("MailByMessageID = %+v, %v", got, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
