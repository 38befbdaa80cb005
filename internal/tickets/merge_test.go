package tickets_test

import (
	"context"
	"errors"
	"sync"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func (f *fixture) ticket(t *testing.T, subject, body string) *model.Ticket {
	t.Helper()
	res, err := f.svc.Create(context.Background(), f.agent, tickets.Change{Subject: ptr(subject), RequesterID: ptr(f.cus.ID),
		Comment: &tickets.CommentInput{Body: body, AuthorID: f.cus.ID}, Via: "email"})
	if err != nil {
		t.Fatal(err)
	}
	return res.Ticket
}

// TestMergeOppositeDirections runs "A into B" and "B into A" at once: one
// wins, the other is refused because its ticket is now closed, and neither
// deadlocks (tickets are locked in id order).
func TestMergeOppositeDirections(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		for round := 0; round < 5; round++ {
			a := f.ticket(t, "配送状況を教えてください", "注文①はいつ届きますか")
			b := f.ticket(t, "配送について（再送）", "㈱髙島屋の佐藤です。ｶﾀｶﾅで失礼します")
			var wg sync.WaitGroup
			errsOut := make([]error, 2)
			for i, pair := range [][2]int64{{a.ID, b.ID}, {b.ID, a.ID}} {
				wg.Add(1)
				go func() {
					defer wg.Done()
					_, errsOut[i] = f.svc.Merge(ctx, f.agent, pair[0], []int64{pair[1]}, tickets.MergeOptions{})
				}()
			}
			wg.Wait()
			var inv *errs.Invalid
			ok := 0
			for _, err := range errsOut {
				switch {
				case err == nil:
					ok++
				case !errors.As(err, &inv):
					t.Fatalf("round %d: unexpected error %v", round, err)
				}
			}
			if ok != 1 {
				t.Fatalf("round %d: %d merges succeeded (%v), want exactly 1", round, ok, errsOut)
			}
			var closed int
			for _, id := range []int64{a.ID, b.ID} {
				tk, err := f.svc.Get(ctx, f.agent, id)
				if err != nil {
					t.Fatal(err)
				}
				if tk.Status == model.StatusClosed {
					closed++
				}
			}
			if closed != 1 {
				t.Fatalf("round %d: %d tickets closed, want 1", round, closed)
			}
		}
	})
}

func TestMergeRefusals(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		a := f.ticket(t, "①の件", "本文です")
		b := f.ticket(t, "②の件", "本文です")
		deleted := f.ticket(t, "削除済み", "本文です")
		if err := f.svc.Delete(ctx, f.agent, deleted.ID); err != nil {
			t.Fatal(err)
		}
		cases := []struct {
			name   string
			actor  *model.User
			target int64
			ids    []int64
			want   error
		}{
			{"light agent", f.light, a.ID, []int64{b.ID}, errs.ErrForbidden},
			{"customer", f.cus, a.ID, []int64{b.ID}, errs.ErrForbidden},
			{"deleted target", f.agent, deleted.ID, []int64{b.ID}, errs.ErrNotFound},
			{"deleted source", f.agent, a.ID, []int64{deleted.ID}, &errs.Invalid{}},
			{"itself", f.agent, a.ID, []int64{a.ID, b.ID}, &errs.Invalid{}},
			{"none", f.agent, a.ID, nil, &errs.Invalid{}},
		}
		for _, c := range cases {
			_, err := f.svc.Merge(ctx, c.actor, c.target, c.ids, tickets.MergeOptions{})
			var inv *errs.Invalid
			if _, wantInv := c.want.(*errs.Invalid); wantInv && !errors.As(err, &inv) || !wantInv && !errors.Is(err, c.want) {
				t.Errorf("%s: err = %v, want %v", c.name, err, c.want)
			}
		}
		// Nothing was written by the refusals.
		for _, id := range []int64{a.ID, b.ID} {
			tk, err := f.svc.Get(ctx, f.agent, id)
			if err != nil || tk.Status != model.StatusNew || len(tk.CollaboratorIDs) != 0 {
				t.Errorf("ticket %d changed: %+v %v", id, tk, err)
			}
		}
	})
}
