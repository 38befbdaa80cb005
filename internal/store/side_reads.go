package store

import (
	"database/sql"
	"errors"
	"math"
	"runtime"
	"slices"
	"sync"
	"sync/atomic"
)

// sideReads lets one read transaction spread a long count over the other
// cores: counting a common word in a big desk reads long posting lists
// (164,000 matches of サーバー take 40 ms on one core at a million
// tickets), and the parts by id range are independent.
//
// The parts run on other connections of the read pool, outside the
// transaction's snapshot: they see what was committed when they start,
// a few milliseconds later at most. That is fine for a search's count,
// never for anything written back.
//
// SQLite only: PostgreSQL runs its own parallel workers, and a count
// limited to an id range made its planner walk the primary key and test
// every ticket's tsvector (500 ms for 配送 at a million tickets, against
// 230 ms for the whole count through the full-text index).
//
// Slots are taken without waiting and are fewer than the pool's
// connections, so a transaction that waits for its parts never waits for
// a connection held by another such transaction.
type sideReads struct {
	pool   *sql.DB
	slots  chan struct{}
	splits atomic.Int64 // counts run in parts, for tests
}

func newSideReads(pool *sql.DB) *sideReads {
	n := runtime.NumCPU() - 1
	if n <= 0 {
		return nil
	}
	return &sideReads{pool: pool, slots: make(chan struct{}, n)}
}

// take reserves up to want slots and returns how many it got.
func (s *sideReads) take(want int) int {
	got := 0
	for got < want {
		select {
		case s.slots <- struct{}{}:
			got++
		default:
			return got
		}
	}
	return got
}

func (s *sideReads) give(n int) {
	for range n {
		<-s.slots
	}
}

// splitSpan is the fewest ticket ids a part of a split count covers: below
// that, a count is fast enough on one core.
var splitSpan int64 = 1 << 17 // a variable so tests can split small desks

// countTicketsSplit runs query, a COUNT(*) whose last clause is a WHERE
// or nothing, over ranges of ticket ids, in parallel where spare
// connections allow. idExpr is the ticket id in query's terms.
func (t *Tx) countTicketsSplit(query, idExpr string, args []any) (int64, error) {
	if t.side == nil {
		return t.count(query, args...)
	}
	var top int64
	if err := t.queryRow("SELECT COALESCE(MAX(id), 0) FROM tickets").Scan(&top); err != nil {
		return 0, t.wrap(err)
	}
	extra := t.side.take(int(min(top/splitSpan, math.MaxInt32)) - 1)
	if extra <= 0 {
		return t.count(query, args...)
	}
	defer t.side.give(extra)
	t.side.splits.Add(1)
	parts := extra + 1
	step := top/int64(parts) + 1
	ranged := query + " AND " + idExpr + " >= ? AND " + idExpr + " < ?"
	counts := make([]int64, parts)
	errs := make([]error, parts)
	var wg sync.WaitGroup
	for i := 1; i < parts; i++ {
		lo, hi := int64(i)*step, int64(i+1)*step
		if i == parts-1 {
			hi = math.MaxInt64 // tickets created since MAX(id) was read
		}
		wg.Go(func() {
			err := t.side.pool.QueryRowContext(t.ctx, t.d.rebind(ranged), append(slices.Clone(args), lo, hi)...).Scan(&counts[i])
			errs[i] = t.wrap(err)
		})
	}
	counts[0], errs[0] = t.count(ranged, append(slices.Clone(args), int64(0), step)...)
	wg.Wait()
	var n int64
	for _, c := range counts {
		n += c
	}
	return n, errors.Join(errs...)
}
