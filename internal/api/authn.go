package api

import (
	"context"
	"encoding/base64"
	"errors"
	"net/http"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// SessionCookie is the browser session cookie's name.
const SessionCookie = "kizuna_session"

type userKey struct{}

func withUser(ctx context.Context, u *model.User) context.Context {
	return context.WithValue(ctx, userKey{}, u)
}

// currentUser returns the signed-in user; every API route is behind
// authentication, so it is never nil inside a handler.
func currentUser(r *http.Request) *model.User {
	u, _ := r.Context().Value(userKey{}).(*model.User)
	return u
}

// authenticate accepts, as Zendesk does, Basic "email/token:TOKEN", Basic
// "email:password", and Bearer tokens; browsers use the session cookie.
// It returns (nil, nil) when no credentials were offered.
func (s *Server) authenticate(r *http.Request) (*model.User, error) {
	ctx := r.Context()
	h := r.Header.Get("Authorization")
	var (
		u   *model.User
		err error
	)
	switch {
	case strings.HasPrefix(h, "Bearer "):
		u, err = s.Auth.ByToken(ctx, "", strings.TrimSpace(h[len("Bearer "):]))
	case strings.HasPrefix(h, "Basic "):
		raw, derr := base64.StdEncoding.DecodeString(strings.TrimSpace(h[len("Basic "):]))
		if derr != nil {
			return nil, errUnauthenticated
		}
		user, secret, _ := strings.Cut(string(raw), ":")
		if email, ok := strings.CutSuffix(user, "/token"); ok {
			u, err = s.Auth.ByToken(ctx, email, secret)
		} else {
			u, err = s.Auth.ByPassword(ctx, user, secret)
		}
	default:
		c, cerr := r.Cookie(SessionCookie)
		if cerr != nil {
			return nil, nil
		}
		if r.Method != http.MethodGet && r.Method != http.MethodHead && !sameOrigin(r) {
			// A cookie alone must not let another site write through a
			// signed-in browser (CSRF).
			return nil, errUnauthenticated
		}
		u, err = s.Auth.BySession(ctx, c.Value)
	}
	if errors.Is(err, auth.ErrBadCredentials) {
		return nil, errUnauthenticated
	}
	return u, err
}

// sameOrigin reports whether a cookie-authenticated write came from our own
// pages: the browser's Origin (or Referer) must match the Host.
func sameOrigin(r *http.Request) bool {
	origin := r.Header.Get("Origin")
	if origin == "" {
		origin = r.Header.Get("Referer")
	}
	if origin == "" {
		return false
	}
	_, rest, ok := strings.Cut(origin, "://")
	if !ok {
		return false
	}
	host, _, _ := strings.Cut(rest, "/")
	return host == r.Host || host == absoluteURL(r).Host
}

func requireStaff(r *http.Request) error {
	if !currentUser(r).IsStaff() {
		return errs.Forbiddenf("agents only / エージェントのみ利用できます")
	}
	return nil
}

func requireAgent(r *http.Request) error {
	if !currentUser(r).IsAgent() {
		return errs.Forbiddenf("agents and admins only / エージェントと管理者のみ利用できます")
	}
	return nil
}

func requireAdmin(r *http.Request) error {
	if currentUser(r).Role != model.RoleAdmin {
		return errs.Forbiddenf("admins only / 管理者のみ利用できます")
	}
	return nil
}

// staffTicketID is the {id} of a ticket the staff caller may see (its
// comments, audits, mail, targets): 403 for customers, 404 for a ticket
// out of reach.
func (s *Server) staffTicketID(r *http.Request) (int64, error) {
	if err := requireStaff(r); err != nil {
		return 0, err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return 0, err
	}
	if _, err := s.Tickets.Get(r.Context(), currentUser(r), id); err != nil {
		return 0, err
	}
	return id, nil
}
