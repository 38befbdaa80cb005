// Package api serves the REST API under /api/v2, shaped like Zendesk's API
// v2 so existing Zendesk clients work by changing only the base URL.
// Handlers are thin: decode, call the domain, encode.
package api

import (
	"log/slog"
	"net/http"
	"runtime/debug"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/secrets"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Config tunes the API.
type Config struct {
	// RateLimit is requests per minute per user; 0 disables limiting.
	RateLimit int
	// MaxBodyBytes caps JSON request bodies; uploads have their own limit.
	MaxBodyBytes int64
	// MaxUploadBytes caps one uploaded file.
	MaxUploadBytes int64
}

// DefaultConfig is what `kizuna serve` uses unless told otherwise.
var DefaultConfig = Config{RateLimit: 700, MaxBodyBytes: 4 << 20, MaxUploadBytes: 50 << 20}

// Server is the API's http.Handler.
type Server struct {
	Store   store.Store
	Tickets *tickets.Service
	Auth    *auth.Service
	Blobs   *blob.Store
	Log     *slog.Logger
	Config  Config
	Now     func() time.Time
	// Secrets seals inbox mail passwords (see inboxes.go); set by the app.
	Secrets *secrets.Box

	mux      *http.ServeMux
	limiter  *limiter
	patterns []string // every route, for tests that visit them all
}

// Patterns lists the routes the server answers ("GET /api/v2/tickets/{id}").
func (s *Server) Patterns() []string { return slices.Clone(s.patterns) }

// New wires a server; call Handler to serve it.
func New(st store.Store, tk *tickets.Service, au *auth.Service, blobs *blob.Store, log *slog.Logger, cfg Config) *Server {
	s := &Server{Store: st, Tickets: tk, Auth: au, Blobs: blobs, Log: log, Config: cfg, Now: time.Now, mux: http.NewServeMux()}
	if cfg.RateLimit > 0 {
		s.limiter = newLimiter(cfg.RateLimit, time.Minute)
	}
	s.routes()
	return s
}

// handlerFunc is an API handler; a returned error becomes a Zendesk-shaped
// error response.
type handlerFunc func(w http.ResponseWriter, r *http.Request) error

// handle registers h for a pattern like "GET /api/v2/tickets/{id}"; the
// ".json" suffix Zendesk clients add is stripped before routing.
func (s *Server) handle(pattern string, h handlerFunc) {
	s.patterns = append(s.patterns, pattern)
	s.mux.HandleFunc(pattern, func(w http.ResponseWriter, r *http.Request) {
		if err := h(w, r); err != nil {
			s.writeError(w, r, err)
		}
	})
}

// ServeHTTP authenticates, rate-limits and routes one request.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			s.Log.Error("panic in API handler", "path", r.URL.Path, "panic", v, "stack", string(debug.Stack()))
			writeJSON(w, http.StatusInternalServerError, errorBody{Error: "InternalError", Description: "Something went wrong on our side; it has been logged. / サーバー内部でエラーが発生しました。"})
		}
	}()
	if p, ok := strings.CutSuffix(r.URL.Path, ".json"); ok {
		r.URL.Path = p
		r.URL.RawPath = ""
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	if err := checkQueryText(r.URL.Query()); err != nil {
		s.writeError(w, r, err)
		return
	}
	r = r.WithContext(store.WithSharedStamp(r.Context())) // see there
	u, err := s.authenticate(r)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	if u == nil {
		w.Header().Set("WWW-Authenticate", `Basic realm="Kizuna API"`)
		writeJSON(w, http.StatusUnauthorized, errorBody{Error: "Couldn't authenticate you"})
		return
	}
	if s.limiter != nil && !s.limiter.allow(w, u.ID, s.Now()) {
		writeJSON(w, http.StatusTooManyRequests, errorBody{Error: "TooManyRequests", Description: "Rate limit exceeded; retry after the number of seconds in Retry-After. / リクエスト数の上限に達しました。"})
		return
	}
	s.mux.ServeHTTP(w, r.WithContext(withUser(r.Context(), u)))
}

func (s *Server) routes() {
	s.ticketRoutes()
	s.extraRoutes()
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusNotFound, errorBody{Error: "InvalidEndpoint", Description: "Not found: " + r.Method + " " + r.URL.Path})
	})
}

// extraRoutes registers the endpoint groups kept in their own files.
func (s *Server) extraRoutes() {
	for _, register := range routeGroups {
		register(s)
	}
}

// routeGroups lets each endpoint file add its routes from an init function,
// so adding a resource never means editing this file.
var routeGroups []func(*Server)
