package metrics_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/holidays"
	"github.com/kizuna-desk/kizuna/internal/metrics"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func jst(day, hour, minute int) time.Time {
	return time.Date(2026, 11, day, hour, minute, 0, 0, holidays.Tokyo())
}

// TestScriptedHistory checks every figure of one history against values
// worked out by hand, in calendar minutes and in business minutes of a
// 9:00–18:00 weekday office (the history crosses a weekend).
//
//	Fri 11/13 17:00  佐藤 花子 opens the ticket (new)
//	Fri 11/13 18:30  山田 replies, takes it, pending      reply 90 cal / 60 biz
//	Mon 11/16 10:00  the customer writes back → open     pending 63.5 h / 60 biz min
//	Mon 11/16 11:00  internal note, on hold
//	Mon 11/16 15:00  山田 replies, solved                 hold 240 / 240
//	Tue 11/17 09:30  the customer writes → reopened
//	Tue 11/17 10:15  山田 replies, solved again
func TestScriptedHistory(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		cust, agent := f.customers[0], f.agents[0]
		at := func(tm time.Time) { f.clk.Set(tm) }
		must := func(_ *tickets.Result, err error) {
			t.Helper()
			if err != nil {
				t.Fatal(err)
			}
		}
		at(jst(13, 17, 0))
		res, err := f.svc.Create(ctx, cust, tickets.Change{Subject: ptr("配送状況を教えてください"), Comment: comment("注文番号 ㈱-①-100 はいつ届きますか？", true)})
		if err != nil {
			t.Fatal(err)
		}
		id := res.Ticket.ID
		at(jst(13, 18, 30))
		must(f.svc.Update(ctx, agent, id, tickets.Change{Comment: comment("佐藤様、お問い合わせありがとうございます。確認してご連絡します。", true),
			AssigneeID: &agent.ID, GroupID: &f.groups[0], Status: ptr(model.StatusPending)}))
		at(jst(16, 10, 0))
		must(f.svc.Update(ctx, cust, id, tickets.Change{Comment: comment("週末も届きませんでした。", true)}))
		at(jst(16, 11, 0))
		must(f.svc.Update(ctx, agent, id, tickets.Change{Comment: comment("倉庫に確認中", false), Status: ptr(model.StatusHold)}))
		at(jst(16, 15, 0))
		must(f.svc.Update(ctx, agent, id, tickets.Change{Comment: comment("本日発送いたしました。", true), Status: ptr(model.StatusSolved)}))

		st, replay := f.state(t, id)
		if st.FirstResolution == nil || st.FirstResolution.Cal != 4200*60000 || st.FirstResolution.Biz != 420*60000 ||
			*st.FullResolution != *st.FirstResolution || st.SolvedAt != jst(16, 15, 0).UnixMilli() {
			t.Errorf("after the first solve: first %+v full %+v solved_at %v", st.FirstResolution, st.FullResolution, metrics.Time(st.SolvedAt))
		}
		if !equalStates(st, replay) {
			t.Errorf("row %+v != replay %+v", st, replay)
		}

		at(jst(17, 9, 30))
		must(f.svc.Update(ctx, cust, id, tickets.Change{Comment: comment("届いた商品が違いました。", true)}))
		at(jst(17, 10, 15))
		must(f.svc.Update(ctx, agent, id, tickets.Change{Comment: comment("大変失礼いたしました。正しい商品をお送りしました。", true), Status: ptr(model.StatusSolved)}))

		st, replay = f.state(t, id)
		if !equalStates(st, replay) {
			t.Errorf("row %+v != replay %+v", st, replay)
		}
		min := func(n int64) int64 { return n * 60000 }
		spans := []struct {
			name     string
			got      *metrics.Span
			cal, biz int64
		}{
			{"reply", st.Reply, 90, 60},
			{"first_resolution", st.FirstResolution, 70 * 60, 60 + 360},
			{"full_resolution", st.FullResolution, 89*60 + 15, 60 + 540 + 75},
			{"agent_wait", &st.AgentWait, 63*60 + 30, 60},
			{"requester_wait", &st.RequesterWait, 90 + 60 + 240 + 45, 60 + 60 + 240 + 45},
			{"on_hold", &st.OnHold, 240, 240},
		}
		for _, s := range spans {
			if s.got == nil || s.got.Cal != min(s.cal) || s.got.Biz != min(s.biz) {
				t.Errorf("%s = %+v, want %d / %d minutes", s.name, s.got, s.cal, s.biz)
			}
		}
		ints := []struct {
			name      string
			got, want int
		}{{"replies", st.Replies, 3}, {"reopens", st.Reopens, 1}, {"assignee_stations", st.AssigneeStations, 1}, {"group_stations", st.GroupStations, 1}}
		for _, n := range ints {
			if n.got != n.want {
				t.Errorf("%s = %d, want %d", n.name, n.got, n.want)
			}
		}
		times := []struct {
			name string
			got  int64
			want time.Time
		}{
			{"created_at", st.CreatedAt, jst(13, 17, 0)}, {"updated_at", st.UpdatedAt, jst(17, 10, 15)},
			{"initially_assigned_at", st.InitiallyAssignedAt, jst(13, 18, 30)}, {"assigned_at", st.AssignedAt, jst(13, 18, 30)},
			{"solved_at", st.SolvedAt, jst(17, 10, 15)}, {"status_updated_at", st.StatusUpdatedAt, jst(17, 10, 15)},
			{"latest_comment_added_at", st.LatestCommentAt, jst(17, 10, 15)}, {"requester_updated_at", st.RequesterUpdatedAt, jst(17, 9, 30)},
			{"assignee_updated_at", st.AssigneeUpdatedAt, jst(17, 10, 15)},
		}
		for _, x := range times {
			if !metrics.Time(x.got).Equal(x.want) {
				t.Errorf("%s = %v, want %v", x.name, metrics.Time(x.got), x.want.UTC())
			}
		}
	})
}

func equalStates(a, b *metrics.State) bool {
	ja, jb := *a, *b
	return spanEq(ja.Reply, jb.Reply) && spanEq(ja.FirstResolution, jb.FirstResolution) && spanEq(ja.FullResolution, jb.FullResolution) &&
		func() bool {
			ja.Reply, jb.Reply, ja.FirstResolution, jb.FirstResolution, ja.FullResolution, jb.FullResolution = nil, nil, nil, nil, nil, nil
			return ja == jb
		}()
}

func spanEq(a, b *metrics.Span) bool { return (a == nil) == (b == nil) && (a == nil || *a == *b) }

// TestBackfill gives rows to tickets written without the hook (as the bulk
// seed and import write them), batch by batch, each equal to a replay; until
// then Get replays on the fly.
func TestBackfill(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		f.svc.BeforeCommit = nil
		ctx := context.Background()
		var ids []int64
		for i := range 3 {
			f.clk.Set(jst(13+i, 10, 0))
			res, err := f.svc.Create(ctx, f.customers[0], tickets.Change{Subject: ptr("請求書について"), Comment: comment("請求書を再発行してください。", true)})
			if err != nil {
				t.Fatal(err)
			}
			f.clk.Set(jst(13+i, 11, 30))
			if _, err := f.svc.Update(ctx, f.agents[0], res.Ticket.ID, tickets.Change{Comment: comment("再発行しました。", true),
				Status: ptr(model.StatusSolved), AssigneeID: &f.agents[0].ID}); err != nil {
				t.Fatal(err)
			}
			ids = append(ids, res.Ticket.ID)
		}
		err := db.Read(ctx, func(tx *store.Tx) error {
			if _, err := tx.TicketMetrics(ids[0]); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("a row exists before the backfill: %v", err)
			}
			st, err := f.metrics.Get(tx, ids[0])
			if err != nil {
				return err
			}
			if st.Reply == nil || st.Reply.Cal != 90*60000 || st.Replies != 1 {
				t.Errorf("on-the-fly replay: %+v", st)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		for i, want := range []int{2, 1, 0, 0} {
			n, err := f.metrics.Backfill(ctx, 2)
			if err != nil || n != want {
				t.Fatalf("backfill round %d: %d, %v; want %d", i, n, err, want)
			}
		}
		for _, id := range ids {
			stored, replayed := f.state(t, id)
			if !equalStates(stored, replayed) || stored.FirstResolution == nil {
				t.Errorf("ticket %d: backfilled %+v, replay %+v", id, stored, replayed)
			}
		}
	})
}
