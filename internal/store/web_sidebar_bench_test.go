package store_test

import (
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// BenchmarkWebSidebar measures the queries behind the web queue's sidebar
// and SLA badges on a seeded desk: the background recount's per-inbox and
// top-tag counts and its SLA-at-risk and snoozed counts (each once per
// change, not per page), and a page's SLA states for 50 tickets (every
// page).
//
//	go test -run XXX -bench WebSidebar ./internal/store/
//	KIZUNA_BENCH_DATA=/tmp/kz1m go test -run XXX -bench WebSidebar -benchtime 20x ./internal/store/
func BenchmarkWebSidebar(b *testing.B) {
	db := benchDB(b)
	unsolved := store.ViewCondition{Field: "status", Operator: "less_than", Value: "solved"}
	var page []int64
	if err := db.Read(b.Context(), func(tx *store.Tx) error {
		list, err := tx.ListTickets(store.TicketFilter{Statuses: []string{"open"}}, store.TicketOrder{Field: "updated_at", Desc: true}, store.Page{Limit: 50})
		for _, tk := range list {
			page = append(page, tk.ID)
		}
		return err
	}); err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct {
		name string
		op   func(tx *store.Tx) error
	}{
		{"inbox_counts", func(tx *store.Tx) error { _, err := tx.WebInboxCounts(); return err }},
		{"top_tags", func(tx *store.Tx) error { _, err := tx.WebTopTags(10); return err }},
		{"sla_at_risk_count", func(tx *store.Tx) error {
			_, err := tx.CountView(store.ViewQuery{Now: time.Now(), Conditions: store.ViewConditions{All: []store.ViewCondition{unsolved, {Field: "sla_at_risk", Operator: "is", Value: true}}}})
			return err
		}},
		{"snoozed_count", func(tx *store.Tx) error {
			_, err := tx.CountView(store.ViewQuery{Now: time.Now(), Conditions: store.ViewConditions{All: []store.ViewCondition{unsolved, {Field: "snoozed", Operator: "is", Value: true}}}})
			return err
		}},
		{"sla_due_page_of_50", func(tx *store.Tx) error { _, err := tx.SLADueFor(page); return err }},
	} {
		b.Run(c.name, func(b *testing.B) {
			timed(b, func(int) error { return db.Read(b.Context(), c.op) })
		})
	}
}
