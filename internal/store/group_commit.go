package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// Group commit for SQLite. SQLite has one writer, so concurrent Write calls
// queue for it anyway; committing each alone makes every write pay for its
// own commit: its pages appended to the WAL, and a fresh segment in each
// full-text index it touched (which FTS5 must later merge). The committer
// runs whatever writes are waiting in one transaction instead, each inside
// its own SAVEPOINT: a write whose function fails is rolled back alone and
// gets its error; the others commit together, and none returns before its
// data is committed. Writes run without their callers' cancellation: a
// cancelled request must not interrupt the shared connection, and a write
// that has started is finished (SQLite would roll back the whole
// transaction on interrupt).

// maxGroup bounds how many writes share one transaction, and so how long
// the last of them waits.
const maxGroup = 64

// groupWait is how long a busy committer waits for more writes to join a
// group: a fraction of what a commit costs.
const groupWait = 300 * time.Microsecond

type writeReq struct {
	ctx  context.Context
	fn   func(*Tx) error
	done chan writeRes
}

type writeRes struct {
	err         error
	afterCommit []func()
	panicked    any // re-raised in the caller, as if fn had run there
}

type committer struct {
	db    *sql.DB
	d     dialect
	stmts *stmtCache
	cfg   *configCache
	queue chan *writeReq
	stop  chan struct{}
	wg    sync.WaitGroup
	// committed, when set, is told of every commit (the checkpointer).
	committed func()

	groups, writes atomic.Int64 // for GroupCommitStats
}

// GroupCommitStats reports how many transactions the SQLite committer ran
// and how many writes they held (0, 0 on PostgreSQL).
func (db *DB) GroupCommitStats() (groups, writes int64) {
	if db.commit == nil {
		return 0, 0
	}
	return db.commit.groups.Load(), db.commit.writes.Load()
}

func newCommitter(db *sql.DB, d dialect, stmts *stmtCache, cfg *configCache, committed func()) *committer {
	c := &committer{db: db, d: d, stmts: stmts, cfg: cfg, queue: make(chan *writeReq, 1024), stop: make(chan struct{}), committed: committed}
	c.wg.Add(1)
	go c.loop()
	return c
}

// write queues fn and waits until its group has committed.
func (c *committer) write(ctx context.Context, fn func(*Tx) error) error {
	req := &writeReq{ctx: context.WithoutCancel(ctx), fn: fn, done: make(chan writeRes, 1)}
	select {
	case c.queue <- req:
	case <-ctx.Done(): // not started yet: giving up is safe
		return ctx.Err()
	case <-c.stop:
		return errors.New("store: database is closed")
	}
	res := <-req.done
	if res.panicked != nil {
		panic(res.panicked)
	}
	if res.err == nil {
		for _, f := range res.afterCommit {
			f()
		}
	}
	return res.err
}

func (c *committer) close() {
	close(c.stop)
	c.wg.Wait()
}

func (c *committer) loop() {
	defer c.wg.Done()
	group := make([]*writeReq, 0, maxGroup)
	last := 0
	for {
		select {
		case <-c.stop:
			return
		case req := <-c.queue:
			group = append(group[:0], req)
		}
	collect: // take what else is already waiting, without waiting for more
		for len(group) < maxGroup {
			select {
			case req := <-c.queue:
				group = append(group, req)
			default:
				break collect
			}
		}
		// Under concurrent load (the last group had company) a short wait
		// gathers more writes into this commit; each commit costs about as
		// much as several writes. A lone writer never waits. The wait ends
		// once as many writes are here as the last group held: those are
		// the writers to expect, and holding them longer only delays them
		// (a fixed target of maxGroup/2, which sixteen clients never
		// reach, held every group for the whole wait).
		if last > 1 && len(group) < last {
			timer := time.NewTimer(groupWait)
		wait:
			for len(group) < last {
				select {
				case req := <-c.queue:
					group = append(group, req)
				case <-timer.C:
					break wait
				}
			}
			timer.Stop()
		}
		last = len(group)
		c.groups.Add(1)
		c.writes.Add(int64(len(group)))
		c.run(group)
		c.stmts.prepare()
	}
}

// run executes one group in one transaction.
func (c *committer) run(group []*writeReq) {
	results := make([]writeRes, len(group))
	fail := func(err error) {
		for _, r := range group {
			r.done <- writeRes{err: err}
		}
	}
	sqlTx, err := c.db.BeginTx(context.Background(), nil)
	if err != nil {
		fail(fmt.Errorf("begin: %w", err))
		return
	}
	queues := make([][]indexOp, len(group))
	ex := &directExec{tx: sqlTx, stmts: c.stmts, bound: make(map[string]*sql.Stmt, 32)}
	stamp := &stampMemo{} // one transaction, one reading of config_stamp
	for i, r := range group {
		tx := &Tx{ctx: r.ctx, ex: ex, d: c.d, indexQueue: &queues[i], cfg: c.cfg, stamp: stamp}
		if len(group) == 1 { // alone: no savepoint needed
			results[i] = call(r.fn, tx)
			break
		}
		if _, err := sqlTx.ExecContext(r.ctx, "SAVEPOINT kizuna_write"); err != nil {
			_ = sqlTx.Rollback()
			fail(err)
			return
		}
		results[i] = call(r.fn, tx)
		var err error
		if results[i].err != nil || results[i].panicked != nil {
			stamp.ok = false // the write may have changed the configuration
			_, err = sqlTx.ExecContext(r.ctx, "ROLLBACK TO kizuna_write")
		}
		if err == nil {
			_, err = sqlTx.ExecContext(r.ctx, "RELEASE kizuna_write")
		}
		if err != nil { // the transaction is unusable: fail the group
			_ = sqlTx.Rollback()
			fail(fmt.Errorf("savepoint: %w", err))
			return
		}
	}
	if len(group) == 1 && (results[0].err != nil || results[0].panicked != nil) {
		_ = sqlTx.Rollback()
		group[0].done <- results[0]
		return
	}
	var ops []indexOp
	for i := range group {
		if results[i].err == nil && results[i].panicked == nil {
			ops = append(ops, queues[i]...)
		}
	}
	if len(ops) > 0 {
		tx := &Tx{ctx: context.Background(), ex: ex, d: c.d}
		if err := c.d.(ftsIndexer2).applyIndexOps(tx, ops); err != nil {
			_ = sqlTx.Rollback()
			fail(fmt.Errorf("search index: %w", err))
			return
		}
	}
	if err := sqlTx.Commit(); err != nil {
		fail(fmt.Errorf("commit: %w", err))
		return
	}
	if c.committed != nil {
		c.committed()
	}
	for i, r := range group {
		r.done <- results[i]
	}
}

// ftsIndexer2 is the SQLite dialect's deferred-index writer.
type ftsIndexer2 interface {
	applyIndexOps(t *Tx, ops []indexOp) error
}

// call runs one write's function, catching a panic so that it fails only
// that write (and is re-raised in its caller).
func call(fn func(*Tx) error, tx *Tx) (res writeRes) {
	defer func() {
		if v := recover(); v != nil {
			res = writeRes{err: fmt.Errorf("panic: %v", v), panicked: v}
		}
	}()
	err := fn(tx)
	return writeRes{err: err, afterCommit: tx.afterCommit}
}
