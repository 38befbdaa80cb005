package web_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestCustomerSuggestions: GET /tickets/new/customers answers the form's
// lookup as JSON (by name, email or phone number; nobody for unknown
// words or none), for signed-in staff only.
func TestCustomerSuggestions(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		caller := d.Must(201, d.Agent, "POST", "/api/v2/users.json", map[string]any{"user": map[string]any{
			"name": "鈴木 一郎", "phone": "090-1234-5678", "role": "end-user"}}).Int("user.id")
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		type customer struct {
			ID    int64  `json:"id"`
			Name  string `json:"name"`
			Email string `json:"email"`
			Phone string `json:"phone"`
		}
		suggest := func(q string) []customer {
			t.Helper()
			p := b.do("GET", "/tickets/new/customers?q="+url.QueryEscape(q), nil)
			if p.status != http.StatusOK {
				t.Fatalf("%q: status %d\n%s", q, p.status, p.body)
			}
			var out struct{ Customers []customer }
			if err := json.Unmarshal([]byte(p.body), &out); err != nil {
				t.Fatalf("%q: %v\n%s", q, err, p.body)
			}
			return out.Customers
		}
		if got := suggest("佐藤"); len(got) != 1 || got[0].ID != d.Customer.ID || got[0].Name != "佐藤 花子" || got[0].Email != d.Customer.Email {
			t.Errorf("by name: %+v", got)
		}
		if got := suggest(d.Customer.Email); len(got) != 1 || got[0].ID != d.Customer.ID {
			t.Errorf("by email: %+v", got)
		}
		if got := suggest("090-1234-5678"); len(got) != 1 || got[0].ID != caller || got[0].Phone != "090-1234-5678" {
			t.Errorf("by phone: %+v", got)
		}
		for _, q := range []string{"存在しない名前", "", "   "} {
			if got := suggest(q); len(got) != 0 {
				t.Errorf("%q found %+v", q, got)
			}
		}
		// Nobody signed in: no customers.
		c := newBrowser(t, d, "ja")
		if p := c.do("GET", "/tickets/new/customers?q="+url.QueryEscape("佐藤"), nil); p.status == http.StatusOK {
			t.Errorf("signed out, got suggestions: %s", p.body)
		}
	})
}
