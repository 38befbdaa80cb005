package store_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/store"
	_ "modernc.org/sqlite"
)

// An upgraded SQLite desk that had planner statistics gets them again for
// the indexes new migrations made.
func TestSQLiteAnalyzesAfterUpgrade(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	raw, err := sql.Open("sqlite", "file:"+filepath.Join(dir, "kizuna.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer raw.Close()
	count := func(q string) int {
		t.Helper()
		var n int
		if err := raw.QueryRow(q).Scan(&n); err != nil {
			t.Fatal(err)
		}
		return n
	}
	// A seeded desk: statistics exist, then an "upgrade" brings one
	// migration back (0016_blobs, undone by hand).
	for _, q := range []string{
		"INSERT INTO brands (name, subdomain, active, is_default, created_at, updated_at) VALUES ('絆', 'kizuna', 1, 1, 0, 0)",
		"ANALYZE", "DELETE FROM sqlite_stat1",
		"DROP TABLE blobs", "DELETE FROM schema_migrations WHERE version = 16", // 0016_blobs
	} {
		if _, err := raw.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db, err = store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	if n := count("SELECT COUNT(*) FROM sqlite_stat1"); n == 0 {
		t.Fatal("no statistics after the upgrade")
	}
}
