package views_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/seed"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// Benchmarks on a seeded desk, as store's: KIZUNA_BENCH_TICKETS tickets
// (10,000) in a temporary SQLite desk, or an existing desk from
// KIZUNA_BENCH_DATA (an SQLite data dir; use a copy, migrations run) or
// KIZUNA_BENCH_DB (a PostgreSQL URL):
//
//	go test -run XXX -bench . ./internal/views/
// A desk seeded before migration 0014 lacks planner statistics for its
// indexes; run ANALYZE on the copy first (`kizuna seed` runs it).
//
//	KIZUNA_BENCH_DATA=/tmp/kz1m-copy go test -run XXX -bench . -benchtime 200x ./internal/views/

var (
	benchOnce  sync.Once
	benchDesk  *store.DB
	benchSvc   *views.Service
	benchAgent *model.User
	benchIDs   []int64
	benchErr   error
	benchDir   string
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

// benchViews are 13 views on top of the 7 defaults: 20 in a sidebar.
func benchViews() []views.Input {
	var out []views.Input
	cond := func(f, op string, v any) store.ViewCondition {
		return store.ViewCondition{Field: f, Operator: op, Value: v}
	}
	unsolved := cond("status", "less_than", "solved")
	add := func(title string, all ...store.ViewCondition) {
		out = append(out, views.Input{Title: &title, Conditions: &store.ViewConditions{All: all}})
	}
	for _, p := range model.Priorities {
		add("未解決 "+p, unsolved, cond("priority", "is", p))
	}
	for _, s := range []string{"new", "open", "hold"} {
		add("状態 "+s, cond("status", "is", s))
	}
	for _, tp := range model.TicketTypes {
		add("種別 "+tp, unsolved, cond("type", "is", tp))
	}
	add("48時間以上更新なし", unsolved, cond("updated_at", "greater_than", 48))
	add("返金タグ", unsolved, cond("current_tags", "includes", "返金 refund"))
	add("今週解決", cond("status", "is", "solved"), cond("SOLVED", "less_than", 168))
	return out
}

func setup(b *testing.B) {
	b.Helper()
	benchOnce.Do(func() {
		ctx := context.Background()
		switch {
		case os.Getenv("KIZUNA_BENCH_DB") != "":
			benchDesk, benchErr = store.Open(ctx, os.Getenv("KIZUNA_BENCH_DB"), os.TempDir())
		case os.Getenv("KIZUNA_BENCH_DATA") != "":
			benchDesk, benchErr = store.Open(ctx, "", os.Getenv("KIZUNA_BENCH_DATA"))
		default:
			n, _ := strconv.Atoi(os.Getenv("KIZUNA_BENCH_TICKETS"))
			if n <= 0 {
				n = 10000
			}
			if benchDir, benchErr = os.MkdirTemp("", "kizuna-views-bench-"); benchErr != nil {
				return
			}
			if benchDesk, benchErr = store.Open(ctx, "", benchDir); benchErr == nil {
				_, benchErr = seed.Run(ctx, benchDesk, seed.Options{Tickets: n, Seed: 1, Until: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)})
			}
		}
		if benchErr != nil {
			return
		}
		benchSvc = views.New(benchDesk, nil)
		// Measure recounts, not expiry: a recount slower than the clock TTL
		// would otherwise be stale on arrival.
		benchSvc.Counts.TimeTTL = time.Hour
		if benchErr = benchSvc.EnsureDefaults(ctx); benchErr != nil {
			return
		}
		var admin *model.User
		benchErr = benchDesk.Read(ctx, func(tx *store.Tx) error {
			admins, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleAdmin}}, 0, 0, 1, false)
			if err != nil || len(admins) == 0 {
				return fmt.Errorf("no admin on the bench desk (%v)", err)
			}
			agents, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleAgent}}, 0, 0, 1, false)
			if err != nil || len(agents) == 0 {
				return fmt.Errorf("no agent on the bench desk (%v)", err)
			}
			admin, benchAgent = admins[0], agents[0]
			all, err := tx.Views()
			for _, v := range all {
				if v.RestrictionType == "" && len(benchIDs) < 20 {
					benchIDs = append(benchIDs, v.ID)
				}
			}
			return err
		})
		if benchErr != nil {
			return
		}
		for _, in := range benchViews() {
			if len(benchIDs) >= 20 {
				break
			}
			v, err := benchSvc.Create(ctx, admin, in)
			if err != nil {
				benchErr = err
				return
			}
			benchIDs = append(benchIDs, v.ID)
		}
	})
	if benchErr != nil {
		b.Fatal(benchErr)
	}
}

// timed runs op b.N times and reports latency percentiles.
func timed(b *testing.B, op func() error) {
	b.Helper()
	var lat []time.Duration
	for b.Loop() {
		t0 := time.Now()
		if err := op(); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(t0))
	}
	slices.Sort(lat)
	for _, p := range []struct {
		name string
		q    float64
	}{{"p50-ms", 0.50}, {"p95-ms", 0.95}, {"p99-ms", 0.99}} {
		b.ReportMetric(float64(lat[min(len(lat)-1, int(p.q*float64(len(lat))))].Microseconds())/1000, p.name)
	}
}

// BenchmarkCountMany20 is GET /views/count_many for 20 views with the
// count cache warm: what a sidebar refresh costs.
func BenchmarkCountMany20(b *testing.B) {
	setup(b)
	ctx := context.Background()
	if _, err := benchSvc.CountMany(ctx, benchAgent, benchIDs); err != nil { // warm the cache
		b.Fatal(err)
	}
	timed(b, func() error {
		counts, err := benchSvc.CountMany(ctx, benchAgent, benchIDs)
		if err == nil && len(counts) != len(benchIDs) {
			err = fmt.Errorf("got %d counts for %d views", len(counts), len(benchIDs))
		}
		return err
	})
}

// BenchmarkRecount20 is the refresher's work after a ticket write: all 20
// counts recomputed from the database (this bounds how soon a new ticket
// shows in the counts).
func BenchmarkRecount20(b *testing.B) {
	setup(b)
	ctx := context.Background()
	if _, err := benchSvc.CountMany(ctx, benchAgent, benchIDs); err != nil {
		b.Fatal(err)
	}
	var total int64
	timed(b, func() error {
		benchSvc.Counts.Invalidate()
		if err := benchSvc.Counts.Refresh(ctx); err != nil {
			return err
		}
		counts, err := benchSvc.CountMany(ctx, benchAgent, benchIDs)
		total = 0
		for _, c := range counts {
			if !c.Fresh {
				return fmt.Errorf("view %d not fresh after a refresh", c.ViewID)
			}
			total += c.Value
		}
		return err
	})
	b.ReportMetric(float64(total), "tickets-counted")
}

// BenchmarkExecutePage50 runs one page of 50 of each default view, as
// GET /views/{id}/execute does (the count comes from the cache).
func BenchmarkExecutePage50(b *testing.B) {
	setup(b)
	ctx := context.Background()
	var defaults []*store.View
	_ = benchDesk.Read(ctx, func(tx *store.Tx) error {
		all, err := tx.Views()
		for _, v := range all {
			if v.DefaultKey != "" {
				defaults = append(defaults, v)
			}
		}
		return err
	})
	for _, v := range defaults {
		b.Run(v.DefaultKey, func(b *testing.B) {
			rows := 0
			timed(b, func() error {
				p, err := benchSvc.Run(ctx, benchAgent, v, views.Order(v, "", ""), store.Page{Limit: 50}, false)
				if err == nil {
					rows = len(p.Tickets)
				}
				return err
			})
			b.ReportMetric(float64(rows), "rows")
		})
	}
}

// BenchmarkRecountEach recounts one view at a time, to see which views a
// refresh spends its time on.
func BenchmarkRecountEach(b *testing.B) {
	setup(b)
	ctx := context.Background()
	var list []*store.View
	_ = benchDesk.Read(ctx, func(tx *store.Tx) error {
		all, err := tx.Views()
		for _, v := range all {
			if slices.Contains(benchIDs, v.ID) {
				list = append(list, v)
			}
		}
		return err
	})
	for _, v := range list {
		b.Run(fmt.Sprintf("%d", v.ID), func(b *testing.B) {
			var n int64
			timed(b, func() error {
				return benchDesk.Read(ctx, func(tx *store.Tx) error {
					var err error
					n, err = tx.CountView(store.ViewQuery{Conditions: v.Conditions, CurrentUser: benchAgent.ID, Now: time.Now()})
					return err
				})
			})
			b.ReportMetric(float64(n), "tickets")
		})
	}
}
