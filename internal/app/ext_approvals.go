package app

import (
	"context"
	"net/http"
	"time"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
	"github.com/kizuna-desk/kizuna/internal/web"
)

// Approvals: approval before sending (承認, internal/approvals,
// docs/web.md "Approval before sending"). One service backs the API
// (/api/v2/tickets/{id}/drafts, /api/v2/drafts/…) and the web pages; the
// web server's hub hears every transition, so open ticket pages and the
// approval queue update live.
func init() {
	register(Extension{
		Name: "approvals",
		Open: func(a *App) error {
			svc := approvals.New(a.Store, a.Tickets)
			// A trainee's first message on a ticket they create waits for
			// approval like their replies (tickets.Service.HoldFirstComment).
			a.Tickets.HoldFirstComment = svc.HoldFirstComment
			api.UseApprovals(a.API, svc)
			Provide(a, svc)
			return nil
		},
		// ext_approvals.go sorts before ext_web.go, so the web server is
		// opened (Open runs for every area before any Routes) but has not
		// mounted its routes yet: hand it the service here.
		Routes: func(a *App, mux *http.ServeMux) {
			svc := Lookup[*approvals.Service](a)
			if s := Lookup[*web.Server](a); s != nil && svc != nil && s.Approvals == nil {
				s.Approvals = svc
				svc.OnChange = append(svc.OnChange, s.OnApproval)
			}
		},
	})
}

// RequireApproval sets or clears a user's approval_required flag from the
// command line (kizuna user add --approval-required), with the same rules
// as an admin's PUT /api/v2/users/{id}.
func (a *App) RequireApproval(ctx context.Context, userID int64, on bool) error {
	system := &model.User{Name: "kizuna", Role: model.RoleAdmin}
	return a.Store.Write(ctx, func(tx *store.Tx) error {
		_, err := users.UpdateBy(tx, system, userID, users.Input{ApprovalRequired: &on}, time.Now().UTC())
		return err
	})
}
