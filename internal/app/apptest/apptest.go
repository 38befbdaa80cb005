// Package apptest starts a whole desk behind a real HTTP server for
// end-to-end API tests, on SQLite and on PostgreSQL.
package apptest

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"testing"

	"golang.org/x/crypto/bcrypt"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// Password hashing at bcrypt's default cost takes most of a desk's start-up
// under the race detector; tests need the behaviour, not the strength.
func init() { auth.PasswordCost = bcrypt.MinCost }

// Desk is a running desk with a few users and their API tokens.
type Desk struct {
	T      testing.TB
	App    *app.App
	Server *httptest.Server
	URL    string
	DBURL  string // "" for SQLite
	// Users by role, each with a token: Admin, Agent, Light, Customer.
	Admin, Agent, Light, Customer *User
}

// User is a signed-up user and an API token for them.
type User struct {
	*model.User
	Token string
}

// Dialects runs fn against a fresh desk on each database.
func Dialects(t *testing.T, fn func(t *testing.T, d *Desk)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, Start(t, "")) })
	t.Run("postgres", func(t *testing.T) { fn(t, Start(t, storetest.PostgresURL(t))) })
}

// Start runs a desk on the database at dbURL ("" for SQLite in a temp dir).
func Start(t testing.TB, dbURL string) *Desk {
	t.Helper()
	return StartWith(t, dbURL, api.Config{RateLimit: 0, MaxBodyBytes: 1 << 20, MaxUploadBytes: 10 << 20})
}

// StartWith is Start with a chosen API configuration.
func StartWith(t testing.TB, dbURL string, cfg api.Config) *Desk {
	t.Helper()
	ctx := context.Background()
	level := slog.LevelError
	if os.Getenv("KIZUNA_TEST_LOG") != "" {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))
	a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), Database: dbURL, API: cfg}, log)
	if err != nil {
		t.Fatalf("open desk: %v", err)
	}
	t.Cleanup(func() { a.Close() })
	if _, _, err := a.Bootstrap(ctx, "admin@example.jp", "管理者のパスワード"); err != nil {
		t.Fatalf("bootstrap: %v", err)
	}
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	d := &Desk{T: t, App: a, Server: srv, URL: srv.URL, DBURL: dbURL}
	d.Admin = d.userWithToken("admin@example.jp", "", "", "")
	d.Agent = d.AddUser("yamada@example.jp", "山田 太郎", model.RoleAgent)
	d.Light = d.AddUser("eigyo@example.jp", "営業 次郎", model.RoleLightAgent)
	d.Customer = d.AddUser("hanako@customer.co.jp", "佐藤 花子", model.RoleEndUser)
	return d
}

// Node starts a second desk process ("node") on d's PostgreSQL database,
// with its own data dir and HTTP server, sharing d's users and tokens.
func (d *Desk) Node() *Desk {
	d.T.Helper()
	if d.DBURL == "" {
		d.T.Fatal("a second node needs PostgreSQL")
	}
	a, err := app.Open(context.Background(), app.Config{DataDir: d.T.TempDir(), Database: d.DBURL, API: d.App.Config.API}, d.App.Log)
	if err != nil {
		d.T.Fatalf("open second node: %v", err)
	}
	d.T.Cleanup(func() { a.Close() })
	srv := httptest.NewServer(a.Handler())
	d.T.Cleanup(srv.Close)
	n := *d
	n.App, n.Server, n.URL = a, srv, srv.URL
	return &n
}

// AddUser creates a user with an API token.
func (d *Desk) AddUser(email, name, role string) *User {
	d.T.Helper()
	return d.userWithToken(email, name, role, "password-"+role)
}

func (d *Desk) userWithToken(email, name, role, password string) *User {
	d.T.Helper()
	ctx := context.Background()
	if role != "" {
		if _, err := d.App.AddUser(ctx, email, name, role, password); err != nil {
			d.T.Fatalf("add user %s: %v", email, err)
		}
	}
	tok, err := d.App.Auth.CreateToken(ctx, email, "test")
	if err != nil {
		d.T.Fatalf("token for %s: %v", email, err)
	}
	var u *model.User
	if err := d.App.Store.Read(ctx, func(tx *storeTx) error {
		var err error
		u, err = tx.UserByEmail(email)
		return err
	}); err != nil {
		d.T.Fatal(err)
	}
	return &User{User: u, Token: tok}
}

// Response is a decoded API answer.
type Response struct {
	Status int
	Header http.Header
	Raw    []byte
	JSON   map[string]any
}

// Do sends a request as user (nil: anonymous). body may be nil, a string
// (sent as is) or any value (sent as JSON).
func (d *Desk) Do(user *User, method, path string, body any) *Response {
	d.T.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		js, err := json.Marshal(b)
		if err != nil {
			d.T.Fatal(err)
		}
		rd = bytes.NewReader(js)
	}
	url := path
	if !strings.HasPrefix(path, "http") {
		url = d.URL + path
	}
	req, err := http.NewRequest(method, url, rd)
	if err != nil {
		d.T.Fatal(err)
	}
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if user != nil {
		req.SetBasicAuth(user.Email+"/token", user.Token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		d.T.Fatalf("%s %s: %v", method, path, err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := &Response{Status: resp.StatusCode, Header: resp.Header, Raw: raw}
	if len(raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(raw, &r.JSON); err != nil {
			d.T.Fatalf("%s %s: response is not JSON: %v\n%s", method, path, err, raw)
		}
	}
	return r
}

// Must is Do that fails the test unless the status is want.
func (d *Desk) Must(want int, user *User, method, path string, body any) *Response {
	d.T.Helper()
	r := d.Do(user, method, path, body)
	if r.Status != want {
		d.T.Fatalf("%s %s: status %d, want %d\n%s", method, path, r.Status, want, r.Raw)
	}
	return r
}

// Get walks a path like "ticket.tags.0" through decoded JSON.
func (r *Response) Get(path string) any {
	var cur any = r.JSON
	for _, p := range strings.Split(path, ".") {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[p]
		case []any:
			i := 0
			for _, ch := range p {
				if ch < '0' || ch > '9' {
					return nil
				}
				i = i*10 + int(ch-'0')
			}
			if i >= len(c) {
				return nil
			}
			cur = c[i]
		default:
			return nil
		}
	}
	return cur
}

// Int is Get for numbers.
func (r *Response) Int(path string) int64 {
	f, _ := r.Get(path).(float64)
	return int64(f)
}

// Str is Get for strings.
func (r *Response) Str(path string) string {
	s, _ := r.Get(path).(string)
	return s
}

// Len is the length of the list at path.
func (r *Response) Len(path string) int {
	l, _ := r.Get(path).([]any)
	return len(l)
}
