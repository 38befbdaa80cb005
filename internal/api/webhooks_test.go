package api_test

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/webhooks"
)

// receiver is a loopback HTTP server that checks what Kizuna sends the
// way a real receiver would: Zendesk's signature over timestamp + body.
type receiver struct {
	*httptest.Server
	mu     sync.Mutex
	secret string
	bodies []map[string]any
	fails  int // answer 503 to this many requests first
	errs   []string
	user   string // basic auth expected, if set
	pass   string
}

func newReceiver(t *testing.T) *receiver {
	rc := &receiver{}
	rc.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rc.mu.Lock()
		defer rc.mu.Unlock()
		body, _ := io.ReadAll(r.Body)
		fail := func(f string, a ...any) { rc.errs = append(rc.errs, fmt.Sprintf(f, a...)) }
		ts := r.Header.Get("X-Zendesk-Webhook-Signature-Timestamp")
		when, err := time.Parse(time.RFC3339, ts)
		if err != nil || time.Since(when).Abs() > 5*time.Minute {
			fail("bad timestamp %q", ts)
		}
		m := hmac.New(sha256.New, []byte(rc.secret))
		m.Write([]byte(ts))
		m.Write(body)
		if want := base64.StdEncoding.EncodeToString(m.Sum(nil)); !hmac.Equal([]byte(want), []byte(r.Header.Get("X-Zendesk-Webhook-Signature"))) {
			fail("bad signature for %s", body)
		}
		if r.Method != http.MethodPost || !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			fail("method %s, content type %s", r.Method, r.Header.Get("Content-Type"))
		}
		if rc.user != "" {
			if u, p, ok := r.BasicAuth(); !ok || u != rc.user || p != rc.pass {
				fail("basic auth %q %q", u, p)
			}
		}
		var v map[string]any
		if err := json.Unmarshal(body, &v); err != nil {
			fail("not JSON: %s", body)
		}
		if rc.fails > 0 {
			rc.fails--
			w.Header().Set("Retry-After", "1")
			http.Error(w, "busy", http.StatusServiceUnavailable)
			return
		}
		rc.bodies = append(rc.bodies, v)
		fmt.Fprint(w, "ok")
	}))
	t.Cleanup(rc.Close)
	return rc
}

func (rc *receiver) got() ([]map[string]any, []string) {
	rc.mu.Lock()
	defer rc.mu.Unlock()
	return append([]map[string]any(nil), rc.bodies...), append([]string(nil), rc.errs...)
}

func TestChurnRiskToSlackAndSignedWebhook(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ctx := context.Background()
		app.Lookup[*rules.Engine](d.App).BaseURL = d.URL
		hooks := app.Lookup[*webhooks.Service](d.App)

		// The sales channel: a Slack incoming webhook is a webhook whose
		// endpoint is the Slack URL.
		slack := newReceiver(t)
		r := d.Must(201, d.Admin, "POST", "/api/v2/webhooks.json", map[string]any{"webhook": map[string]any{
			"name": "営業チャンネル (Slack)", "endpoint": slack.URL + "/services/T000/B000/XXXX", "http_method": "POST",
			"request_format": "json", "status": "active", "subscriptions": []string{"conditional_ticket_events"}}})
		slackID := r.Str("webhook.id")
		if r.Str("webhook.name") != "営業チャンネル (Slack)" || r.Str("webhook.status") != "active" || r.Get("webhook.authentication") != nil {
			t.Fatalf("created: %s", r.Raw)
		}
		slack.secret = d.Must(200, d.Admin, "GET", "/api/v2/webhooks/"+slackID+"/signing_secret.json", nil).Str("signing_secret.secret")

		// The CRM: a signed webhook with basic auth and a templated JSON body.
		crm := newReceiver(t)
		crm.user, crm.pass, crm.fails = "kizuna", "秘密のパスワード", 1
		r = d.Must(201, d.Admin, "POST", "/api/v2/webhooks.json", map[string]any{"webhook": map[string]any{
			"name": "CRM", "endpoint": crm.URL + "/hook", "http_method": "POST", "request_format": "json", "status": "active",
			"subscriptions":  []string{"conditional_ticket_events"},
			"authentication": map[string]any{"type": "basic_auth", "data": map[string]any{"username": "kizuna", "password": "秘密のパスワード"}, "add_position": "header"}}})
		crmID := r.Str("webhook.id")
		if r.Str("webhook.authentication.data.username") != "kizuna" || strings.Contains(string(r.Raw), "秘密") {
			t.Fatalf("auth shown without its password: %s", r.Raw)
		}
		crm.secret = d.Must(200, d.Admin, "GET", "/api/v2/webhooks/"+crmID+"/signing_secret.json", nil).Str("signing_secret.secret")

		d.Must(201, d.Admin, "POST", "/api/v2/triggers.json", trig("チャーン兆候を営業へ通知", all(cond("current_tags", "includes", "churn_risk")), []any{
			act("notification_slack", []any{slackID, "⚠️ 解約の兆候: {{ticket.title}}（{{ticket.requester.name}} 様）\n{{ticket.url}}"}),
			act("notification_webhook", []any{crmID, `{"ticket_id": {{ticket.id}}, "subject": "{{ticket.title}}", "tags": "{{ticket.tags}}"}`}),
		}))
		subject := `「至急」"解約" の件 \ ①`
		id := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"subject": subject,
			"comment": map[string]any{"body": "解約したいとのお電話"}, "requester_id": d.Customer.ID, "tags": []string{"churn_risk"}}}).Int("ticket.id")

		// Delivered by the worker; the CRM answers 503 once.
		if n, err := hooks.DeliverDue(ctx); err != nil || n != 2 {
			t.Fatalf("first round: %d attempts, %v", n, err)
		}
		got, errs := slack.got()
		if len(errs) > 0 || len(got) != 1 {
			t.Fatalf("slack got %v, errors %v", got, errs)
		}
		text, _ := got[0]["text"].(string)
		link := fmt.Sprintf("%s/agent/tickets/%d", d.URL, id)
		if !strings.Contains(text, "解約の兆候: "+subject) || !strings.Contains(text, "佐藤 花子 様") || !strings.Contains(text, link) || len(got[0]) != 1 {
			t.Fatalf("slack message %q (want the subject, the requester and %s)", text, link)
		}
		if got, _ := crm.got(); len(got) != 0 {
			t.Fatalf("crm should have refused the first call: %v", got)
		}
		inv := d.Must(200, d.Admin, "GET", "/api/v2/webhooks/"+crmID+"/invocations.json", nil)
		if inv.Len("invocations") != 1 || inv.Str("invocations.0.status") != "queued" || inv.Int("invocations.0.latest_completion_status") != 503 ||
			inv.Int("invocations.0.attempts") != 1 || inv.Int("invocations.0.ticket_id") != id {
			t.Fatalf("after the 503: %s", inv.Raw)
		}
		// Nothing is due before the backoff runs out.
		if n, _ := hooks.DeliverDue(ctx); n != 0 {
			t.Fatalf("retried before the backoff: %d", n)
		}
		hooks.Now = func() time.Time { return time.Now().Add(2 * time.Minute) }
		defer func() { hooks.Now = nil }()
		if n, err := hooks.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("retry round: %d, %v", n, err)
		}
		got, errs = crm.got()
		if len(errs) > 0 || len(got) != 1 {
			t.Fatalf("crm got %v, errors %v", got, errs)
		}
		if got[0]["subject"] != subject || got[0]["ticket_id"] != float64(id) {
			t.Fatalf("crm payload %v: quotes and backslashes in the subject must be escaped, not break the JSON", got[0])
		}
		inv = d.Must(200, d.Admin, "GET", "/api/v2/webhooks/"+crmID+"/invocations.json", nil)
		invID := inv.Str("invocations.0.id")
		if inv.Str("invocations.0.status") != "success" || inv.Int("invocations.0.latest_completion_status") != 200 || inv.Int("invocations.0.attempts") != 2 {
			t.Fatalf("after the retry: %s", inv.Raw)
		}
		at := d.Must(200, d.Admin, "GET", "/api/v2/webhooks/"+crmID+"/invocations/"+invID+"/attempts.json", nil)
		if at.Len("attempts") != 2 || at.Int("attempts.0.status_code") != 503 || at.Str("attempts.0.status") != "failed" ||
			at.Int("attempts.1.status_code") != 200 || at.Str("attempts.1.status") != "success" {
			t.Fatalf("attempts: %s", at.Raw)
		}
		if n, _ := hooks.DeliverDue(ctx); n != 0 {
			t.Fatalf("delivered twice: %d", n)
		}
		if reasons := auditReasons(t, d, id); !strings.Contains(reasons, "Slack via webhook "+slackID) || !strings.Contains(reasons, "webhook "+crmID) {
			t.Fatalf("audit lacks the notifications: %s", reasons)
		}
	})
}

func TestWebhooksAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		rc := newReceiver(t)
		body := func(kv ...any) map[string]any {
			w := map[string]any{"name": "通知", "endpoint": rc.URL, "http_method": "POST", "request_format": "json", "status": "active",
				"subscriptions": []string{"conditional_ticket_events"}}
			for i := 0; i+1 < len(kv); i += 2 {
				w[kv[i].(string)] = kv[i+1]
			}
			return map[string]any{"webhook": w}
		}
		for _, c := range []struct {
			name string
			body any
			want string
		}{
			{"no name", body("name", ""), "Name: cannot be blank"},
			{"bad endpoint", body("endpoint", "ftp://example.jp/x"), "not an http or https URL"},
			{"bad method", body("http_method", "FETCH"), "HTTP method"},
			{"xml", body("request_format", "xml"), "use json"},
			{"bad status", body("status", "paused"), "active or inactive"},
			{"bad auth", body("authentication", map[string]any{"type": "bearer_token", "data": map[string]any{}}), "needs data.token"},
			{"reserved header", body("custom_headers", map[string]any{"X-Zendesk-Webhook-Signature": "x"}), "cannot be set"},
		} {
			r := d.Do(d.Admin, "POST", "/api/v2/webhooks.json", c.body)
			if r.Status != 422 || !strings.Contains(string(r.Raw), c.want) {
				t.Errorf("%s: %d %s", c.name, r.Status, r.Raw)
			}
		}
		d.Must(403, d.Agent, "GET", "/api/v2/webhooks.json", nil)
		d.Must(400, d.Admin, "POST", "/api/v2/webhooks.json", `{"webhook": `)

		a := d.Must(201, d.Admin, "POST", "/api/v2/webhooks.json", body("name", "請求システム", "authentication",
			map[string]any{"type": "bearer_token", "data": map[string]any{"token": "tok-123"}})).Str("webhook.id")
		b := d.Must(201, d.Admin, "POST", "/api/v2/webhooks.json", body("name", "在庫", "status", "inactive")).Str("webhook.id")
		l := d.Must(200, d.Admin, "GET", "/api/v2/webhooks.json?page[size]=1", nil)
		if l.Len("webhooks") != 1 || l.Str("webhooks.0.id") != a || l.Get("meta.has_more") != true {
			t.Fatalf("page 1: %s", l.Raw)
		}
		if l2 := d.Must(200, d.Admin, "GET", l.Str("links.next"), nil); l2.Str("webhooks.0.id") != b || l2.Get("meta.has_more") != false {
			t.Fatalf("page 2: %s", l2.Raw)
		}
		if f := d.Must(200, d.Admin, "GET", "/api/v2/webhooks.json?filter[status]=inactive", nil); f.Len("webhooks") != 1 || f.Str("webhooks.0.id") != b {
			t.Fatalf("filter: %s", f.Raw)
		}
		if f := d.Must(200, d.Admin, "GET", "/api/v2/webhooks.json?filter[name_contains]=%E8%AB%8B%E6%B1%82", nil); f.Len("webhooks") != 1 || f.Str("webhooks.0.id") != a {
			t.Fatalf("name filter 請求: %s", f.Raw)
		}
		// An update without the token keeps it; the token is never shown.
		d.Must(204, d.Admin, "PUT", "/api/v2/webhooks/"+a+".json", map[string]any{"webhook": map[string]any{"name": "請求システム v2",
			"authentication": map[string]any{"type": "bearer_token", "data": map[string]any{}}}})
		s := d.Must(200, d.Admin, "GET", "/api/v2/webhooks/"+a+".json", nil)
		if s.Str("webhook.name") != "請求システム v2" || s.Str("webhook.authentication.type") != "bearer_token" || strings.Contains(string(s.Raw), "tok-123") {
			t.Fatalf("show: %s", s.Raw)
		}
		old := d.Must(200, d.Admin, "GET", "/api/v2/webhooks/"+a+"/signing_secret.json", nil).Str("signing_secret.secret")
		fresh := d.Must(201, d.Admin, "POST", "/api/v2/webhooks/"+a+"/signing_secret.json", nil).Str("signing_secret.secret")
		if old == "" || fresh == "" || old == fresh {
			t.Fatalf("secret reset: %q → %q", old, fresh)
		}

		// test: an unsaved webhook is signed with Zendesk's test secret;
		// a saved one with its own.
		rc.secret = webhooks.TestSecret
		tr := d.Must(200, d.Admin, "POST", "/api/v2/webhooks/test.json", map[string]any{"request": map[string]any{
			"endpoint": rc.URL, "http_method": "POST", "request_format": "json", "payload": `{"message":"テスト送信"}`}})
		if tr.Int("response.status") != 200 || tr.Str("response.body") != "ok" {
			t.Fatalf("test: %s", tr.Raw)
		}
		rc.secret = fresh
		d.Must(200, d.Admin, "POST", "/api/v2/webhooks/test.json?webhook_id="+a, map[string]any{"request": map[string]any{"payload": `{"n":1}`}})
		if got, errs := rc.got(); len(errs) > 0 || len(got) != 2 || got[0]["message"] != "テスト送信" {
			t.Fatalf("receiver: %v %v", got, errs)
		}

		d.Must(204, d.Admin, "DELETE", "/api/v2/webhooks/"+b+".json", nil)
		d.Must(404, d.Admin, "GET", "/api/v2/webhooks/"+b+".json", nil)
	})
}
