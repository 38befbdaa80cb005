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

// TestCredentialsVersion: the version moves after a committed change to a
// user or an API token, not before the commit, not for a rolled-back
// change and not for a new user.
func TestCredentialsVersion(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now()
		u := &model.User{Name: "鈴木 一郎", Email: "ichiro@kizuna.example.jp", Role: model.RoleAgent, Active: true, CreatedAt: now, UpdatedAt: now}
		v := db.CredentialsVersion()
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertUser(u) }); err != nil {
			t.Fatal(err)
		}
		tok := &model.APIToken{UserID: u.ID, Description: "連携", CreatedAt: now}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.InsertAPIToken(tok, "ハッシュ") }); err != nil {
			t.Fatal(err)
		}
		if got := db.CredentialsVersion(); got != v {
			t.Fatalf("inserts moved the version %d → %d", v, got)
		}
		u.Name = "鈴木 一朗"
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpdateUser(u); err != nil {
				return err
			}
			return errors.New("取り消し")
		})
		if err == nil || db.CredentialsVersion() != v {
			t.Fatalf("rolled-back update: err %v, version %d → %d", err, v, db.CredentialsVersion())
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			if err := tx.UpdateUser(u); err != nil {
				return err
			}
			if got := db.CredentialsVersion(); got != v {
				t.Errorf("version moved before the commit: %d → %d", v, got)
			}
			return nil
		})
		if err != nil || db.CredentialsVersion() != v+1 {
			t.Fatalf("update: err %v, version %d → %d", err, v, db.CredentialsVersion())
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.DeleteAPIToken(u.ID, tok.ID) }); err != nil {
			t.Fatal(err)
		}
		if got := db.CredentialsVersion(); got != v+2 {
			t.Fatalf("token deleted: version %d, want %d", got, v+2)
		}
	})
}
