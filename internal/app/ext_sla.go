package app

import (
	"context"
	"fmt"
	"os"
	"time"

	"github.com/kizuna-desk/kizuna/internal/schedule"
	"github.com/kizuna-desk/kizuna/internal/sla"
)

// SLA clocks: every ticket write keeps its targets right (inside the write's
// transaction), and the "sla" job marks warnings and breaches each minute
// on one node. KIZUNA_SLA_WARN_BEFORE (a Go duration, default 1h) is how
// long before a breach a target counts as warned.
func init() {
	register(Extension{
		Name: "sla",
		Open: func(a *App) error {
			svc := sla.New(a.Store)
			svc.Log = a.Log
			if v := os.Getenv("KIZUNA_SLA_WARN_BEFORE"); v != "" {
				d, err := time.ParseDuration(v)
				if err != nil || d < 0 {
					return fmt.Errorf("KIZUNA_SLA_WARN_BEFORE=%q: want a duration such as 30m or 2h", v)
				}
				svc.WarnBefore = d
			}
			a.Tickets.BeforeCommit = append(a.Tickets.BeforeCommit, svc.BeforeCommit)
			Provide(a, svc)
			return nil
		},
		Run: func(ctx context.Context, a *App) {
			svc := Lookup[*sla.Service](a)
			(&schedule.Runner{Store: a.Store, Log: a.Log}).Loop(ctx, schedule.Job{Name: "sla", Interval: time.Minute, Run: svc.Round})
		},
	})
}
