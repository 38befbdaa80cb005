package web

import (
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func urlQueryEscape(s string) string { return url.QueryEscape(s) }

// loginForm is what the sign-in page shows again after a failure.
type loginForm struct {
	Email, Next, Error, Notice string
	Remember                   bool
}

func (s *Server) loginPage(w http.ResponseWriter, r *http.Request) error {
	if u, _, err := s.loadSession(r); err == nil && u != nil {
		http.Redirect(w, r, localPath(r.URL.Query().Get("next")), http.StatusSeeOther)
		return nil
	}
	f := loginForm{Next: r.URL.Query().Get("next")}
	if r.URL.Query().Get("reset") == "1" {
		f.Notice = "login.reset_done"
	}
	return s.showLogin(w, r, http.StatusOK, f)
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, f loginForm) error {
	v := s.view(r)
	v.CSRF = s.anonCSRF(w, r)
	v.Title = v.T("login.title")
	v.Data = f
	s.render(w, status, "login", v)
	return nil
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) error {
	if !s.validAnonCSRF(r) {
		return errCSRF
	}
	f := loginForm{Email: strings.TrimSpace(r.FormValue("email")), Next: r.FormValue("next"), Remember: r.FormValue("remember") != ""}
	u, err := auth.New(s.Store).ByPassword(r.Context(), f.Email, r.FormValue("password"))
	if errors.Is(err, auth.ErrBadCredentials) || (err == nil && !u.IsStaff()) {
		f.Error = "login.failed"
		if err == nil {
			f.Error = "login.not_staff"
		}
		return s.showLogin(w, r, http.StatusUnauthorized, f)
	}
	if err != nil {
		return err
	}
	if err := s.startSession(w, r, u, f.Remember); err != nil {
		return err
	}
	http.Redirect(w, r, localPath(f.Next), http.StatusSeeOther)
	return nil
}

// logout ends this browser's session. It is a POST with the session's CSRF
// token, so another site cannot sign people out.
func (s *Server) logout(w http.ResponseWriter, r *http.Request) error {
	_, sess, err := s.loadSession(r)
	if err != nil {
		return err
	}
	if sess != nil {
		if !s.validCSRF(r, sess.csrf) {
			return errCSRF
		}
		if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteWebSession(sess.UserID, sess.ID) }); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	s.clearSessionCookie(w, r)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
	return nil
}

// sessionRow is one line of the session list.
type sessionRow struct {
	*store.WebSession
	Current bool
}

func (s *Server) sessionsPage(w http.ResponseWriter, r *http.Request) error {
	me, cur := currentUser(r), currentSession(r)
	var list []*store.WebSession
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = tx.WebSessions(me.ID, s.Now())
		return err
	}); err != nil {
		return err
	}
	rows := make([]sessionRow, len(list))
	for i, ws := range list {
		rows[i] = sessionRow{WebSession: ws, Current: ws.ID == cur.ID}
	}
	v := s.view(r)
	v.Title = v.T("sessions.title")
	v.Data = map[string]any{"Sessions": rows, "Zones": timeZones, "Saved": r.URL.Query().Get("saved") == "1"}
	s.render(w, http.StatusOK, "sessions", v)
	return nil
}

func (s *Server) revokeSession(w http.ResponseWriter, r *http.Request) error {
	id, err := strconv.ParseInt(r.PathValue("sid"), 10, 64)
	if err != nil {
		return errNotFound
	}
	me, cur := currentUser(r), currentSession(r)
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteWebSession(me.ID, id) }); err != nil {
		return err
	}
	if id == cur.ID {
		s.clearSessionCookie(w, r)
		http.Redirect(w, r, "/login", http.StatusSeeOther)
		return nil
	}
	http.Redirect(w, r, "/settings/sessions", http.StatusSeeOther)
	return nil
}

func (s *Server) revokeOthers(w http.ResponseWriter, r *http.Request) error {
	me, cur := currentUser(r), currentSession(r)
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteWebSessionsExcept(me.ID, cur.ID) }); err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/sessions", http.StatusSeeOther)
	return nil
}

// timeZones offered in the preferences form (any IANA name is accepted).
var timeZones = []string{"Asia/Tokyo", "UTC", "Asia/Seoul", "Asia/Shanghai", "Asia/Singapore", "Europe/London", "America/Los_Angeles", "America/New_York"}

// savePreferences sets the user's interface language and time zone.
func (s *Server) savePreferences(w http.ResponseWriter, r *http.Request) error {
	locale, zone := r.FormValue("locale"), r.FormValue("time_zone")
	if locale != "ja" && locale != "en" && locale != "" {
		return errBadInput
	}
	if _, err := time.LoadLocation(zone); err != nil || zone == "" || !utf8.ValidString(zone) {
		return errBadInput
	}
	me := currentUser(r)
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		u, err := tx.User(me.ID)
		if err != nil {
			return err
		}
		u.Locale, u.TimeZone, u.UpdatedAt = locale, zone, s.Now().UTC()
		return tx.UpdateUser(u)
	})
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/settings/sessions?saved=1", http.StatusSeeOther)
	return nil
}
