// Package app wires the desk's parts together: store, domain services, API
// and web. cmd/kizuna and end-to-end tests both start the desk through it.
package app

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/mail"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/secrets"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// Config is what an operator sets with flags or environment variables.
type Config struct {
	DataDir  string // database (SQLite), blobs, keys
	Database string // "" = embedded SQLite; postgres://… = PostgreSQL
	API      api.Config
	Mail     MailConfig
}

// App is a running desk without its listeners.
type App struct {
	Config  Config
	Store   *store.DB
	Tickets *tickets.Service
	Auth    *auth.Service
	Blobs   *blob.Store
	API     *api.Server
	Log     *slog.Logger
	Secrets *secrets.Box

	MailProcessor *mail.Processor
	MailWorker    *inbound.Worker
	Spool         *inbound.Spool
	Outbox        *outbound.Outbox
	smtpAddr      atomic.Value // string, set by Run

	servicesMu sync.Mutex
	services   map[any]any // see Provide and Lookup
}

// Open connects to the database (running migrations) and builds services.
func Open(ctx context.Context, cfg Config, log *slog.Logger) (*App, error) {
	if cfg.API == (api.Config{}) {
		cfg.API = api.DefaultConfig
	}
	st, err := store.Open(ctx, cfg.Database, cfg.DataDir)
	if err != nil {
		return nil, err
	}
	blobs, err := blob.Open(filepath.Join(cfg.DataDir, "blobs"))
	if err != nil {
		st.Close()
		return nil, err
	}
	blobs.UseDB(store.Blobs{DB: st})
	box, err := secrets.Open(cfg.DataDir)
	if err != nil {
		st.Close()
		return nil, err
	}
	a := &App{Config: cfg, Store: st, Tickets: tickets.New(st), Auth: auth.New(st), Blobs: blobs, Log: log, Secrets: box}
	a.API = api.New(st, a.Tickets, a.Auth, blobs, log, cfg.API)
	a.API.Secrets = box
	a.wireMail()
	if err := a.openExtensions(); err != nil {
		st.Close()
		return nil, err
	}
	return a, nil
}

// Close releases the database.
func (a *App) Close() error { return a.Store.Close() }

// Handler serves the API and the web pages.
func (a *App) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.Handle("/api/", a.API)
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		if err := a.Store.Read(r.Context(), func(tx *store.Tx) error { _, err := tx.MaxTicketUpdate(); return err }); err != nil {
			http.Error(w, "database unavailable", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprintln(w, "ok")
	})
	a.extensionRoutes(mux)
	return mux
}

// Bootstrap prepares an empty database: a default brand and group, and an
// admin. It returns the admin's generated password ("" when the admin
// already existed or the password was given).
func (a *App) Bootstrap(ctx context.Context, adminEmail, adminPassword string) (email, generated string, err error) {
	if adminEmail == "" {
		adminEmail = "admin@kizuna.local"
	}
	now := time.Now().UTC()
	err = a.Store.Write(ctx, func(tx *store.Tx) error {
		n, err := tx.CountUsers(store.UserFilter{Roles: []string{model.RoleAdmin}})
		if err != nil || n > 0 {
			return err
		}
		if _, err := tx.DefaultBrand(); errors.Is(err, store.ErrNotFound) {
			if err := tx.InsertBrand(&model.Brand{Name: "Kizuna", Subdomain: "default", Active: true, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		groups, err := tx.Groups(false)
		if err != nil {
			return err
		}
		if len(groups) == 0 {
			if err := tx.InsertGroup(&model.Group{Name: "サポート / Support", Default: true, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
		}
		pw := adminPassword
		if pw == "" {
			pw = auth.NewSecret()[:16]
			generated = pw
		}
		hash, err := auth.HashPassword(pw)
		if err != nil {
			return err
		}
		admin := &model.User{Name: "管理者 Admin", Email: adminEmail, Role: model.RoleAdmin, PasswordHash: hash, Verified: true}
		email = admin.Email
		return users.Create(tx, admin, now)
	})
	return email, generated, err
}

// AddUser creates a user from the command line.
func (a *App) AddUser(ctx context.Context, email, name, role, password string) (*model.User, error) {
	role = strings.ReplaceAll(role, "_", "-")
	u := &model.User{Name: name, Email: email, Role: role, Verified: true}
	if password != "" {
		hash, err := auth.HashPassword(password)
		if err != nil {
			return nil, err
		}
		u.PasswordHash = hash
	}
	err := a.Store.Write(ctx, func(tx *store.Tx) error { return users.Create(tx, u, time.Now().UTC()) })
	return u, err
}
