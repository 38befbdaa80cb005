package sla

import (
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// Stages, as Zendesk's ticket "slas" show them.
const (
	StageActive   = "active"
	StagePaused   = "paused"
	StageAchieved = "achieved"
)

// Status is a target as a person reads it at a moment.
type Status struct {
	Target *store.SLATarget
	Stage  string
	// BreachAt is when the target breaches (zero while paused or achieved).
	BreachAt time.Time
	// Left is the time until BreachAt (negative once breached); for a
	// paused target the time still left on its clock.
	Left     time.Duration
	Breached bool
}

// StatusOf describes target t at now.
func StatusOf(t *store.SLATarget, now time.Time) Status {
	st := Status{Target: t, Breached: !t.BreachedAt.IsZero()}
	budget := time.Duration(t.TargetMinutes)*time.Minute - time.Duration(t.UsedMS)*time.Millisecond
	switch {
	case !t.FulfilledAt.IsZero():
		st.Stage, st.Left = StageAchieved, budget
	case t.DueAt.IsZero():
		st.Stage, st.Left = StagePaused, budget
	default:
		st.Stage, st.BreachAt, st.Left = StageActive, t.DueAt, t.DueAt.Sub(now)
		if !t.DueAt.After(now) {
			st.Breached = true
		}
	}
	if st.Stage != StageActive && budget < 0 {
		st.Breached = true
	}
	return st
}

// Statuses returns a ticket's targets at now in metric order.
func Statuses(tx *store.Tx, ticketID int64, now time.Time) ([]Status, error) {
	ts, err := tx.SLATargets(ticketID)
	if err != nil {
		return nil, err
	}
	byMetric := map[string]*store.SLATarget{}
	for _, t := range ts {
		byMetric[t.Metric] = t
	}
	var out []Status
	for _, m := range MetricNames {
		if t := byMetric[m]; t != nil {
			out = append(out, StatusOf(t, now))
		}
	}
	return out, nil
}
