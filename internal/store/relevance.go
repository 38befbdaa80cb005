package store

import (
	"cmp"
	"errors"
	"math"
	"slices"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
)

// Relevance order without ranking every match. A common word matches tens
// of thousands of tickets in a big desk, and ranking them all (SQLite's
// bm25 must also count every match of each phrase for its IDF; PostgreSQL
// reads every matching document) takes hundreds of milliseconds. So the
// store ranks only the relevanceWindow most recent matches that pass the
// filters:
//
//   - up to relevanceWindow matches: all of them are ranked, newest first
//     among equals;
//   - more: the first relevanceWindow results are those most recent matches
//     in relevance order, and later pages continue with the older matches,
//     newest first. Every match is still reachable by paging.
//
// Finding the window walks the index from the newest ticket down and stops
// early; its cost depends on the window, not the desk's size. The score is
// the dialect's (relevance_*.go): SQLite counts the query's words found in
// the subject (a cheap index lookup, unlike bm25); PostgreSQL uses ts_rank,
// which weighs subject matches higher.
var relevanceWindow = 1000 // a variable only so tests can shrink it

// windowRanker is the dialect half of relevance order (relevance_*.go).
type windowRanker interface {
	// recentMatches returns up to n ids of tickets matching q and the
	// filter's conditions, newest first, all below id below (0: no bound).
	recentMatches(t *Tx, q search.TextQuery, w *where, below int64, n int) ([]int64, error)
	// windowScores scores matching tickets; higher is better.
	windowScores(t *Tx, q search.TextQuery, ids []int64) (map[int64]float64, error)
}

func (t *Tx) listByRelevance(f TicketFilter, w *where, page Page) ([]*model.Ticket, error) {
	if page.After != nil {
		return nil, errors.New("relevance order cannot be paged with a cursor")
	}
	wr := t.d.(windowRanker)
	ids, err := wr.recentMatches(t, f.Text, w, 0, relevanceWindow+1)
	if err != nil {
		return nil, err
	}
	full := len(ids) > relevanceWindow
	if full {
		ids = ids[:relevanceWindow]
	}
	scores, err := wr.windowScores(t, f.Text, ids)
	if err != nil {
		return nil, err
	}
	ranked := slices.Clone(ids) // newest first, so a stable sort keeps that among equals
	slices.SortStableFunc(ranked, func(a, b int64) int { return cmp.Compare(scores[b], scores[a]) })

	// Positions [start, end) of the whole order: the ranked window first,
	// then (when the window is full) the older matches.
	start, end, unbounded := page.Offset, page.Offset+page.Limit, page.Limit <= 0
	var out []int64
	if start < len(ranked) {
		if unbounded || end > len(ranked) {
			out = slices.Clone(ranked[start:])
		} else {
			out = slices.Clone(ranked[start:end])
		}
	}
	if full && (unbounded || end > relevanceWindow) {
		skip := max(0, start-relevanceWindow)
		n := math.MaxInt32
		if !unbounded {
			n = skip + end - max(start, relevanceWindow)
		}
		older, err := wr.recentMatches(t, f.Text, w, ids[len(ids)-1], n)
		if err != nil {
			return nil, err
		}
		out = append(out, older[min(skip, len(older)):]...)
	}
	return t.ticketsInOrder(out)
}

func (t *Tx) ids(q string, args ...any) ([]int64, error) {
	return queryAll(t, func(sc scanner) (int64, error) {
		var id int64
		return id, sc.Scan(&id)
	}, q, args...)
}

// ticketsInOrder loads tickets by id, in the order given.
func (t *Tx) ticketsInOrder(ids []int64) ([]*model.Ticket, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	list, err := queryAll(t, scanTicket, "SELECT "+ticketCols+" FROM tickets t WHERE t.id IN ("+placeholders(len(ids))+")", int64Args(ids)...)
	if err != nil {
		return nil, err
	}
	pos := make(map[int64]int, len(ids))
	for i, id := range ids {
		pos[id] = i
	}
	slices.SortFunc(list, func(a, b *model.Ticket) int { return pos[a.ID] - pos[b.ID] })
	return list, nil
}

// positiveClauses are the clauses a document must match.
func positiveClauses(q search.TextQuery) []search.Clause {
	var out []search.Clause
	for _, c := range q.Clauses {
		if !c.Negate && len(c.Tokens) > 0 {
			out = append(out, c)
		}
	}
	return out
}

// countTextOnly counts live tickets matching a text-only filter (the
// common search) without looking up every matching ticket: the index
// holds live tickets only (IndexTicket), so its count is the answer. ok is
// false for other filters.
func (t *Tx) countTextOnly(f TicketFilter, w *where) (n int64, ok bool, err error) {
	if f.Deleted || w.join == "" || len(w.parts) != 1 {
		return 0, false, nil // the one part is "t.deleted_at IS NULL"
	}
	sub, args := t.d.matchSQL(docTicket, f.Text)
	n, err = t.countTicketsSplit("SELECT COUNT(*) FROM ("+sub+") fs WHERE 1 = 1", "fs.doc_id", args)
	return n, true, err
}
