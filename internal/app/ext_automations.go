package app

import (
	"context"
	"os"
	"time"

	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/schedule"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Automations: ticket clocks kept by a write hook, the shipped automations
// made on the first start, and the "automations" round every minute
// (KIZUNA_AUTOMATIONS_INTERVAL, a Go duration such as 30s or 5m).
func init() {
	register(Extension{
		Name: "automations",
		Open: func(a *App) error {
			svc := &automations.Service{Store: a.Store, Tickets: a.Tickets, Outbox: a.Outbox, Log: a.Log,
				Engine: func() *rules.Engine { return Lookup[*rules.Engine](a) }, Interval: time.Minute}
			if d, err := time.ParseDuration(os.Getenv("KIZUNA_AUTOMATIONS_INTERVAL")); err == nil && d >= time.Second {
				svc.Interval = d
			}
			err := a.Store.Write(context.Background(), func(tx *store.Tx) error {
				return automations.EnsureDefaults(tx, time.Now().UTC().Truncate(time.Millisecond))
			})
			if err != nil {
				return err
			}
			a.Tickets.BeforeCommit = append(a.Tickets.BeforeCommit, automations.BeforeCommit)
			Provide(a, svc)
			return nil
		},
		Run: func(ctx context.Context, a *App) {
			svc := Lookup[*automations.Service](a)
			(&schedule.Runner{Store: a.Store, Log: a.Log}).Loop(ctx, schedule.Job{Name: "automations", Interval: svc.Interval,
				Run: func(ctx context.Context, now time.Time) error {
					st, err := svc.Round(ctx, now)
					if st.Fired+st.Failed+st.Followups > 0 {
						a.Log.Info("automations round", "fired", st.Fired, "failed", st.Failed, "followups", st.Followups,
							"candidates", st.Candidates, "clocks", st.Clocks)
					}
					return err
				}})
		},
	})
}
