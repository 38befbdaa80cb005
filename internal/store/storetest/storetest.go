// Package storetest runs a test against every database the desk supports:
// a fresh embedded SQLite file and, when KIZUNA_TEST_POSTGRES names a server,
// a fresh schema in that PostgreSQL database.
package storetest

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// Dialects runs fn once per available database, as subtests named "sqlite"
// and "postgres". With KIZUNA_REQUIRE_POSTGRES=1 a missing PostgreSQL fails
// the test instead of skipping that half.
func Dialects(t *testing.T, fn func(t *testing.T, db *store.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, SQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, Postgres(t)) })
}

// SQLite opens a new database in a temporary directory.
func SQLite(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), "", t.TempDir())
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// PostgresURL returns a URL to a new, empty schema, dropped when the test
// ends, or skips the test when no server is configured.
func PostgresURL(t testing.TB) string {
	t.Helper()
	base := os.Getenv("KIZUNA_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("KIZUNA_REQUIRE_POSTGRES") == "1" {
			t.Fatal("KIZUNA_TEST_POSTGRES is not set but KIZUNA_REQUIRE_POSTGRES=1")
		}
		t.Skip("KIZUNA_TEST_POSTGRES not set; run ./scripts/test.sh for the PostgreSQL half")
	}
	admin, err := sql.Open("pgx", base)
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	var b [6]byte
	rand.Read(b[:])
	schema := "kzt_" + hex.EncodeToString(b[:])
	if _, err := admin.Exec("CREATE SCHEMA " + schema); err != nil {
		t.Fatalf("create schema: %v", err)
	}
	t.Cleanup(func() {
		db, err := sql.Open("pgx", base)
		if err == nil {
			db.Exec("DROP SCHEMA " + schema + " CASCADE")
			db.Close()
		}
	})
	u, err := url.Parse(base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

// Postgres opens a store on a new, empty schema.
func Postgres(t testing.TB) *store.DB {
	t.Helper()
	db, err := store.Open(context.Background(), PostgresURL(t), t.TempDir())
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}
