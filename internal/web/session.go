package web

import (
	"context"
	"crypto/subtle"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Cookie names. The session cookie is separate from the API's
// kizuna_session: web sessions live in their own table with idle timeout
// and a list the user can revoke from.
const (
	SessionCookie = "kizuna_web"
	csrfCookie    = "kizuna_csrf" // double-submit token for forms shown before sign-in
)

// Session lifetimes: a browser session ends after IdleTimeout without use;
// "remember me" keeps the sign-in for RememberFor from sign-in.
const (
	IdleTimeout = 12 * time.Hour
	RememberFor = 30 * 24 * time.Hour
	touchEvery  = time.Minute
)

type ctxKey int

const (
	userKey ctxKey = iota
	sessionKey
)

// session is the signed-in request's session and its CSRF token.
type session struct {
	*store.WebSession
	csrf string
}

func currentUser(r *http.Request) *model.User {
	u, _ := r.Context().Value(userKey).(*model.User)
	return u
}

func currentSession(r *http.Request) *session {
	s, _ := r.Context().Value(sessionKey).(*session)
	return s
}

// csrfFor derives the form token from the session secret, which only the
// HttpOnly cookie holds: another site can neither read nor compute it.
func csrfFor(secret string) string { return auth.HashSecret("csrf\x00" + secret)[:40] }

func (s *Server) secureCookie(r *http.Request) bool { return s.SecureCookies || r.TLS != nil }

// signedIn loads the session (redirecting to /login without one), checks
// the CSRF token of every POST, and runs h.
func (s *Server) signedIn(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return s.handleErr(func(w http.ResponseWriter, r *http.Request) error {
		u, sess, err := s.loadSession(r)
		if err != nil {
			return err
		}
		if u == nil {
			if r.Method == http.MethodGet && r.URL.Path != "/events" {
				http.Redirect(w, r, "/login?next="+urlQueryEscape(r.URL.RequestURI()), http.StatusSeeOther)
				return nil
			}
			return &httpError{http.StatusUnauthorized, "error.signed_out"}
		}
		if r.Method == http.MethodPost {
			r.Body = http.MaxBytesReader(w, r.Body, s.MaxUploadBytes+1<<20)
			if err := parseForm(r); err != nil {
				return err
			}
			if !s.validCSRF(r, sess.csrf) {
				return errCSRF
			}
		}
		ctx := context.WithValue(context.WithValue(r.Context(), userKey, u), sessionKey, sess)
		r = r.WithContext(ctx)
		if err := h(w, r); err != nil {
			s.fail(w, r, err) // the error page in the user's language, with a way back to the desk
		}
		return nil
	})
}

// loadSession returns the signed-in staff user of the request, or nil.
func (s *Server) loadSession(r *http.Request) (*model.User, *session, error) {
	c, err := r.Cookie(SessionCookie)
	if err != nil || c.Value == "" {
		return nil, nil, nil
	}
	now := s.Now()
	var (
		u  *model.User
		ws *store.WebSession
	)
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if ws, err = tx.WebSessionByHash(auth.HashSecret(c.Value), now); err != nil {
			return err
		}
		u, err = tx.User(ws.UserID)
		return err
	})
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	if !u.Active || u.Suspended || !u.IsStaff() {
		return nil, nil, nil
	}
	if now.Sub(ws.LastSeenAt) >= touchEvery {
		exp := ws.ExpiresAt
		if !ws.Remember {
			exp = now.Add(IdleTimeout)
		}
		err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.TouchWebSession(ws.ID, now, exp) })
		if err != nil {
			s.Log.Warn("touch web session", "err", err)
		}
		ws.LastSeenAt, ws.ExpiresAt = now, exp
	}
	return u, &session{WebSession: ws, csrf: csrfFor(c.Value)}, nil
}

// validCSRF compares the form's token with want, in constant time. A
// cross-site Origin is refused even with a token, as a second line.
func (s *Server) validCSRF(r *http.Request, want string) bool {
	if o := r.Header.Get("Origin"); o != "" && o != "null" {
		_, rest, _ := strings.Cut(o, "://")
		if rest != r.Host {
			return false
		}
	}
	got := r.FormValue("csrf")
	if got == "" {
		got = r.Header.Get("X-CSRF-Token")
	}
	return want != "" && subtle.ConstantTimeCompare([]byte(got), []byte(want)) == 1
}

// anonCSRF returns the double-submit token for a form shown before sign-in,
// setting its cookie when the browser has none yet.
func (s *Server) anonCSRF(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(csrfCookie); err == nil && len(c.Value) >= 32 {
		return c.Value
	}
	tok := auth.NewSecret()
	http.SetCookie(w, &http.Cookie{Name: csrfCookie, Value: tok, Path: "/", HttpOnly: true,
		Secure: s.secureCookie(r), SameSite: http.SameSiteLaxMode})
	return tok
}

func (s *Server) validAnonCSRF(r *http.Request) bool {
	c, err := r.Cookie(csrfCookie)
	return err == nil && len(c.Value) >= 32 && s.validCSRF(r, c.Value)
}

// startSession signs u in on this browser.
func (s *Server) startSession(w http.ResponseWriter, r *http.Request, u *model.User, remember bool) error {
	secret := auth.NewSecret()
	now := s.Now()
	ws := &store.WebSession{UserID: u.ID, CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(IdleTimeout),
		Remember: remember, UserAgent: truncate(r.UserAgent(), 300)}
	if remember {
		ws.ExpiresAt = now.Add(RememberFor)
	}
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		if err := tx.PurgeWebSessions(now); err != nil {
			return err
		}
		if err := tx.InsertWebSession(ws, auth.HashSecret(secret)); err != nil {
			return err
		}
		cur, err := tx.User(u.ID)
		if err != nil {
			return err
		}
		cur.LastLoginAt = now
		return tx.UpdateUser(cur)
	})
	if err != nil {
		return err
	}
	c := &http.Cookie{Name: SessionCookie, Value: secret, Path: "/", HttpOnly: true, Secure: s.secureCookie(r), SameSite: http.SameSiteLaxMode}
	if remember {
		c.Expires, c.MaxAge = ws.ExpiresAt, int(RememberFor/time.Second)
	}
	http.SetCookie(w, c)
	return nil
}

func (s *Server) clearSessionCookie(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, &http.Cookie{Name: SessionCookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true,
		Secure: s.secureCookie(r), SameSite: http.SameSiteLaxMode})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}

// parseForm reads a POST body, multipart (the composer with files) or not.
func parseForm(r *http.Request) error {
	var err error
	if strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data") {
		err = r.ParseMultipartForm(8 << 20)
	} else {
		err = r.ParseForm()
	}
	var tooBig *http.MaxBytesError
	if errors.As(err, &tooBig) {
		return &httpError{http.StatusRequestEntityTooLarge, "compose.too_large"}
	}
	if err != nil {
		return errBadInput
	}
	return nil
}
