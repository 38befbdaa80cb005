// Command kizuna runs the Kizuna support desk and its admin tasks.
//
//	kizuna [serve] [--data DIR] [--http ADDR] [--db URL]
//	kizuna user add --email E --name N --role admin|agent|light-agent|end-user [--password P] [--approval-required]
//	kizuna token create --email E
//	kizuna seed --tickets N
//	kizuna migrate
//	kizuna version
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/errs"
)

// version is set at build time with -ldflags "-X main.version=…".
var version = "dev"

func main() {
	if err := run(os.Args[1:], os.Stdout, os.Stderr); err != nil {
		fmt.Fprintln(os.Stderr, "kizuna:", describe(err))
		os.Exit(1)
	}
}

func run(args []string, stdout, stderr io.Writer) error {
	cmd := "serve"
	if len(args) > 0 && len(args[0]) > 0 && args[0][0] != '-' {
		cmd, args = args[0], args[1:]
	}
	switch cmd {
	case "serve":
		return serve(args, stdout, stderr)
	case "migrate":
		return migrate(args, stdout)
	case "version":
		fmt.Fprintln(stdout, "kizuna", version)
		return nil
	case "user":
		if len(args) == 0 || args[0] != "add" {
			return errors.New("usage: kizuna user add --email E --name N --role admin|agent|light-agent|end-user [--password P]")
		}
		return userAdd(args[1:], stdout)
	case "token":
		if len(args) == 0 || args[0] != "create" {
			return errors.New("usage: kizuna token create --email E")
		}
		return tokenCreate(args[1:], stdout)
	case "seed":
		return seedCmd(args, stdout)
	case "inbox":
		return inboxCmd(args, stdout)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
}

const usage = `Usage:
  kizuna [serve] [--data DIR] [--http ADDR] [--db URL]   run the desk
  kizuna user add --email E --name N --role ROLE [--password P] [--approval-required]
  kizuna token create --email E                         print a new API token
  kizuna inbox add --name N --address A [--brand B]     add a shared inbox; kizuna inbox list
  kizuna seed --tickets N                               fill the database with demo data
  kizuna migrate                                        apply database migrations
  kizuna version
Every flag has an environment twin: KIZUNA_DATA, KIZUNA_HTTP, KIZUNA_DB, KIZUNA_SMTP, …
(kizuna serve --help lists them).
`

// common holds the flags every command that opens the database shares.
type common struct {
	data, db string
	api      api.Config
	mail     app.MailConfig
}

func (c *common) register(fs *flag.FlagSet) {
	fs.StringVar(&c.data, "data", envOr("KIZUNA_DATA", "./kizuna-data"), "data directory: database, blobs, keys (KIZUNA_DATA)")
	fs.StringVar(&c.db, "db", os.Getenv("KIZUNA_DB"), "database URL: empty for embedded SQLite, or postgres://… (KIZUNA_DB)")
}

func (c *common) open(ctx context.Context, log *slog.Logger) (*app.App, error) {
	return app.Open(ctx, app.Config{DataDir: c.data, Database: c.db, API: c.api, Mail: c.mail}, log)
}

func envInt(key string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envDuration(key string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(key)); err == nil {
		return v
	}
	return def
}

func envOr(key, def string) string {
	if v := os.Getenv(key); v != "" {
		return v
	}
	return def
}

func serve(args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	var c common
	c.register(fs)
	httpAddr := fs.String("http", envOr("KIZUNA_HTTP", "127.0.0.1:8080"), "HTTP listen address (KIZUNA_HTTP)")
	rateLimit := fs.Int("rate-limit", envInt("KIZUNA_RATE_LIMIT", api.DefaultConfig.RateLimit), "API requests per minute per user, 0 = unlimited (KIZUNA_RATE_LIMIT)")
	var m app.MailConfig
	smtpAddr, ok := os.LookupEnv("KIZUNA_SMTP")
	if !ok {
		smtpAddr = "127.0.0.1:2525"
	}
	fs.StringVar(&m.SMTP.Addr, "smtp", smtpAddr, "SMTP listener for mail forwarded to the desk; empty disables it (KIZUNA_SMTP)")
	fs.Int64Var(&m.SMTP.MaxMessageBytes, "smtp-max-bytes", int64(envInt("KIZUNA_SMTP_MAX_BYTES", 30<<20)), "largest accepted message in bytes (KIZUNA_SMTP_MAX_BYTES)")
	fs.StringVar(&m.SMTP.TLSCertFile, "smtp-tls-cert", os.Getenv("KIZUNA_SMTP_TLS_CERT"), "certificate file for STARTTLS (KIZUNA_SMTP_TLS_CERT)")
	fs.StringVar(&m.SMTP.TLSKeyFile, "smtp-tls-key", os.Getenv("KIZUNA_SMTP_TLS_KEY"), "key file for STARTTLS (KIZUNA_SMTP_TLS_KEY)")
	fs.StringVar(&m.SMTP.Hostname, "smtp-hostname", os.Getenv("KIZUNA_SMTP_HOSTNAME"), "name in the SMTP greeting (KIZUNA_SMTP_HOSTNAME)")
	fs.StringVar(&m.Relay.Addr, "smtp-relay", os.Getenv("KIZUNA_SMTP_RELAY"), "host:port of the SMTP relay for replies of inboxes without their own settings (KIZUNA_SMTP_RELAY)")
	fs.StringVar(&m.Relay.Username, "smtp-relay-user", os.Getenv("KIZUNA_SMTP_RELAY_USER"), "relay user name (KIZUNA_SMTP_RELAY_USER)")
	m.Relay.Password = os.Getenv("KIZUNA_SMTP_RELAY_PASSWORD") // env only: flags show up in ps
	fs.StringVar(&m.Relay.TLS, "smtp-relay-tls", os.Getenv("KIZUNA_SMTP_RELAY_TLS"), "starttls, tls, none, or empty for STARTTLS when offered (KIZUNA_SMTP_RELAY_TLS)")
	fs.DurationVar(&m.UndoSend, "undo-send", envDuration("KIZUNA_UNDO_SEND", 0), "how long a sent reply can be recalled; default 10s, negative = none (KIZUNA_UNDO_SEND)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	c.api = api.DefaultConfig
	c.api.RateLimit = *rateLimit
	c.mail = m
	tuneGC()
	log := slog.New(slog.NewTextHandler(stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	a, err := c.open(ctx, log)
	if err != nil {
		return err
	}
	defer a.Close()
	email, pw, err := a.Bootstrap(ctx, os.Getenv("KIZUNA_ADMIN_EMAIL"), os.Getenv("KIZUNA_ADMIN_PASSWORD"))
	if err != nil {
		return fmt.Errorf("create first admin: %w", err)
	}
	if pw != "" {
		fmt.Fprintf(stdout, "Created the first admin. Sign in with:\n  email:    %s\n  password: %s\n(shown once; change it after signing in)\n", email, pw)
	}
	ln, err := net.Listen("tcp", *httpAddr)
	if err != nil {
		return err
	}
	srv := &http.Server{Handler: a.Handler(), ReadHeaderTimeout: 10 * time.Second, IdleTimeout: 120 * time.Second}
	log.Info("kizuna listening", "http", "http://"+ln.Addr().String(), "database", a.Store.Dialect(), "data", c.data, "version", version)
	errc := make(chan error, 2)
	go func() { errc <- srv.Serve(ln) }()
	workCtx, stopWork := context.WithCancel(ctx)
	defer stopWork()
	workDone := make(chan struct{})
	go func() {
		defer close(workDone)
		if err := a.Run(workCtx); err != nil {
			errc <- err
		}
	}()
	var runErr error
	select {
	case runErr = <-errc:
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	err = srv.Shutdown(shutdownCtx)
	stopWork()
	<-workDone
	if runErr != nil && !errors.Is(runErr, http.ErrServerClosed) {
		return runErr
	}
	return err
}

func migrate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	var c common
	c.register(fs)
	if err := fs.Parse(args); err != nil {
		return err
	}
	a, err := c.open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	fmt.Fprintln(stdout, "database is up to date")
	return nil
}

func userAdd(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("user add", flag.ContinueOnError)
	var c common
	c.register(fs)
	email := fs.String("email", "", "email address")
	name := fs.String("name", "", "display name")
	role := fs.String("role", "agent", "admin, agent, light-agent or end-user")
	password := fs.String("password", "", "password for signing in to the web UI (optional)")
	approval := fs.Bool("approval-required", false, "an agent whose public replies need an approver (trainee)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	if *approval && *role != "agent" {
		return errors.New("--approval-required is for agents (--role agent)")
	}
	a, err := c.open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	u, err := a.AddUser(context.Background(), *email, *name, *role, *password)
	if err != nil {
		return err
	}
	if *approval {
		if err := a.RequireApproval(context.Background(), u.ID, true); err != nil {
			return err
		}
	}
	fmt.Fprintf(stdout, "created %s %s <%s> (id %d)\n", u.Role, u.Name, u.Email, u.ID)
	return nil
}

func tokenCreate(args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet("token create", flag.ContinueOnError)
	var c common
	c.register(fs)
	email := fs.String("email", "", "the user's email")
	desc := fs.String("description", "created with kizuna token create", "what the token is for")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *email == "" {
		return errors.New("--email is required")
	}
	a, err := c.open(context.Background(), slog.New(slog.DiscardHandler))
	if err != nil {
		return err
	}
	defer a.Close()
	tok, err := a.Auth.CreateToken(context.Background(), *email, *desc)
	if err != nil {
		return fmt.Errorf("create token for %s: %w", *email, err)
	}
	fmt.Fprintf(stdout, "API token for %s (use as Basic %s/token:TOKEN or Bearer TOKEN):\n%s\n", *email, *email, tok)
	return nil
}

// describe turns domain errors into one readable line.
func describe(err error) error {
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		return errors.New(inv.Error())
	}
	if errors.Is(err, errs.ErrNotFound) {
		return fmt.Errorf("%w (no such user or record)", err)
	}
	return err
}
