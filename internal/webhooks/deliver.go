package webhooks

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Zendesk's signing headers: the signature is base64(HMAC-SHA256(secret,
// timestamp + body)).
const (
	HeaderSignature = "X-Zendesk-Webhook-Signature"
	HeaderTimestamp = "X-Zendesk-Webhook-Signature-Timestamp"
	HeaderID        = "X-Zendesk-Webhook-Id"
	HeaderInvoke    = "X-Zendesk-Webhook-Invocation-Id"
)

// TestSecret signs test calls of a webhook not saved yet (Zendesk's).
const TestSecret = "dGhpc19zZWNyZXRfaXNfZm9yX3Rlc3Rpbmdfb25seQ=="

// Sign returns the signature of body at timestamp with secret.
func Sign(secret, timestamp string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(timestamp))
	m.Write(body)
	return base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Target is where and how one call goes.
type Target struct {
	WebhookID string
	Endpoint  string
	Method    string
	Auth      *Auth
	Headers   map[string]string
	Secret    string
}

// Result is what one HTTP attempt gave.
type Result struct {
	Status   int // 0: no response
	Header   http.Header
	Body     string // the first 4 KiB
	Duration time.Duration
	Err      error
}

// Send makes one signed HTTP request.
func (s *Service) Send(ctx context.Context, t Target, body []byte, invocationID string) Result {
	start := time.Now()
	ctx, cancel := context.WithTimeout(ctx, s.Cfg.Timeout)
	defer cancel()
	var rd io.Reader
	if t.Method != http.MethodGet {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequestWithContext(ctx, t.Method, t.Endpoint, rd)
	if err != nil {
		return Result{Err: err, Duration: time.Since(start)}
	}
	for k, v := range t.Headers {
		req.Header.Set(k, v)
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Kizuna-Webhook/1 (Zendesk-compatible)")
	ts := s.now().Format(time.RFC3339)
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, Sign(t.Secret, ts, body))
	req.Header.Set(HeaderID, t.WebhookID)
	if invocationID != "" {
		req.Header.Set(HeaderInvoke, invocationID)
	}
	if a := t.Auth; a != nil {
		switch a.Type {
		case "basic_auth":
			req.SetBasicAuth(a.Data["username"], a.Data["password"])
		case "bearer_token":
			req.Header.Set("Authorization", "Bearer "+a.Data["token"])
		case "api_key":
			req.Header.Set(a.Data["name"], a.Data["value"])
		}
	}
	resp, err := s.Client.Do(req)
	if err != nil {
		return Result{Err: err, Duration: time.Since(start)}
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 1<<20))
	return Result{Status: resp.StatusCode, Header: resp.Header, Body: string(b), Duration: time.Since(start)}
}

// target loads how to call webhook w.
func (s *Service) target(w *store.WebhookRow) (Target, error) {
	secret, err := s.Secret(w)
	if err != nil {
		return Target{}, err
	}
	a, err := s.auth(w)
	if err != nil {
		return Target{}, err
	}
	return Target{WebhookID: strconv.FormatInt(w.ID, 10), Endpoint: w.Endpoint, Method: w.HTTPMethod, Auth: a,
		Headers: w.CustomHeaders, Secret: secret}, nil
}

// Run delivers due calls until ctx ends. Any number of nodes may run it on
// one database: each call is claimed by exactly one of them.
func (s *Service) Run(ctx context.Context) {
	tick := time.NewTicker(s.Cfg.Poll)
	defer tick.Stop()
	var pruned time.Time
	for {
		if _, err := s.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			s.Log.Error("webhooks: delivering", "err", err)
		}
		if time.Since(pruned) > time.Hour {
			pruned = time.Now()
			if err := s.Prune(ctx); err != nil && ctx.Err() == nil {
				s.Log.Error("webhooks: pruning the delivery log", "err", err)
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-s.wake:
		}
	}
}

// KeepLog is how long finished calls stay in the delivery log.
const KeepLog = 30 * 24 * time.Hour

// Prune drops finished calls older than KeepLog; a lost race with another
// node's prune deletes nothing twice.
func (s *Service) Prune(ctx context.Context) error {
	return s.Store.Write(ctx, func(tx *store.Tx) error {
		_, err := tx.PruneWebhookInvocations(s.now().Add(-KeepLog).UnixMilli())
		return err
	})
}

// DeliverDue makes one attempt for every due call this worker manages to
// claim and returns how many it attempted.
func (s *Service) DeliverDue(ctx context.Context) (int, error) {
	var due []*store.WebhookInvocation
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.WebhookInvocationsDue(s.now().UnixMilli(), 50)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, inv := range due {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		now := s.now()
		lease := now.Add(s.Cfg.Lease).UnixMilli()
		var (
			claimed bool
			w       *store.WebhookRow
		)
		err := s.Store.Write(ctx, func(tx *store.Tx) error {
			var err error
			if claimed, err = tx.ClaimWebhookInvocation(inv.ID, inv.State, inv.NextAttemptAt.UnixMilli(), lease, now.UnixMilli()); err != nil || !claimed {
				return err
			}
			w, err = tx.Webhook(inv.WebhookID)
			return err
		})
		if err != nil {
			return n, err
		}
		if !claimed {
			continue // another node took it
		}
		n++
		inv.Attempts++
		if err := s.attempt(ctx, inv, w, lease); err != nil {
			return n, err
		}
	}
	return n, nil
}

// attempt makes one HTTP request for a claimed call and records it.
func (s *Service) attempt(ctx context.Context, inv *store.WebhookInvocation, w *store.WebhookRow, lease int64) error {
	var res Result
	t, err := s.target(w)
	if err != nil {
		res = Result{Err: fmt.Errorf("webhook settings cannot be read: %w", err)}
	} else {
		res = s.Send(ctx, t, []byte(inv.Body), strconv.FormatInt(inv.ID, 10))
	}
	now := s.now()
	state, next, errText := store.InvocationSuccess, now, ""
	if res.Err != nil || res.Status < 200 || res.Status > 299 {
		errText = describe(res)
		retry, wait := retryable(res)
		switch {
		case !retry:
			state = store.InvocationFailed
		case inv.Attempts >= s.Cfg.MaxAttempts:
			state, errText = store.InvocationFailed, fmt.Sprintf("gave up after %d attempts / %d 回試行しましたが届きませんでした: %s", inv.Attempts, inv.Attempts, errText)
		default:
			state, next = store.InvocationQueued, now.Add(max(s.backoff(inv.Attempts), min(wait, s.Cfg.RetryMax)))
		}
		s.Log.Warn("webhooks: attempt failed", "webhook", inv.WebhookID, "invocation", inv.ID, "attempt", inv.Attempts, "state", state, "err", errText)
	}
	attemptStatus := store.InvocationSuccess
	if errText != "" {
		attemptStatus = store.InvocationFailed
	}
	return s.Store.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		ok, err := tx.FinishWebhookInvocation(inv.ID, lease, state, res.Status, errText, next.UnixMilli(), now.UnixMilli())
		if err != nil || !ok {
			if err == nil {
				s.Log.Warn("webhooks: claim expired before the attempt finished", "invocation", inv.ID)
			}
			return err
		}
		return tx.InsertWebhookAttempt(&store.WebhookAttempt{InvocationID: inv.ID, Status: attemptStatus, StatusCode: res.Status,
			Duration: res.Duration, Error: errText, CompletedAt: now})
	})
}

// backoff is RetryBase doubled per attempt, at most RetryMax.
func (s *Service) backoff(attempts int) time.Duration {
	d := s.Cfg.RetryBase
	for i := 1; i < attempts && d < s.Cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, s.Cfg.RetryMax)
}

// retryable: network errors, timeouts, 408, 409, 425, 429 and 5xx are
// worth another try (with the receiver's Retry-After); other answers are
// final.
func retryable(r Result) (bool, time.Duration) {
	if r.Err != nil {
		return true, 0
	}
	var wait time.Duration
	if secs, err := strconv.Atoi(r.Header.Get("Retry-After")); err == nil && secs > 0 {
		wait = time.Duration(secs) * time.Second
	}
	switch {
	case r.Status == 408 || r.Status == 409 || r.Status == 425 || r.Status == 429 || r.Status >= 500:
		return true, wait
	}
	return false, 0
}

func describe(r Result) string {
	if r.Err != nil {
		return "no response / 応答がありません: " + r.Err.Error()
	}
	body := r.Body
	if len(body) > 200 {
		body = strings.ToValidUTF8(body[:200], "")
	}
	return fmt.Sprintf("HTTP %d: %s", r.Status, body)
}

// Target returns how saved webhook w is called (secrets opened).
func (s *Service) Target(w *store.WebhookRow) (Target, error) { return s.target(w) }

// Preview validates an unsaved webhook and returns how it would be
// called, signed with Zendesk's test secret.
func (s *Service) Preview(in Input, a *Auth) (Target, error) {
	w := &store.WebhookRow{HTTPMethod: "POST", RequestFormat: "json", Status: "active"}
	if err := s.apply(w, in); err != nil {
		return Target{}, err
	}
	if a != nil && a.Type != "" {
		var v errs.Invalid
		if err := s.setAuth(w, a, &v); err != nil {
			return Target{}, err
		}
		if err := v.OrNil(); err != nil {
			return Target{}, err
		}
	}
	auth, err := s.auth(w)
	if err != nil {
		return Target{}, err
	}
	return Target{WebhookID: "test", Endpoint: w.Endpoint, Method: w.HTTPMethod, Auth: auth, Headers: w.CustomHeaders, Secret: TestSecret}, nil
}
