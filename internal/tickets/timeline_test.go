package tickets_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// TestTimelineTies stops the clock, so every ticket, comment and mail
// happens at the same millisecond: the order must still be total (kind,
// then newest id) and paging by cursor must neither skip nor repeat.
func TestTimelineTies(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		at := time.Date(2026, 4, 1, 9, 0, 0, 0, time.UTC)
		f.svc.Now = func() time.Time { return at }
		var ids []int64
		for _, s := range []string{"①の件", "②の件", "③の件"} {
			ids = append(ids, f.ticket(t, s, s+"について").ID)
		}
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i, id := range ids[:2] {
				m := &model.MailMessage{Direction: model.MailIn, MessageID: fmt.Sprintf("tie-%d@example.jp", i), SHA256: strings.Repeat("0", 64),
					TicketID: id, State: model.MailProcessed, CreatedAt: at, UpdatedAt: at}
				if err := tx.InsertMailMessage(m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		all, err := f.svc.Timeline(ctx, f.agent, tickets.TimelineQuery{UserID: f.cus.ID})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, e := range all.Entries {
			got = append(got, fmt.Sprintf("%s:%d", e.Kind, e.TicketID))
			if e.Kind == tickets.EntryTicket && (e.Latest == nil || e.Latest.TicketID != e.ID) {
				t.Errorf("ticket %d has no latest comment", e.ID)
			}
		}
		want := []string{}
		for _, kind := range []string{"ticket", "comment", "mail"} {
			for i := len(ids) - 1; i >= 0; i-- {
				if kind != "mail" || i < 2 {
					want = append(want, fmt.Sprintf("%s:%d", kind, ids[i]))
				}
			}
		}
		if !slices.Equal(got, want) || all.HasMore {
			t.Fatalf("timeline = %v (more %v), want %v", got, all.HasMore, want)
		}
		for size := 1; size <= 3; size++ {
			var walked []tickets.TimelineEntry
			q := tickets.TimelineQuery{UserID: f.cus.ID, Limit: size}
			for {
				page, err := f.svc.Timeline(ctx, f.light, q)
				if err != nil {
					t.Fatal(err)
				}
				walked = append(walked, page.Entries...)
				if !page.HasMore || len(walked) > len(want) {
					break
				}
				c := page.Entries[len(page.Entries)-1].Cursor()
				q.After = &c
			}
			if !slices.EqualFunc(walked, all.Entries, func(a, b tickets.TimelineEntry) bool { return a.Kind == b.Kind && a.ID == b.ID }) {
				t.Errorf("size %d walked %d entries, want %d", size, len(walked), len(all.Entries))
			}
		}
		if _, err := f.svc.Timeline(ctx, f.cus, tickets.TimelineQuery{UserID: f.cus.ID}); !errors.Is(err, errs.ErrForbidden) {
			t.Errorf("customer read a timeline: %v", err)
		}
		if _, err := f.svc.Timeline(ctx, f.agent, tickets.TimelineQuery{UserID: 999999}); !errors.Is(err, errs.ErrNotFound) {
			t.Errorf("unknown user: %v", err)
		}
	})
}

func TestExcerpt(t *testing.T) {
	cases := []struct {
		in   string
		max  int
		want string
	}{
		{"お世話になります。\n\n  ㈱髙島屋の佐藤です。", 100, "お世話になります。 ㈱髙島屋の佐藤です。"},
		{strings.Repeat("①", 10), 5, strings.Repeat("①", 5) + "…"},
		{"ｶﾀｶﾅ", 4, "ｶﾀｶﾅ"},
	}
	for _, c := range cases {
		if got := tickets.Excerpt(c.in, c.max); got != c.want {
			t.Errorf("Excerpt(%q, %d) = %q, want %q", c.in, c.max, got, c.want)
		}
	}
}
