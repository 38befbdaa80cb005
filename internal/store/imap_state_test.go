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

func TestIMAPState(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		in := &model.Inbox{Name: "IMAP窓口", Addresses: []string{"imap@example.jp"}, TicketToken: "subject", Active: true, CreatedAt: now, UpdatedAt: now}
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.InsertInbox(in); err != nil {
				return err
			}
			if _, err := tx.IMAPState(in.ID); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("before the first poll: %v", err)
			}
			// UIDs and UIDVALIDITY are unsigned 32-bit: the top of the range survives.
			if err := tx.SaveIMAPState(&store.IMAPState{InboxID: in.ID, UIDValidity: 4294967295, LastUID: 7, UpdatedAt: now}); err != nil {
				return err
			}
			return tx.SaveIMAPState(&store.IMAPState{InboxID: in.ID, UIDValidity: 4294967295, LastUID: 4294967290, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		var st *store.IMAPState
		db.Read(ctx, func(tx *store.Tx) (err error) { st, err = tx.IMAPState(in.ID); return })
		if st == nil || st.UIDValidity != 4294967295 || st.LastUID != 4294967290 || !st.UpdatedAt.Equal(now) {
			t.Fatalf("state = %+v", st)
		}
		// Deleting the inbox takes its position with it.
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.DeleteInbox(in.ID); err != nil {
				return err
			}
			_, err := tx.IMAPState(in.ID)
			if !errors.Is(err, store.ErrNotFound) {
				t.Errorf("after delete: %v", err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
