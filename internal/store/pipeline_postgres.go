package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgtype"
	"github.com/jackc/pgx/v5/stdlib"
)

// Pipelined writes for PostgreSQL. Every statement a transaction sends is
// a round trip: our process writes to the socket, the backend wakes, works
// and answers, and the goroutine waiting for it wakes again. A ticket
// created through the API sent 18 of them in its write, and the socket
// writes alone were a fifth of the server's CPU with one client. Many of
// those statements need nothing back: BEGIN, a tag row, the search
// document, the metrics row. A pipelined transaction queues them
// (Tx.execLater) and sends the queue in one pgx batch together with the
// next statement whose answer is needed, or with the COMMIT: one round
// trip for all of them.
//
// A queued statement's failure is reported by the statement it travels
// with (or by the commit), and fails the write as before: only statements
// whose failure nobody handles on its own are queued. Savepoint sends its
// queue before it returns, so that a failure inside it is still its own.
//
// The transaction runs on a connection taken from database/sql's pool
// (sql.Conn), which the pipeline drives itself: BEGIN and COMMIT are
// statements in its batches, so database/sql sees no transaction. A
// connection returned to the pool inside a transaction (a lost network,
// a cancelled request) is discarded by the pgx driver's session reset.

type pendingStmt struct {
	sql  string
	args []any
	// dest, when set, receives the statement's one row when it is sent,
	// and then is called after.
	dest []any
	then func()
	// rows, when set on the last statement sent, receives its rows
	// undecoded (pgRows).
	rows *pgRows
}

type pgPipe struct {
	conn  *sql.Conn
	queue []pendingStmt
	sends int // batches sent
	base  int // statements queued when the write began (BEGIN, the stamp)
	trips int // round trips: batches, and queries through database/sql
	// inTx: BEGIN has been queued (a write: from the start; a read: see
	// readPipelined). txSent: and sent, so that there is something to end.
	inTx, txSent bool
	spDepth      int // nesting of savepoints (savepoint)
	ids          []*reservedID
}

// reservedID is an id taken ahead from a table's sequence (ReserveIDs).
type reservedID struct {
	table          string
	id             int64
	answered, used bool
}

// reservableTables are the tables ReserveIDs takes ids of (their names go
// into the SQL).
var reservableTables = map[string]bool{"audits": true, "comments": true}

// runPipelined is Write on PostgreSQL.
func (db *DB) runPipelined(ctx context.Context, fn func(*Tx) error) error {
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return cancelled(ctx, fmt.Errorf("begin: %w", err))
	}
	defer conn.Close()
	if shared, _ := ctx.Value(sharedStampKey{}).(*sharedStamp); shared != nil {
		// The write may change the configuration: the request's next
		// reads must see the stamp it leaves.
		defer shared.forget()
	}
	p := &pgPipe{conn: conn, queue: make([]pendingStmt, 0, 8)}
	p.begin()
	tx := &Tx{ctx: ctx, ex: p, d: db.d, cfg: db.cfg}
	if db.cfg != nil {
		// Most writes read the configuration (config_cache.go), and the
		// stamp read costs nothing extra when it travels with the first
		// statement that is sent anyway.
		tx.stamp = p.prefetchStamp()
	}
	p.base = len(p.queue)
	return p.run(ctx, tx, fn)
}

// readPipelined is Read on PostgreSQL. A read needs no transaction there:
// at READ COMMITTED (PostgreSQL's default, and what Read's BEGIN READ ONLY
// gave) each statement sees what was committed when it started, inside a
// transaction or not. Without BEGIN and COMMIT a lookup (the API token, on
// every request) is one round trip instead of three. The reader pool's
// connections are read-only (openPostgres), and a read that needs a
// transaction (SET LOCAL) gets one at its first statement that is not a
// query (exec, execLater).
func (db *DB) readPipelined(ctx context.Context, fn func(*Tx) error) error {
	conn, err := db.reader.Conn(ctx)
	if err != nil {
		return cancelled(ctx, fmt.Errorf("begin: %w", err))
	}
	defer conn.Close()
	p := &pgPipe{conn: conn}
	tx := &Tx{ctx: ctx, ex: p, d: db.d, cfg: db.cfg}
	shared, _ := ctx.Value(sharedStampKey{}).(*sharedStamp)
	if db.cfg == nil || shared == nil {
		return p.run(ctx, tx, fn)
	}
	if stamp, ok := shared.get(); ok {
		tx.stamp = &stampMemo{stamp: stamp, ok: true}
		return p.run(ctx, tx, fn)
	}
	tx.stamp = p.prefetchStamp()
	err = p.run(ctx, tx, fn)
	if tx.stamp.ok {
		shared.set(tx.stamp.stamp)
	}
	return err
}

// prefetchStamp queues a read of the configuration stamp, answered with
// the first batch sent.
func (p *pgPipe) prefetchStamp() *stampMemo {
	memo := &stampMemo{pending: true}
	var stamp int64
	p.queue = append(p.queue, pendingStmt{sql: stampQuery, dest: []any{&stamp}, then: func() {
		if memo.pending {
			memo.stamp, memo.ok, memo.pending = stamp, true, false
		}
	}})
	return memo
}

// WithSharedStamp returns a context whose PostgreSQL reads share one
// reading of the configuration stamp for a moment (sharedStampAge): the
// first read takes it with its first statement (the API token's lookup,
// or the first query when the token's user is cached), and the next reads
// of the request find their configuration in the cache without asking,
// until the request writes. At READ COMMITTED each statement of a read sees its own
// snapshot anyway, so a stamp read a moment earlier is as good. Nothing
// changes on SQLite, whose read transaction reads the stamp in its own
// snapshot.
func WithSharedStamp(ctx context.Context) context.Context {
	return context.WithValue(ctx, sharedStampKey{}, &sharedStamp{})
}

type sharedStampKey struct{}

// sharedStampAge bounds how long a shared stamp serves (a request that
// runs longer sees configuration changes again).
const sharedStampAge = time.Second

type sharedStamp struct {
	mu    sync.Mutex
	stamp int64
	at    time.Time
}

func (s *sharedStamp) get() (int64, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.stamp, !s.at.IsZero() && time.Since(s.at) < sharedStampAge
}

func (s *sharedStamp) forget() {
	s.mu.Lock()
	s.at = time.Time{}
	s.mu.Unlock()
}

func (s *sharedStamp) set(stamp int64) {
	s.mu.Lock()
	s.stamp, s.at = stamp, time.Now()
	s.mu.Unlock()
}

// The executor (tx_exec.go): statements whose answer is needed go with
// the queue; queries answering rows go through database/sql after it.

func (p *pgPipe) exec(t *Tx, q string, args []any) (sql.Result, error) {
	p.begin()
	tag, err := p.send(t.ctx, &pendingStmt{sql: q, args: args})
	return pgResult(tag.RowsAffected()), err
}

func (p *pgPipe) execLater(_ *Tx, q string, args []any) error {
	p.begin()
	p.queue = append(p.queue, pendingStmt{sql: q, args: args})
	return nil
}

func (p *pgPipe) flush(t *Tx) error {
	_, err := p.send(t.ctx, nil)
	return err
}

// query sends what is queued and q in one batch when something is queued
// (a SELECT only: see pgRows); with an empty queue it is a plain
// database/sql query. queryRow is its first row.
func (p *pgPipe) query(t *Tx, q string, args []any) (rowSet, error) {
	if len(p.queue) == 0 || !isSelect(q) {
		if err := p.flush(t); err != nil {
			return nil, err
		}
		p.trips++
		return p.conn.QueryContext(t.ctx, q, args...)
	}
	rows := &pgRows{p: p, ctx: t.ctx, q: q, args: args, at: -1}
	if _, err := p.send(t.ctx, &pendingStmt{sql: q, args: args, rows: rows}); err != nil {
		return nil, err
	}
	if rows.tooMany {
		p.trips++
		return p.conn.QueryContext(t.ctx, q, args...)
	}
	return rows, nil
}

func (p *pgPipe) queryRow(t *Tx, q string, args []any) scanner {
	rows, err := p.query(t, q, args)
	if err != nil {
		return errRow{t.wrap(err)}
	}
	return firstRow{rows}
}

func (p *pgPipe) scanOne(t *Tx, q string, args []any, dest ...any) error {
	_, err := p.send(t.ctx, &pendingStmt{sql: q, args: args}, dest...)
	return err
}

func (p *pgPipe) prepare(t *Tx, q string) (*sql.Stmt, error) {
	if err := p.flush(t); err != nil {
		return nil, err
	}
	return p.conn.PrepareContext(t.ctx, q)
}

func (p *pgPipe) reserve(_ *Tx, tables []string) {
	var (
		batch []*reservedID
		cols  []string
		dest  []any
	)
	for _, table := range tables {
		if reservableTables[table] {
			r := &reservedID{table: table}
			batch = append(batch, r)
			cols = append(cols, "nextval(pg_get_serial_sequence('"+table+"', 'id'))")
			dest = append(dest, &r.id)
		}
	}
	if len(batch) == 0 {
		return
	}
	p.ids = append(p.ids, batch...)
	p.begin()
	p.queue = append(p.queue, pendingStmt{sql: "SELECT " + strings.Join(cols, ", "), dest: dest, then: func() {
		for _, r := range batch {
			r.answered = true
		}
	}})
}

func (p *pgPipe) reservedID(t *Tx, table string) (int64, bool, error) {
	for _, r := range p.ids {
		if r.table != table || r.used {
			continue
		}
		if !r.answered { // still queued: send it now
			if err := p.flush(t); err != nil {
				return 0, false, err
			}
		}
		if !r.answered { // dropped with a rolled-back savepoint's queue
			continue
		}
		r.used = true
		return r.id, true, nil
	}
	return 0, false, nil
}

// savepoint is Savepoint on a pipelined transaction. Each nesting level
// has its own name: an inner savepoint's RELEASE may still be queued when
// an outer one rolls back (and is dropped), so the outer ROLLBACK TO must
// not find the inner savepoint by its name.
func (p *pgPipe) savepoint(t *Tx, fn func() error, lazy bool) error {
	p.spDepth++
	defer func() { p.spDepth-- }()
	name := "kz_sp" + strconv.Itoa(p.spDepth)
	mark := p.mark()
	t.execLater("SAVEPOINT " + name)
	err := fn()
	if err == nil {
		if p.sends == mark.sends && len(p.queue) == mark.queued+1 {
			p.undo(mark) // fn sent and queued nothing: no savepoint needed
			return nil
		}
		sentAll := p.sends > mark.sends && len(p.queue) == 0
		t.execLater("RELEASE SAVEPOINT " + name)
		if sentAll || lazy { // fn's statements have all run, or may fail the write: the RELEASE can wait
			return nil
		}
		if err = t.flush(); err == nil {
			return nil
		}
	}
	t.forgetStamp() // fn may have changed the configuration
	if p.undo(mark) {
		return err // the SAVEPOINT was never sent: nothing to undo
	}
	if _, rerr := t.exec("ROLLBACK TO SAVEPOINT " + name); rerr != nil {
		return fmt.Errorf("%w (rolling back to the savepoint: %v)", err, rerr)
	}
	t.execLater("RELEASE SAVEPOINT " + name)
	return err
}

// begin queues BEGIN unless the transaction has begun.
func (p *pgPipe) begin() {
	if !p.inTx {
		p.inTx = true
		p.queue = append(p.queue, pendingStmt{sql: "BEGIN"})
	}
}

func (p *pgPipe) run(ctx context.Context, tx *Tx, fn func(*Tx) error) error {
	defer func() {
		if v := recover(); v != nil { // don't return the connection inside the transaction
			p.rollback(ctx)
			panic(v)
		}
	}()
	if err := fn(tx); err != nil {
		p.rollback(ctx)
		return cancelled(ctx, err)
	}
	if err := p.commit(ctx); err != nil {
		// A queued statement's unique violation is reported here: it is
		// the write's ErrConflict, as if it had been sent on its own.
		return cancelled(ctx, fmt.Errorf("commit: %w", tx.wrap(err)))
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// send runs the queue and then last (nil: the queue alone) in one round
// trip. With dest, last's single row is scanned into it; without, last's
// command tag is returned.
func (p *pgPipe) send(ctx context.Context, last *pendingStmt, dest ...any) (pgconn.CommandTag, error) {
	queue := p.queue
	p.queue = p.queue[:0]
	if last == nil && len(queue) == 0 {
		return pgconn.CommandTag{}, nil
	}
	p.sends++
	p.trips++
	p.txSent = p.inTx
	var tag pgconn.CommandTag
	err := p.conn.Raw(func(dc any) error {
		c := dc.(*stdlib.Conn).Conn()
		if len(queue) == 0 && last.rows == nil { // a lone statement needs no batch
			if len(dest) > 0 {
				return c.QueryRow(ctx, last.sql, last.args...).Scan(dest...)
			}
			var err error
			tag, err = c.Exec(ctx, last.sql, last.args...)
			return err
		}
		b := &pgx.Batch{QueuedQueries: make([]*pgx.QueuedQuery, 0, len(queue)+1)}
		for _, q := range queue {
			b.Queue(q.sql, q.args...)
		}
		if last != nil {
			b.Queue(last.sql, last.args...)
		}
		br := c.SendBatch(ctx, b)
		var first error
		for _, q := range queue {
			var err error
			if q.dest != nil {
				err = br.QueryRow().Scan(q.dest...)
			} else {
				_, err = br.Exec()
			}
			if err != nil {
				first = fmt.Errorf("%s: %w", statementName(q.sql), err)
				break // the server skipped the rest of the batch
			}
			if q.then != nil {
				q.then()
			}
		}
		if last != nil && first == nil {
			if last.rows != nil {
				rows, err := br.Query()
				if err == nil {
					err = last.rows.keep(c.TypeMap(), rows)
				}
				first = err
			} else if len(dest) > 0 {
				first = br.QueryRow().Scan(dest...)
			} else {
				tag, first = br.Exec()
			}
		}
		if err := br.Close(); first == nil {
			first = err
		}
		return first
	})
	clear(queue) // drop the arguments the batch held
	return tag, err
}

// pgRows are a query's rows read in a batch (pgPipe.query, queryRow):
// their columns stay undecoded until Scan, which decodes them with pgx's
// type map. Where database/sql would convert more freely (an *any
// destination, or a conversion pgx does not plan), the query runs again
// through database/sql and the rows are read from there, as before.
type pgRows struct {
	p      *pgPipe
	ctx    context.Context
	q      string
	args   []any
	types  *pgtype.Map
	fields []pgconn.FieldDescription
	values [][][]byte
	at     int       // the current row
	again  *sql.Rows // after a fallback: the same rows through database/sql
	// tooMany: the answer was over maxKeptRows or maxKeptBytes and was
	// not kept.
	tooMany bool
}

// keep reads rows and closes them.
func (r *pgRows) keep(types *pgtype.Map, rows pgx.Rows) error {
	r.types = types
	r.fields = slices.Clone(rows.FieldDescriptions())
	size := 0
	for rows.Next() {
		if len(r.values) == maxKeptRows || size > maxKeptBytes {
			r.values, r.tooMany = nil, true // Close reads and drops the rest
			break
		}
		row := make([][]byte, 0, len(r.fields))
		for _, v := range rows.RawValues() {
			if v != nil {
				v = slices.Clone(v)
				size += len(v)
			}
			row = append(row, v)
		}
		r.values = append(r.values, row)
	}
	rows.Close()
	return rows.Err()
}

// A batched query keeps at most this much; a bigger answer (an export, a
// long scan) runs again through database/sql, which streams its rows.
const (
	maxKeptRows  = 2000
	maxKeptBytes = 4 << 20
)

func (r *pgRows) Next() bool {
	if r.again != nil {
		return r.again.Next()
	}
	if r.at+1 >= len(r.values) {
		r.at = len(r.values)
		return false
	}
	r.at++
	return true
}

func (r *pgRows) Scan(dest ...any) error {
	if r.again != nil {
		return r.again.Scan(dest...)
	}
	if r.at < 0 || r.at >= len(r.values) {
		return errors.New("store: Scan called without a row")
	}
	if len(dest) != len(r.fields) {
		return fmt.Errorf("store: %d destinations for %d columns", len(dest), len(r.fields))
	}
	for i, d := range dest {
		if _, isAny := d.(*any); isAny {
			return r.fallBack(dest)
		}
		if err := r.types.Scan(r.fields[i].DataTypeOID, r.fields[i].Format, r.values[r.at][i], d); err != nil {
			return r.fallBack(dest)
		}
	}
	return nil
}

// fallBack runs the query again through database/sql (one more round
// trip), moves to the current row, and scans it there.
func (r *pgRows) fallBack(dest []any) error {
	r.p.trips++
	rows, err := r.p.conn.QueryContext(r.ctx, r.q, r.args...)
	if err != nil {
		return err
	}
	r.again = rows
	for range r.at + 1 {
		if !rows.Next() {
			if err := rows.Err(); err != nil {
				return err
			}
			return errors.New("store: the rows changed when read again")
		}
	}
	return rows.Scan(dest...)
}

func (r *pgRows) Close() error {
	if r.again != nil {
		return r.again.Close()
	}
	return nil
}

func (r *pgRows) Err() error {
	if r.again != nil {
		return r.again.Err()
	}
	return nil
}

// firstRow gives database/sql's *sql.Row semantics over a rowSet.
type firstRow struct{ rows rowSet }

func (r firstRow) Scan(dest ...any) error {
	defer r.rows.Close()
	if !r.rows.Next() {
		if err := r.rows.Err(); err != nil {
			return err
		}
		return sql.ErrNoRows
	}
	return r.rows.Scan(dest...)
}

// isSelect reports whether q is a plain SELECT, which can be read again.
func isSelect(q string) bool {
	q = strings.TrimLeft(q, " \t\r\n(")
	return len(q) >= 6 && strings.EqualFold(q[:6], "SELECT")
}

// statementName shortens a statement for an error message.
func statementName(q string) string {
	if len(q) > 60 {
		return q[:60] + "…"
	}
	return q
}

// commit sends what is queued with COMMIT. A write that sent nothing and
// queued nothing after its start, or a read outside a transaction, costs
// no round trip.
func (p *pgPipe) commit(ctx context.Context) error {
	if !p.inTx || !p.txSent && len(p.queue) == p.base {
		p.queue = p.queue[:0]
		return nil
	}
	tag, err := p.send(ctx, &pendingStmt{sql: "COMMIT"})
	if err != nil {
		p.rollback(ctx)
		return err
	}
	if tag.String() == "ROLLBACK" { // the transaction had failed: PostgreSQL rolled it back
		return errors.New("the transaction was rolled back")
	}
	return nil
}

// rollback ends the transaction after a failure. The queue is dropped: its
// statements were never sent, and if BEGIN is among them there is nothing
// to roll back.
func (p *pgPipe) rollback(ctx context.Context) {
	p.queue = p.queue[:0]
	if !p.txSent {
		return
	}
	// After a cancelled request the connection may still be fine; rolling
	// back keeps it for the pool (else the driver discards it).
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	_, _ = p.conn.ExecContext(ctx, "ROLLBACK")
}

// pipeMark is a point in a transaction's queue (Savepoint's start).
type pipeMark struct{ sends, queued int }

func (p *pgPipe) mark() pipeMark { return pipeMark{p.sends, len(p.queue)} }

// undo drops what was queued since m. It reports whether nothing since m
// has been sent, so that the server has nothing to undo.
func (p *pgPipe) undo(m pipeMark) bool {
	if p.sends == m.sends {
		clear(p.queue[m.queued:])
		p.queue = p.queue[:m.queued]
		return true
	}
	clear(p.queue)
	p.queue = p.queue[:0]
	return false
}

// pgResult is an exec's result in a pipelined transaction.
type pgResult int64

func (r pgResult) LastInsertId() (int64, error) {
	return 0, errors.New("store: LastInsertId is not supported on PostgreSQL; use RETURNING")
}

func (r pgResult) RowsAffected() (int64, error) { return int64(r), nil }
