// Package schedule runs timed work — automations, SLA warnings, snooze
// wake-ups, survey mails, webhook retries — once per round across every node
// that shares the database: a round runs only on the node holding its lease.
package schedule

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// Holder names this process in leases; unique per process.
var Holder = func() string {
	b := make([]byte, 8)
	rand.Read(b)
	return hex.EncodeToString(b)
}()

// Job is one kind of timed work.
type Job struct {
	Name     string        // lease name, unique per kind of work
	Interval time.Duration // time between rounds
	// Run does one round. It should work in bounded batches and return
	// well within Lease.
	Run func(ctx context.Context, now time.Time) error
	// Lease is how long a round may hold the lease; default 5×Interval,
	// at least a minute, so a node that dies mid-round is replaced soon.
	Lease time.Duration
}

// Runner runs jobs against one store.
type Runner struct {
	Store  store.Store
	Log    *slog.Logger
	Now    func() time.Time // default time.Now
	Holder string           // default Holder
}

// Loop runs job every Interval until ctx ends. Rounds on other nodes and
// rounds that fail are logged, never fatal.
func (r *Runner) Loop(ctx context.Context, job Job) {
	t := time.NewTicker(job.Interval)
	defer t.Stop()
	for {
		if _, err := r.RunOnce(ctx, job); err != nil && ctx.Err() == nil {
			r.log().Error("scheduled job failed", "job", job.Name, "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce does one round of job if this node gets its lease; ran reports
// whether it did. Tests call it directly with a fixed clock.
func (r *Runner) RunOnce(ctx context.Context, job Job) (ran bool, err error) {
	now := r.now()
	lease := job.Lease
	if lease <= 0 {
		lease = max(5*job.Interval, time.Minute)
	}
	holder := r.holder()
	err = r.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		ran, err = tx.TryLease(job.Name, holder, now, lease)
		return err
	})
	if err != nil || !ran {
		return false, err
	}
	runErr := job.Run(ctx, now)
	// Keep the lease until it expires on success so a second node's ticker
	// does not repeat the round it just missed; release it on failure so
	// another node can try at once.
	if runErr != nil {
		_ = r.Store.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error { return tx.ReleaseLease(job.Name, holder) })
	}
	return true, runErr
}

func (r *Runner) now() time.Time {
	if r.Now != nil {
		return r.Now()
	}
	return time.Now()
}

func (r *Runner) holder() string {
	if r.Holder != "" {
		return r.Holder
	}
	return Holder
}

func (r *Runner) log() *slog.Logger {
	if r.Log != nil {
		return r.Log
	}
	return slog.Default()
}
