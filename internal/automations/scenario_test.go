package automations_test

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// The shipped automation closes a solved ticket once 96 hours have passed,
// not at 95, writing as the automation (author -1, via rule), and a second
// round finds nothing left to do.
func TestCloseSolvedAfter96Hours(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		solvedAt := time.Date(2026, 12, 1, 10, 0, 0, 0, jst)
		f := newFixture(t, d, solvedAt.Add(-2*time.Hour))
		id := f.ticket("配送状況を教えてください")
		other := f.ticket("㈱髙島屋の請求書について")
		f.clk.set(solvedAt)
		f.setStatus(id, "solved")
		f.clk.add(time.Hour)
		f.setStatus(other, "solved") // solved an hour later: stays solved below

		f.clk.set(solvedAt.Add(95*time.Hour + 59*time.Minute))
		if st := f.round(); st.Fired != 0 {
			t.Fatalf("at 95h59m: fired %d, want 0", st.Fired)
		}
		if s := f.get(id).Str("ticket.status"); s != "solved" {
			t.Fatalf("at 95h59m status = %s, want solved", s)
		}
		f.clk.set(solvedAt.Add(96 * time.Hour))
		if st := f.round(); st.Fired != 1 {
			t.Fatalf("at 96h: fired %d, want 1 (%+v)", st.Fired, st)
		}
		if s := f.get(id).Str("ticket.status"); s != "closed" {
			t.Fatalf("at 96h status = %s, want closed", s)
		}
		if s := f.get(other).Str("ticket.status"); s != "solved" {
			t.Fatalf("the ticket solved at +1h is %s at 96h, want solved", s)
		}
		audits := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil)
		last := fmt.Sprintf("audits.%d", audits.Len("audits")-1)
		if audits.Int(last+".author_id") != -1 || !strings.Contains(string(audits.Raw), `"closed"`) {
			t.Fatalf("last audit is not the automation's close: %s", audits.Raw)
		}
		if st := f.round(); st.Fired != 0 {
			t.Fatalf("repeated round fired %d, want 0", st.Fired)
		}
	})
}

// The pending reminder mails the customer once after 72 hours, tags the
// ticket, and never mails again, however often the round runs.
func TestPendingReminderQueuedOnce(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		start := time.Date(2026, 12, 7, 9, 30, 0, 0, jst)
		f := newFixture(t, d, start)
		f.inbox()
		id := f.ticket("ｶﾀｶﾅの請求書を再発行してください")
		f.setStatus(id, "pending")

		f.clk.set(start.Add(71 * time.Hour))
		f.round()
		if n := len(f.mails(id, "ご返信のお願い")); n != 0 {
			t.Fatalf("reminder mailed after 71h (%d)", n)
		}
		f.clk.set(start.Add(72*time.Hour + time.Minute))
		if st := f.round(); st.Fired != 1 {
			t.Fatalf("fired %d at 72h, want 1", st.Fired)
		}
		for range 3 {
			f.clk.add(time.Hour)
			f.round()
		}
		ms := f.mails(id, "ご返信のお願い")
		if len(ms) != 1 {
			t.Fatalf("reminder mails = %d, want exactly 1", len(ms))
		}
		if ms[0].RcptTo[0] != d.Customer.Email || !strings.Contains(ms[0].Subject, "ｶﾀｶﾅの請求書") {
			t.Fatalf("reminder went to %v with subject %q", ms[0].RcptTo, ms[0].Subject)
		}
		r := f.get(id)
		if !strings.Contains(string(r.Raw), automations.ReminderTag) || r.Str("ticket.status") != "pending" {
			t.Fatalf("ticket after the reminder: %s", r.Raw)
		}
	})
}

// A business-hours automation counts only 9:00–18:00 on weekdays (Asia/
// Tokyo): a ticket opened Friday 15:00 reaches 9 business hours on Monday
// 15:00, though 72 calendar hours have passed long before.
func TestBusinessHoursAcrossWeekend(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		friday := time.Date(2026, 12, 4, 15, 0, 0, 0, jst)
		f := newFixture(t, d, friday)
		f.deactivate("4日後")
		err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error {
			var iv []store.BusinessInterval
			for day := 1; day <= 5; day++ {
				iv = append(iv, store.BusinessInterval{Start: day*1440 + 9*60, End: day*1440 + 18*60})
			}
			return tx.InsertSchedule(&store.BusinessSchedule{Name: "東京営業時間", TimeZone: "Asia/Tokyo", Intervals: iv, CreatedAt: friday, UpdatedAt: friday})
		})
		if err != nil {
			t.Fatal(err)
		}
		d.Must(201, d.Admin, "POST", "/api/v2/automations.json", map[string]any{"automation": map[string]any{
			"title": "営業時間で9時間オープンなら優先度を上げる",
			"conditions": map[string]any{"all": []any{
				map[string]any{"field": "status", "operator": "is", "value": "open"},
				map[string]any{"field": "OPEN", "operator": "greater_than_business_hours", "value": "9"},
				map[string]any{"field": "priority", "operator": "is_not", "value": "urgent"},
			}},
			"actions": []any{map[string]any{"field": "priority", "value": "urgent"}}}})
		id := f.ticket("①番の注文が届きません") // assigned: opens at once
		for _, at := range []time.Time{
			time.Date(2026, 12, 4, 23, 0, 0, 0, jst),  // Friday night: 3 business hours
			time.Date(2026, 12, 7, 9, 0, 0, 0, jst),   // Monday opening, 66 calendar hours
			time.Date(2026, 12, 7, 14, 59, 0, 0, jst), // 8h59m
		} {
			f.clk.set(at)
			f.round()
			if p := f.get(id).Str("ticket.priority"); p == "urgent" {
				t.Fatalf("urgent already at %s", at)
			}
		}
		f.clk.set(time.Date(2026, 12, 7, 15, 0, 0, 0, jst))
		if st := f.round(); st.Fired != 1 {
			t.Fatalf("fired %d on Monday 15:00, want 1", st.Fired)
		}
		if p := f.get(id).Str("ticket.priority"); p != "urgent" {
			t.Fatalf("priority %q on Monday 15:00, want urgent", p)
		}
	})
}

// Two runners doing the same round at once (a lease lost mid-round, or the
// same round repeated) fire each condition-match once: one reminder mail
// and one tag change per ticket.
func TestTwoRunnersFireOnce(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, jst)
		f := newFixture(t, d, start)
		f.inbox()
		var ids []int64
		for i := range 6 {
			id := f.ticket(fmt.Sprintf("返品のご相談 その%d", i+1))
			f.setStatus(id, "pending")
			ids = append(ids, id)
		}
		f.clk.set(start.Add(80 * time.Hour))
		second := *f.svc // another node's service on the same database
		second.Batch = 1
		var wg sync.WaitGroup
		stats := make([]automations.Stats, 2)
		errs := make([]error, 2)
		for i, s := range []*automations.Service{f.svc, &second} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				stats[i], errs[i] = s.Round(context.Background(), f.clk.now())
			}()
		}
		wg.Wait()
		for _, err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		if got := stats[0].Fired + stats[1].Fired; got != len(ids) {
			t.Fatalf("fired %d + %d, want %d in total", stats[0].Fired, stats[1].Fired, len(ids))
		}
		f.round()
		for _, id := range ids {
			if n := len(f.mails(id, "ご返信のお願い")); n != 1 {
				t.Fatalf("ticket %d: %d reminder mails, want 1", id, n)
			}
		}
	})
}

// Tickets that predate the automations (or were bulk-loaded) get their
// clock from the audit trail: dropping a clock and sweeping rebuilds it
// exactly.
func TestClockRebuiltFromAudits(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, jst)
		f := newFixture(t, d, start)
		id := f.ticket("パスワードを忘れました")
		f.clk.add(2 * time.Hour)
		f.setStatus(id, "pending")
		f.clk.add(3 * time.Hour)
		f.setStatus(id, "solved")
		ctx := context.Background()
		var want *store.TicketClock
		err := d.App.Store.Write(ctx, func(tx *store.Tx) error {
			var err error
			if want, err = tx.Clock(id); err != nil {
				return err
			}
			// As if the ticket predated the automations: no clock, and the
			// sweep has not reached it yet.
			if err := tx.DropClock(id); err != nil {
				return err
			}
			return tx.SetAutomationSetting("clock_sweep_id", "0")
		})
		if err != nil {
			t.Fatal(err)
		}
		if st := f.round(); st.Clocks != 1 {
			t.Fatalf("clocks rebuilt = %d, want 1", st.Clocks)
		}
		var got *store.TicketClock
		if err := d.App.Store.Read(ctx, func(tx *store.Tx) (err error) { got, err = tx.Clock(id); return }); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, want) || !got.PendingAt.Equal(start.Add(2*time.Hour)) || !got.SolvedAt.Equal(start.Add(5*time.Hour)) {
			t.Fatalf("rebuilt clock %+v, want %+v", got, want)
		}
	})
}

// An automation acts on at most PerRound tickets a round (Zendesk: 1000
// per cycle); the rest follow in the next round.
func TestPerRoundLimit(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, jst)
		f := newFixture(t, d, start)
		for i := range 3 {
			f.setStatus(f.ticket(fmt.Sprintf("解約の手続き %d", i+1)), "solved")
		}
		f.clk.set(start.Add(100 * time.Hour))
		limited := *f.svc
		limited.PerRound = 2
		for i, want := range []int{2, 1, 0} {
			st, err := limited.Round(context.Background(), f.clk.now())
			if err != nil || st.Fired != want {
				t.Fatalf("round %d: fired %d (%v), want %d", i+1, st.Fired, err, want)
			}
		}
	})
}

// A round that dies mid-way (here: the second ticket's write fails) leaves
// nothing behind — no mail, no tag, no firing record — and the next round
// fires every ticket exactly once.
func TestCrashMidRoundFiresOnce(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		start := time.Date(2026, 12, 1, 9, 0, 0, 0, jst)
		f := newFixture(t, d, start)
		f.inbox()
		var ids []int64
		for i := range 3 {
			id := f.ticket(fmt.Sprintf("見積書の件（第%d版）", i+1))
			f.setStatus(id, "pending")
			ids = append(ids, id)
		}
		var writes atomic.Int32
		d.App.Tickets.BeforeCommit = append(d.App.Tickets.BeforeCommit, func(tx *store.Tx, r tickets.Result) error {
			if r.Change != nil && strings.HasPrefix(r.Change.RuleSource, "automation:") && writes.Add(1) == 2 {
				return errors.New("ノードが落ちた / node crashed")
			}
			return nil
		})
		f.clk.set(start.Add(73 * time.Hour))
		if _, err := f.svc.Round(context.Background(), f.clk.now()); err == nil {
			t.Fatal("the crashed round reported no error")
		}
		for _, id := range ids {
			if n := len(f.mails(id, "ご返信のお願い")); n != 0 {
				t.Fatalf("ticket %d: %d mails left by the crashed round", id, n)
			}
			if strings.Contains(string(f.get(id).Raw), automations.ReminderTag) {
				t.Fatalf("ticket %d tagged by the crashed round", id)
			}
		}
		f.clk.add(time.Minute)
		if st := f.round(); st.Fired != 3 {
			t.Fatalf("fired %d after the crash, want 3", st.Fired)
		}
		f.round()
		for _, id := range ids {
			if n := len(f.mails(id, "ご返信のお願い")); n != 1 {
				t.Fatalf("ticket %d: %d reminder mails, want 1", id, n)
			}
		}
	})
}
