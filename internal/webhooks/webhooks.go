// Package webhooks keeps Zendesk-style webhooks (an endpoint, a method,
// authentication and a signing secret), queues calls to them durably in the
// ticket's transaction, and delivers them with retries and backoff, signed
// as Zendesk signs them. Slack is a webhook whose endpoint is a Slack
// incoming-webhook URL.
package webhooks

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Sealer encrypts secrets at rest (the app's *secrets.Box).
type Sealer interface {
	Seal(plaintext string) string
	Open(sealed string) (string, error)
}

// Config tunes delivery.
type Config struct {
	Poll        time.Duration // how often the worker looks for due calls; default 1s
	Lease       time.Duration // a claim older than this is taken over; default 2m
	Timeout     time.Duration // one HTTP request; default 10s
	RetryBase   time.Duration // first retry delay, doubled each time; default 30s
	RetryMax    time.Duration // longest delay; default 1h
	MaxAttempts int           // then the call fails for good; default 10
}

// Service manages webhooks and delivers their calls.
type Service struct {
	Store  store.Store
	Box    Sealer
	Client *http.Client
	Log    *slog.Logger
	Cfg    Config
	Now    func() time.Time
	wake   chan struct{}
}

// New returns a service with defaults filled in.
func New(st store.Store, box Sealer, cfg Config, log *slog.Logger) *Service {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Poll, time.Second)
	def(&cfg.Lease, 2*time.Minute)
	def(&cfg.Timeout, 10*time.Second)
	def(&cfg.RetryBase, 30*time.Second)
	def(&cfg.RetryMax, time.Hour)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 10
	}
	if log == nil {
		log = slog.Default()
	}
	return &Service{Store: st, Box: box, Log: log, Cfg: cfg, Client: &http.Client{Timeout: cfg.Timeout,
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }},
		wake: make(chan struct{}, 1)}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

// Auth is a webhook's authentication, as Zendesk's "authentication".
type Auth struct {
	Type        string            `json:"type"` // basic_auth, bearer_token, api_key
	Data        map[string]string `json:"data"` // username/password, token, name/value
	AddPosition string            `json:"add_position"`
}

// Input is a create or update; nil fields stay as they are.
type Input struct {
	Name           *string
	Description    *string
	Endpoint       *string
	HTTPMethod     *string
	RequestFormat  *string
	Status         *string
	Subscriptions  *[]string
	Authentication **Auth // set to a nil *Auth to remove
	CustomHeaders  *map[string]string
}

var methods = []string{"GET", "POST", "PUT", "PATCH", "DELETE"}

// Create stores a new webhook with a fresh signing secret.
func (s *Service) Create(tx *store.Tx, actorID int64, in Input) (*store.WebhookRow, error) {
	now := s.now()
	w := &store.WebhookRow{HTTPMethod: "POST", RequestFormat: "json", Status: "active",
		Subscriptions: []string{"conditional_ticket_events"}, CreatedBy: actorID, CreatedAt: now, UpdatedAt: now}
	if in.Name == nil {
		empty := ""
		in.Name = &empty
	}
	if in.Endpoint == nil {
		empty := ""
		in.Endpoint = &empty
	}
	if err := s.apply(w, in); err != nil {
		return nil, err
	}
	w.SigningSecret = s.Box.Seal(newSecret())
	if err := tx.InsertWebhook(w); err != nil {
		return nil, err
	}
	return w, nil
}

// Update changes webhook id.
func (s *Service) Update(tx *store.Tx, id int64, in Input) (*store.WebhookRow, error) {
	w, err := tx.Webhook(id)
	if err != nil {
		return nil, err
	}
	if err := s.apply(w, in); err != nil {
		return nil, err
	}
	w.UpdatedAt = s.now()
	return w, tx.UpdateWebhook(w)
}

// ResetSecret gives webhook id a new signing secret and returns it.
func (s *Service) ResetSecret(tx *store.Tx, id int64) (string, error) {
	w, err := tx.Webhook(id)
	if err != nil {
		return "", err
	}
	secret := newSecret()
	w.SigningSecret, w.UpdatedAt = s.Box.Seal(secret), s.now()
	return secret, tx.UpdateWebhook(w)
}

// Secret returns webhook w's signing secret in clear.
func (s *Service) Secret(w *store.WebhookRow) (string, error) { return s.Box.Open(w.SigningSecret) }

// PublicAuth is w's authentication without its secrets (password, token,
// key value), for showing; nil when there is none.
func (s *Service) PublicAuth(w *store.WebhookRow) *Auth {
	if w.AuthType == "" {
		return nil
	}
	a := &Auth{Type: w.AuthType, AddPosition: "header", Data: map[string]string{}}
	if full, err := s.auth(w); err == nil && full != nil {
		for _, k := range []string{"username", "name"} {
			if v, ok := full.Data[k]; ok {
				a.Data[k] = v
			}
		}
	}
	return a
}

// auth opens w's sealed authentication.
func (s *Service) auth(w *store.WebhookRow) (*Auth, error) {
	if w.AuthType == "" || w.AuthData == "" {
		return nil, nil
	}
	plain, err := s.Box.Open(w.AuthData)
	if err != nil {
		return nil, err
	}
	var a Auth
	if err := json.Unmarshal([]byte(plain), &a); err != nil {
		return nil, err
	}
	return &a, nil
}

func newSecret() string {
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	return base64.StdEncoding.EncodeToString(b)
}

// apply validates in onto w, reporting every problem at once.
func (s *Service) apply(w *store.WebhookRow, in Input) error {
	var v errs.Invalid
	if in.Name != nil {
		name := strings.TrimSpace(*in.Name)
		if name == "" {
			v.Add("name", "BlankValue", "Name: cannot be blank / 名前を入力してください")
		} else if utf8.RuneCountInString(name) > 255 {
			v.Add("name", "TooLong", "Name: is too long (maximum is 255 characters) / 名前は255文字以内にしてください")
		}
		w.Name = name
	}
	if in.Description != nil {
		w.Description = *in.Description
	}
	if in.Endpoint != nil {
		ep := strings.TrimSpace(*in.Endpoint)
		if u, err := url.Parse(ep); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			v.Addf("endpoint", "InvalidValue", "Endpoint: %q is not an http or https URL / エンドポイントは http(s) のURLにしてください", ep)
		}
		w.Endpoint = ep
	}
	if in.HTTPMethod != nil {
		m := strings.ToUpper(*in.HTTPMethod)
		if !slices.Contains(methods, m) {
			v.Addf("http_method", "InvalidValue", "HTTP method: %q is not one of GET, POST, PUT, PATCH, DELETE / HTTPメソッドが正しくありません", *in.HTTPMethod)
		}
		w.HTTPMethod = m
	}
	if in.RequestFormat != nil {
		if *in.RequestFormat != "json" {
			v.Addf("request_format", "InvalidValue", "Request format: %q is not supported; use json / リクエスト形式は json のみ対応しています", *in.RequestFormat)
		}
		w.RequestFormat = *in.RequestFormat
	}
	if in.Status != nil {
		if *in.Status != "active" && *in.Status != "inactive" {
			v.Addf("status", "InvalidValue", "Status: %q is not active or inactive / 状態は active か inactive です", *in.Status)
		}
		w.Status = *in.Status
	}
	if in.Subscriptions != nil {
		for _, sub := range *in.Subscriptions {
			if sub != "conditional_ticket_events" {
				v.Addf("subscriptions", "InvalidValue", "Subscriptions: %q is not supported; use conditional_ticket_events (webhooks called by triggers) / 未対応の購読です", sub)
			}
		}
		w.Subscriptions = *in.Subscriptions
	}
	if in.CustomHeaders != nil {
		for k := range *in.CustomHeaders {
			if reserved(k) {
				v.Addf("custom_headers", "InvalidValue", "Custom headers: %q cannot be set / ヘッダー %q は指定できません", k, k)
			}
		}
		w.CustomHeaders = *in.CustomHeaders
	}
	if in.Authentication != nil {
		if err := s.setAuth(w, *in.Authentication, &v); err != nil {
			return err
		}
	}
	return v.OrNil()
}

func reserved(h string) bool {
	h = http.CanonicalHeaderKey(h)
	return h == "Authorization" || h == "Content-Type" || h == "Content-Length" || h == "Host" || strings.HasPrefix(h, "X-Zendesk-")
}

// setAuth validates and seals the authentication; a secret left out of an
// update keeps the stored one (clients never see it to send it back).
func (s *Service) setAuth(w *store.WebhookRow, a *Auth, v *errs.Invalid) error {
	if a == nil || a.Type == "" {
		w.AuthType, w.AuthData = "", ""
		return nil
	}
	old, err := s.auth(w)
	if err != nil && w.AuthData != "" {
		old = nil
	}
	data := map[string]string{}
	for k, val := range a.Data {
		data[k] = val
	}
	keep := func(k string) {
		if data[k] == "" && old != nil && old.Type == a.Type {
			data[k] = old.Data[k]
		}
	}
	switch a.Type {
	case "basic_auth":
		keep("password")
		if data["username"] == "" || data["password"] == "" {
			v.Add("authentication", "InvalidValue", "Authentication: basic_auth needs data.username and data.password / ユーザー名とパスワードが必要です")
		}
	case "bearer_token":
		keep("token")
		if data["token"] == "" {
			v.Add("authentication", "InvalidValue", "Authentication: bearer_token needs data.token / トークンが必要です")
		}
	case "api_key":
		keep("value")
		if data["name"] == "" || data["value"] == "" || reserved(data["name"]) {
			v.Add("authentication", "InvalidValue", "Authentication: api_key needs data.name (a header name) and data.value / ヘッダー名と値が必要です")
		}
	default:
		v.Addf("authentication", "InvalidValue", "Authentication: type %q is not basic_auth, bearer_token or api_key / 認証方式が正しくありません", a.Type)
	}
	b, _ := json.Marshal(Auth{Type: a.Type, Data: data, AddPosition: "header"})
	w.AuthType, w.AuthData = a.Type, s.Box.Seal(string(b))
	return nil
}

// ErrInactive means the webhook is switched off.
var ErrInactive = errors.New("webhook is inactive")

// Enqueue queues a call to webhook id with body, in tx: it is delivered
// once the write commits (rules.WebhookQueue). Calls to a deleted or
// inactive webhook are dropped with a log line, as Zendesk skips them.
func (s *Service) Enqueue(tx *store.Tx, id int64, body []byte, ticketID int64, source string) error {
	w, err := tx.Webhook(id)
	if errors.Is(err, store.ErrNotFound) {
		s.Log.Warn("webhooks: call to a webhook that does not exist", "webhook", id, "source", source)
		return nil
	}
	if err != nil {
		return err
	}
	if w.Status != "active" {
		s.Log.Info("webhooks: webhook inactive, call skipped", "webhook", id, "source", source)
		return nil
	}
	now := s.now()
	inv := &store.WebhookInvocation{WebhookID: id, TicketID: ticketID, Source: source, Body: string(body), State: store.InvocationQueued,
		NextAttemptAt: now, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertWebhookInvocation(inv); err != nil {
		return fmt.Errorf("queue webhook call: %w", err)
	}
	tx.AfterCommit(s.Wake)
	return nil
}

// Wake makes the worker look for due calls now.
func (s *Service) Wake() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}
