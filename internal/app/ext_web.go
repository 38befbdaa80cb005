package app

import (
	"context"
	"net/http"
	"os"

	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/snooze"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/triggers"
	"github.com/kizuna-desk/kizuna/internal/views"
	"github.com/kizuna-desk/kizuna/internal/web"
)

// Web: the agent workspace (internal/web, docs/web.md) at /, /login,
// /tickets, /settings, /static and /events. Ticket changes reach open pages
// through the server's hub, fed after commit.
func init() {
	register(Extension{
		Name: "web",
		Open: func(a *App) error {
			s := web.New(a.Store, a.Tickets, a.Blobs, a.Log)
			s.PublicURL = os.Getenv("KIZUNA_PUBLIC_URL")
			s.SecureCookies = os.Getenv("KIZUNA_SECURE_COOKIES") == "1"
			s.Secrets = a.Secrets
			s.Mail = func(tx *store.Tx, to, subject, body string) error {
				return a.Outbox.EnqueueNotice(tx, outbound.Notice{To: []string{to}, Subject: subject, Body: body, Kind: "password_reset"})
			}
			// Registered earlier (ext_assign.go sorts before this file);
			// Routes looks again in case the order ever changes.
			s.Snooze, s.Assign = Lookup[*snooze.Service](a), Lookup[*assign.Service](a)
			s.Triggers, s.Views = Lookup[*triggers.Service](a), Lookup[*views.Service](a)
			a.Tickets.OnChange = append(a.Tickets.OnChange, s.OnChange)
			Provide(a, s)
			return nil
		},
		Routes: func(a *App, mux *http.ServeMux) {
			if s := Lookup[*web.Server](a); s != nil {
				if s.Snooze == nil {
					s.Snooze = Lookup[*snooze.Service](a)
				}
				if s.Views == nil {
					s.Views = Lookup[*views.Service](a)
				}
				if s.Assign == nil {
					s.Assign = Lookup[*assign.Service](a)
				}
				if s.Triggers == nil {
					s.Triggers = Lookup[*triggers.Service](a)
				}
				s.Routes(mux)
			}
		},
		// Several nodes on one PostgreSQL database relay live events
		// (ticket changes, presence) to each other's pages.
		Run: func(ctx context.Context, a *App) {
			if s := Lookup[*web.Server](a); s != nil && a.Store.Clustered() {
				s.RunRelay(ctx, liveRelay{a.Store})
			}
		},
	})
}

// liveRelay is the web hub's relay over the store's NOTIFY channel.
type liveRelay struct{ db *store.DB }

func (r liveRelay) Publish(ctx context.Context, p []byte) error {
	return r.db.Publish(ctx, "kizuna_live", p)
}

func (r liveRelay) Subscribe(ctx context.Context, fn func([]byte)) error {
	return r.db.Subscribe(ctx, "kizuna_live", fn)
}
