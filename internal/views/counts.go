package views

import (
	"context"
	"errors"
	"strings"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Counter caches view counts, as Zendesk does: a COUNT over hundreds of
// thousands of tickets per view per sidebar refresh would not scale, so a
// count is computed once, answered from memory, and recomputed in the
// background when tickets change. Every ticket write bumps a generation
// (Invalidate, from the tickets service's OnChange); an entry computed
// under an older generation is stale: it is still answered, with fresh
// false, while the refresher recomputes it. Writes made on other nodes
// are noticed by polling the newest ticket update time once a second.
type Counter struct {
	s *Service
	// TimeTTL bounds the age of counts whose conditions depend on the
	// clock (hours since, snoozes, SLA targets); MaxAge bounds any count,
	// catching writes that bypass the tickets service. Idle entries (not
	// asked for) are dropped.
	TimeTTL, MaxAge, Idle time.Duration
	// Workers bounds concurrent recomputations.
	Workers int

	mu      sync.Mutex
	gen     uint64
	entries map[countKey]*countEntry
	wake    chan struct{}
	lastMax time.Time
}

type countKey struct{ view, user int64 }

type countEntry struct {
	q       store.ViewQuery
	timeDep bool
	value   int64
	valid   bool
	gen     uint64
	at      time.Time
	asked   time.Time
	running bool
}

// Count is one view's count as count_many returns it.
type Count struct {
	ViewID int64
	Value  int64
	Known  bool // false: not computed yet (value null, pretty "...")
	Fresh  bool
}

func newCounter(s *Service) *Counter {
	return &Counter{s: s, TimeTTL: 30 * time.Second, MaxAge: 5 * time.Minute, Idle: 10 * time.Minute, Workers: 2,
		entries: map[countKey]*countEntry{}, wake: make(chan struct{}, 1)}
}

// Invalidate marks every cached count stale and wakes the refresher.
func (c *Counter) Invalidate() {
	c.mu.Lock()
	c.gen++
	c.mu.Unlock()
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Forget drops a view's cached counts (it changed or was deleted).
func (c *Counter) Forget(viewID int64) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for k := range c.entries {
		if k.view == viewID {
			delete(c.entries, k)
		}
	}
}

func dependsOn(v *store.View) (user, clock bool) {
	for _, list := range [][]store.ViewCondition{v.Conditions.All, v.Conditions.Any} {
		for _, cd := range list {
			if s, ok := cd.Value.(string); ok && (s == "current_user" || s == "current_groups") {
				user = true
			}
			if hoursField(cd.Field) || cd.Field == "snoozed" || cd.Field == "sla_at_risk" {
				clock = true
			}
		}
	}
	return user, clock
}

func hoursField(f string) bool {
	switch f {
	case "NEW", "SOLVED":
		return true
	}
	return strings.HasSuffix(f, "_at") || strings.HasPrefix(f, "hours_since_")
}

// stale reports whether e needs recomputing; c.mu is held.
func (c *Counter) stale(e *countEntry, now time.Time) bool {
	age := now.Sub(e.at)
	return !e.valid || e.gen != c.gen || age > c.MaxAge || (e.timeDep && age > c.TimeTTL)
}

// get answers a view's count for vw: the cached value when there is one
// (fresh or not), else it is computed now.
func (c *Counter) get(ctx context.Context, vw viewer, v *store.View) (Count, error) {
	userDep, clock := dependsOn(v)
	key := countKey{view: v.ID}
	if userDep {
		key.user = vw.ID
	}
	now := c.s.Now()
	c.mu.Lock()
	e := c.entries[key]
	if e == nil {
		e = &countEntry{timeDep: clock}
		c.entries[key] = e
	}
	// The asker's groups may have changed since; the next recount uses these.
	e.q = store.ViewQuery{Conditions: v.Conditions, CurrentUser: vw.ID, CurrentGroups: vw.groups}
	e.asked = now
	if e.valid {
		fresh := !c.stale(e, now)
		out := Count{ViewID: v.ID, Value: e.value, Known: true, Fresh: fresh}
		c.mu.Unlock()
		if !fresh {
			select {
			case c.wake <- struct{}{}:
			default:
			}
		}
		return out, nil
	}
	gen := c.gen
	q := e.q
	c.mu.Unlock()
	n, err := c.compute(ctx, q, now)
	if err != nil {
		return Count{}, err
	}
	c.store(key, n, gen, now)
	return Count{ViewID: v.ID, Value: n, Known: true, Fresh: true}, nil
}

func (c *Counter) compute(ctx context.Context, q store.ViewQuery, now time.Time) (int64, error) {
	q.Now = now
	var n int64
	err := c.s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountView(q)
		return err
	})
	return n, err
}

func (c *Counter) store(key countKey, n int64, gen uint64, at time.Time) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if e := c.entries[key]; e != nil {
		e.value, e.valid, e.gen, e.at, e.running = n, true, gen, at, false
	}
}

// Refresh recomputes every stale count asked for recently, at most
// Workers at a time, and drops counts nobody asked for within Idle. The
// background loop calls it; tests call it directly.
func (c *Counter) Refresh(ctx context.Context) error {
	now := c.s.Now()
	type job struct {
		key countKey
		q   store.ViewQuery
	}
	var jobs []job
	c.mu.Lock()
	gen := c.gen
	for k, e := range c.entries {
		switch {
		case now.Sub(e.asked) > c.Idle:
			delete(c.entries, k)
		case !e.running && c.stale(e, now):
			e.running = true
			jobs = append(jobs, job{k, e.q})
		}
	}
	c.mu.Unlock()
	sem := make(chan struct{}, max(1, c.Workers))
	var (
		wg       sync.WaitGroup
		errMu    sync.Mutex
		firstErr error
	)
	for _, j := range jobs {
		wg.Add(1)
		sem <- struct{}{}
		go func() {
			defer func() { <-sem; wg.Done() }()
			n, err := c.compute(ctx, j.q, now)
			if err != nil {
				c.mu.Lock()
				if e := c.entries[j.key]; e != nil {
					e.running = false
				}
				c.mu.Unlock()
				errMu.Lock()
				if firstErr == nil {
					firstErr = err
				}
				errMu.Unlock()
				return
			}
			c.store(j.key, n, gen, now)
		}()
	}
	wg.Wait()
	return firstErr
}

// Loop refreshes counts until ctx ends: soon after a local ticket write
// (coalescing bursts), and every second after polling for writes made by
// other nodes.
func (c *Counter) Loop(ctx context.Context) {
	tick := time.NewTicker(time.Second)
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-c.wake:
			select { // let a burst of writes land first
			case <-time.After(50 * time.Millisecond):
			case <-ctx.Done():
				return
			}
		case <-tick.C:
			c.poll(ctx)
		}
		if err := c.Refresh(ctx); err != nil && ctx.Err() == nil {
			c.s.Log.Warn("view counts: refresh failed", "err", err)
		}
	}
}

// poll bumps the generation when the newest ticket update time moved,
// which is how writes on other nodes reach this node's cache.
func (c *Counter) poll(ctx context.Context) {
	var latest time.Time
	if err := c.s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		latest, err = tx.MaxTicketUpdate()
		return err
	}); err != nil {
		return
	}
	c.mu.Lock()
	changed := !latest.Equal(c.lastMax)
	c.lastMax = latest
	if changed {
		c.gen++
	}
	c.mu.Unlock()
}

// CountMany answers count_many: the views actor may see among ids, each
// from the cache. Unknown or hidden ids are left out, as Zendesk does.
func (s *Service) CountMany(ctx context.Context, actor *model.User, ids []int64) ([]Count, error) {
	var (
		vw   viewer
		list []*store.View
	)
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		if vw, err = s.viewer(tx, actor); err != nil {
			return err
		}
		for _, id := range ids {
			v, err := tx.View(id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && !vw.visible(v)) {
				continue
			}
			if err != nil {
				return err
			}
			list = append(list, v)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out := make([]Count, 0, len(list))
	for _, v := range list {
		n, err := s.Counts.get(ctx, vw, v)
		if err != nil {
			return nil, err
		}
		out = append(out, n)
	}
	return out, nil
}
