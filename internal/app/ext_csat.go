package app

import (
	"context"
	"net/http"
	"os"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/metrics"
	"github.com/kizuna-desk/kizuna/internal/schedule"
)

// Ticket metrics and satisfaction surveys.
func init() {
	register(Extension{
		Name: "metrics",
		Open: func(a *App) error {
			svc := metrics.New(a.Store)
			Provide(a, svc)
			a.Tickets.BeforeCommit = append(a.Tickets.BeforeCommit, svc.BeforeCommit)
			return nil
		},
		// Seeded and bulk-imported tickets get their metrics rows here,
		// a bounded slice per round.
		Run: func(ctx context.Context, a *App) {
			svc := Lookup[*metrics.Service](a)
			(&schedule.Runner{Store: a.Store, Log: a.Log}).Loop(ctx, schedule.Job{Name: "metrics-backfill", Interval: time.Minute,
				Run: func(ctx context.Context, now time.Time) error {
					for start := time.Now(); time.Since(start) < 30*time.Second && ctx.Err() == nil; {
						n, err := svc.Backfill(ctx, 500)
						if err != nil || n == 0 {
							return err
						}
					}
					return nil
				}})
		},
	})
	register(Extension{
		Name: "csat",
		Open: func(a *App) error {
			svc := &csat.Service{Store: a.Store, BaseURL: PublicURL(), Log: a.Log}
			if a.Outbox != nil {
				svc.Outbox = a.Outbox
			}
			Provide(a, svc)
			a.Tickets.BeforeCommit = append(a.Tickets.BeforeCommit, svc.BeforeCommit)
			return nil
		},
		Routes: func(a *App, mux *http.ServeMux) { a.API.SurveyRoutes(mux) },
		Run: func(ctx context.Context, a *App) {
			svc := Lookup[*csat.Service](a)
			(&schedule.Runner{Store: a.Store, Log: a.Log}).Loop(ctx, schedule.Job{Name: "csat", Interval: time.Minute,
				Run: func(ctx context.Context, now time.Time) error {
					_, err := svc.Round(ctx, now)
					return err
				}})
		},
	})
}

// PublicURL is the address customers reach the desk at, for links in
// mail (KIZUNA_PUBLIC_URL, e.g. https://support.example.co.jp).
func PublicURL() string {
	if v := strings.TrimRight(os.Getenv("KIZUNA_PUBLIC_URL"), "/"); v != "" {
		return v
	}
	return "http://localhost:8080"
}
