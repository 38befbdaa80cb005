// Package store keeps every record of the desk in SQLite (embedded, default)
// or PostgreSQL. SQL here is portable; what differs between the two lives in
// sqlite.go and postgres.go behind the dialect interface.
package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
)

// ErrNotFound is returned when a looked-up row does not exist.
var ErrNotFound = errors.New("record not found")

// ErrConflict is returned when a write breaks a uniqueness rule (an email or
// external id already in use).
var ErrConflict = errors.New("record conflicts with an existing one")

// Store is the one interface the rest of the program uses. Work happens in
// transactions: Read runs on a reader pool, Write on the single writer
// (SQLite) or a pooled connection (PostgreSQL); fn's error rolls back.
type Store interface {
	Read(ctx context.Context, fn func(*Tx) error) error
	Write(ctx context.Context, fn func(*Tx) error) error
	Dialect() string
	// CredentialsVersion: see credentials_version.go.
	CredentialsVersion() int64
	Close() error
}

// DB implements Store over database/sql.
type DB struct {
	writer *sql.DB
	reader *sql.DB
	d      dialect
	// SQLite only (nil for PostgreSQL): writes grouped into shared
	// transactions, and prepared statements per pool.
	commit                   *committer
	writerStmts, readerStmts *stmtCache
	trim                     *memTrimmer   // SQLite only; see memory_sqlite.go
	side                     *sideReads    // parallel parts of long counts; see side_reads.go
	ckpt                     *checkpointer // SQLite only; see checkpoint_sqlite.go
	cfg                      *configCache  // see config_cache.go
	// liveScope tells apart desks sharing one PostgreSQL database in
	// different schemas: NOTIFY channels are database-wide.
	liveScope string
}

// dialect is everything that differs between SQLite and PostgreSQL.
type dialect interface {
	name() string
	rebind(query string) string
	migrate(ctx context.Context, db *sql.DB) error
	isUniqueViolation(err error) bool
	// lockSuffix is appended to a SELECT that must lock the rows it reads
	// until the transaction ends (SQLite's single writer needs none).
	lockSuffix() string
	// search index maintenance and matching; see search_*.go
	indexer
	// customFieldIs and customFieldPresent are view conditions on the
	// JSON custom fields of tickets t; see views_*.go
	customFieldIs(id int64, want any) (string, []any)
	customFieldPresent(id int64) (string, []any)
	// notify and listen carry live events between nodes; see live*.go
	notify(ctx context.Context, db *sql.DB, channel, payload string) error
	listen(ctx context.Context, db *sql.DB, channel string, fn func(payload string)) error
	// clustered: other nodes may share the database
	clustered() bool
}

// Open connects to the database named by url: "" or "sqlite:" opens the
// embedded SQLite file in dataDir; "postgres://…" opens PostgreSQL.
// Migrations run before Open returns.
func Open(ctx context.Context, url, dataDir string) (*DB, error) {
	var (
		db  *DB
		err error
	)
	switch {
	case url == "" || strings.HasPrefix(url, "sqlite:") || strings.HasPrefix(url, "file:"):
		db, err = openSQLite(url, dataDir)
	case strings.HasPrefix(url, "postgres://") || strings.HasPrefix(url, "postgresql://"):
		db, err = openPostgres(ctx, url)
	default:
		return nil, fmt.Errorf("unsupported database URL %q: use postgres://… or leave empty for embedded SQLite", url)
	}
	if err != nil {
		return nil, err
	}
	if err := db.d.migrate(ctx, db.writer); err != nil {
		db.Close()
		return nil, fmt.Errorf("migrate: %w", err)
	}
	return db, nil
}

// postgres reports whether the store is on PostgreSQL, whose reads and
// writes drive their own connections, rather than on SQLite.
func (db *DB) postgres() bool {
	_, ok := db.d.(postgresDialect)
	return ok
}

// Dialect returns "sqlite" or "postgres".
func (db *DB) Dialect() string { return db.d.name() }

// Close closes all connections.
func (db *DB) Close() error {
	if db.trim != nil {
		db.trim.close()
	}
	if db.commit != nil {
		db.commit.close()
		db.writerStmts.close()
		db.readerStmts.close()
	}
	if db.ckpt != nil {
		db.ckpt.close()
	}
	err := db.writer.Close()
	if db.reader != db.writer {
		if rerr := db.reader.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// Read runs fn in a read-only transaction (on PostgreSQL, on a read-only
// connection outside a transaction: see readPipelined).
func (db *DB) Read(ctx context.Context, fn func(*Tx) error) error {
	if db.trim != nil {
		db.trim.txs.Add(1)
	}
	if db.postgres() {
		return db.readPipelined(ctx, fn) // see pipeline_postgres.go
	}
	return db.readSQLite(ctx, fn)
}

// Write runs fn in a read-write transaction and commits it if fn returns nil.
func (db *DB) Write(ctx context.Context, fn func(*Tx) error) error {
	if db.trim != nil {
		db.trim.txs.Add(1)
	}
	if db.postgres() {
		return db.runPipelined(ctx, fn) // see pipeline_postgres.go
	}
	return db.commit.write(ctx, fn) // SQLite: see group_commit.go
}

// readSQLite runs a read on SQLite's reader pool (writes go through the
// committer, and PostgreSQL through pipeline_postgres.go).
func (db *DB) readSQLite(ctx context.Context, fn func(*Tx) error) error {
	defer db.readerStmts.prepare()
	sqlTx, err := db.reader.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{ctx: ctx, ex: &directExec{tx: sqlTx, stmts: db.readerStmts}, d: db.d, cfg: db.cfg, side: db.side}
	defer func() {
		if v := recover(); v != nil { // don't leave the transaction (and its connection) open
			_ = sqlTx.Rollback()
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback() // after a cancellation: sql.ErrTxDone, nothing to say
		return cancelled(ctx, err)
	}
	if err := sqlTx.Commit(); err != nil {
		return cancelled(ctx, fmt.Errorf("commit: %w", err))
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// cancelled names the caller's cancellation in err. Once ctx is done,
// database/sql rolls the transaction back on its own, so a later query or
// the commit fails with sql.ErrTxDone ("transaction has already been
// committed or rolled back") or a driver's error: the client went away,
// nothing failed. With ctx.Err() in the chain the API and the web let it
// pass without logging; the original error stays in the chain too.
func cancelled(ctx context.Context, err error) error {
	if cerr := ctx.Err(); cerr != nil && !errors.Is(err, cerr) {
		return fmt.Errorf("%w: %w", cerr, err)
	}
	return err
}
