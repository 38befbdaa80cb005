package store_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestConcurrentWrites: writes that run together (grouped into one
// transaction on SQLite) succeed or fail each on its own: a failed or
// panicking write leaves nothing behind, not even in the search index, and
// runs no after-commit hook; the others are committed and searchable when
// their Write returns.
func TestConcurrentWrites(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		release := make(chan struct{})
		blocker := make(chan error)
		go func() { // holds the writer so the writes below queue up together
			blocker <- db.Write(ctx, func(tx *store.Tx) error { <-release; return nil })
		}()
		time.Sleep(50 * time.Millisecond)

		const n = 12
		var hooks sync.Map
		errs := make([]error, n)
		panics := make([]any, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				defer func() { panics[i] = recover() }()
				errs[i] = db.Write(ctx, func(tx *store.Tx) error {
					now := time.Now()
					u := &model.User{Name: fmt.Sprintf("並行 太郎%d", i), Email: fmt.Sprintf("heikou%d@example.jp", i), Role: model.RoleEndUser,
						Locale: "ja", TimeZone: "Asia/Tokyo", Active: true, CreatedAt: now, UpdatedAt: now}
					if err := tx.InsertUser(u); err != nil {
						return err
					}
					tx.AfterCommit(func() { hooks.Store(i, true) })
					switch i % 4 {
					case 1:
						return errors.New("rejected on purpose")
					case 2:
						if i == 2 {
							panic("boom")
						}
					}
					return nil
				})
			}()
		}
		time.Sleep(100 * time.Millisecond)
		close(release)
		wg.Wait()
		if err := <-blocker; err != nil {
			t.Fatal(err)
		}
		for i := range n {
			failed := i%4 == 1 || i == 2
			_, hooked := hooks.Load(i)
			var found []*model.User
			err := db.Read(ctx, func(tx *store.Tx) error {
				var err error
				found, err = tx.ListUsers(store.UserFilter{Text: search.ParseText([]search.Term{{Text: fmt.Sprintf("heikou%d", i)}})}, 0, 0, 10, false)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			switch {
			case i == 2 && panics[i] != "boom":
				t.Errorf("write %d: panic %v did not reach its caller", i, panics[i])
			case i%4 == 1 && (errs[i] == nil || errs[i].Error() != "rejected on purpose"):
				t.Errorf("write %d: err = %v", i, errs[i])
			case !failed && (errs[i] != nil || panics[i] != nil):
				t.Errorf("write %d failed: %v %v", i, errs[i], panics[i])
			}
			if failed && (len(found) != 0 || hooked) {
				t.Errorf("write %d failed but left %d users (searchable) and hook=%v", i, len(found), hooked)
			}
			if !failed && (len(found) != 1 || !hooked) {
				t.Errorf("write %d succeeded but %d users are found and hook=%v", i, len(found), hooked)
			}
		}
		if db.Dialect() == "sqlite" {
			if groups, writes := db.GroupCommitStats(); writes <= groups {
				t.Errorf("%d writes in %d transactions: the queued writes were not grouped", writes, groups)
			}
		}
	})
}
