package store_test

import (
	"context"
	"runtime"
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/seed"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestRelevanceWindow: with more matches than the window, the first results
// are the most recent matches in relevance order, later pages continue with
// older matches newest first, and paging reaches every match exactly once.
func TestRelevanceWindow(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed.Run(ctx, db, seed.Options{Tickets: 150, Seed: 3, Until: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		for _, word := range []string{"お問い合わせ", "配送", "サポート", "the"} {
			q := search.TextQuery{Clauses: search.ParseText([]search.Term{{Text: word}}).Clauses}
			var all []*model.Ticket
			err := db.Read(ctx, func(tx *store.Tx) error {
				var err error
				all, err = tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "id", Desc: true}, store.Page{})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if len(all) < 3 {
				t.Fatalf("%q matches only %d seeded tickets", word, len(all))
			}
			window := len(all) / 3
			restore := store.SetRelevanceWindow(window)
			defer store.SetFirstSpan(4)() // PostgreSQL: several rounds of widening
			var paged []*model.Ticket
			for off := 0; ; off += 4 {
				var page []*model.Ticket
				err := db.Read(ctx, func(tx *store.Tx) error {
					var err error
					page, err = tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "relevance"}, store.Page{Limit: 4, Offset: off})
					return err
				})
				if err != nil {
					t.Fatal(err)
				}
				if len(page) == 0 {
					break
				}
				paged = append(paged, page...)
			}
			var unpaged, tail []*model.Ticket
			err = db.Read(ctx, func(tx *store.Tx) error {
				var err error
				if unpaged, err = tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "relevance"}, store.Page{}); err != nil {
					return err
				}
				tail, err = tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "relevance"}, store.Page{Offset: window + 1})
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			restore()
			ids := func(list []*model.Ticket) []int64 {
				out := make([]int64, len(list))
				for i, tk := range list {
					out[i] = tk.ID
				}
				return out
			}
			got, want := ids(paged), ids(all) // want: newest first
			if len(got) != len(want) {
				t.Fatalf("%q: paging found %d tickets, want %d", word, len(got), len(want))
			}
			head := slices.Clone(got[:window])
			slices.Sort(head)
			newest := slices.Clone(want[:window])
			slices.Sort(newest)
			if !slices.Equal(head, newest) {
				t.Errorf("%q: first %d results are not the %d newest matches: %v vs %v", word, window, window, head, newest)
			}
			if !slices.Equal(ids(unpaged), got) || !slices.Equal(ids(tail), got[window+1:]) {
				t.Errorf("%q: without a limit the order differs from paging", word)
			}
			if !slices.Equal(got[window:], want[window:]) {
				t.Errorf("%q: results after the window are not the older matches newest first: %v vs %v", word, got[window:], want[window:])
			}
		}
	})
}

// TestRelevanceSubjectFirst: a ticket naming the word in its subject ranks
// above one that only mentions it in a comment.
func TestRelevanceSubjectFirst(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed.Run(ctx, db, seed.Options{Tickets: 120, Seed: 5, Until: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		q := search.ParseText([]search.Term{{Text: "返金"}})
		var list []*model.Ticket
		err := db.Read(ctx, func(tx *store.Tx) error {
			var err error
			list, err = tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "relevance"}, store.Page{Limit: 200})
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		inSubject := func(tk *model.Ticket) bool {
			return slices.Contains(search.IndexTokens(tk.Subject), "返金")
		}
		seenOther := false
		for _, tk := range list {
			if !inSubject(tk) {
				seenOther = true
			} else if seenOther {
				t.Fatalf("ticket %d (%s) has 返金 in its subject but ranks after one that does not", tk.ID, tk.Subject)
			}
		}
		if !seenOther || !inSubject(list[0]) {
			t.Fatalf("test data should mix subject and body matches")
		}
	})
}

// TestCountText: counting a word's matches leaves out soft-deleted
// tickets, and agrees with listing them, whether the count runs as one
// query or in parallel parts by id range (side_reads.go).
func TestCountText(t *testing.T) {
	t.Run("whole", func(t *testing.T) { testCountText(t, false) })
	t.Run("split", func(t *testing.T) {
		if runtime.NumCPU() < 2 {
			t.Skip("one CPU: counts never split")
		}
		defer store.SetSplitSpan(8)()
		testCountText(t, true)
	})
}

func testCountText(t *testing.T, split bool) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		if _, err := seed.Run(ctx, db, seed.Options{Tickets: 80, Seed: 9, Until: time.Date(2026, 4, 1, 0, 0, 0, 0, time.UTC)}); err != nil {
			t.Fatal(err)
		}
		q := search.ParseText([]search.Term{{Text: "お問い合わせ"}})
		counts := func() (listed int, counted int64) {
			err := db.Read(ctx, func(tx *store.Tx) error {
				list, err := tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "id"}, store.Page{})
				listed = len(list)
				if err == nil {
					counted, err = tx.CountTickets(store.TicketFilter{Text: q})
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return listed, counted
		}
		before, n := counts()
		if before < 2 || int64(before) != n {
			t.Fatalf("listed %d, counted %d", before, n)
		}
		var deletedID int64
		err := db.Write(ctx, func(tx *store.Tx) error {
			list, err := tx.ListTickets(store.TicketFilter{Text: q}, store.TicketOrder{Field: "id"}, store.Page{Limit: 1})
			if err != nil {
				return err
			}
			list[0].DeletedAt = time.Now()
			deletedID = list[0].ID
			return tx.UpdateTicket(list[0], false)
		})
		if err != nil {
			t.Fatal(err)
		}
		after, n := counts()
		if after != before-1 || int64(after) != n {
			t.Errorf("after deleting one: listed %d, counted %d, want %d", after, n, before-1)
		}
		// Re-indexing a deleted ticket (a later write to it) keeps it out.
		if err := db.Write(ctx, func(tx *store.Tx) error { return tx.IndexTicket(deletedID) }); err != nil {
			t.Fatal(err)
		}
		if again, n := counts(); again != after || int64(again) != n {
			t.Errorf("after re-indexing the deleted ticket: listed %d, counted %d, want %d", again, n, after)
		}
		// Only SQLite splits (side_reads.go).
		if splits := db.SplitCounts(); (split && db.Dialect() == "sqlite") != (splits > 0) {
			t.Errorf("%d counts ran in parts; split = %v", splits, split)
		}
	})
}
