package store_test

import (
	"context"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestLiveAcrossNodes: two stores on one PostgreSQL schema (two nodes)
// hear each other's events with Japanese payloads intact; a store on
// another schema (another desk) hears nothing. SQLite has one node:
// Publish succeeds and nothing is carried.
func TestLiveAcrossNodes(t *testing.T) {
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	t.Run("postgres", func(t *testing.T) {
		url := storetest.PostgresURL(t)
		open := func(u string) *store.DB {
			db, err := store.Open(ctx, u, t.TempDir())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			return db
		}
		a, b, other := open(url), open(url), open(storetest.PostgresURL(t))
		got, stray := make(chan string, 10), make(chan string, 10)
		lctx, stop := context.WithCancel(ctx)
		defer stop()
		go b.Subscribe(lctx, "kizuna_live", func(p []byte) { got <- string(p) })
		go other.Subscribe(lctx, "kizuna_live", func(p []byte) { stray <- string(p) })
		// LISTEN takes effect asynchronously: publish until one arrives.
		want := `{"件名":"配送状況のご確認"}`
		deadline := time.After(10 * time.Second)
		tick := time.NewTicker(50 * time.Millisecond)
		defer tick.Stop()
	wait:
		for {
			select {
			case p := <-got:
				if p != want {
					t.Fatalf("payload %q, want %q", p, want)
				}
				break wait
			case <-tick.C:
				if err := a.Publish(ctx, "kizuna_live", []byte(want)); err != nil {
					t.Fatal(err)
				}
			case <-deadline:
				t.Fatal("no event reached the other node")
			}
		}
		select {
		case p := <-stray:
			t.Fatalf("a desk on another schema heard %q", p)
		case <-time.After(200 * time.Millisecond):
		}
		if err := a.Publish(ctx, "kizuna_live", make([]byte, store.MaxLivePayload+1)); err == nil {
			t.Fatal("oversize payload accepted")
		}
	})
	t.Run("sqlite", func(t *testing.T) {
		db := storetest.SQLite(t)
		if db.Clustered() {
			t.Fatal("SQLite claims other nodes")
		}
		if err := db.Publish(ctx, "kizuna_live", []byte("x")); err != nil {
			t.Fatal(err)
		}
		lctx, stop := context.WithTimeout(ctx, 100*time.Millisecond)
		defer stop()
		if err := db.Subscribe(lctx, "kizuna_live", func([]byte) { t.Error("event on a single-node store") }); err != nil {
			t.Fatal(err)
		}
	})
}
