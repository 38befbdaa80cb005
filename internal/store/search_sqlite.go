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

func (f ftsIndexer) index(t *Tx, kind docKind, id int64, sections []string) error {
	if t.deferIndex(kind, id, sections) { // grouped write: see index_defer.go
		return nil
	}
	table := ftsTables[kind]
	if _, err := t.exec("DELETE FROM "+table+" WHERE rowid = ?", id); err != nil {
		return err
	}
	vals := append([]any{id}, f.docValues(kind, sections)...)
	_, err := t.exec("INSERT INTO "+table+" (rowid, "+ftsCols(kind)+") VALUES ("+placeholders(len(vals))+")", vals...)
	return err
}

// ftsCols are the indexed columns of a kind's table: tickets weigh the
// subject apart from the conversation.
func ftsCols(kind docKind) string {
	if kind == docTicket {
		return "subject, body"
	}
	return "doc"
}

// docValues returns the values of ftsCols for a document.
func (ftsIndexer) docValues(kind docKind, sections []string) []any {
	if kind == docTicket {
		return []any{search.FTS5Document(sections[0]), search.FTS5Document(sections[1:]...)}
	}
	return []any{search.FTS5Document(sections...)}
}

func (ftsIndexer) unindex(t *Tx, kind docKind, id int64) error {
	if t.deferIndex(kind, id, nil) {
		return nil
	}
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
