package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
	"time"
)

// Background checkpoints for SQLite. In WAL mode every commit appends its
// pages to the log, and a checkpoint copies them into the database file
// and syncs it. SQLite's automatic checkpoint runs inside the commit that
// crosses its threshold (1,000 pages by default): with one client, one
// create in 25 waited for the copy and two fsyncs (p95 5 ms against a
// p50 of 1 ms), and under load the single writer spent its time on it.
//
// Here a goroutine with its own connection runs a PASSIVE checkpoint
// shortly after commits (it never blocks the writer or readers); the
// writer keeps its automatic checkpoint at a high threshold only as a
// backstop. The log can start over from its beginning only when a write
// begins with every frame copied: with writes back to back that is the
// backstop's doing, which then finds little left to copy.

// checkpointDelay is how long after a commit the checkpointer waits, so
// that one checkpoint copies the pages of many commits.
var checkpointDelay = 20 * time.Millisecond

// writerAutoCheckpoint is the writer's own threshold, in pages (32 MB).
const writerAutoCheckpoint = 8000

type checkpointer struct {
	db    *sql.DB
	delay time.Duration // checkpointDelay when it started
	kick  chan struct{}
	stop  chan struct{}
	wg    sync.WaitGroup
	runs  atomic.Int64 // checkpoints done, for tests
}

func newCheckpointer(db *sql.DB) *checkpointer {
	db.SetMaxOpenConns(1)
	db.SetMaxIdleConns(1)
	c := &checkpointer{db: db, delay: checkpointDelay, kick: make(chan struct{}, 1), stop: make(chan struct{})}
	c.wg.Add(1)
	go c.loop()
	return c
}

// committed tells the checkpointer that the log grew; it never blocks.
func (c *checkpointer) committed() {
	select {
	case c.kick <- struct{}{}:
	default:
	}
}

func (c *checkpointer) loop() {
	defer c.wg.Done()
	for {
		select {
		case <-c.stop:
			return
		case <-c.kick:
		}
		select {
		case <-c.stop:
			return
		case <-time.After(c.delay):
		}
		// An error (a busy lock, a closing database) leaves the pages in
		// the log for the next round or the writer's backstop.
		if _, err := c.db.ExecContext(context.Background(), "PRAGMA wal_checkpoint(PASSIVE)"); err == nil {
			c.runs.Add(1)
		}
	}
}

func (c *checkpointer) close() error {
	close(c.stop)
	c.wg.Wait()
	return c.db.Close()
}
