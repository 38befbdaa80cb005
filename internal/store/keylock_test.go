package store_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestLockKey: a second transaction locking the same key waits until the
// first ends; another key or namespace does not wait. SQLite's writes run
// one at a time anyway, so there only the calls themselves are checked.
func TestLockKey(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if db.Dialect() == "sqlite" {
			err := db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.LockKey("users.phone", "090-1234-5678"); err != nil {
					return err
				}
				return tx.LockKey("users.phone", "090-1234-5678") // again in the same transaction
			})
			if err != nil {
				t.Fatal(err)
			}
			return
		}
		held, release := make(chan struct{}), make(chan struct{})
		var ended atomic.Bool
		done := make(chan error, 1)
		go func() {
			done <- db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.LockKey("users.phone", "090-1234-5678"); err != nil {
					close(held)
					return err
				}
				close(held)
				<-release
				ended.Store(true)
				return nil
			})
		}()
		<-held
		// Other keys are free while the first is held.
		for _, k := range [][2]string{{"users.phone", "090-1234-0000"}, {"other.ns", "090-1234-5678"}} {
			other, cancel := context.WithTimeout(ctx, 2*time.Second)
			err := db.Write(other, func(tx *store.Tx) error { return tx.LockKey(k[0], k[1]) })
			cancel()
			if err != nil {
				t.Fatalf("%s %s waited for another key: %v", k[0], k[1], err)
			}
		}
		go func() { time.Sleep(200 * time.Millisecond); close(release) }()
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.LockKey("users.phone", "090-1234-5678"); err != nil {
				return err
			}
			if !ended.Load() {
				t.Error("the same key was taken while the first transaction held it")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if err := <-done; err != nil {
			t.Fatal(err)
		}
	})
}
