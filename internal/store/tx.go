package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Tx is one transaction. Its methods are the store's queries; they are
// written once in portable SQL with ? placeholders.
type Tx struct {
	ctx         context.Context
	tx          runner
	pipe        *pgPipe // PostgreSQL writes: see pipeline_postgres.go
	spDepth     int     // nesting of pipelined savepoints (savepoint.go)
	d           dialect
	afterCommit []func()
	stmts       *stmtCache // nil: run every query unprepared
	indexQueue  *[]indexOp // non-nil: full-text changes wait for the group's end
	side        *sideReads // read transactions only: see side_reads.go
	// ticketWrites counts writes to tickets and audits (TicketWrites).
	ticketWrites int
	// bound, when set (the writes of one group share it), keeps cached
	// statements once bound to tx: binding costs database/sql locks and
	// allocations at every use, and a group runs the same few statements
	// for each of its writes.
	bound map[string]*sql.Stmt
	// cfg and stamp serve configuration reads from a cache (config_cache.go).
	cfg   *configCache
	stamp *stampMemo
}

// runner is what a Tx sends statements to: a *sql.Tx, or the *sql.Conn a
// PostgreSQL write drives itself (pipeline_postgres.go).
type runner interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
	PrepareContext(ctx context.Context, query string) (*sql.Stmt, error)
}

// TicketWrites counts the writes this transaction has made to tickets and
// their audits so far. A hook holding a ticket its write just stored
// compares the count it was handed with the count now: equal means no
// other write (a rule's nested update, the assignment) has touched any
// ticket or audit since, so what it holds is what a read would return.
func (t *Tx) TicketWrites() int { return t.ticketWrites }

// AfterCommit registers f to run once the transaction has committed, e.g. to
// publish a live update only for data that is really there.
func (t *Tx) AfterCommit(f func()) { t.afterCommit = append(t.afterCommit, f) }

// Context returns the transaction's context.
func (t *Tx) Context() context.Context { return t.ctx }

func (t *Tx) exec(query string, args ...any) (sql.Result, error) {
	q := t.d.rebind(query)
	t.noteStatement(q)
	if t.pipe != nil {
		t.pipe.begin()
		tag, err := t.pipe.send(t.ctx, &pendingStmt{sql: q, args: args})
		return pgResult(tag.RowsAffected()), t.wrap(err)
	}
	if st := t.stmt(q); st != nil {
		res, err := st.ExecContext(t.ctx, args...)
		return res, t.wrap(err)
	}
	res, err := t.tx.ExecContext(t.ctx, q, args...)
	return res, t.wrap(err)
}

// execLater runs a statement whose result nobody reads and whose failure
// nobody handles on its own (it just fails the write). On PostgreSQL it
// waits in the transaction's queue and travels with the next statement
// that needs an answer, or with the commit; that one reports its error.
// Its arguments must not change after the call.
func (t *Tx) execLater(query string, args ...any) error {
	if t.pipe == nil {
		_, err := t.exec(query, args...)
		return err
	}
	q := t.d.rebind(query)
	t.noteStatement(q)
	t.pipe.begin()
	t.pipe.queue = append(t.pipe.queue, pendingStmt{sql: q, args: args})
	return nil
}

// flush sends what execLater queued (nothing to do on SQLite).
func (t *Tx) flush() error {
	if t.pipe == nil {
		return nil
	}
	_, err := t.pipe.send(t.ctx, nil)
	return t.wrap(err)
}

func (t *Tx) query(query string, args ...any) (*sql.Rows, error) {
	q := t.d.rebind(query)
	t.noteStatement(q)
	if err := t.flush(); err != nil {
		return nil, err
	}
	if t.pipe != nil {
		t.pipe.trips++
	}
	if st := t.stmt(q); st != nil {
		rows, err := st.QueryContext(t.ctx, args...)
		return rows, t.wrap(err)
	}
	rows, err := t.tx.QueryContext(t.ctx, q, args...)
	return rows, t.wrap(err)
}

func (t *Tx) queryRow(query string, args ...any) scanner {
	q := t.d.rebind(query)
	t.noteStatement(q)
	if err := t.flush(); err != nil {
		return errRow{err}
	}
	if t.pipe != nil {
		t.pipe.trips++
	}
	if st := t.stmt(q); st != nil {
		return st.QueryRowContext(t.ctx, args...)
	}
	return t.tx.QueryRowContext(t.ctx, q, args...)
}

// errRow is a row whose query could not be sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// int64Row runs a query answering one integer (an id, a count). On
// PostgreSQL it travels with the queued statements.
func (t *Tx) int64Row(query string, args ...any) (int64, error) {
	var n int64
	if t.pipe == nil {
		err := t.queryRow(query, args...).Scan(&n)
		return n, t.wrap(err)
	}
	q := t.d.rebind(query)
	t.noteStatement(q)
	_, err := t.pipe.send(t.ctx, &pendingStmt{sql: q, args: args}, &n)
	return n, t.wrap(err)
}

// insert runs an INSERT … RETURNING id (both dialects support RETURNING).
func (t *Tx) insert(query string, args ...any) (int64, error) {
	if _, ok := t.d.(lastInsertIDer); ok {
		res, err := t.exec(query, args...) // see stmt_cache.go
		if err != nil {
			return 0, err
		}
		return res.LastInsertId()
	}
	return t.int64Row(query+" RETURNING id", args...)
}

// count runs a query returning one integer.
func (t *Tx) count(query string, args ...any) (int64, error) {
	return t.int64Row(query, args...)
}

func (t *Tx) wrap(err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows):
		return ErrNotFound
	case t.d.isUniqueViolation(err):
		return fmt.Errorf("%w: %v", ErrConflict, err)
	}
	return err
}

// scanner is satisfied by *sql.Row and *sql.Rows.
type scanner interface{ Scan(dest ...any) error }

// queryAll runs a query and scans every row with scan.
func queryAll[T any](t *Tx, scan func(scanner) (T, error), query string, args ...any) ([]T, error) {
	rows, err := t.query(query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []T
	for rows.Next() {
		v, err := scan(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, rows.Err()
}

// Conversions between Go zero values and SQL NULL.

func ms(t time.Time) int64 { return t.UnixMilli() }

func nullMS(t time.Time) any {
	if t.IsZero() {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) time.Time {
	if !v.Valid || v.Int64 == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v.Int64).UTC()
}

func nullID(id int64) any {
	if id == 0 {
		return nil
	}
	return id
}

func nullStr(s string) any {
	if s == "" {
		return nil
	}
	return s
}

func jsonText(v any) string {
	b, err := json.Marshal(v)
	if err != nil || string(b) == "null" {
		return "null"
	}
	return string(b)
}

func fromJSON[T any](s string) T {
	var v T
	if emptyJSON(s, &v) {
		return v
	}
	_ = json.Unmarshal([]byte(s), &v)
	return v
}

// emptyJSON sets *v as json.Unmarshal would for the empty array or object
// most JSON columns hold (a ticket without collaborators, custom fields or
// channel details), without the decoder: a listed page of tickets decodes
// hundreds of them. It reports false for anything else.
func emptyJSON[T any](s string, v *T) bool {
	switch s {
	case "[]":
		switch p := any(v).(type) {
		case *[]int64:
			*p = []int64{}
		case *[]string:
			*p = []string{}
		case *[]model.FieldValue:
			*p = []model.FieldValue{}
		case *[]model.AuditEvent:
			*p = []model.AuditEvent{}
		default:
			return false
		}
		return true
	case "{}":
		switch p := any(v).(type) {
		case *map[string]any:
			*p = map[string]any{}
		case *map[string]string:
			*p = map[string]string{}
		default:
			return false
		}
		return true
	}
	return false
}

// Tags are kept space separated on the row (they never contain spaces) and,
// for tickets, also one per row in ticket_tags for indexed filtering.
func tagText(tags []string) string { return strings.Join(tags, " ") }

func tagList(s string) []string {
	if s == "" {
		return []string{}
	}
	return strings.Fields(s)
}

// placeholders returns "?, ?, ?" for n values.
func placeholders(n int) string {
	if n <= 0 {
		return ""
	}
	return strings.Repeat("?, ", n-1) + "?"
}

func int64Args(ids []int64) []any {
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	return args
}

func stringArgs(ss []string) []any {
	args := make([]any, len(ss))
	for i, s := range ss {
		args[i] = s
	}
	return args
}

type (
	nullInt    = sql.NullInt64
	nullString = sql.NullString
)
