package store_test

import (
	"context"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/seed"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Benchmarks on a seeded desk (see docs/benchmarks.md). By default each run
// seeds a temporary SQLite database with KIZUNA_BENCH_TICKETS tickets
// (10,000). To measure a big desk, seed it once with `kizuna seed` and set
// KIZUNA_BENCH_DATA to its data directory (SQLite) or KIZUNA_BENCH_DB to its
// PostgreSQL URL:
//
//	go test -run XXX -bench 'ViewList|Search' ./internal/store/
//	KIZUNA_BENCH_DATA=/tmp/kz1m go test -run XXX -bench . ./internal/store/

var (
	benchOnce sync.Once
	benchDesk *store.DB
	benchErr  error
	benchDir  string // a temporary desk to remove at the end
)

func TestMain(m *testing.M) {
	code := m.Run()
	if benchDesk != nil {
		benchDesk.Close()
	}
	if benchDir != "" {
		os.RemoveAll(benchDir)
	}
	os.Exit(code)
}

func benchDB(b *testing.B) *store.DB {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		if url := os.Getenv("KIZUNA_BENCH_DB"); url != "" {
			benchDesk, benchErr = store.Open(ctx, url, os.TempDir())
			return
		}
		if dir := os.Getenv("KIZUNA_BENCH_DATA"); dir != "" {
			benchDesk, benchErr = store.Open(ctx, "", dir)
			return
		}
		n, _ := strconv.Atoi(os.Getenv("KIZUNA_BENCH_TICKETS"))
		if n <= 0 {
			n = 10000
		}
		dir, err := os.MkdirTemp("", "kizuna-bench-")
		if err != nil {
			benchErr = err
			return
		}
		benchDir = dir
		if benchDesk, benchErr = store.Open(ctx, "", dir); benchErr == nil {
			_, benchErr = seed.Run(ctx, benchDesk, seed.Options{Tickets: n, Seed: 1, Until: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
	return benchDesk
}

// timed runs op b.N times and reports latency percentiles next to ns/op.
func timed(b *testing.B, op func(i int) error) {
	b.Helper()
	var lat []time.Duration
	i := 0
	for b.Loop() {
		t0 := time.Now()
		if err := op(i); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
		i++
	}
	slices.Sort(lat)
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50-ms", 0.50}, {"p95-ms", 0.95}, {"p99-ms", 0.99}} {
		b.ReportMetric(float64(lat[min(len(lat)-1, int(p.q*float64(len(lat))))].Microseconds())/1000, p.name)
	}
}

// BenchmarkViewList lists 50 open tickets of one assignee in one group,
// most recently updated first: an agent's view, as GET /api/v2/tickets with
// status, assignee_id, group_id and sort_by=updated_at asks for it.
func BenchmarkViewList(b *testing.B) {
	db := benchDB(b)
	ctx := context.Background()
	var pairs [][2]int64
	err := db.Read(ctx, func(tx *store.Tx) error {
		open, err := tx.ListTickets(store.TicketFilter{Statuses: []string{"open"}}, store.TicketOrder{Field: "updated_at", Desc: true}, store.Page{Limit: 500})
		for _, t := range open {
			p := [2]int64{t.AssigneeID, t.GroupID}
			if t.AssigneeID != 0 && !slices.Contains(pairs, p) {
				pairs = append(pairs, p)
			}
		}
		return err
	})
	if err != nil || len(pairs) == 0 {
		b.Fatalf("no open assigned tickets (%v)", err)
	}
	rows := 0
	timed(b, func(i int) error {
		p := pairs[i%len(pairs)]
		return db.Read(ctx, func(tx *store.Tx) error {
			list, err := tx.ListTickets(store.TicketFilter{Statuses: []string{"open"}, AssigneeIDs: []int64{p[0]}, GroupIDs: []int64{p[1]}},
				store.TicketOrder{Field: "updated_at", Desc: true}, store.Page{Limit: 51})
			rows += len(list)
			return err
		})
	})
	// A small desk's views hold fewer than 51 tickets; compare per row too.
	b.ReportMetric(float64(rows)/float64(b.N), "rows/op")
}

var benchQueries = []string{"配送", "返金", "解約", "決済", "出品", "ログイン", "請求書", "領収書", "購入者", "サーバー", "ドメイン", "パスワード",
	"refund", "invoice", "password", "delivery", "server"}

// BenchmarkSearch finds the 25 most relevant tickets for a word, as the
// first page of /api/v2/search does.
func BenchmarkSearch(b *testing.B) {
	db := benchDB(b)
	for _, q := range benchQueries {
		b.Run(q, func(b *testing.B) {
			tq := search.ParseText([]search.Term{{Text: q}})
			timed(b, func(int) error {
				return db.Read(context.Background(), func(tx *store.Tx) error {
					_, err := tx.ListTickets(store.TicketFilter{Text: tq}, store.TicketOrder{Field: "relevance"}, store.Page{Limit: 25})
					return err
				})
			})
		})
	}
}

// BenchmarkSearchCount counts a word's matches (the search API's count).
func BenchmarkSearchCount(b *testing.B) {
	db := benchDB(b)
	for _, q := range benchQueries {
		b.Run(q, func(b *testing.B) {
			tq := search.ParseText([]search.Term{{Text: q}})
			var n int64
			timed(b, func(int) error {
				return db.Read(context.Background(), func(tx *store.Tx) error {
					var err error
					n, err = tx.CountTickets(store.TicketFilter{Text: tq})
					return err
				})
			})
			b.ReportMetric(float64(n), "matches")
		})
	}
}
