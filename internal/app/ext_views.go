package app

import (
	"context"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// Views: saved ticket filters, the shipped default queues and their cached
// counts (see internal/views and docs/views.md).
func init() {
	register(Extension{
		Name: "views",
		Open: func(a *App) error {
			svc := views.New(a.Store, a.Log)
			if err := svc.EnsureDefaults(context.Background()); err != nil {
				return err
			}
			Provide(a, svc)
			api.UseViews(a.API, svc)
			// Every committed ticket write makes cached counts stale; the
			// refresher recounts them in the background.
			a.Tickets.OnChange = append(a.Tickets.OnChange, func(tickets.Result) { svc.Counts.Invalidate() })
			return nil
		},
		Run: func(ctx context.Context, a *App) {
			if svc := Lookup[*views.Service](a); svc != nil {
				svc.Counts.Loop(ctx)
			}
		},
	})
}
