package automations_test

import (
	"context"
	"io"
	"log/slog"
	"os"
	"path/filepath"
	"strconv"
	"syscall"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/seed"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// BenchmarkAutomationPass measures one automations round (the shipped
// automations plus an escalation on business hours) over a seeded desk.
// By default it seeds a temporary SQLite desk with KIZUNA_BENCH_TICKETS
// tickets (10,000); KIZUNA_BENCH_DATA (a SQLite data dir made by `kizuna
// seed`) or KIZUNA_BENCH_DB (PostgreSQL URL) use an existing desk — on a
// copy, since the first round changes tickets.
//
// Reported: ns/op, a steady round (a minute after the previous one) once
// the desk has caught up; slowest-catchup-round-s, the longest round while
// catching up on a freshly seeded desk (every open ticket's clock rebuilt
// from its audit trail, every automation already due fired, both bounded
// per round); catchup-total-s and catchup-rounds for the whole catch-up.
//
//	KIZUNA_BENCH_TICKETS=100000 go test -run XXX -bench AutomationPass -benchtime 5x ./internal/automations/
func BenchmarkAutomationPass(b *testing.B) {
	ctx := context.Background()
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	until := time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC)
	var (
		st  *store.DB
		err error
	)
	dir := b.TempDir()
	switch {
	case os.Getenv("KIZUNA_BENCH_DB") != "":
		st, err = store.Open(ctx, os.Getenv("KIZUNA_BENCH_DB"), dir)
	case os.Getenv("KIZUNA_BENCH_DATA") != "":
		st, err = store.Open(ctx, "", os.Getenv("KIZUNA_BENCH_DATA"))
	default:
		n, _ := strconv.Atoi(os.Getenv("KIZUNA_BENCH_TICKETS"))
		if n <= 0 {
			n = 10000
		}
		if st, err = store.Open(ctx, "", dir); err == nil {
			t0 := time.Now()
			_, err = seed.Run(ctx, st, seed.Options{Tickets: n, Seed: 1, Until: until})
			b.Logf("seeded %d tickets in %s", n, time.Since(t0).Round(time.Second))
		}
	}
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		b.Fatal(err)
	}
	// The round runs an hour after the desk's last ticket change (an
	// existing desk was seeded up to its own date).
	var last time.Time
	if err := st.Read(ctx, func(tx *store.Tx) (err error) { last, err = tx.MaxTicketUpdate(); return }); err != nil {
		b.Fatal(err)
	}
	tk := tickets.New(st)
	now := until.Add(time.Hour)
	if last.After(until) {
		now = last.Add(time.Hour)
	}
	tk.Now = func() time.Time { return now }
	tk.BeforeCommit = append(tk.BeforeCommit, automations.BeforeCommit)
	svc := &automations.Service{Store: st, Tickets: tk, Outbox: outbound.New(st, blobs, outbound.Config{}, log), Log: log}
	err = st.Write(ctx, func(tx *store.Tx) error {
		if err := automations.EnsureDefaults(tx, now); err != nil {
			return err
		}
		_, err := automations.Create(tx, automations.Input{Title: strPtr("営業時間で24時間オープンなら優先度を上げる"),
			Conditions: mustConds(`{"all":[{"field":"status","operator":"is","value":"open"},
				{"field":"OPEN","operator":"greater_than_business_hours","value":"24"},
				{"field":"priority","operator":"less_than","value":"high"}]}`),
			Actions: mustActions(`[{"field":"priority","value":"high"}]`)}, now)
		return err
	})
	if err != nil {
		b.Fatal(err)
	}
	// Catch up: on a freshly seeded desk every open ticket still needs its
	// clock (3,000 a round) and everything already due fires (500 per
	// automation a round). Each of these rounds is bounded; the slowest is
	// reported.
	var (
		rounds         int
		slowestCPU     time.Duration
		slowest, total time.Duration
		fired, rebuilt int
	)
	for {
		t0, c0 := time.Now(), cpuTime()
		st, err := svc.Round(ctx, now)
		if err != nil {
			b.Fatal(err)
		}
		took := time.Since(t0)
		slowestCPU = max(slowestCPU, cpuTime()-c0)
		rounds++
		total += took
		slowest = max(slowest, took)
		fired += st.Fired
		rebuilt += st.Clocks
		b.Logf("catch-up round %d: %s %+v", rounds, took.Round(time.Millisecond), st)
		if st.Fired == 0 && st.Clocks == 0 {
			break
		}
		now = now.Add(time.Minute)
	}
	// CPU time as well as wall time: the benchmark machine is shared, and
	// a round waits on the disk (commits, mail blobs) as much as it computes.
	var steady automations.Stats
	cpu0, n := cpuTime(), 0
	for b.Loop() {
		now = now.Add(time.Minute)
		if steady, err = svc.Round(ctx, now); err != nil {
			b.Fatal(err)
		}
		n++
	}
	b.ReportMetric(float64((cpuTime()-cpu0).Milliseconds())/float64(max(n, 1)), "cpu-ms/op")
	b.ReportMetric(slowest.Seconds(), "slowest-catchup-round-s")
	b.ReportMetric(slowestCPU.Seconds(), "slowest-catchup-round-cpu-s")
	b.ReportMetric(total.Seconds(), "catchup-total-s")
	b.ReportMetric(float64(rounds), "catchup-rounds")
	b.ReportMetric(float64(fired), "catchup-fired")
	b.ReportMetric(float64(rebuilt), "clocks")
	b.ReportMetric(float64(steady.Candidates), "candidates/op")
}

// cpuTime is the CPU time this process has used (user + system).
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
