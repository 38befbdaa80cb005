package app

import (
	"context"
	"os"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/triggers"
	"github.com/kizuna-desk/kizuna/internal/webhooks"
)

// Triggers, webhooks and the rules engine they share with automations and
// SLAs. Links in notifications ({{ticket.url}}) use KIZUNA_PUBLIC_URL, the
// address agents open the desk at.
func init() {
	register(Extension{
		Name: "triggers",
		Open: func(a *App) error {
			hooks := webhooks.New(a.Store, a.Secrets, webhooks.Config{}, a.Log)
			base := strings.TrimRight(os.Getenv("KIZUNA_PUBLIC_URL"), "/")
			if base == "" {
				base = "http://localhost:8080"
			}
			engine := &rules.Engine{Outbox: a.Outbox, Webhooks: hooks, BaseURL: base,
				BusinessHours: func(tx *store.Tx, t time.Time) bool {
					s, err := bizhours.Default(tx)
					if err != nil {
						a.Log.Warn("rules: business hours unavailable; treating as open", "err", err)
						return true
					}
					return s.IsOpen(t)
				}}
			// SLA facts for conditions: the SLA hook runs before the
			// triggers' in a write (extensions open in file order), so a
			// trigger sees the targets as this write left them.
			engine.Facts = func(tx *store.Tx, tk *model.Ticket, now time.Time) (map[string]any, error) {
				return sla.Facts(tx, tk.ID, now)
			}
			engine.FactFields = []string{"sla_next_breach_hours"}
			// The satisfaction_score action sends the survey through csat,
			// once per solve, as its timed job would.
			engine.OfferSatisfaction = func(tx *store.Tx, s *rules.Subject) error {
				svc := Lookup[*csat.Service](a)
				if svc == nil {
					return nil // surveys not set up on this desk
				}
				_, err := svc.OfferNow(tx, s.Ticket, s.Now)
				return err
			}
			svc := &triggers.Service{Store: a.Store, Tickets: a.Tickets, Engine: engine, Log: a.Log}
			a.Tickets.BeforeCommit = append(a.Tickets.BeforeCommit, svc.BeforeCommit)
			Provide(a, engine)
			Provide(a, svc)
			Provide(a, hooks)
			api.AttachTriggers(a.API, svc, hooks)
			return nil
		},
		Run: func(ctx context.Context, a *App) {
			Lookup[*webhooks.Service](a).Run(ctx)
		},
	})
}
