package tickets_test

import (
	"context"
	"errors"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// TestSplitKeepsBothTicketsConsistent checks what the API cannot see
// directly: the search index of both tickets and the refusal of a split
// that would move a ticket's description.
func TestSplitKeepsBothTicketsConsistent(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		src := f.ticket(t, "配送状況を教えてください", "注文①の配送状況を教えてください")
		res, err := f.svc.Update(ctx, f.agent, src.ID, tickets.Change{Comment: &tickets.CommentInput{Body: "別件：領収書の宛名を㈱髙島屋に変更してください", AuthorID: f.cus.ID}})
		if err != nil {
			t.Fatal(err)
		}
		moved := res.Comment.ID
		if _, err := f.svc.Split(ctx, f.light, src.ID, []int64{moved}, tickets.SplitOptions{}); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("light agent split: %v", err)
		}
		var first int64
		db.Read(ctx, func(tx *store.Tx) error {
			cs, err := tx.Comments(src.ID, false, 0, 1, false)
			if err == nil {
				first = cs[0].ID
			}
			return err
		})
		var inv *errs.Invalid
		if _, err := f.svc.Split(ctx, f.agent, src.ID, []int64{first, moved}, tickets.SplitOptions{}); !errors.As(err, &inv) {
			t.Fatalf("moving the description: %v", err)
		}
		sp, err := f.svc.Split(ctx, f.agent, src.ID, []int64{moved}, tickets.SplitOptions{Subject: " 宛名\n変更 "})
		if err != nil {
			t.Fatal(err)
		}
		if sp.Ticket.Subject != "宛名 変更" || sp.Ticket.Via != "api" || sp.Ticket.RequesterID != f.cus.ID ||
			sp.Ticket.Status != model.StatusNew || sp.Source.Status != src.Status {
			t.Errorf("split result: new %+v, source %+v", sp.Ticket, sp.Source)
		}
		find := func(q string) []int64 {
			t.Helper()
			var ids []int64
			err := db.Read(ctx, func(tx *store.Tx) error {
				pq, err := search.Parse(q)
				if err != nil {
					return err
				}
				found, err := tx.ListTickets(store.TicketFilter{Text: search.ParseText(pq.Terms)}, store.TicketOrder{Field: "id"}, store.Page{Limit: 10})
				for _, tk := range found {
					ids = append(ids, tk.ID)
				}
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			return ids
		}
		if got := find("領収書"); len(got) != 1 || got[0] != sp.Ticket.ID {
			t.Errorf("search 領収書 = %v, want only the new ticket %d", got, sp.Ticket.ID)
		}
		// (The notes name the other ticket's subject, so search body words.)
		if got := find("注文"); len(got) != 1 || got[0] != src.ID {
			t.Errorf("search 注文 = %v, want only the source %d", got, src.ID)
		}
	})
}
