package store

import (
	"context"
	"database/sql"
	"fmt"
)

// bulkSession relaxes the connection for a bulk transaction: with
// synchronous=OFF a commit does not wait for fsync, and a bigger page cache
// keeps the indexes being filled in memory. In WAL mode a crash of the
// process still loses nothing committed; an OS crash or power cut during the
// load can damage the database, which is why this is only for loads that can
// be redone (seeding, imports), and why FinishBulk checkpoints with the
// normal settings back in place. Both pragmas are restored to what the
// connection had before.
func (sqliteDialect) bulkSession(ctx context.Context, conn *sql.Conn) (func(), error) {
	var sync, cache int64
	if err := conn.QueryRowContext(ctx, "PRAGMA synchronous").Scan(&sync); err != nil {
		return nil, err
	}
	if err := conn.QueryRowContext(ctx, "PRAGMA cache_size").Scan(&cache); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA synchronous = OFF"); err != nil {
		return nil, err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA cache_size = -262144"); err != nil { // 256 MiB
		return nil, err
	}
	return func() {
		ctx := context.WithoutCancel(ctx)
		conn.ExecContext(ctx, fmt.Sprintf("PRAGMA synchronous = %d", sync))
		conn.ExecContext(ctx, fmt.Sprintf("PRAGMA cache_size = %d", cache))
	}, nil
}

// FTS5 settings for bulk transactions. FTS5 writes its in-memory index to
// a new segment whenever it passes hashsize (1 MB by default) and at every
// statement; a bulk transaction raises the limit so each batch becomes one
// segment. The setting is stored with the table, so every bulk transaction
// restores the default before it commits.
//
// Merging is left on during the load on purpose. FTS5 numbers levels by
// how often a segment was merged, not by its size, and finishBulk's
// 'optimize' puts the single merged segment on the structure's top level;
// loaded without merging, that is level 1, where the first few dozen small
// writes afterwards start merging the whole index into their own segments,
// a crisis merge (many minutes, blocking every write) included. Loaded with
// merging, the index ends several levels up, out of their way.
var (
	bulkFTSConfig    = [][2]any{{"hashsize", 256 << 20}}
	defaultFTSConfig = [][2]any{{"hashsize", 1 << 20}}
)

func (sqliteDialect) bulkTx(t *Tx) error { return setFTSConfig(t, bulkFTSConfig) }

func (sqliteDialect) bulkEnd(t *Tx) error { return setFTSConfig(t, defaultFTSConfig) }

func setFTSConfig(t *Tx, settings [][2]any) error {
	for _, table := range ftsTables {
		for _, kv := range settings {
			if _, err := t.exec("INSERT INTO "+table+" ("+table+", rank) VALUES (?, ?)", kv[0], kv[1]); err != nil {
				return err
			}
		}
	}
	return nil
}

// nextIDs: SQLite has one writer, so inside a write transaction the ids
// after the current maximum are ours (rowid tables without AUTOINCREMENT
// hand out max+1 the same way).
func (sqliteDialect) nextIDs(t *Tx, table string, n int) ([]int64, error) {
	var last int64
	if err := t.queryRow("SELECT COALESCE(MAX(id), 0) FROM " + table).Scan(&last); err != nil {
		return nil, t.wrap(err)
	}
	ids := make([]int64, n)
	for i := range ids {
		ids[i] = last + 1 + int64(i)
	}
	return ids, nil
}

// steadyMerge is set after a bulk load. After 'optimize' a bulk-loaded index is one big segment a
// few levels up (see bulkFTSConfig), far bigger than FTS5 expects at that
// level. With the default automerge=4, a few thousand small writes later
// that level holds four segments and FTS5 starts merging the whole index
// into them, a few pages per write for tens of thousands of writes (we saw
// creates drop from ~300/s to ~85/s on a million tickets). automerge=16
// makes a level wait for 16 segments, pushing that merge back by a factor
// of 4 per level (16^5 instead of 4^5 flushes for level 5), and
// crisismerge=64 keeps FTS5's blocking emergency merge for real pile-ups.
// The cost is more, smaller segments for queries to visit.
var steadyMerge = [][2]any{{"automerge", 16}, {"crisismerge", 64}}

// finishBulk merges each full-text index into one segment (a minute for a
// million tickets), gathers statistics for the planner (a full ANALYZE: a
// few seconds; sampled statistics mislead it, e.g. into filtering a view by
// group instead of by assignee) and moves the WAL into the database file
// with the normal syncing back in place.
func (sqliteDialect) finishBulk(ctx context.Context, db *DB) error {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	for _, table := range ftsTables {
		if _, err := conn.ExecContext(ctx, "INSERT INTO "+table+" ("+table+") VALUES ('optimize')"); err != nil {
			return fmt.Errorf("optimize %s: %w", table, err)
		}
		for _, kv := range steadyMerge {
			if _, err := conn.ExecContext(ctx, "INSERT INTO "+table+" ("+table+", rank) VALUES (?, ?)", kv[0], kv[1]); err != nil {
				return fmt.Errorf("%s %v: %w", table, kv, err)
			}
		}
	}
	if _, err := conn.ExecContext(ctx, "ANALYZE"); err != nil {
		return fmt.Errorf("ANALYZE: %w", err)
	}
	if err := dropSamples(ctx, conn); err != nil {
		return err
	}
	if _, err := conn.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)"); err != nil {
		return fmt.Errorf("checkpoint: %w", err)
	}
	return nil
}

// SQLite's default SQLITE_MAX_VARIABLE_NUMBER is 32766.
func (sqliteDialect) maxVars() int { return 32766 }

// indexWriter adds rows to a kind's FTS5 table; the ids are new, so unlike
// index there is no DELETE first.
func (sqliteDialect) indexWriter(t *Tx, kind docKind) *rowWriter {
	return t.newRowWriter(ftsTables[kind], "rowid, "+ftsCols(kind))
}
