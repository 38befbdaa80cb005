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

// ReadOne runs its query on the pool, unprepared the first time and from
// the statement cache afterwards; both must see the latest commit.
func TestReadOne(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		byHash := func(hash string) (*model.User, error) {
			var u *model.User
			err := db.ReadOne(ctx, func(tx *store.Tx) error {
				var err error
				u, err = tx.UserByTokenHash(hash)
				return err
			})
			return u, err
		}
		for i, name := range []string{"髙橋 一郎", "ｶﾀｶﾅ 花子", "渡邊 次郎"} {
			u := &model.User{Name: name, Email: "agent" + string(rune('a'+i)) + "@example.jp", Role: model.RoleAgent, Active: true, CreatedAt: now, UpdatedAt: now}
			hash := "token-hash-" + string(rune('a'+i))
			if _, err := byHash(hash); !errors.Is(err, store.ErrNotFound) {
				t.Fatalf("before the token exists: %v, want ErrNotFound", err)
			}
			err := db.Write(ctx, func(tx *store.Tx) error {
				if err := tx.InsertUser(u); err != nil {
					return err
				}
				return tx.InsertAPIToken(&model.APIToken{UserID: u.ID, Description: "連携 " + name, CreatedAt: now}, hash)
			})
			if err != nil {
				t.Fatal(err)
			}
			got, err := byHash(hash)
			if err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if got.ID != u.ID || got.Name != name {
				t.Fatalf("got user %d %q, want %d %q", got.ID, got.Name, u.ID, name)
			}
		}
		cancelled, cancel := context.WithCancel(ctx)
		cancel()
		err := db.ReadOne(cancelled, func(tx *store.Tx) error {
			_, err := tx.UserByTokenHash("token-hash-a")
			return err
		})
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("cancelled read: %v, want context.Canceled", err)
		}
	})
}
