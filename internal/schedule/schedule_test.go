package schedule_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/schedule"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// Two nodes share one database: a round runs on one of them only, the other
// takes over once the first node's lease has expired, and a failed round
// frees the lease at once.
func TestOneNodePerRound(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, st *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 12, 28, 9, 0, 0, 0, time.UTC)
		clock := func() time.Time { return now }
		a := &schedule.Runner{Store: st, Now: clock, Holder: "ノードA"}
		b := &schedule.Runner{Store: st, Now: clock, Holder: "ノードB"}
		runs := map[string]int{}
		job := func(who string, fail bool) schedule.Job {
			return schedule.Job{Name: "自動化", Interval: time.Minute, Lease: 5 * time.Minute, Run: func(context.Context, time.Time) error {
				runs[who]++
				if fail {
					return errors.New("失敗")
				}
				return nil
			}}
		}
		mustRun := func(r *schedule.Runner, j schedule.Job, want bool) {
			t.Helper()
			ran, err := r.RunOnce(ctx, j)
			if err != nil && err.Error() != "失敗" {
				t.Fatal(err)
			}
			if ran != want {
				t.Fatalf("%s ran=%v, want %v", r.Holder, ran, want)
			}
		}
		mustRun(a, job("a", false), true)
		mustRun(b, job("b", false), false) // A holds the lease
		now = now.Add(time.Minute)
		mustRun(a, job("a", false), true) // A renews its own lease
		mustRun(b, job("b", false), false)
		now = now.Add(6 * time.Minute) // A died: its lease ran out
		mustRun(b, job("b", false), true)
		mustRun(a, job("a", false), false)
		mustRun(b, job("b", true), true) // B fails and lets go
		mustRun(a, job("a", false), true)
		if runs["a"] != 3 || runs["b"] != 2 {
			t.Fatalf("runs = %v", runs)
		}
	})
}
