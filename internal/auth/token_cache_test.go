package auth_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// twoProcesses opens the same desk twice, as the server and a second
// process (another node, a command-line run) would.
func twoProcesses(t *testing.T, dialect string) (server, other *store.DB) {
	url, dir := "", t.TempDir()
	if dialect == "postgres" {
		url = storetest.PostgresURL(t)
	}
	open := func() *store.DB {
		db, err := store.Open(context.Background(), url, dir)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		return db
	}
	server = open()
	return server, open()
}

func TestTokenCache(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			ctx := context.Background()
			server, other := twoProcesses(t, dialect)
			clock := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
			svc := auth.New(server)
			svc.Now = func() time.Time { return clock }
			agent := &model.User{Name: "佐藤 花子", Email: "hanako.sato@kizuna.example.jp", Role: model.RoleAgent,
				Locale: "ja", Tags: []string{"一次対応"}, Active: true, CreatedAt: clock, UpdatedAt: clock}
			write := func(db *store.DB, fn func(tx *store.Tx) error) {
				t.Helper()
				if err := db.Write(ctx, fn); err != nil {
					t.Fatal(err)
				}
			}
			write(server, func(tx *store.Tx) error { return tx.InsertUser(agent) })
			newToken := func() (string, int64) {
				t.Helper()
				secret := auth.NewSecret()
				tok := &model.APIToken{UserID: agent.ID, Description: "連携用", CreatedAt: clock}
				write(server, func(tx *store.Tx) error { return tx.InsertAPIToken(tok, auth.HashSecret(secret)) })
				return secret, tok.ID
			}
			signIn := func(email, secret string) error {
				t.Helper()
				u, err := svc.ByToken(ctx, email, secret)
				if err == nil && (u.ID != agent.ID || u.Name != "佐藤 花子" || len(u.Tags) != 1 || u.Tags[0] != "一次対応") {
					t.Fatalf("signed in as %+v", u)
				}
				return err
			}
			mustSignIn := func(secret string) {
				t.Helper()
				if err := signIn("", secret); err != nil {
					t.Fatal(err)
				}
			}
			mustFail := func(email, secret string) {
				t.Helper()
				if err := signIn(email, secret); !errors.Is(err, auth.ErrBadCredentials) {
					t.Fatalf("err %v, want ErrBadCredentials", err)
				}
			}

			// Revoked by another process: served from the cache until the TTL.
			secret, id := newToken()
			mustSignIn(secret)
			write(other, func(tx *store.Tx) error { return tx.DeleteAPIToken(agent.ID, id) })
			mustSignIn(secret)
			clock = clock.Add(2 * time.Second)
			mustFail("", secret)

			// A cached user is a copy: changing it changes nobody else's.
			secret, id = newToken()
			mustSignIn(secret)
			u, err := svc.ByToken(ctx, "", secret) // from the cache
			if err != nil {
				t.Fatal(err)
			}
			u.Name, u.Tags[0] = "書き換え", "書き換え"
			mustSignIn(secret)
			mustFail("someone.else@kizuna.example.jp", secret) // Basic auth checks the email on a hit too

			// A new user (a ticket's new requester) leaves the cache alone.
			before := server.CredentialsVersion()
			write(server, func(tx *store.Tx) error {
				return tx.InsertUser(&model.User{Name: "山田 太郎", Email: "taro@customer.co.jp", Role: model.RoleEndUser, Active: true, CreatedAt: clock, UpdatedAt: clock})
			})
			if v := server.CredentialsVersion(); v != before {
				t.Fatalf("a new user moved the version %d → %d", before, v)
			}
			write(other, func(tx *store.Tx) error { return tx.DeleteAPIToken(agent.ID, id) })
			mustSignIn(secret)

			// Suspended in this process: refused at once.
			secret, _ = newToken()
			mustSignIn(secret)
			agent.Suspended = true
			write(server, func(tx *store.Tx) error { return tx.UpdateUser(agent) })
			mustFail("", secret)

			// Revoked in this process: refused at once.
			agent.Suspended = false
			write(server, func(tx *store.Tx) error { return tx.UpdateUser(agent) })
			secret, id = newToken()
			mustSignIn(secret)
			write(server, func(tx *store.Tx) error { return tx.DeleteAPIToken(agent.ID, id) })
			mustFail("", secret)
		})
	}
}
