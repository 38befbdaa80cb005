package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/metrics"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// BenchmarkTicketWrite measures a ticket update (an agent's reply) with and
// without the metrics hook, on a ticket with a short and a long history:
// the hook reads only the audits after the row's last one, so its cost does
// not grow with the history.
//
//	go test -run XXX -bench TicketWrite -benchtime 2000x ./internal/metrics/
func BenchmarkTicketWrite(b *testing.B) {
	for _, history := range []int{10, 500} {
		for _, hook := range []bool{false, true} {
			b.Run(fmt.Sprintf("history=%d/metrics=%v", history, hook), func(b *testing.B) {
				db := storetest.SQLite(b)
				f := &fixture{db: db, svc: tickets.New(db), clk: &clock{}}
				f.clk.Set(time.Date(2026, 11, 2, 9, 0, 0, 0, time.UTC))
				f.svc.Now = f.clk.Now
				if hook {
					f.svc.BeforeCommit = append(f.svc.BeforeCommit, metrics.New(db).BeforeCommit)
				}
				ctx := context.Background()
				agent, cust := benchUsers(b, db, f.clk.Now())
				res, err := f.svc.Create(ctx, cust, tickets.Change{Comment: comment("配送状況を教えてください", true)})
				if err != nil {
					b.Fatal(err)
				}
				id := res.Ticket.ID
				reply := func() {
					f.clk.Advance(time.Minute)
					if _, err := f.svc.Update(ctx, agent, id, tickets.Change{Comment: comment("確認いたします。", true)}); err != nil {
						b.Fatal(err)
					}
				}
				for range history {
					reply()
				}
				b.ResetTimer()
				for range b.N {
					reply()
				}
			})
		}
	}
}

func benchUsers(b *testing.B, db *store.DB, now time.Time) (agent, cust *model.User) {
	b.Helper()
	agent = &model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAgent}
	cust = &model.User{Name: "佐藤 花子", Email: "hanako@customer.co.jp", Role: model.RoleEndUser}
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		if err := users.Create(tx, agent, now); err != nil {
			return err
		}
		return users.Create(tx, cust, now)
	})
	if err != nil {
		b.Fatal(err)
	}
	return agent, cust
}
