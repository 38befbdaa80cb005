package store

import (
	"slices"

	"github.com/kizuna-desk/kizuna/internal/search"
)

// docKind names one full-text index.
type docKind int

const (
	docTicket docKind = iota
	docUser
	docOrganization
)

// indexer is the dialect-specific half of full-text search. Documents are
// indexed inside the writing transaction, so a record is searchable the
// moment its write commits.
type indexer interface {
	index(t *Tx, kind docKind, id int64, sections []string) error
	unindex(t *Tx, kind docKind, id int64) error
	// matchSQL returns a SELECT of (doc_id, rank) for documents matching q,
	// which must have at least one positive clause; higher rank is better.
	matchSQL(kind docKind, q search.TextQuery) (string, []any)
}

// index indexes a document from its text as stored (storableArgs), so
// that what is found is what was kept: a NUL between two words would
// otherwise split them in the index but not in the row.
func (t *Tx) index(kind docKind, id int64, sections []string) error {
	if slices.ContainsFunc(sections, func(s string) bool { return !storable(s) }) {
		sections = slices.Clone(sections)
		for i, s := range sections {
			sections[i] = storableText(s)
		}
	}
	return t.d.index(t, kind, id, sections)
}

// textCondition turns a text query into a condition on idCol plus, when the
// query has a positive clause, a join exposing fs.rank for ordering.
func (t *Tx) textCondition(kind docKind, idCol string, q search.TextQuery) (join string, joinArgs []any, where string, whereArgs []any) {
	positive := false
	for _, c := range q.Clauses {
		if !c.Negate {
			positive = true
			break
		}
	}
	if positive {
		sub, args := t.d.matchSQL(kind, q)
		return " JOIN (" + sub + ") fs ON fs.doc_id = " + idCol, args, "", nil
	}
	// Only exclusions: match what is excluded and keep the rest.
	flipped := search.TextQuery{Clauses: make([]search.Clause, len(q.Clauses))}
	for i, c := range q.Clauses {
		c.Negate = false
		flipped.Clauses[i] = c
	}
	// Each excluded clause is its own NOT IN, so "-a -b" drops docs with a or b.
	for _, c := range flipped.Clauses {
		sub, args := t.d.matchSQL(kind, search.TextQuery{Clauses: []search.Clause{c}})
		if where != "" {
			where += " AND "
		}
		where += idCol + " NOT IN (SELECT doc_id FROM (" + sub + ") nx)"
		whereArgs = append(whereArgs, args...)
	}
	return "", nil, where, whereArgs
}
