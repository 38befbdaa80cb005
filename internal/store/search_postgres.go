package store

import (
	"fmt"

	"github.com/kizuna-desk/kizuna/internal/search"
)

// tsvIndexer keeps tsvectors built in Go from our own tokens, so PostgreSQL's
// parser never re-splits CJK bigrams; queries are cast with ::tsquery for
// the same reason.
type tsvIndexer struct{}

var tsvTables = [...]struct{ table, key string }{
	docTicket:       {"ticket_search", "ticket_id"},
	docUser:         {"user_search", "user_id"},
	docOrganization: {"organization_search", "organization_id"},
}

func (x tsvIndexer) index(t *Tx, kind docKind, id int64, sections []string) error {
	tt := tsvTables[kind]
	return t.execLater(fmt.Sprintf(`INSERT INTO %s (%s, tsv) VALUES (?, CAST(? AS tsvector))
		ON CONFLICT (%s) DO UPDATE SET tsv = EXCLUDED.tsv`, tt.table, tt.key, tt.key), id, x.docValues(kind, sections)[0])
}

// docValues returns the tsvector literal of a document, in a list for
// symmetry with the SQLite indexer.
func (tsvIndexer) docValues(kind docKind, sections []string) []any {
	secs := make([]search.Section, len(sections))
	for i, s := range sections {
		secs[i] = search.Section{Text: s, Weight: 'D'}
	}
	if kind == docTicket && len(secs) > 0 {
		secs[0].Weight = 'A' // the subject
	}
	return []any{search.TSVector(secs...)}
}

func (tsvIndexer) unindex(t *Tx, kind docKind, id int64) error {
	tt := tsvTables[kind]
	return t.execLater("DELETE FROM "+tt.table+" WHERE "+tt.key+" = ?", id)
}

func (tsvIndexer) matchSQL(kind docKind, q search.TextQuery) (string, []any) {
	tt := tsvTables[kind]
	return fmt.Sprintf("SELECT %s AS doc_id, ts_rank(tsv, fq) AS rank FROM %s, CAST(? AS tsquery) AS fq WHERE tsv @@ fq", tt.key, tt.table),
		[]any{q.TSQuery()}
}
