package store

import (
	"context"
	"database/sql"
)

// executor sends a transaction's statements, already rebound to the
// dialect. directExec runs each at once in a database/sql transaction
// (SQLite, and bulk loads on both databases); a PostgreSQL write or read
// drives its connection itself and queues what it can (pgPipe,
// pipeline_postgres.go). Errors come back unwrapped: Tx wraps them.
type executor interface {
	exec(t *Tx, q string, args []any) (sql.Result, error)
	// execLater runs q at the latest with the next statement whose answer
	// is needed, or with the commit.
	execLater(t *Tx, q string, args []any) error
	// flush sends what execLater has queued.
	flush(t *Tx) error
	query(t *Tx, q string, args []any) (rowSet, error)
	queryRow(t *Tx, q string, args []any) scanner
	// scanOne runs a statement answering one row (a count, an INSERT …
	// RETURNING) into dest. On PostgreSQL it travels with the queue, and
	// unlike query it is never run a second time, so it may write.
	scanOne(t *Tx, q string, args []any, dest ...any) error
	// prepare makes a statement for repeated use within the transaction
	// (bulk inserts); what is queued must be flushed before each use.
	prepare(t *Tx, q string) (*sql.Stmt, error)
	// savepoint runs fn in a savepoint; lazy: see SavepointAnswered.
	savepoint(t *Tx, fn func() error, lazy bool) error
	// reserve takes one new id of each table ahead (ReserveIDs), and
	// reservedID hands it out once: ok is false when there is none.
	reserve(t *Tx, tables []string)
	reservedID(t *Tx, table string) (id int64, ok bool, err error)
}

// directExec runs statements in a database/sql transaction as they come.
type directExec struct {
	tx    *sql.Tx
	stmts *stmtCache // nil: run every query unprepared
	// bound, when set (the writes of one group share it), keeps cached
	// statements once bound to tx: binding costs database/sql locks and
	// allocations at every use, and a group runs the same few statements
	// for each of its writes.
	bound map[string]*sql.Stmt
}

func (d *directExec) exec(t *Tx, q string, args []any) (sql.Result, error) {
	if st := d.stmt(t.ctx, q); st != nil {
		return st.ExecContext(t.ctx, args...)
	}
	return d.tx.ExecContext(t.ctx, q, args...)
}

func (d *directExec) execLater(t *Tx, q string, args []any) error {
	_, err := d.exec(t, q, args)
	return err
}

func (d *directExec) flush(*Tx) error { return nil }

func (d *directExec) query(t *Tx, q string, args []any) (rowSet, error) {
	if st := d.stmt(t.ctx, q); st != nil {
		return st.QueryContext(t.ctx, args...)
	}
	return d.tx.QueryContext(t.ctx, q, args...)
}

func (d *directExec) queryRow(t *Tx, q string, args []any) scanner {
	if st := d.stmt(t.ctx, q); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return d.tx.QueryRowContext(t.ctx, q, args...)
}

func (d *directExec) scanOne(t *Tx, q string, args []any, dest ...any) error {
	return d.queryRow(t, q, args).Scan(dest...)
}

func (d *directExec) prepare(t *Tx, q string) (*sql.Stmt, error) {
	return d.tx.PrepareContext(t.ctx, q)
}

// An insert on SQLite learns its id from the driver at no cost.
func (d *directExec) reserve(*Tx, []string) {}

func (d *directExec) reservedID(*Tx, string) (int64, bool, error) { return 0, false, nil }

// savepoint runs fn inside a savepoint. One name serves every nesting
// level: ROLLBACK TO finds the innermost savepoint of that name, which is
// the one this call made.
func (d *directExec) savepoint(t *Tx, fn func() error, _ bool) error {
	if _, err := d.tx.ExecContext(t.ctx, "SAVEPOINT kz_sp"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		t.forgetStamp() // fn may have changed the configuration
		if _, rerr := d.tx.ExecContext(t.ctx, "ROLLBACK TO SAVEPOINT kz_sp"); rerr != nil {
			return rerr
		}
		d.tx.ExecContext(t.ctx, "RELEASE SAVEPOINT kz_sp")
		return err
	}
	_, err := d.tx.ExecContext(t.ctx, "RELEASE SAVEPOINT kz_sp")
	return err
}

// stmt returns the cached prepared statement for q bound to the
// transaction, or nil when it is not prepared yet.
func (d *directExec) stmt(ctx context.Context, q string) *sql.Stmt {
	if d.stmts == nil {
		return nil
	}
	if st := d.bound[q]; st != nil {
		return st
	}
	st := d.stmts.stmt(ctx, d.tx, q)
	if st != nil && d.bound != nil {
		d.bound[q] = st
	}
	return st
}
