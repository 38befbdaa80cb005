package store

import (
	"context"
	"database/sql"
	"slices"
)

func (postgresDialect) bulkSession(context.Context, *sql.Conn) (func(), error) { return func() {}, nil }

// bulkTx: a bulk transaction's commit need not wait for the WAL flush; a
// server crash can lose it (never corrupt anything), and the load is redone.
func (postgresDialect) bulkTx(t *Tx) error {
	for _, q := range []string{"SET LOCAL synchronous_commit = off"} {
		if _, err := t.exec(q); err != nil {
			return err
		}
	}
	return nil
}

func (postgresDialect) bulkEnd(*Tx) error { return nil }

// nextIDs draws from the table's identity sequence, so concurrent writers
// (other nodes, the API) never collide with the reserved ids.
func (postgresDialect) nextIDs(t *Tx, table string, n int) ([]int64, error) {
	if n == 0 {
		return nil, nil
	}
	rows, err := t.query("SELECT nextval(pg_get_serial_sequence(?, 'id')) FROM generate_series(1, ?)", table, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	ids := make([]int64, 0, n)
	for rows.Next() {
		var id int64
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	slices.Sort(ids)
	return ids, rows.Err()
}

// finishBulk refreshes planner statistics now rather than whenever
// autovacuum gets to the new rows. The tables are named: a bare ANALYZE
// would visit every schema of the database (and wait for their locks).
func (postgresDialect) finishBulk(ctx context.Context, db *DB) error {
	_, err := db.writer.ExecContext(ctx, `ANALYZE users, user_identities, user_search, organizations, organization_domains,
		tickets, ticket_tags, audits, comments, ticket_search`)
	return err
}

func (postgresDialect) maxVars() int { return 65535 }

func (postgresDialect) indexWriter(t *Tx, kind docKind) *rowWriter {
	tt := tsvTables[kind]
	return t.newRowWriterPattern(tt.table, tt.key+", tsv", "(?, CAST(? AS tsvector))")
}
