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

// TestCancelledTxIsQuiet: when the caller's context is cancelled in the
// middle of a transaction (a client closes a list page while it loads),
// database/sql rolls the transaction back by itself; the next query, or
// the commit, then fails with sql.ErrTxDone — "transaction has already been
// committed or rolled back". The store reports that as the cancellation
// (context.Canceled in the chain), which the API and the web pass over
// silently, instead of as a database failure they log.
func TestCancelledTxIsQuiet(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		now := time.Now().UTC()
		if err := db.Write(context.Background(), func(tx *store.Tx) error {
			return tx.InsertUser(&model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAgent, Active: true, CreatedAt: now, UpdatedAt: now})
		}); err != nil {
			t.Fatal(err)
		}
		// cancelMidway reads, cancels, waits for database/sql to roll the
		// transaction back, then does what then.
		cancelMidway := func(then func(tx *store.Tx) error) func(tx *store.Tx) error {
			return func(tx *store.Tx) error {
				if users, err := tx.StaffUsers(10); err != nil || len(users) != 1 {
					t.Fatalf("first read: %v %v", users, err)
				}
				cancel := tx.Context().Value(cancelKey{}).(context.CancelFunc)
				cancel()
				time.Sleep(100 * time.Millisecond) // the rollback runs in database/sql's own goroutine
				return then(tx)
			}
		}
		run := func(name string, op func(context.Context, func(*store.Tx) error) error, then func(tx *store.Tx) error, okIfNil bool) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			ctx = context.WithValue(ctx, cancelKey{}, context.CancelFunc(cancel))
			err := op(ctx, cancelMidway(then))
			if err == nil && okIfNil {
				return
			}
			if !errors.Is(err, context.Canceled) {
				t.Errorf("%s: %v (not a cancellation)", name, err)
			}
		}
		// A read whose next query finds the transaction gone.
		run("read, then query", db.Read, func(tx *store.Tx) error {
			_, err := tx.StaffUsers(10)
			return err
		}, false)
		// A read that had everything: the commit finds the transaction gone
		// (PostgreSQL reads run outside transactions: nothing is left to
		// fail, and the read succeeded).
		run("read, then commit", db.Read, func(*store.Tx) error { return nil }, db.Dialect() == "postgres")
		// A write (PostgreSQL: cancelled like a read; SQLite: writes run to
		// the end whatever the caller does, so it may simply succeed).
		run("write, then commit", db.Write, func(*store.Tx) error { return nil }, db.Dialect() == "sqlite")
	})
}

type cancelKey struct{}
