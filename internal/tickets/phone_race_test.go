package tickets_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// TestNewPhoneRace: several first calls from one new phone number logged
// at the same moment (no email) make one customer, and every ticket names
// them. The phone column has no unique constraint (a switchboard number is
// shared), so without the key lock PostgreSQL let each transaction miss
// the others' customer and create its own.
func TestNewPhoneRace(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		// Hold each transaction open after it found or created the caller,
		// so that without a lock the others all look before any commits.
		f.svc.BeforeCommit = append(f.svc.BeforeCommit, func(*store.Tx, tickets.Result) error {
			time.Sleep(30 * time.Millisecond)
			return nil
		})
		const phone = "090-1234-5678"
		const n = 6
		var wg sync.WaitGroup
		ids := make([]int64, n)
		errs := make([]error, n)
		for i := range n {
			wg.Go(func() {
				res, err := f.svc.Create(context.Background(), f.agent, tickets.Change{
					Subject:   ptr("お電話: 配送日の変更"),
					Comment:   &tickets.CommentInput{Body: "初めてのお電話。配送日を変更したいとのこと。", Public: ptr(false)},
					Requester: &tickets.Person{Name: "佐藤 健太", Phone: phone, Locale: "ja"},
				})
				errs[i] = err
				if err == nil {
					ids[i] = res.Ticket.ID
				}
			})
		}
		wg.Wait()
		for i, err := range errs {
			if err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
		}
		// Read first, judge after: a t.Fatal inside the transaction would
		// leave it open and the schema's DROP waiting for it.
		var (
			callers []int64
			tks     []*model.Ticket
		)
		err := db.Read(context.Background(), func(tx *store.Tx) error {
			all, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleEndUser}}, 0, 0, 1000, false)
			if err != nil {
				return err
			}
			for _, u := range all {
				if u.Phone == phone {
					callers = append(callers, u.ID)
				}
			}
			tks, err = tx.TicketsByID(ids)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(callers) != 1 {
			t.Fatalf("%d customers with %s: %v", len(callers), phone, callers)
		}
		if len(tks) != n {
			t.Fatalf("%d of %d tickets", len(tks), n)
		}
		for _, tk := range tks {
			if tk.RequesterID != callers[0] {
				t.Errorf("ticket %d: requester %d, want %d", tk.ID, tk.RequesterID, callers[0])
			}
		}
	})
}
