package sla

import (
	"errors"
	"log/slog"
	"time"

	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Service keeps SLA targets in step with tickets.
type Service struct {
	Store store.Store
	Log   *slog.Logger
	// WarnBefore is how long before a breach a target is marked warned.
	WarnBefore time.Duration
	// Match evaluates a policy filter (rules.Match unless a test swaps it).
	Match func(rules.Conditions, *rules.Subject) (bool, error)
}

// New returns a service over st with a one-hour warning.
func New(st store.Store) *Service {
	return &Service{Store: st, Log: slog.Default(), WarnBefore: time.Hour, Match: rules.Match}
}

// write is what one ticket write means for the clocks.
type write struct {
	now             time.Time
	tk              *model.Ticket
	create          bool
	agentReply      bool // a public comment by staff
	customerComment bool // a public comment by an end user
	solved          bool // solved or closed now
	reopened        bool // was solved, is not any more
}

// BeforeCommit is the tickets hook: it runs inside every ticket write.
func (s *Service) BeforeCommit(tx *store.Tx, r tickets.Result) error {
	if r.Ticket == nil || r.Audit == nil {
		return nil
	}
	return s.Track(tx, r)
}

// Track brings the ticket's targets up to date after write r.
func (s *Service) Track(tx *store.Tx, r tickets.Result) error {
	// The ticket as it now is: a hook that ran before this one may have
	// changed it again in the same transaction.
	fresh := r.Fresh(tx) // then it has no targets yet
	tk, err := r.Current(tx)
	if err != nil {
		return err
	}
	r.Ticket = tk
	w := write{now: r.Audit.CreatedAt, tk: tk, create: r.Old == nil,
		solved: isSolved(tk.Status)}
	w.reopened = r.Old != nil && isSolved(r.Old.Status) && !w.solved
	if c := r.Comment; c != nil && c.Public {
		author := r.Actor
		if author == nil || author.ID != c.AuthorID {
			u, err := tx.User(c.AuthorID)
			if err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
			author = u
		}
		if author != nil {
			w.agentReply = author.IsStaff()
			w.customerComment = !author.IsStaff()
		}
	}
	var existing []*store.SLATarget
	if !fresh {
		if existing, err = tx.SLATargets(tk.ID); err != nil {
			return err
		}
	}
	policies, err := activePolicies(tx)
	if err != nil {
		return err
	}
	if len(existing) == 0 && len(policies) == 0 {
		return nil
	}
	pol, err := s.policyFor(tx, r, policies)
	if err != nil {
		return err
	}
	byMetric := map[string]*store.SLATarget{}
	for _, t := range existing {
		byMetric[t.Metric] = t
	}
	var sched *bizhours.Schedule
	scheduleFor := func(business bool) (*bizhours.Schedule, error) {
		if !business {
			return bizhours.AlwaysOpen, nil
		}
		if sched == nil {
			sc, err := bizhours.Default(tx)
			if err != nil {
				if tx.Context().Err() != nil {
					return nil, err
				}
				// A broken schedule must not block ticket writes: count
				// calendar time and say so.
				s.log().Warn("sla: default schedule unusable; counting calendar time", "err", err)
				sc = bizhours.AlwaysOpen
			}
			sched = sc
		}
		return sched, nil
	}
	for _, metric := range MetricNames {
		t := byMetric[metric]
		var pm PolicyMetric
		ok := pol != nil && tk.DeletedAt.IsZero()
		if ok {
			pm, ok = pol.For(tk.Priority, metric)
		}
		if !ok {
			if t != nil && t.FulfilledAt.IsZero() {
				if err := tx.DeleteSLATarget(tk.ID, metric); err != nil {
					return err
				}
			}
			continue
		}
		sc, err := scheduleFor(pm.BusinessHours)
		if err != nil {
			return err
		}
		var before store.SLATarget
		if t != nil {
			before = *t
			if t.BusinessHours != pm.BusinessHours && t.FulfilledAt.IsZero() {
				// Time used so far was counted on the other clock: recount it.
				if err := recount(tx, tk, t, sc, w.now); err != nil {
					return err
				}
			}
			step(t, &w, sc)
		} else {
			t, err = s.start(tx, metric, &w, sc)
			if err != nil || t == nil {
				if err != nil {
					return err
				}
				continue
			}
		}
		t.PolicyID, t.BusinessHours, t.SameDay = pol.ID, pm.BusinessHours, pm.SameDay
		if !pm.SameDay {
			t.TargetMinutes = pm.Target
		}
		syncRunning(t, &w, sc)
		setDue(t, sc)
		if *t != before {
			if err := tx.SaveSLATarget(t); err != nil {
				return err
			}
		}
	}
	return nil
}

// policyFor returns the first policy by position whose filter matches.
func (s *Service) policyFor(tx *store.Tx, r tickets.Result, policies []*Policy) (*Policy, error) {
	if len(policies) == 0 || r.Ticket.Priority == "" {
		return nil, nil
	}
	event := "update"
	if r.Old == nil {
		event = "create"
	}
	subj := &rules.Subject{Event: event, Old: r.Old, Ticket: r.Ticket, Comment: r.Comment, Actor: r.Actor, Now: r.Audit.CreatedAt}
	if id := r.Ticket.RequesterID; id != 0 {
		if r.Actor != nil && r.Actor.ID == id {
			subj.Requester = r.Actor
		} else if u, err := tx.User(id); err == nil {
			subj.Requester = u
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if id := r.Ticket.OrganizationID; id != 0 {
		o, err := tx.Organization(id)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		subj.Org = o
	}
	var open *bizhours.Schedule
	subj.BusinessHours = func(t time.Time) bool {
		if open == nil {
			sc, err := bizhours.Default(tx)
			if err != nil {
				sc = bizhours.AlwaysOpen
			}
			open = sc
		}
		return open.IsOpen(t)
	}
	match := s.Match
	if match == nil {
		match = rules.Match
	}
	for _, p := range policies {
		ok, err := match(p.Filter, subj)
		if err != nil {
			// A stale filter must not stop the ticket write; it just
			// does not apply.
			s.log().Warn("sla policy filter failed", "policy", p.ID, "err", err)
			continue
		}
		if ok {
			return p, nil
		}
	}
	return nil, nil
}

func (s *Service) log() *slog.Logger {
	if s.Log != nil {
		return s.Log
	}
	return slog.Default()
}

func isSolved(status string) bool {
	return status == model.StatusSolved || status == model.StatusClosed
}

// runs reports whether metric's clock runs while the ticket has status.
func runs(metric, status string) bool {
	switch {
	case isSolved(status):
		return false
	case metric == RequesterWait:
		return status != model.StatusPending
	case metric == AgentWork:
		return status != model.StatusPending && status != model.StatusHold
	}
	return true
}

// start makes a new target for a metric the ticket's policy now asks for,
// or returns nil when the metric does not start yet.
func (s *Service) start(tx *store.Tx, metric string, w *write, sc *bizhours.Schedule) (*store.SLATarget, error) {
	tk := w.tk
	if w.solved {
		return nil, nil
	}
	t := &store.SLATarget{TicketID: tk.ID, Metric: metric}
	switch metric {
	case FirstReply:
		if w.create && w.agentReply {
			return nil, nil // an agent wrote first: nothing to reply to
		}
		replied, err := tx.FirstPublicStaffReply(tk.ID)
		if err != nil {
			return nil, err
		}
		// The clock counts from creation even when the policy applies later
		// (a priority set by triage), as Zendesk's does.
		t.StartedAt, t.RunningSince = tk.CreatedAt, tk.CreatedAt
		if !replied.IsZero() {
			t.UsedMS = sc.Elapsed(tk.CreatedAt, replied).Milliseconds()
			t.RunningSince, t.FulfilledAt = time.Time{}, replied
		}
	case NextReply:
		if !w.customerComment {
			return nil, nil
		}
		replied, err := tx.FirstPublicStaffReply(tk.ID)
		if err != nil || replied.IsZero() {
			return nil, err // the first reply target covers it
		}
		t.StartedAt, t.RunningSince = w.now, w.now
	case PeriodicUpdate:
		t.StartedAt, t.RunningSince = w.now, w.now
	case RequesterWait, AgentWork:
		t.StartedAt = tk.CreatedAt
		if w.create {
			t.RunningSince = w.now
			break
		}
		// Applied late: replay the status history from the audit trail.
		used, err := usedFromHistory(tx, tk, metric, sc, w.now)
		if err != nil {
			return nil, err
		}
		t.UsedMS = used.Milliseconds()
		if runs(metric, tk.Status) {
			t.RunningSince = w.now
		}
	}
	return t, nil
}

// step applies one write's events to an existing target.
func step(t *store.SLATarget, w *write, sc *bizhours.Schedule) {
	active := t.FulfilledAt.IsZero()
	switch t.Metric {
	case FirstReply:
		if active && (w.agentReply || w.solved) {
			fulfill(t, w.now, sc)
		}
	case NextReply:
		switch {
		case active && (w.agentReply || w.solved):
			fulfill(t, w.now, sc)
		case !active && w.customerComment && !w.solved:
			restart(t, w.now)
		}
	case PeriodicUpdate:
		switch {
		case w.solved:
			if active {
				fulfill(t, w.now, sc)
			}
		case w.agentReply || w.reopened:
			restart(t, w.now)
		}
	case RequesterWait, AgentWork:
		switch {
		case w.solved:
			if active {
				fulfill(t, w.now, sc)
			}
		case w.reopened && !active:
			// Cumulative metrics carry on where they stopped.
			t.FulfilledAt = time.Time{}
		}
	}
}

// syncRunning pauses or resumes an active target for the ticket's status.
func syncRunning(t *store.SLATarget, w *write, sc *bizhours.Schedule) {
	if !t.FulfilledAt.IsZero() {
		return
	}
	should := runs(t.Metric, w.tk.Status)
	switch running := !t.RunningSince.IsZero(); {
	case running && !should:
		pause(t, w.now, sc)
	case !running && should:
		t.RunningSince = w.now
	}
}

func pause(t *store.SLATarget, now time.Time, sc *bizhours.Schedule) {
	if t.RunningSince.IsZero() {
		return
	}
	if due := t.DueAt; t.BreachedAt.IsZero() && !due.IsZero() && !due.After(now) {
		// Breached while running but the minute job has not seen it yet.
		t.BreachedAt = due
	}
	t.UsedMS += sc.Elapsed(t.RunningSince, now).Milliseconds()
	t.RunningSince = time.Time{}
}

func fulfill(t *store.SLATarget, now time.Time, sc *bizhours.Schedule) {
	pause(t, now, sc)
	t.FulfilledAt = now
}

func restart(t *store.SLATarget, now time.Time) {
	*t = store.SLATarget{TicketID: t.TicketID, Metric: t.Metric, PolicyID: t.PolicyID, StartedAt: now, RunningSince: now,
		TargetMinutes: t.TargetMinutes, BusinessHours: t.BusinessHours, SameDay: t.SameDay}
}

// setDue derives due_at: null while paused or fulfilled, else when the time
// left runs out on the target's clock.
func setDue(t *store.SLATarget, sc *bizhours.Schedule) {
	if !t.FulfilledAt.IsZero() || t.RunningSince.IsZero() {
		t.DueAt = time.Time{}
		return
	}
	if t.SameDay {
		// Reply clocks never pause, so the close of the start's business
		// day is the due time; the target is the business time until then.
		t.DueAt = sc.CloseOfDay(t.StartedAt)
		t.TargetMinutes = int((sc.Elapsed(t.StartedAt, t.DueAt) + time.Minute - 1) / time.Minute)
		return
	}
	left := time.Duration(t.TargetMinutes)*time.Minute - time.Duration(t.UsedMS)*time.Millisecond
	switch {
	case left >= 0:
		t.DueAt = sc.Add(t.RunningSince, left)
	case !t.BreachedAt.IsZero():
		t.DueAt = t.BreachedAt
	default:
		t.DueAt = t.RunningSince // overdue already when it resumed
	}
}
