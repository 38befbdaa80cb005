package store

import (
	"fmt"

	"github.com/kizuna-desk/kizuna/internal/search"
)

// ftsIndexer keeps SQLite FTS5 tables of our own tokens (CJK bigrams and
// normalised words, see package search). The tables are contentless: the
// text itself is in the tickets, comments, users and organizations tables.
type ftsIndexer struct{}

var ftsTables = [...]string{docTicket: "ticket_fts", docUser: "user_fts", docOrganization: "organization_fts"}

func (ftsIndexer) index(t *Tx, kind docKind, id int64, sections []string) error {
	table := ftsTables[kind]
	if _, err := t.exec("DELETE FROM "+table+" WHERE rowid = ?", id); err != nil {
		return err
	}
	args := []any{id}
	cols := "rowid"
	if kind == docTicket {
		cols += ", subject, body"
		args = append(args, search.FTS5Document(sections[0]), search.FTS5Document(sections[1:]...))
	} else {
		cols += ", doc"
		args = append(args, search.FTS5Document(sections...))
	}
	_, err := t.exec("INSERT INTO "+table+" ("+cols+") VALUES ("+placeholders(len(args))+")", args...)
	return err
}

func (ftsIndexer) unindex(t *Tx, kind docKind, id int64) error {
	_, err := t.exec("DELETE FROM "+ftsTables[kind]+" WHERE rowid = ?", id)
	return err
}

// matchSQL selects (doc_id, rank) of matching documents; a higher rank is a
// better match. bm25 is negative-better, so it is negated; subject matches
// weigh more than body matches.
func (ftsIndexer) matchSQL(kind docKind, q search.TextQuery) (string, []any) {
	table := ftsTables[kind]
	weights := ""
	if kind == docTicket {
		weights = ", 4.0, 1.0"
	}
	return fmt.Sprintf("SELECT rowid AS doc_id, -bm25(%s%s) AS rank FROM %s WHERE %s MATCH ?", table, weights, table, table),
		[]any{q.FTS5()}
}
