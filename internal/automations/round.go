package automations

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Actor is who automations write as: Zendesk shows automation changes
// with author -1 and via "rule".
var Actor = &model.User{ID: -1, Name: "Kizuna 自動化 / Automation", Role: model.RoleAdmin, Active: true}

// Service runs the rounds.
type Service struct {
	Store   store.Store
	Tickets *tickets.Service
	Outbox  *outbound.Outbox
	// Engine returns the rules engine of the desk (the triggers area
	// provides it); nil means one with just the outbox.
	Engine func() *rules.Engine
	Log    *slog.Logger
	// Interval between rounds (default one minute); Batch tickets are
	// written per transaction (default 100); Scan candidates are read per
	// query (default 2000). An automation acts on at most PerRound
	// tickets per round (default 500; a round a minute makes 30,000 an
	// hour, where Zendesk acts on 1,000 per hourly cycle); the rest wait
	// for the next round, so a round stays short even when a new
	// automation matches half the desk.
	Interval time.Duration
	Batch    int
	Scan     int
	PerRound int
}

// Stats is what a round did.
type Stats struct {
	Candidates int // tickets whose clocks let an automation apply
	Fired      int // automation firings on tickets
	Failed     int // firings refused by the ticket rules (recorded, not retried)
	Clocks     int // clocks rebuilt from audit trails
	Followups  int // follow-up tickets opened
}

func (s *Service) engine() *rules.Engine {
	if s.Engine != nil {
		if e := s.Engine(); e != nil {
			return e
		}
	}
	return &rules.Engine{Outbox: s.Outbox}
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func orInt(v, def int) int {
	if v > 0 {
		return v
	}
	return def
}

// Round does one pass at now: clocks for tickets that lack one, every
// active automation in position order, then the follow-ups. Safe to repeat
// and to run on two nodes at once: every firing is recorded in the
// transaction that writes it.
func (s *Service) Round(ctx context.Context, now time.Time) (Stats, error) {
	var st Stats
	if err := s.sweep(ctx, now, &st); err != nil {
		return st, err
	}
	var (
		list  []*store.Automation
		sched *bizhours.Schedule
	)
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		active := true
		var err error
		if list, err = tx.ListAutomations(store.AutomationFilter{Active: &active}); err != nil {
			return err
		}
		sched, err = bizhours.Default(tx)
		return err
	})
	if err != nil {
		return st, err
	}
	business := func(from, to time.Time) time.Duration { return sched.Elapsed(from, to) }
	for _, row := range list {
		a, err := Parse(row)
		if err != nil {
			s.log().Error("automation skipped", "id", row.ID, "err", err)
			continue
		}
		if err := s.runOne(ctx, a, now, business, &st); err != nil {
			return st, fmt.Errorf("automation %d: %w", a.ID, err)
		}
	}
	if err := s.followups(ctx, now, &st); err != nil {
		return st, err
	}
	return st, nil
}

// sweep gives a clock to tickets that have none — those from before the
// automations or bulk-loaded — walking ticket ids once (the position is
// kept in automation_settings), a bounded number per round. Tickets
// written since have clocks from the write hook. Once an hour it also
// drops clocks of tickets closed or deleted without hooks (harmless
// meanwhile: candidates are checked against the ticket itself).
func (s *Service) sweep(ctx context.Context, now time.Time, st *Stats) error {
	for range 6 { // 3,000 clocks a round at most

		n := 0
		err := s.Store.Write(ctx, func(tx *store.Tx) error {
			pos, err := tx.AutomationSetting("clock_sweep_id")
			if err != nil {
				return err
			}
			after, _ := strconv.ParseInt(pos, 10, 64)
			maxID, err := tx.MaxTicketID()
			if err != nil || maxID <= after {
				return err
			}
			ids, err := tx.TicketsWithoutClock(after, maxID, 500)
			if err != nil {
				return err
			}
			tks, audits, err := tx.ClockSources(ids)
			if err != nil {
				return err
			}
			for _, tk := range tks {
				if err := tx.PutClock(clockOf(tk, audits[tk.ID])); err != nil {
					return err
				}
			}
			n, st.Clocks = len(ids), st.Clocks+len(ids)
			if n == 500 {
				maxID = ids[n-1] // more to come: carry on from here
			}
			return tx.SetAutomationSetting("clock_sweep_id", strconv.FormatInt(maxID, 10))
		})
		if err != nil {
			return err
		}
		if n < 500 {
			break
		}
	}
	hour := now.Truncate(time.Hour).Format(time.RFC3339)
	return s.Store.Write(ctx, func(tx *store.Tx) error {
		last, err := tx.AutomationSetting("stale_sweep_hour")
		if err != nil || last == hour {
			return err
		}
		stale, err := tx.StaleClocks(5000)
		if err != nil {
			return err
		}
		for _, id := range stale {
			if err := tx.DropClock(id); err != nil {
				return err
			}
		}
		return tx.SetAutomationSetting("stale_sweep_hour", hour)
	})
}

type businessFunc = func(from, to time.Time) time.Duration

// runOne applies one automation: candidates by indexed clock query, full
// conditions checked in memory, matches written in small transactions.
func (s *Service) runOne(ctx context.Context, a *Automation, now time.Time, business businessFunc, st *Stats) error {
	q := query(a, now)
	if len(q.Statuses) == 0 {
		return nil // its status conditions exclude every ticket it may touch
	}
	q.Limit = orInt(s.Scan, 2000)
	people := needsPeople(a.Conds)
	eng := s.engine()
	facts := eng.NeedsFacts(a.Conds)
	room := orInt(s.PerRound, 500)
	for room > 0 {
		var hits []int64
		var n int
		err := s.Store.Read(ctx, func(tx *store.Tx) error {
			cands, err := tx.ClockCandidates(q)
			if err != nil {
				return err
			}
			n = len(cands)
			for _, c := range cands {
				q.AfterID = c.Ticket.ID
				subj := &rules.Subject{Ticket: c.Ticket, Actor: Actor}
				if people {
					if subj, err = eng.Subject(tx, "automation", nil, c.Ticket, nil, Actor); err != nil {
						return err
					}
				}
				if facts {
					subj.Now = now
					if err := eng.AddFacts(tx, subj); err != nil {
						return err
					}
				}
				ev, err := evaluate(a, subj, c.Clock, now, business)
				if err != nil {
					return err
				}
				if ev.ok && len(hits) < room {
					hits = append(hits, c.Ticket.ID)
				}
			}
			return nil
		})
		if err != nil {
			return err
		}
		st.Candidates += n
		room -= len(hits)
		batch := orInt(s.Batch, 100)
		for i := 0; i < len(hits); i += batch {
			chunk := hits[i:min(len(hits), i+batch)]
			err := s.Store.Write(ctx, func(tx *store.Tx) error {
				for _, id := range chunk {
					if err := s.fire(tx, eng, a, id, now, business, st); err != nil {
						return err
					}
				}
				return nil
			})
			if err != nil {
				return err
			}
		}
		if n < q.Limit {
			return nil
		}
	}
	return nil
}

var errSkip = errors.New("automation does not apply")

// fire applies a to ticket id inside tx, after checking it again on the
// locked ticket: at most once per condition-match, recorded with the write.
func (s *Service) fire(tx *store.Tx, eng *rules.Engine, a *Automation, id int64, now time.Time, business businessFunc, st *Stats) error {
	source := "automation:" + strconv.FormatInt(a.ID, 10)
	var stamp string
	err := tx.Savepoint(func() error {
		tk, err := tx.TicketForUpdate(id)
		if err != nil {
			return err
		}
		if tk.Status == model.StatusClosed || !tk.DeletedAt.IsZero() {
			return errSkip
		}
		c, err := tx.Clock(id)
		if err != nil {
			return err
		}
		subj, err := eng.Subject(tx, "automation", nil, tk, nil, Actor)
		if err != nil {
			return err
		}
		if eng.NeedsFacts(a.Conds) {
			subj.Now = now
			if err := eng.AddFacts(tx, subj); err != nil {
				return err
			}
		}
		ev, err := evaluate(a, subj, c, now, business)
		if err != nil {
			return err
		}
		stamp = ev.stamp
		if !ev.ok {
			return errSkip
		}
		first, err := tx.RecordFire(a.ID, id, stamp, now, "")
		if err != nil {
			return err
		}
		if !first {
			return errSkip // this match already fired (an earlier round, another node)
		}
		subj.Source = source
		ch, notes, err := rules.ApplyActions(tx, a.Actions, subj, source)
		if err != nil {
			return err
		}
		ch.RuleSource, ch.Via = source, "rule"
		ch.ViaSource = map[string]any{"rel": "automation", "from": map[string]any{"id": a.ID, "title": a.Title}}
		res, err := s.Tickets.UpdateTx(tx, Actor, id, ch)
		if err != nil {
			return err
		}
		subj.Ticket = res.Ticket
		return eng.Notify(tx, notes, subj)
	})
	var inv *errs.Invalid
	switch {
	case err == nil:
		st.Fired++
		return nil
	case errors.Is(err, errSkip), errors.Is(err, store.ErrNotFound):
		return nil
	case errors.As(err, &inv), errors.Is(err, errs.ErrForbidden):
		// The ticket rules refuse this change (e.g. closing a solved ticket
		// nobody is assigned to): note it so the match is not retried
		// every minute, and go on with the other tickets.
		st.Failed++
		s.log().Warn("automation could not change ticket", "automation", a.ID, "ticket", id, "err", err)
		_, rerr := tx.RecordFire(a.ID, id, stamp, now, err.Error())
		return rerr
	}
	return err
}
