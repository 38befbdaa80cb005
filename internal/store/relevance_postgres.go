package store

import (
	"github.com/kizuna-desk/kizuna/internal/search"
)

// windowScores is ts_rank over the window's documents (the subject carries
// weight A, so it counts most).
func (tsvIndexer) windowScores(t *Tx, q search.TextQuery, ids []int64) (map[int64]float64, error) {
	scores := make(map[int64]float64, len(ids))
	if len(ids) == 0 {
		return scores, nil
	}
	rows, err := t.query("SELECT ticket_id, ts_rank(tsv, CAST(? AS tsquery)) FROM ticket_search WHERE ticket_id IN ("+placeholders(len(ids))+")",
		append([]any{q.TSQuery()}, int64Args(ids)...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var id int64
		var rank float64
		if err := rows.Scan(&id, &rank); err != nil {
			return nil, err
		}
		scores[id] = rank
	}
	return scores, rows.Err()
}
