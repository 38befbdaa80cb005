// Package web is the agent workspace: server-rendered pages (html/template,
// embedded in the binary) with a few small hand-written ES modules and one
// stylesheet, no build step. Pages work without JavaScript; scripts add
// live updates over SSE (/events), keyboard shortcuts and composer checks.
//
// Security: browser sessions live in web_sessions (hashed ids), every POST
// carries a CSRF token bound to the session (or, before sign-in, a
// double-submit cookie), every response has a strict Content-Security-
// Policy with no inline script or style, and mail HTML is shown only in a
// sandboxed frame served with its own CSP.
package web

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/secrets"
	"github.com/kizuna-desk/kizuna/internal/snooze"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/triggers"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// CSP is the policy of every page; the mail frame has its own, stricter one.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-src 'self'; " +
	"object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"

// Mailer queues a system mail (the password reset link) inside tx, so the
// mail goes out only if the reset token was stored.
type Mailer func(tx *store.Tx, to, subject, body string) error

// Server serves the workspace's pages.
type Server struct {
	Store   store.Store
	Tickets *tickets.Service
	Blobs   *blob.Store
	Log     *slog.Logger
	Hub     *Hub
	Mail    Mailer
	Now     func() time.Time
	// SecureCookies marks cookies Secure even on plain HTTP requests (set
	// when a TLS-terminating proxy is in front); TLS requests always are.
	SecureCookies bool
	// PublicURL is the desk's address for links in mail (password reset),
	// e.g. https://support.example.co.jp; empty: the request's host.
	PublicURL string
	// Snooze and Assign back the ticket page's snooze and "own to the end"
	// (nil: those controls are not shown).
	Snooze *snooze.Service
	Assign *assign.Service
	// Views lists saved views in the queue sidebar (nil: none shown).
	Views *views.Service
	// MaxUploadBytes bounds one composer submission with its files.
	MaxUploadBytes int64
	// Approvals backs approval before sending (nil: no approval controls).
	Approvals *approvals.Service
	// Secrets seals and opens inbox mail passwords (the settings pages);
	// ProbeTimeout bounds their "Test connection" (0: 15 seconds).
	Secrets      *secrets.Box
	ProbeTimeout time.Duration
	// Triggers backs the rule settings pages (rules_*.go), Views those
	// pages and the queue sidebar; nil: a plain service over Store.
	Triggers *triggers.Service

	counts   countCache
	presence *presence
	streams  atomic.Int64 // ids of open event streams
}

// New returns a server; call Routes to mount it.
func New(st store.Store, tk *tickets.Service, blobs *blob.Store, log *slog.Logger) *Server {
	if log == nil {
		log = slog.Default()
	}
	s := &Server{Store: st, Tickets: tk, Blobs: blobs, Log: log, Hub: NewHub(), Now: time.Now, MaxUploadBytes: 25 << 20}
	s.presence = newPresence(s.Hub, func() time.Time { return s.Now() })
	return s
}

// OnChange feeds the live-update hub; append it to tickets.Service.OnChange.
func (s *Server) OnChange(r tickets.Result) { s.Hub.publishResult(r) }

// Routes mounts the workspace on mux.
func (s *Server) Routes(mux *http.ServeMux) {
	page := func(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
		mux.Handle(pattern, s.secure(s.signedIn(h)))
	}
	public := func(pattern string, h func(w http.ResponseWriter, r *http.Request) error) {
		mux.Handle(pattern, s.secure(s.handleErr(func(w http.ResponseWriter, r *http.Request) error {
			if r.Method == http.MethodPost {
				// Sign-in and reset forms are small; nobody may stream a
				// large body at a page anyone can reach.
				r.Body = http.MaxBytesReader(w, r.Body, 64<<10)
				if err := parseForm(r); err != nil {
					return err
				}
			}
			return h(w, r)
		})))
	}
	mux.Handle("GET /static/", http.HandlerFunc(s.static))
	public("GET /login", s.loginPage)
	public("POST /login", s.login)
	public("POST /logout", s.logout)
	public("GET /password/forgot", s.forgotPage)
	public("POST /password/forgot", s.forgot)
	public("GET /password/reset/{token}", s.resetPage)
	public("POST /password/reset/{token}", s.reset)
	page("GET /{$}", func(w http.ResponseWriter, r *http.Request) error {
		http.Redirect(w, r, "/tickets", http.StatusSeeOther)
		return nil
	})
	page("GET /tickets", s.queuePage)
	page("GET /search", s.searchPage)
	page("POST /tickets/bulk", s.bulkEdit)
	s.newTicketRoutes(page) // GET and POST /tickets/new (newticket.go)
	page("GET /tickets/{id}", s.ticketPage)
	page("POST /tickets/{id}", s.updateTicket)
	page("POST /tickets/{id}/presence", s.setPresence)
	page("POST /tickets/{id}/macro", s.applyMacro)
	page("POST /tickets/{id}/split", s.splitTicket)
	page("POST /tickets/{id}/merge", s.mergeTicket)
	page("POST /tickets/{id}/snooze", s.snoozeTicket)
	page("POST /tickets/{id}/unsnooze", s.unsnoozeTicket)
	page("POST /tickets/{id}/own", s.ownTicket)
	page("GET /tickets/{id}/attachments/{aid}", s.attachment)
	s.ticketExtraRoutes(page) // mails, undo send, customer notes and links (ticket_extras.go)
	page("POST /tickets/{id}/approvals", s.requestApproval)
	page("GET /approvals", s.approvalsPage)
	page("GET /approvals/count", s.approvalsCount)
	page("POST /approvals/{id}", s.decideApproval)
	page("GET /approvals/{id}/files/{aid}", s.approvalFile)
	page("GET /settings/sessions", s.sessionsPage)
	page("POST /settings/sessions/{sid}/revoke", s.revokeSession)
	page("POST /settings/sessions/revoke-others", s.revokeOthers)
	page("POST /settings/preferences", s.savePreferences)
	s.adminRoutes(page)
	s.rulesRoutes(page)
	page("GET /events", s.events)
	// The mail frame sets its own headers (its own CSP, framing allowed).
	mux.Handle("GET /tickets/{id}/comments/{cid}/mail", s.signedIn(s.mailFrame))
}

// secure sets the headers every page carries.
func (s *Server) secure(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		pageHeaders(w, r)
		next.ServeHTTP(w, r)
	})
}

func pageHeaders(w http.ResponseWriter, r *http.Request) {
	h := w.Header()
	h.Set("Content-Security-Policy", CSP)
	h.Set("X-Frame-Options", "DENY")
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("Referrer-Policy", "same-origin")
	h.Set("Cache-Control", "no-store")
	if r.TLS != nil {
		h.Set("Strict-Transport-Security", "max-age=31536000")
	}
}

// handleErr turns a handler's error into an error page.
func (s *Server) handleErr(h func(w http.ResponseWriter, r *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.fail(w, r, err)
		}
	})
}

// httpError is an error with a status and a message key for the person.
type httpError struct {
	status int
	key    string
}

func (e *httpError) Error() string { return e.key }

var (
	errNotFound  = &httpError{http.StatusNotFound, "error.not_found"}
	errCSRF      = &httpError{http.StatusForbidden, "error.csrf"}
	errForbidden = &httpError{http.StatusForbidden, "error.forbidden"}
	errBadInput  = &httpError{http.StatusBadRequest, "error.bad_request"}
)

func (s *Server) fail(w http.ResponseWriter, r *http.Request, err error) {
	var he *httpError
	switch {
	case errors.As(err, &he):
	case errors.Is(err, store.ErrNotFound):
		he = errNotFound
	case errors.Is(err, context.Canceled):
		return
	default:
		s.Log.Error("web page", "path", r.URL.Path, "err", err)
		he = &httpError{http.StatusInternalServerError, "error.internal"}
	}
	pageHeaders(w, r) // routes with their own headers (the mail frame) too
	v := s.view(r)
	v.Title = v.T("error.title")
	v.Data = he.key
	s.render(w, he.status, "error", v)
}

// localPath accepts a redirect target only if it stays on this site.
func localPath(p string) string {
	if !strings.HasPrefix(p, "/") || strings.HasPrefix(p, "//") || strings.HasPrefix(p, "/\\") || strings.ContainsAny(p, "\r\n") {
		return "/tickets"
	}
	return p
}
