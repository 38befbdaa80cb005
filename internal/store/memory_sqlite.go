package store

import (
	"context"
	"database/sql"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"time"
)

// SQLite keeps its memory outside Go's heap, in the pure-Go C allocator:
// each connection's page cache (up to cache_size, and every 4 KiB page
// costs an 8 KiB slot there), its prepared statements and FTS5's buffers.
// None of that shrinks by itself while a connection stays open, and a
// desk that is used now and then keeps its connections open. The trimmer
// below hands it back when the desk goes quiet: after a window with
// little traffic it empties the writer's page cache (PRAGMA
// shrink_memory), closes the idle readers (their caches and statements
// go with them) and returns Go's freed heap to the OS. A busy desk is
// never trimmed, so searches keep their warm caches.

// trimWindow is how often the trimmer looks. A window that started more
// than quietTxs transactions is busy; the first quiet window after a busy
// one trims, and a desk that stays quiet is trimmed again every other
// window if it did anything at all. Measured at 1M tickets: an idle desk
// runs about three transactions a second (schedulers, live relay, the
// outbox), an automations round about fifteen, a load test hundreds.
var (
	trimWindow = 15 * time.Second
	quietTxs   = int64(100)
)

type memTrimmer struct {
	db      *DB
	txs     atomic.Int64 // transactions started, read and write
	trims   atomic.Int64 // trims done (for tests)
	stop    chan struct{}
	wg      sync.WaitGroup
	readers int // reader pool's idle size, restored after a trim
}

func newMemTrimmer(db *DB, readers int) *memTrimmer {
	t := &memTrimmer{db: db, stop: make(chan struct{}), readers: readers}
	t.wg.Add(1)
	go t.loop()
	return t
}

func (t *memTrimmer) loop() {
	defer t.wg.Done()
	tick := time.NewTicker(trimWindow)
	defer tick.Stop()
	var (
		last     int64
		busy     bool      // a busy window since the last trim
		lastTrim time.Time // zero: never
	)
	for {
		select {
		case <-t.stop:
			return
		case <-tick.C:
		}
		n := t.txs.Load()
		txs := n - last
		last = n
		switch {
		case txs > quietTxs:
			busy = true
			continue
		case busy:
			// first quiet window after a busy one
		case txs > 0 && time.Since(lastTrim) >= 2*trimWindow:
			// light background work refills caches slowly: trim now and
			// then, not every window (a trim closes the idle readers,
			// which the next query reopens, and runs a GC)
		default:
			continue
		}
		t.trim()
		busy = false
		lastTrim = time.Now()
	}
}

// trim gives SQLite's and Go's idle memory back to the OS.
func (t *memTrimmer) trim() {
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
	defer cancel()
	shrink(ctx, t.db.writer)
	// Dropping the idle readers frees their page caches and prepared
	// statements; readers in use stay, and the pool opens new ones on
	// demand. (SetMaxIdleConns(0) closes the idle ones at once.)
	t.db.reader.SetMaxIdleConns(0)
	t.db.reader.SetMaxIdleConns(t.readers)
	debug.FreeOSMemory()
	t.trims.Add(1)
}

// shrink empties the page cache of one connection of pool, waiting at
// most until ctx ends for it (the writer may be busy; then the next quiet
// window tries again).
func shrink(ctx context.Context, pool *sql.DB) {
	c, err := pool.Conn(ctx)
	if err != nil {
		return
	}
	defer c.Close()
	_, _ = c.ExecContext(ctx, "PRAGMA shrink_memory")
}

func (t *memTrimmer) close() {
	close(t.stop)
	t.wg.Wait()
}
