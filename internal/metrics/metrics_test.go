package metrics_test

import (
	"context"
	"errors"
	"math/rand/v2"
	"reflect"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/holidays"
	"github.com/kizuna-desk/kizuna/internal/metrics"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

func ptr[T any](v T) *T { return &v }

// clock is a fixed clock the test moves by hand.
type clock struct{ ms atomic.Int64 }

func (c *clock) Now() time.Time          { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) Set(t time.Time)         { c.ms.Store(t.UnixMilli()) }
func (c *clock) Advance(d time.Duration) { c.ms.Add(d.Milliseconds()) }

type fixture struct {
	db        *store.DB
	svc       *tickets.Service
	metrics   *metrics.Service
	clk       *clock
	agents    []*model.User
	customers []*model.User
	light     *model.User
	groups    []int64
}

// tokyoOffice is 9:00–18:00 Monday to Friday in Tokyo, closed on Japanese
// national holidays.
func tokyoOffice(t *testing.T) *bizhours.Schedule {
	s, err := bizhours.New("本社 営業時間", holidays.Tokyo(), bizhours.DefaultIntervals(), nil, "JP")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, svc: tickets.New(db), metrics: metrics.New(db), clk: &clock{}}
	f.clk.Set(time.Date(2026, 11, 2, 9, 0, 0, 0, holidays.Tokyo()))
	f.svc.Now = f.clk.Now
	sched := tokyoOffice(t)
	f.metrics.Schedule = func(*store.Tx) (metrics.Clock, error) { return sched, nil }
	f.svc.BeforeCommit = append(f.svc.BeforeCommit, f.metrics.BeforeCommit)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		mk := func(name, email, role string) *model.User {
			u := &model.User{Name: name, Email: email, Role: role}
			if err := users.Create(tx, u, f.clk.Now()); err != nil {
				t.Fatal(err)
			}
			return u
		}
		f.agents = []*model.User{mk("山田 太郎", "yamada@example.jp", model.RoleAgent), mk("髙橋 一郎", "takahashi@example.jp", model.RoleAdmin)}
		f.customers = []*model.User{mk("佐藤 花子", "hanako@customer.co.jp", model.RoleEndUser), mk("ｻﾄｳ ｹﾝ", "ken@㈱example.jp", model.RoleEndUser)}
		f.light = mk("営業 次郎", "eigyo@example.jp", model.RoleLightAgent)
		for _, name := range []string{"サポート①", "配送チーム"} {
			g := &model.Group{Name: name, CreatedAt: f.clk.Now(), UpdatedAt: f.clk.Now()}
			if err := tx.InsertGroup(g); err != nil {
				return err
			}
			f.groups = append(f.groups, g.ID)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func (f *fixture) state(t *testing.T, id int64) (stored, replayed *metrics.State) {
	t.Helper()
	err := f.db.Read(context.Background(), func(tx *store.Tx) error {
		row, err := tx.TicketMetrics(id)
		if err != nil {
			return err
		}
		if stored, err = metrics.Decode(row); err != nil {
			return err
		}
		replayed, err = f.metrics.Compute(tx, id)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return stored, replayed
}

func comment(body string, public bool) *tickets.CommentInput {
	return &tickets.CommentInput{Body: body, Public: &public}
}

// TestIncrementalEqualsReplay writes many random histories through the
// ticket service, with the incremental hook keeping rows, and checks each
// row against a full replay of the ticket's audits.
func TestIncrementalEqualsReplay(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		rng := rand.New(rand.NewPCG(20261123, 4))
		statuses := []string{model.StatusOpen, model.StatusPending, model.StatusHold, model.StatusSolved, model.StatusSolved, model.StatusClosed}
		var ids []int64
		for n := 0; n < 24; n++ {
			cust := f.customers[rng.IntN(2)]
			actor, ch := cust, tickets.Change{Subject: ptr("配送状況を教えてください ①"), Comment: comment("注文番号 A-100 の配送状況を教えてください。", true)}
			if rng.IntN(3) == 0 { // an agent opens it for the customer (phone)
				actor = f.agents[rng.IntN(2)]
				ch.RequesterID = &cust.ID
				ch.AssigneeID = ptr(f.agents[rng.IntN(2)].ID)
			}
			res, err := f.svc.Create(ctx, actor, ch)
			if err != nil {
				t.Fatal(err)
			}
			ids = append(ids, res.Ticket.ID)
		}
		ignorable := func(err error) bool {
			var inv *errs.Invalid
			return err == nil || errors.As(err, &inv) || errors.Is(err, errs.ErrForbidden)
		}
		for step := 0; step < 500; step++ {
			// Steps of a minute to three days, so intervals cross nights,
			// weekends and 勤労感謝の日 (11/23).
			f.clk.Advance(time.Duration(1+rng.IntN(3*24*60)) * time.Minute / 4)
			id := ids[rng.IntN(len(ids))]
			agent := f.agents[rng.IntN(2)]
			var err error
			switch op := rng.IntN(9); op {
			case 0, 1: // the customer writes
				var tk *model.Ticket
				if tk, err = f.svc.Get(ctx, agent, id); err == nil {
					var req *model.User
					for _, c := range f.customers {
						if c.ID == tk.RequesterID {
							req = c
						}
					}
					_, err = f.svc.Update(ctx, req, id, tickets.Change{Comment: comment("まだ届いていません。確認をお願いします。", true)})
				}
			case 2, 3: // an agent replies and sets a status
				_, err = f.svc.Update(ctx, agent, id, tickets.Change{Comment: comment("ご連絡ありがとうございます。確認いたします。", true),
					Status: ptr(statuses[rng.IntN(len(statuses)-1)]), AssigneeID: ptr(agent.ID)})
			case 4: // an internal note, by an agent or a light agent
				who := agent
				if rng.IntN(2) == 0 {
					who = f.light
				}
				_, err = f.svc.Update(ctx, who, id, tickets.Change{Comment: comment("倉庫に確認中（社内メモ）", false)})
			case 5: // reassign, or move to another group
				if rng.IntN(2) == 0 {
					_, err = f.svc.Update(ctx, agent, id, tickets.Change{AssigneeID: ptr(f.agents[rng.IntN(2)].ID)})
				} else {
					_, err = f.svc.Update(ctx, agent, id, tickets.Change{GroupID: ptr(f.groups[rng.IntN(2)])})
				}
			case 6: // a status change alone
				_, err = f.svc.Update(ctx, agent, id, tickets.Change{Status: ptr(statuses[rng.IntN(len(statuses))])})
			case 7: // a public reply made private (this write runs no hooks)
				var list []*model.Comment
				err = db.Read(ctx, func(tx *store.Tx) error {
					var err error
					list, err = tx.Comments(id, true, 0, 0, false)
					return err
				})
				if err == nil && len(list) > 1 {
					err = f.svc.MakePrivate(ctx, agent, id, list[len(list)-1].ID)
				}
			case 8: // the requester changes
				_, err = f.svc.Update(ctx, agent, id, tickets.Change{RequesterID: ptr(f.customers[rng.IntN(2)].ID)})
			}
			if !ignorable(err) {
				t.Fatalf("step %d: %v", step, err)
			}
		}
		sawReply, sawReopen, sawBiz := false, false, false
		for _, id := range ids {
			stored, _ := f.state(t, id)
			// The row must equal a replay of the audits it has folded …
			var prefix *metrics.State
			err := db.Write(ctx, func(tx *store.Tx) error {
				audits, err := tx.Audits(id, 0, 0, false)
				if err != nil {
					return err
				}
				var upto []*model.Audit
				for _, a := range audits {
					if a.ID <= stored.LastAuditID {
						upto = append(upto, a)
					}
				}
				full, err := f.metrics.Compute(tx, id)
				if err != nil {
					return err
				}
				// … and, once caught up, a replay of all of them.
				refreshed, err := f.metrics.Refresh(tx, id)
				if err != nil {
					return err
				}
				if !reflect.DeepEqual(refreshed, full) {
					t.Errorf("ticket %d: refreshed row\n%+v\nfull replay\n%+v", id, refreshed, full)
				}
				prefix = replayPrefix(t, f, tx, upto)
				return nil
			})
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(stored, prefix) {
				t.Errorf("ticket %d: stored row\n%+v\nreplay\n%+v", id, stored, prefix)
			}
			sawReply = sawReply || stored.Reply != nil
			sawReopen = sawReopen || stored.Reopens > 0
			sawBiz = sawBiz || stored.AgentWait.Biz != stored.AgentWait.Cal
		}
		if !sawReply || !sawReopen || !sawBiz {
			t.Errorf("the random histories were too tame: reply %v, reopen %v, business≠calendar %v", sawReply, sawReopen, sawBiz)
		}
	})
}

// replayPrefix replays the given audits with the service's facts.
func replayPrefix(t *testing.T, f *fixture, tx *store.Tx, audits []*model.Audit) *metrics.State {
	t.Helper()
	cids, uids := metrics.NeededIDs(audits)
	facts := &metrics.Facts{Comments: map[int64]*model.Comment{}, Authors: map[int64]metrics.Author{}, MadePrivate: map[int64]bool{}}
	facts.Clock, _ = f.metrics.Schedule(tx)
	cs, err := tx.CommentsByID(cids)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range cs {
		facts.Comments[c.ID] = c
		uids = append(uids, c.AuthorID)
	}
	us, err := tx.UsersByID(uids)
	if err != nil {
		t.Fatal(err)
	}
	for _, u := range us {
		facts.Authors[u.ID] = metrics.Author{Agent: u.IsAgent(), Staff: u.IsStaff()}
	}
	// Comments made private later were public when these audits were
	// written; the whole trail says which.
	all, err := tx.Audits(audits[0].TicketID, 0, 0, false)
	if err != nil {
		t.Fatal(err)
	}
	metrics.CollectMadePrivate(all, facts.MadePrivate)
	return metrics.Replay(audits, facts)
}
