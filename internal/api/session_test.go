package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestSessionCookie: the web UI's session cookie authenticates API reads;
// writes need our own Origin so another site cannot write through a
// signed-in browser; signing out ends the session.
func TestSessionCookie(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ctx := context.Background()
		secret, _, err := d.App.Auth.CreateSession(ctx, d.Agent.ID, false, "test")
		if err != nil {
			t.Fatal(err)
		}
		do := func(method, origin, body string) int {
			req, _ := http.NewRequest(method, d.URL+"/api/v2/tickets.json", strings.NewReader(body))
			req.AddCookie(&http.Cookie{Name: api.SessionCookie, Value: secret})
			if origin != "" {
				req.Header.Set("Origin", origin)
			}
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			resp.Body.Close()
			return resp.StatusCode
		}
		body := `{"ticket":{"subject":"画面から","comment":{"body":"ブラウザより送信"}}}`
		if got := do("GET", "", ""); got != 200 {
			t.Fatalf("session read: %d", got)
		}
		if got := do("POST", "https://evil.example", body); got != 401 {
			t.Fatalf("cross-site write: %d", got)
		}
		if got := do("POST", "", body); got != 401 {
			t.Fatalf("write without Origin: %d", got)
		}
		if got := do("POST", d.URL, body); got != 201 {
			t.Fatalf("same-origin write: %d", got)
		}
		if err := d.App.Auth.EndSession(ctx, secret); err != nil {
			t.Fatal(err)
		}
		if got := do("GET", "", ""); got != 401 {
			t.Fatalf("after sign-out: %d", got)
		}
		// Password Basic auth (Zendesk's email:password) works for users with a password.
		req, _ := http.NewRequest("GET", d.URL+"/api/v2/tickets.json", nil)
		req.SetBasicAuth(d.Agent.Email, "password-agent")
		resp, err := http.DefaultClient.Do(req)
		if err != nil || resp.StatusCode != 200 {
			t.Fatalf("password auth: %v %d", err, resp.StatusCode)
		}
		resp.Body.Close()
	})
}
