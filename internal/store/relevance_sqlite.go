package store

import (
	"slices"

	"github.com/kizuna-desk/kizuna/internal/search"
)

// windowScores counts, per ticket, the query's clauses found in its subject
// (FTS5 column filter, limited to the window's id range).
func (ftsIndexer) windowScores(t *Tx, q search.TextQuery, ids []int64) (map[int64]float64, error) {
	scores := make(map[int64]float64, len(ids))
	if len(ids) == 0 {
		return scores, nil
	}
	in := make(map[int64]bool, len(ids))
	for _, id := range ids {
		in[id] = true
	}
	lo, hi := slices.Min(ids), slices.Max(ids)
	for _, c := range positiveClauses(q) {
		expr := "{subject} : " + search.TextQuery{Clauses: []search.Clause{c}}.FTS5()
		hits, err := t.ids("SELECT rowid FROM ticket_fts WHERE ticket_fts MATCH ? AND rowid BETWEEN ? AND ?", expr, lo, hi)
		if err != nil {
			return nil, err
		}
		for _, id := range hits {
			if in[id] {
				scores[id]++
			}
		}
	}
	return scores, nil
}
