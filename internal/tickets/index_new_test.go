package tickets_test

import (
	"context"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// A created ticket is indexed from what its writer holds (IndexNewTicket);
// the document must be the one IndexTicket rebuilds from the database:
// the same words find it, before and after a rebuild.
func TestNewTicketIndexedAsRebuilt(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		withComment, err := f.svc.Create(ctx, f.cus, tickets.Change{
			Subject: ptr("請求書の再発行"),
			Comment: &tickets.CommentInput{Body: "ｶﾞｲﾄﾞに従って領収書を印刷できません。"},
			Via:     "web",
		})
		if err != nil {
			t.Fatal(err)
		}
		// A ticket whose first message is an agent's note still has a
		// description (the note); the document is its comments.
		noted, err := f.svc.Create(ctx, f.agent, tickets.Change{
			Subject:     ptr("電話でのお問い合わせ"),
			RequesterID: &f.cus.ID,
			Comment:     &tickets.CommentInput{Body: "折り返しの電話を希望。配送先の変更。", Public: ptr(false)},
			Via:         "phone",
		})
		if err != nil {
			t.Fatal(err)
		}
		queries := map[string][]int64{
			"請求書":    {withComment.Ticket.ID}, // subject only
			"ガイド":    {withComment.Ticket.ID}, // comment only, half-width in the text
			"領収書 印刷": {withComment.Ticket.ID},
			"配送先":    {noted.Ticket.ID},
			"お問い合わせ": {noted.Ticket.ID},
			"再発行 配送": nil,
		}
		found := func() map[string][]int64 {
			out := map[string][]int64{}
			err := db.Read(ctx, func(tx *store.Tx) error {
				for q := range queries {
					var terms []search.Term
					for _, w := range strings.Fields(q) {
						terms = append(terms, search.Term{Text: w})
					}
					list, err := tx.ListTickets(store.TicketFilter{Text: search.ParseText(terms)}, store.TicketOrder{Field: "id"}, store.Page{})
					if err != nil {
						return err
					}
					for _, tk := range list {
						out[q] = append(out[q], tk.ID)
					}
				}
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			return out
		}
		check := func(when string) {
			got := found()
			for q, want := range queries {
				if len(got[q]) != len(want) || len(want) > 0 && got[q][0] != want[0] {
					t.Errorf("%s: %q finds %v, want %v", when, q, got[q], want)
				}
			}
		}
		check("as created")
		if err := db.Write(ctx, func(tx *store.Tx) error {
			for _, id := range []int64{withComment.Ticket.ID, noted.Ticket.ID} {
				if err := tx.IndexTicket(id); err != nil {
					return err
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		check("rebuilt")
	})
}
