package web

import (
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Password reset: a single-use link, valid for ResetValid, sent to the
// account's primary email. The answer never says whether an address has an
// account, and one account gets at most resetsPerHour links an hour.
const (
	ResetValid     = time.Hour
	resetsPerHour  = 3
	minPasswordLen = 10
)

type resetForm struct {
	Email, Token, Error string
	Sent                bool
}

func (s *Server) forgotPage(w http.ResponseWriter, r *http.Request) error {
	return s.showReset(w, r, http.StatusOK, "forgot", resetForm{})
}

func (s *Server) showReset(w http.ResponseWriter, r *http.Request, status int, name string, f resetForm) error {
	v := s.view(r)
	v.CSRF = s.anonCSRF(w, r)
	v.Title = v.T("reset.title")
	v.Data = f
	s.render(w, status, name, v)
	return nil
}

func (s *Server) forgot(w http.ResponseWriter, r *http.Request) error {
	if !s.validAnonCSRF(r) {
		return errCSRF
	}
	raw := strings.TrimSpace(r.FormValue("email"))
	email := strings.ToLower(raw)
	if email == "" || !utf8.ValidString(raw) || len(email) > 254 {
		return s.showReset(w, r, http.StatusUnprocessableEntity, "forgot", resetForm{Email: email, Error: "reset.email_required"})
	}
	lang := s.view(r).Lang
	now := s.Now()
	base := s.absoluteBase(r)
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		u, err := tx.UserByEmail(email)
		if errors.Is(err, store.ErrNotFound) {
			return nil
		}
		if err != nil {
			return err
		}
		if !u.Active || u.Suspended || !u.IsStaff() {
			return nil
		}
		n, err := tx.CountRecentPasswordResets(u.ID, now.Add(-time.Hour))
		if err != nil || n >= resetsPerHour {
			return err
		}
		token := auth.NewSecret()
		if err := tx.InsertPasswordReset(auth.HashSecret(token), u.ID, now, now.Add(ResetValid)); err != nil {
			return err
		}
		if s.Mail == nil {
			return errors.New("no mailer configured for password resets")
		}
		if ul := langOf(u.Locale); ul != "" {
			lang = ul
		}
		subject := translate(lang, "reset.mail_subject")
		body := fmt.Sprintf(translate(lang, "reset.mail_body"), u.Name, base+"/password/reset/"+token, int(ResetValid/time.Minute))
		return s.Mail(tx, u.Email, subject, body)
	})
	if err != nil {
		return err
	}
	return s.showReset(w, r, http.StatusOK, "forgot", resetForm{Email: email, Sent: true})
}

func (s *Server) resetPage(w http.ResponseWriter, r *http.Request) error {
	token := r.PathValue("token")
	if _, err := s.resetUser(r, token); err != nil {
		return s.showReset(w, r, http.StatusNotFound, "forgot", resetForm{Error: "reset.link_invalid"})
	}
	return s.showReset(w, r, http.StatusOK, "reset", resetForm{Token: token})
}

func (s *Server) resetUser(r *http.Request, token string) (int64, error) {
	var id int64
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		id, err = tx.PasswordResetUser(auth.HashSecret(token), s.Now())
		return err
	})
	return id, err
}

func (s *Server) reset(w http.ResponseWriter, r *http.Request) error {
	if !s.validAnonCSRF(r) {
		return errCSRF
	}
	token := r.PathValue("token")
	pw, again := r.FormValue("password"), r.FormValue("password_again")
	switch {
	case utf8.RuneCountInString(pw) < minPasswordLen:
		return s.showReset(w, r, http.StatusUnprocessableEntity, "reset", resetForm{Token: token, Error: "reset.too_short"})
	case pw != again:
		return s.showReset(w, r, http.StatusUnprocessableEntity, "reset", resetForm{Token: token, Error: "reset.mismatch"})
	}
	hash, err := auth.HashPassword(pw)
	if err != nil {
		return err
	}
	now := s.Now()
	hashed := auth.HashSecret(token)
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		id, err := tx.PasswordResetUser(hashed, now)
		if err != nil {
			return err
		}
		if err := tx.UsePasswordReset(hashed, now); err != nil {
			return err
		}
		u, err := tx.User(id)
		if err != nil {
			return err
		}
		u.PasswordHash, u.UpdatedAt = hash, now.UTC()
		if err := tx.UpdateUser(u); err != nil {
			return err
		}
		// Whoever knew the old password is signed out everywhere.
		if err := tx.DeleteWebSessionsExcept(id, 0); err != nil {
			return err
		}
		return tx.DeleteUserSessions(id)
	})
	if errors.Is(err, store.ErrNotFound) {
		return s.showReset(w, r, http.StatusNotFound, "forgot", resetForm{Error: "reset.link_invalid"})
	}
	if err != nil {
		return err
	}
	http.Redirect(w, r, "/login?reset=1", http.StatusSeeOther)
	return nil
}

// absoluteBase is the site's address for links in mail: PublicURL when the
// operator set it (it should be set: a Host header is the client's word),
// else the host this request came to.
func (s *Server) absoluteBase(r *http.Request) string {
	if s.PublicURL != "" {
		return strings.TrimSuffix(s.PublicURL, "/")
	}
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host
}
