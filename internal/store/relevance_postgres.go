package store

import (
	"slices"

	"github.com/kizuna-desk/kizuna/internal/search"
)

// recentMatches looks at ranges of ids going back from the newest, each
// four times wider than the one before (64k ids first) and starting where
// the last one stopped, until it has n matches. (Smaller first ranges
// were slower: every round builds the GIN bitmap of all matches again,
// 12 ms for 配送 at a million tickets.) Walking the tickets
// newest first, as SQLite does, would read and decompress a tsvector per
// ticket; asking the GIN index for all matches would visit every matching
// row. Instead each round ANDs the GIN index's bitmap with the id range's
// (plain index scans are switched off for that query so the planner takes
// the bitmaps) and reads only the rows in both.
func (x tsvIndexer) recentMatches(t *Tx, q search.TextQuery, w *where, below int64, n int) ([]int64, error) {
	hi := below
	if hi == 0 {
		var top int64
		if err := t.queryRow("SELECT COALESCE(MAX(ticket_id), 0) FROM ticket_search").Scan(&top); err != nil {
			return nil, t.wrap(err)
		}
		hi = top + 1
	}
	tsq := q.TSQuery()
	var kept []int64
	for span := firstSpan; ; span *= 4 {
		lo := max(hi-span, 0)
		if _, err := t.exec("SET LOCAL enable_indexscan = off"); err != nil {
			return nil, err
		}
		cand, err := t.ids("SELECT ticket_id FROM ticket_search WHERE tsv @@ CAST(? AS tsquery) AND ticket_id >= ? AND ticket_id < ?", tsq, lo, hi)
		if err != nil {
			return nil, err
		}
		if _, err := t.exec("SET LOCAL enable_indexscan = on"); err != nil {
			return nil, err
		}
		slices.SortFunc(cand, func(a, b int64) int { return int(b - a) })
		for chunk := range slices.Chunk(cand, 1000) {
			if len(kept) >= n {
				break
			}
			query := "SELECT t.id FROM tickets t WHERE t.id IN (" + placeholders(len(chunk)) + ")"
			for _, p := range w.parts {
				query += " AND " + p
			}
			ids, err := t.ids(query+" ORDER BY t.id DESC", append(int64Args(chunk), w.args...)...)
			if err != nil {
				return nil, err
			}
			kept = append(kept, ids...)
		}
		if len(kept) >= n || lo == 0 {
			return kept[:min(n, len(kept))], nil
		}
		hi = lo
	}
}

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

// firstSpan is recentMatches' first id range; a variable so tests can make
// it small enough to need several rounds.
var firstSpan int64 = 1 << 16
