package store

import (
	"context"
	"time"
)

// SetRelevanceWindow shrinks the relevance window for a test and returns a
// function restoring it.
func SetRelevanceWindow(n int) (restore func()) {
	old := relevanceWindow
	relevanceWindow = n
	return func() { relevanceWindow = old }
}

// SetFirstSpan shrinks PostgreSQL's first relevance id range for a test.
func SetFirstSpan(n int64) (restore func()) {
	old := firstSpan
	firstSpan = n
	return func() { firstSpan = old }
}

// SetSplitSpan makes counts split small desks into parallel parts, and
// returns a function restoring the span.
func SetSplitSpan(n int64) (restore func()) {
	old := splitSpan
	splitSpan = n
	return func() { splitSpan = old }
}

// SplitCounts is how many counts ran in parallel parts.
func (db *DB) SplitCounts() int64 {
	if db.side == nil {
		return 0
	}
	return db.side.splits.Load()
}

// SampledTables lists the tables SQLite keeps stat4 samples for.
func (db *DB) SampledTables(ctx context.Context) ([]string, error) {
	rows, err := db.writer.QueryContext(ctx, "SELECT DISTINCT tbl FROM sqlite_stat4 ORDER BY tbl")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var t string
		if err := rows.Scan(&t); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	return out, rows.Err()
}

// Analyze runs a plain ANALYZE, as an older version did.
func (db *DB) Analyze(ctx context.Context) error {
	_, err := db.writer.ExecContext(ctx, "ANALYZE")
	return err
}

// SetCheckpointDelay changes how long the checkpointer waits after a
// commit, and returns a function restoring it.
func SetCheckpointDelay(d time.Duration) (restore func()) {
	old := checkpointDelay
	checkpointDelay = d
	return func() { checkpointDelay = old }
}

// Checkpoints is how many background checkpoints ran (SQLite).
func (db *DB) Checkpoints() int64 {
	if db.ckpt == nil {
		return 0
	}
	return db.ckpt.runs.Load()
}

// RoundTrips counts the round trips a PostgreSQL transaction has made to
// the server so far (-1 on SQLite, which makes none).
func (t *Tx) RoundTrips() int {
	p, ok := t.ex.(*pgPipe)
	if !ok {
		return -1
	}
	return p.trips
}

// QueryRow, ExecLater and Wrap expose the statement helpers to the
// pipeline tests.
func (t *Tx) QueryRow(q string, args ...any) interface{ Scan(...any) error } {
	return t.queryRow(q, args...)
}

func (t *Tx) ExecLater(q string, args ...any) error { return t.execLater(q, args...) }

func (t *Tx) Wrap(err error) error { return t.wrap(err) }

// QueryFirstColumn reads every row's first column into an *any, which
// makes a batched PostgreSQL query read its rows again (pgRows.fallBack).
func (t *Tx) QueryFirstColumn(q string, args ...any) ([]any, error) {
	rows, err := t.query(q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []any
	for rows.Next() {
		var v any
		if err := rows.Scan(&v); err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// QueryInt64s reads every row's first column as an int64.
func (t *Tx) QueryInt64s(q string, args ...any) ([]int64, error) { return t.ids(q, args...) }
