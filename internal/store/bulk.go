package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Bulk loading is for seeding a demo desk and importing history: millions of
// rows, where one INSERT per row and one transaction per ticket would take
// hours. The records written are the ones the per-record methods would
// write (same columns, tag rows, identities, search documents); only the
// mechanics differ: ids are reserved up front, rows go in multi-row INSERTs
// through prepared statements, and many records share one transaction.

// bulkDialect is the dialect-specific half of bulk loading (bulk_*.go).
type bulkDialect interface {
	// bulkSession prepares a pinned connection for a bulk transaction and
	// returns a function undoing it.
	bulkSession(ctx context.Context, conn *sql.Conn) (restore func(), err error)
	// bulkTx runs first inside each bulk transaction, bulkEnd last
	// before its commit.
	bulkTx(t *Tx) error
	bulkEnd(t *Tx) error
	// nextIDs reserves n ids of table that no other writer will use.
	nextIDs(t *Tx, table string, n int) ([]int64, error)
	// finishBulk makes the loaded data durable and refreshes planner
	// statistics.
	finishBulk(ctx context.Context, db *DB) error
	// maxVars is the most placeholders one statement may hold.
	maxVars() int
	// docValues is a search document's index values (search_*.go), and
	// indexWriter a writer of new index rows: (id, docValues…).
	docValues(kind docKind, sections []string) []any
	indexWriter(t *Tx, kind docKind) *rowWriter
}

// WriteBulk is Write for bulk loads: fn runs in one transaction on a
// connection of its own, with durability relaxed for that transaction only
// (see bulk_sqlite.go and bulk_postgres.go). A crash of the process loses at
// most the transaction in flight; call FinishBulk when the load is done.
func (db *DB) WriteBulk(ctx context.Context, fn func(*Tx) error) error {
	bd := db.d.(bulkDialect)
	conn, err := db.writer.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	restore, err := bd.bulkSession(ctx, conn)
	if err != nil {
		return err
	}
	defer restore()
	sqlTx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return fmt.Errorf("begin: %w", err)
	}
	tx := &Tx{ctx: ctx, ex: &directExec{tx: sqlTx}, d: db.d}
	if err := bd.bulkTx(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := fn(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := bd.bulkEnd(tx); err != nil {
		_ = sqlTx.Rollback()
		return err
	}
	if err := sqlTx.Commit(); err != nil {
		return fmt.Errorf("commit: %w", err)
	}
	for _, f := range tx.afterCommit {
		f()
	}
	return nil
}

// FinishBulk ends a bulk load: it flushes everything to stable storage and
// updates the statistics the query planner uses to pick indexes.
func (db *DB) FinishBulk(ctx context.Context) error {
	return db.d.(bulkDialect).finishBulk(ctx, db)
}

// BulkTicket is one ticket with its history for InsertTicketsBulk.
type BulkTicket struct {
	Ticket *model.Ticket
	// Audits in order; the first is the ticket's creation.
	Audits []BulkAudit

	doc []any // search index values, from PrepareTicketsBulk
}

// PrepareTicketsBulk builds the search documents of a finished batch ahead
// of InsertTicketsBulk, so a loader can tokenize on one goroutine while
// another writes the previous batch. Optional: InsertTicketsBulk builds
// missing documents itself.
func (db *DB) PrepareTicketsBulk(batch []BulkTicket) {
	bd := db.d.(bulkDialect)
	for i := range batch {
		batch[i].doc = bd.docValues(docTicket, ticketSections(&batch[i]))
	}
}

// ticketSections is the document IndexTicket builds: the subject, then
// every comment (the description when there are none).
func ticketSections(b *BulkTicket) []string {
	var bodies []string
	for _, a := range b.Audits {
		if a.Comment != nil {
			bodies = append(bodies, a.Comment.Body)
		}
	}
	return ticketDoc(b.Ticket.Subject, b.Ticket.Description, bodies)
}

// BulkAudit is one audit and the comment it added, if any.
type BulkAudit struct {
	Audit   *model.Audit
	Comment *model.Comment
}

// InsertTicketsBulk stores new tickets with their audits and comments as
// tickets.Service would have left them, assigning every id: each comment
// gets its ticket and audit, each commenting audit a leading Comment event
// (as the domain writes it), tags get their rows, and each ticket is indexed
// for search from its subject and comments. Comments must not carry
// attachments.
func (t *Tx) InsertTicketsBulk(batch []BulkTicket) error {
	if len(batch) == 0 {
		return nil
	}
	bd := t.d.(bulkDialect)
	nAudits, nComments := 0, 0
	for _, b := range batch {
		if b.Ticket.ID != 0 {
			return errors.New("bulk tickets get their ids from the store")
		}
		nAudits += len(b.Audits)
		for _, a := range b.Audits {
			if a.Comment != nil {
				if len(a.Comment.Attachments) > 0 {
					return errors.New("bulk comments cannot carry attachments")
				}
				nComments++
			}
		}
	}
	ticketIDs, err := bd.nextIDs(t, "tickets", len(batch))
	if err != nil {
		return err
	}
	auditIDs, err := bd.nextIDs(t, "audits", nAudits)
	if err != nil {
		return err
	}
	commentIDs, err := bd.nextIDs(t, "comments", nComments)
	if err != nil {
		return err
	}
	tickets := t.newRowWriter("tickets", "id, "+ticketWriteCols)
	tags := t.newRowWriter("ticket_tags", "ticket_id, tag")
	audits := t.newRowWriter("audits", "id, ticket_id, author_id, via, metadata, events, created_at")
	comments := t.newRowWriter("comments", "id, ticket_id, audit_id, author_id, public, body, html_body, via, metadata, created_at")
	// Parents first: child rows may reach the database before the last
	// ticket rows would otherwise, and foreign keys are checked per row.
	for i, b := range batch {
		tk := b.Ticket
		tk.ID = ticketIDs[i]
		if err := tickets.add(append([]any{tk.ID}, ticketArgs(tk)...)...); err != nil {
			return err
		}
	}
	if err := tickets.flush(); err != nil {
		return err
	}
	ai, ci := 0, 0
	for _, b := range batch {
		tk := b.Ticket
		for _, tag := range tk.Tags {
			if err := tags.add(tk.ID, tag); err != nil {
				return err
			}
		}
		for _, ba := range b.Audits {
			a := ba.Audit
			a.ID, a.TicketID = auditIDs[ai], tk.ID
			ai++
			if c := ba.Comment; c != nil {
				c.ID, c.TicketID, c.AuditID = commentIDs[ci], tk.ID, a.ID
				ci++
				a.Events = append([]model.AuditEvent{{Type: "Comment", CommentID: c.ID}}, a.Events...)
				if err := comments.add(c.ID, c.TicketID, c.AuditID, c.AuthorID, c.Public, c.Body, c.HTMLBody, c.Via,
					jsonText(orEmptyMap(c.Metadata)), ms(c.CreatedAt)); err != nil {
					return err
				}
			}
			if err := audits.add(a.ID, a.TicketID, a.AuthorID, a.Via, jsonText(orEmptyMap(a.Metadata)),
				jsonText(orEmpty(a.Events)), ms(a.CreatedAt)); err != nil {
				return err
			}
		}
	}
	for _, w := range []*rowWriter{tags, audits, comments} {
		if err := w.flush(); err != nil {
			return err
		}
	}
	index := bd.indexWriter(t, docTicket)
	for i := range batch {
		b := &batch[i]
		if b.doc == nil {
			b.doc = bd.docValues(docTicket, ticketSections(b))
		}
		if err := index.add(append([]any{b.Ticket.ID}, b.doc...)...); err != nil {
			return err
		}
	}
	return index.flush()
}

// InsertUsersBulk stores new users (ids are assigned) with their primary
// email identity and search document, as InsertUser does. Validation and
// defaults (users.Prepare) are the caller's job.
func (t *Tx) InsertUsersBulk(list []*model.User) error {
	if len(list) == 0 {
		return nil
	}
	ids, err := t.d.(bulkDialect).nextIDs(t, "users", len(list))
	if err != nil {
		return err
	}
	users := t.newRowWriter("users", "id, "+userWriteCols)
	idents := t.newRowWriter("user_identities", "user_id, type, value, is_primary, verified, created_at, updated_at")
	for i, u := range list {
		if u.ID != 0 {
			return errors.New("bulk users get their ids from the store")
		}
		u.ID = ids[i]
		u.Email = strings.ToLower(u.Email)
		if err := users.add(append([]any{u.ID}, userArgs(u)...)...); err != nil {
			return err
		}
	}
	if err := users.flush(); err != nil {
		return err
	}
	for _, u := range list {
		if u.Email != "" {
			if err := idents.add(u.ID, "email", u.Email, true, u.Verified, ms(u.CreatedAt), ms(u.UpdatedAt)); err != nil {
				return err
			}
		}
	}
	if err := idents.flush(); err != nil {
		return err
	}
	index := t.d.(bulkDialect).indexWriter(t, docUser)
	for _, u := range list {
		if err := index.add(append([]any{u.ID}, t.d.(bulkDialect).docValues(docUser, userSections(u))...)...); err != nil {
			return err
		}
	}
	return index.flush()
}

// rowWriter buffers rows of one table and writes them with multi-row
// INSERTs, reusing one prepared statement for every full chunk.
type rowWriter struct {
	t       *Tx
	head    string // INSERT INTO table (cols) VALUES
	row     string // (?, ?, …)
	ncol    int
	perStmt int
	args    []any
	full    *sql.Stmt
}

func (t *Tx) newRowWriter(table, cols string) *rowWriter {
	return t.newRowWriterPattern(table, cols, "("+placeholders(strings.Count(cols, ",")+1)+")")
}

// newRowWriterPattern takes the row's VALUES pattern, for casts.
func (t *Tx) newRowWriterPattern(table, cols, row string) *rowWriter {
	n := strings.Count(row, "?")
	per := max(1, min(500, t.d.(bulkDialect).maxVars()/n))
	if strings.HasSuffix(table, "_fts") {
		// FTS5 flushes its in-memory index at every statement; the fewer
		// statements, the fewer segments to merge later.
		per = max(1, t.d.(bulkDialect).maxVars()/n)
	}
	// args grows as rows come: the committer's index writer often takes a
	// handful of rows, and a bulk load grows it once.
	return &rowWriter{t: t, head: "INSERT INTO " + table + " (" + cols + ") VALUES ", row: row,
		ncol: n, perStmt: per, args: make([]any, 0, min(per*n, 16*n))}
}

func (w *rowWriter) add(vals ...any) error {
	if len(vals) != w.ncol {
		return fmt.Errorf("bulk insert: %d values for %d columns", len(vals), w.ncol)
	}
	w.args = append(w.args, vals...)
	if len(w.args) == w.perStmt*w.ncol {
		return w.flush()
	}
	return nil
}

func (w *rowWriter) flush() error {
	rows := len(w.args) / w.ncol
	if rows == 0 {
		return nil
	}
	defer func() { w.args = w.args[:0] }()
	if rows < w.perStmt {
		_, err := w.t.exec(w.sql(rows), w.args...)
		return err
	}
	if w.full == nil {
		st, err := w.t.ex.prepare(w.t, w.t.d.rebind(w.sql(rows)))
		if err != nil {
			return w.t.wrap(err)
		}
		w.full = st
	}
	if err := w.t.flush(); err != nil {
		return err
	}
	w.t.noteStatement(w.head)
	_, err := w.full.ExecContext(w.t.ctx, storableArgs(w.args)...)
	return w.t.wrap(err)
}

func (w *rowWriter) sql(rows int) string {
	var b strings.Builder
	b.Grow(len(w.head) + rows*(len(w.row)+2))
	b.WriteString(w.head)
	for i := range rows {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(w.row)
	}
	return b.String()
}
