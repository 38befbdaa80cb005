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
	ex          executor // sends the statements: see tx_exec.go
	d           dialect
	afterCommit []func()
	indexQueue  *[]indexOp // non-nil: full-text changes wait for the group's end
	side        *sideReads // read transactions only: see side_reads.go
	// ticketWrites counts statements writing tickets or audits (noteStatement).
	ticketWrites int
	// credentials: the transaction changed a user or an API token
	// (credentials_version.go).
	credentials bool
	// cfg and stamp serve configuration reads from a cache (config_cache.go).
	cfg   *configCache
	stamp *stampMemo
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
	res, err := t.ex.exec(t, q, storableArgs(args))
	return res, t.wrap(err)
}

// execLater runs a statement whose result nobody reads and whose failure
// nobody handles on its own (it just fails the write). On PostgreSQL it
// waits in the transaction's queue and travels with the next statement
// that needs an answer, or with the commit; that one reports its error.
// Its arguments must not change after the call.
func (t *Tx) execLater(query string, args ...any) error {
	q := t.d.rebind(query)
	t.noteStatement(q)
	return t.wrap(t.ex.execLater(t, q, storableArgs(args)))
}

// flush sends what execLater queued.
func (t *Tx) flush() error { return t.wrap(t.ex.flush(t)) }

func (t *Tx) query(query string, args ...any) (rowSet, error) {
	q := t.d.rebind(query)
	t.noteStatement(q)
	rows, err := t.ex.query(t, q, storableArgs(args))
	return rows, t.wrap(err)
}

func (t *Tx) queryRow(query string, args ...any) scanner {
	q := t.d.rebind(query)
	t.noteStatement(q)
	return t.ex.queryRow(t, q, storableArgs(args))
}

// errRow is a row whose query could not be sent.
type errRow struct{ err error }

func (r errRow) Scan(...any) error { return r.err }

// int64Row runs a query answering one integer (an id, a count). On
// PostgreSQL it travels with the queued statements.
func (t *Tx) int64Row(query string, args ...any) (int64, error) {
	var n int64
	err := t.scanOne(query, args, &n)
	return n, err
}

// scanOne runs a statement answering one row into dest: a query, or a
// write with RETURNING. On PostgreSQL it travels with the queued
// statements.
func (t *Tx) scanOne(query string, args []any, dest ...any) error {
	q := t.d.rebind(query)
	t.noteStatement(q)
	return t.wrap(t.ex.scanOne(t, q, storableArgs(args), dest...))
}

// ReserveIDs tells the store that this write will insert a row into each
// of tables (audits, comments). On PostgreSQL their ids are then
// taken from the sequences with the write's next batch, so that those
// inserts need no answer and wait in the queue with the rest (an id not
// used is a gap, as a rolled-back insert leaves). Nothing on SQLite.
func (t *Tx) ReserveIDs(tables ...string) { t.ex.reserve(t, tables) }

// insertRow inserts a row and returns its id: a reserved id (ReserveIDs)
// when there is one, the insert then queued; otherwise the database's.
func (t *Tx) insertRow(table, cols string, args []any) (int64, error) {
	id, ok, err := t.ex.reservedID(t, table)
	if err != nil {
		return 0, t.wrap(err)
	}
	if !ok {
		return t.insert("INSERT INTO "+table+" ("+cols+") VALUES ("+placeholders(len(args))+")", args...)
	}
	err = t.execLater("INSERT INTO "+table+" (id, "+cols+") VALUES ("+placeholders(len(args)+1)+")", append([]any{id}, args...)...)
	return id, err
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

// rowSet is a query's rows: *sql.Rows, or rows a PostgreSQL batch read
// (pgRows).
type rowSet interface {
	Next() bool
	Scan(dest ...any) error
	Close() error
	Err() error
}

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
