package store

import (
	"slices"

	"github.com/kizuna-desk/kizuna/internal/search"
)

// recentMatches walks the full-text index from the newest ticket down;
// CROSS JOIN keeps SQLite from probing the index once per ticket instead.
func (f ftsIndexer) recentMatches(t *Tx, q search.TextQuery, w *where, below int64, n int) ([]int64, error) {
	sub, args := f.matchSQL(docTicket, q)
	query := "SELECT t.id FROM (" + sub + ") fs CROSS JOIN tickets t WHERE fs.doc_id = t.id"
	for _, p := range w.parts {
		query += " AND " + p
	}
	args = append(slices.Clone(args), w.args...)
	if below > 0 {
		query += " AND fs.doc_id < ?"
		args = append(args, below)
	}
	return t.ids(query+" ORDER BY fs.doc_id DESC LIMIT ?", append(args, n)...)
}

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
