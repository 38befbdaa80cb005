package sla

import (
	"time"

	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// usedFromHistory replays the ticket's status changes from its audit trail
// and returns how long metric's clock would have run until now. Used when a
// policy starts applying to a ticket that already has a history, so pauses
// before then count exactly.
func usedFromHistory(tx *store.Tx, tk *model.Ticket, metric string, sc *bizhours.Schedule, now time.Time) (time.Duration, error) {
	audits, err := tx.Audits(tk.ID, 0, 0, false)
	if err != nil {
		return 0, err
	}
	var (
		used   time.Duration
		status = model.StatusNew
		since  = tk.CreatedAt
	)
	for _, a := range audits {
		for _, ev := range a.Events {
			if ev.FieldName != "status" || (ev.Type != "Create" && ev.Type != "Change") {
				continue
			}
			next, _ := ev.Value.(string)
			if next == "" || next == status {
				continue
			}
			at := a.CreatedAt
			if at.After(now) {
				at = now
			}
			if runs(metric, status) && at.After(since) {
				used += sc.Elapsed(since, at)
			}
			status, since = next, maxTime(since, at)
		}
	}
	if runs(metric, status) && now.After(since) {
		used += sc.Elapsed(since, now)
	}
	return used, nil
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

// recount measures an active target's used time again on clock to (its
// policy switched between calendar and business hours) and restarts its
// running span at now.
func recount(tx *store.Tx, tk *model.Ticket, t *store.SLATarget, to *bizhours.Schedule, now time.Time) error {
	switch t.Metric {
	case RequesterWait, AgentWork:
		used, err := usedFromHistory(tx, tk, t.Metric, to, now)
		if err != nil {
			return err
		}
		t.UsedMS = used.Milliseconds()
	default:
		// Reply and update clocks never pause: they ran from StartedAt.
		t.UsedMS = to.Elapsed(t.StartedAt, now).Milliseconds()
	}
	if !t.RunningSince.IsZero() {
		t.RunningSince = now
	}
	return nil
}
