package store

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

//go:embed migrations/sqlite/*.sql
var sqliteMigrations embed.FS

type sqliteDialect struct{ ftsIndexer }

// openSQLite opens the database file in dataDir with one writer connection
// (SQLite allows one writer at a time; queuing in Go is cheaper than
// SQLITE_BUSY retries) and a pool of query-only readers, which WAL lets run
// alongside the writer.
func openSQLite(dsn, dataDir string) (*DB, error) {
	path := strings.TrimPrefix(strings.TrimPrefix(dsn, "sqlite:"), "file:")
	if path == "" {
		if err := os.MkdirAll(dataDir, 0o700); err != nil {
			return nil, fmt.Errorf("create data dir: %w", err)
		}
		path = filepath.Join(dataDir, "kizuna.db")
	}
	// synchronous=NORMAL in WAL mode survives a process crash (kill -9) without
	// losing a committed transaction; only an OS crash or power cut can lose
	// the last few. cache_size is in KiB when negative, per connection:
	// 8 MB, as every cached 4 KiB page takes an 8 KiB slot in the pure-Go
	// allocator (16 MB caches cost up to 32 MB a connection, and halving
	// them showed no slowdown at 1M tickets beyond this machine's run-to-run
	// noise: docs/benchmarks.md, "Memory").
	// memory_sqlite.go hands the caches back when the desk goes quiet.
	pragmas := []string{
		"busy_timeout(10000)", "journal_mode(WAL)", "synchronous(NORMAL)",
		"foreign_keys(ON)", "temp_store(MEMORY)", "cache_size(-8000)",
		"journal_size_limit(67108864)",
	}
	q := url.Values{}
	for _, p := range pragmas {
		q.Add("_pragma", p)
	}
	plainDSN := "file:" + path + "?" + q.Encode()
	wq := url.Values{"_txlock": {"immediate"}}
	for k, v := range q {
		wq[k] = slices.Clone(v)
	}
	wq.Add("_pragma", fmt.Sprintf("wal_autocheckpoint(%d)", writerAutoCheckpoint)) // a backstop: checkpoint_sqlite.go
	writer, err := sql.Open("sqlite", "file:"+path+"?"+wq.Encode())
	if err != nil {
		return nil, err
	}
	writer.SetMaxOpenConns(1)
	writer.SetMaxIdleConns(1)
	writer.SetConnMaxLifetime(0)
	if err := writer.Ping(); err != nil {
		writer.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	q.Add("_pragma", "query_only(1)")
	reader, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		writer.Close()
		return nil, err
	}
	n := max(4, 2*runtime.NumCPU())
	reader.SetMaxOpenConns(n)
	reader.SetMaxIdleConns(n)
	// Each reader keeps its own page cache; closing readers idle for a
	// minute hands that memory back, so an idle desk stays small after a
	// burst of searches.
	reader.SetConnMaxIdleTime(time.Minute)
	d := sqliteDialect{ftsIndexer{}}
	ckpt, err := sql.Open("sqlite", plainDSN)
	if err != nil {
		writer.Close()
		reader.Close()
		return nil, err
	}
	db := &DB{writer: writer, reader: reader, d: d, writerStmts: newStmtCache(writer), readerStmts: newStmtCache(reader), cfg: newConfigCache()}
	db.ckpt = newCheckpointer(ckpt)
	db.commit = newCommitter(writer, d, db.writerStmts, db.cfg, db.ckpt.committed)
	db.trim = newMemTrimmer(db, n)
	db.side = newSideReads(reader)
	return db, nil
}

func (sqliteDialect) name() string { return "sqlite" }

func (sqliteDialect) rebind(q string) string { return q }

func (sqliteDialect) isUniqueViolation(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code()
		return c == sqlite3.SQLITE_CONSTRAINT_UNIQUE || c == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

func (sqliteDialect) migrate(ctx context.Context, db *sql.DB) error {
	var before int
	_ = db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&before) // no table yet: 0
	if err := runMigrations(ctx, db, sqliteMigrations, "migrations/sqlite", func(q string) string { return q }); err != nil {
		return err
	}
	var after, analyzed int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM schema_migrations").Scan(&after); err != nil {
		return err
	}
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat1'").Scan(&analyzed); err != nil {
		return err
	}
	// A database that has planner statistics (a seeded or long-used desk)
	// gets none for the indexes a new migration made, and SQLite then
	// prefers the analysed ones: a view that should read a new index reads
	// a million rows instead (seen: 13 s). Re-analysing after an upgrade
	// costs seconds once.
	if after > before && before > 0 && analyzed > 0 {
		if _, err := db.ExecContext(ctx, "ANALYZE"); err != nil {
			return fmt.Errorf("analyze after migrations: %w", err)
		}
	}
	return dropSamples(ctx, db)
}

// unsampledTables are read by a key whose value never deserves another
// plan: a ticket's history by ticket id (each ticket has a handful of
// rows), identities by their unique (type, value), the full-text indexes'
// segment directories (FTS5's own statements) by segment and term. With
// stat4 samples for them SQLite re-plans every such query at every
// execution, in case the bound value did; re-planning was two thirds of
// the cost of reading a new ticket's audit back, and the requester's
// lookup by email was 11 % of the server's CPU while creating tickets (all
// of it in the single writer). Their samples are dropped after each
// ANALYZE; the averages in sqlite_stat1 stay.
var unsampledTables = []string{"audits", "comments", "user_identities",
	"ticket_fts_idx", "user_fts_idx", "organization_fts_idx", "ticket_fts_config", "user_fts_config", "organization_fts_config"}

type execQueryer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

func dropSamples(ctx context.Context, db execQueryer) error {
	var stat4 int
	if err := db.QueryRowContext(ctx, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'sqlite_stat4'").Scan(&stat4); err != nil || stat4 == 0 {
		return err
	}
	res, err := db.ExecContext(ctx, "DELETE FROM sqlite_stat4 WHERE tbl IN ("+placeholders(len(unsampledTables))+")", stringArgs(unsampledTables)...)
	if err != nil {
		return fmt.Errorf("drop samples: %w", err)
	}
	if n, _ := res.RowsAffected(); n > 0 {
		_, err = db.ExecContext(ctx, "ANALYZE sqlite_schema") // reloads the statistics
	}
	return err
}

func (sqliteDialect) lockSuffix() string { return "" }
