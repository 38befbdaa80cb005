package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestUnstorableText: a NUL character or invalid UTF-8 that reaches the
// store (a web form, a mail body) is stored the same way on both
// databases, NULs dropped and invalid bytes replaced, where PostgreSQL
// refused the write before.
func TestUnstorableText(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC()
		u := &model.User{Name: "山田\x00太郎\xff", Email: "nul-test@example.jp", Role: model.RoleEndUser,
			Notes: "配送\x00状況", CreatedAt: now, UpdatedAt: now}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertUser(u) }); err != nil {
			t.Fatal(err)
		}
		var got *model.User
		var found []*model.User
		if err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			if got, err = tx.User(u.ID); err != nil {
				return err
			}
			found, err = tx.ListUsers(store.UserFilter{Text: search.ParseText([]search.Term{{Text: "山田太郎"}})}, 0, 0, 10, false)
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if got.Name != "山田太郎\uFFFD" || got.Notes != "配送状況" {
			t.Fatalf("stored name %q, notes %q", got.Name, got.Notes)
		}
		if len(found) != 1 || found[0].ID != u.ID {
			t.Fatalf("search for the stored name found %v", found)
		}
	})
}
