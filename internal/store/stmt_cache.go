package store

import (
	"context"
	"database/sql"
	"sync"
	"sync/atomic"
)

// stmtCache keeps SQLite statements prepared, per connection pool, so hot
// queries skip SQLite's parser and planner; the pure-Go SQLite spends
// about as long preparing a typical statement as running it. PostgreSQL
// needs none: pgx caches prepared statements per connection itself.
//
// A query seen for the first time runs unprepared and is prepared on the
// pool after its transaction ends: preparing on the pool inside a
// transaction could wait for a connection the transaction itself holds
// (the SQLite writer has only one).
type stmtCache struct {
	db         *sql.DB
	mu         sync.Mutex
	m          map[string]*sql.Stmt
	pending    map[string]bool
	hasPending atomic.Bool
}

// maxCachedStmts bounds the cache: queries with variable-length IN lists
// make many distinct texts, and those past the bound are simply not cached.
const maxCachedStmts = 400

func newStmtCache(db *sql.DB) *stmtCache {
	return &stmtCache{db: db, m: map[string]*sql.Stmt{}, pending: map[string]bool{}}
}

// stmt returns query's statement bound to tx, or nil when it is not
// prepared yet (the caller then runs the query unprepared).
func (c *stmtCache) stmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	c.mu.Lock()
	st := c.m[query]
	if st == nil && c.m != nil && len(c.m)+len(c.pending) < maxCachedStmts {
		c.pending[query] = true
		c.hasPending.Store(true)
	}
	c.mu.Unlock()
	if st == nil {
		return nil
	}
	return tx.StmtContext(ctx, st)
}

// prepare prepares the queries seen since the last call; call it with no
// transaction of this goroutine open.
func (c *stmtCache) prepare() {
	if !c.hasPending.Load() {
		return
	}
	c.mu.Lock()
	queries := make([]string, 0, len(c.pending))
	for q := range c.pending {
		queries = append(queries, q)
	}
	clear(c.pending)
	c.hasPending.Store(false)
	c.mu.Unlock()
	for _, q := range queries {
		st, err := c.db.PrepareContext(context.Background(), q)
		if err != nil {
			continue // e.g. a syntax error: the plain call reports it
		}
		c.mu.Lock()
		if c.m == nil || c.m[q] != nil {
			st.Close()
		} else {
			c.m[q] = st
		}
		c.mu.Unlock()
	}
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}

// lastInsertIDer marks a dialect whose driver reports the new row's id
// without RETURNING. With the pure-Go SQLite, a plain exec costs about a
// quarter of INSERT … RETURNING read back as a row.
type lastInsertIDer interface{ lastInsertID() }

func (sqliteDialect) lastInsertID() {}
