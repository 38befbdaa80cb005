package store_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/seed"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// SQLite only: stat4 samples on a ticket's history tables or on identities
// make SQLite re-plan every read of them by ticket id or by email. Neither a bulk load's ANALYZE
// nor a desk analysed by an older version keeps them; the tickets table
// keeps its samples (its views need them).
func TestHistoryTablesUnsampled(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := seed.Run(ctx, db, seed.Options{Tickets: 60, Seed: 4, Until: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
		t.Fatal(err)
	}
	check := func(when string, db *store.DB) {
		sampled, err := db.SampledTables(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(sampled, "tickets") || slices.Contains(sampled, "audits") || slices.Contains(sampled, "comments") ||
			slices.Contains(sampled, "user_identities") || slices.Contains(sampled, "ticket_fts_idx") {
			t.Fatalf("%s: sampled tables %v", when, sampled)
		}
	}
	check("after the bulk load", db)
	if err := db.Analyze(ctx); err != nil { // as before this change
		t.Fatal(err)
	}
	if sampled, _ := db.SampledTables(ctx); !slices.Contains(sampled, "audits") || !slices.Contains(sampled, "user_identities") {
		t.Fatalf("a plain ANALYZE samples %v: the check below proves nothing", sampled)
	}
	db.Close()
	db, err = store.Open(ctx, "", dir)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	check("reopened", db)
}
