package users_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// TestFindOrCreateRace: two first mails from one new customer processed at
// once both end up with the same user, neither fails.
func TestFindOrCreateRace(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		for round := range 5 {
			email := "shinki" + string(rune('a'+round)) + "@customer.co.jp"
			var wg sync.WaitGroup
			ids := make([]int64, 4)
			errs := make([]error, 4)
			for i := range ids {
				wg.Add(1)
				go func() {
					defer wg.Done()
					errs[i] = db.Write(context.Background(), func(tx *store.Tx) error {
						u, err := users.FindOrCreate(tx, "新規 顧客", email, "ja", time.Now())
						if err == nil {
							ids[i] = u.ID
							time.Sleep(20 * time.Millisecond) // hold the transaction open so the others collide
						}
						return err
					})
				}()
			}
			wg.Wait()
			for i := range ids {
				if errs[i] != nil || ids[i] == 0 || ids[i] != ids[0] {
					t.Fatalf("round %d: ids %v errs %v", round, ids, errs)
				}
			}
			var n int64
			db.Read(context.Background(), func(tx *store.Tx) error {
				var err error
				n, err = tx.CountUsers(store.UserFilter{Emails: []string{email}, Roles: []string{model.RoleEndUser}})
				return err
			})
			if n != 1 {
				t.Fatalf("round %d: %d users for one email", round, n)
			}
		}
	})
}
