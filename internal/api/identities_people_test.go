package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestIdentities(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		base := fmt.Sprintf("/api/v2/users/%d/identities", d.Customer.ID)
		var second, phone, first int64
		runSteps(t, d, []step{
			{name: "the signup email is the primary identity", as: "agent", method: "GET", path: base + ".json", status: 200,
				want: map[string]any{"count": 1, "identities.0.type": "email", "identities.0.value": "hanako@customer.co.jp",
					"identities.0.primary": true, "identities.0.user_id": d.Customer.ID},
				check: func(t *testing.T, r *apptest.Response) { first = r.Int("identities.0.id") }},
			{name: "customer sees own identities", as: "customer", method: "GET", path: base, status: 200, want: map[string]any{"count": 1}},
			{name: "customer cannot see others'", as: "customer", method: "GET", path: fmt.Sprintf("/api/v2/users/%d/identities", d.Agent.ID), status: 403},
			{name: "agent adds a second email", as: "agent", method: "POST", path: base, status: 201,
				body:  map[string]any{"identity": map[string]any{"type": "email", "value": "Hanako.Sato@Keitai.ne.jp"}},
				want:  map[string]any{"identity.value": "hanako.sato@keitai.ne.jp", "identity.primary": false, "identity.verified": false},
				check: func(t *testing.T, r *apptest.Response) { second = r.Int("identity.id") }},
			{name: "the second email finds the same person", as: "agent", method: "GET", path: "/api/v2/users/search?query=hanako.sato@keitai.ne.jp", status: 200,
				want: map[string]any{"count": 1, "users.0.id": d.Customer.ID}},
			{name: "agent adds a phone number, which becomes the phone", as: "agent", method: "POST", path: base, status: 201,
				body:  map[string]any{"identity": map[string]any{"type": "phone_number", "value": "+81 90-1234-5678"}},
				want:  map[string]any{"identity.primary": true},
				check: func(t *testing.T, r *apptest.Response) { phone = r.Int("identity.id") }},
			{name: "the user shows the phone", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/users/%d", d.Customer.ID), status: 200,
				want: map[string]any{"user.phone": "+81 90-1234-5678"}},
			{name: "an address another user has", as: "agent", method: "POST", path: base, status: 422,
				body: map[string]any{"identity": map[string]any{"type": "email", "value": "yamada@example.jp"}}, check: wantDetail("value", "DuplicateValue")},
			{name: "unknown type", as: "agent", method: "POST", path: base, status: 422,
				body: map[string]any{"identity": map[string]any{"type": "fax", "value": "03-0000"}}, check: wantDetail("type", "InvalidValue")},
			{name: "malformed email", as: "agent", method: "POST", path: base, status: 422,
				body: map[string]any{"identity": map[string]any{"type": "email", "value": "はなこ"}}, check: wantDetail("value", "InvalidFormat")},
			{name: "malformed phone", as: "agent", method: "POST", path: base, status: 422,
				body: map[string]any{"identity": map[string]any{"type": "phone_number", "value": "電話して"}}, check: wantDetail("value", "InvalidFormat")},
			{name: "customers cannot add identities", as: "customer", method: "POST", path: base, status: 403,
				body: map[string]any{"identity": map[string]any{"type": "email", "value": "ceo@rival.co.jp"}}},
			{name: "agents cannot change an admin's identities", as: "agent", method: "POST", path: fmt.Sprintf("/api/v2/users/%d/identities", d.Admin.ID), status: 403,
				body: map[string]any{"identity": map[string]any{"type": "email", "value": "admin2@example.jp"}}},
			{name: "no envelope", as: "agent", method: "POST", path: base, status: 400, body: map[string]any{"type": "email"}},
			{name: "identities of a missing user", as: "agent", method: "GET", path: "/api/v2/users/99999999/identities", status: 404},
		})
		runSteps(t, d, []step{
			{name: "make the second email primary", as: "agent", method: "PUT", path: fmt.Sprintf("%s/%d/make_primary", base, second), status: 200,
				check: func(t *testing.T, r *apptest.Response) {
					for i := 0; i < r.Len("identities"); i++ {
						id, primary := r.Int(fmt.Sprintf("identities.%d.id", i)), r.Get(fmt.Sprintf("identities.%d.primary", i))
						if (id == second || id == phone) != (primary == true) {
							t.Errorf("identity %d primary = %v\n%s", id, primary, r.Raw)
						}
					}
				}},
			{name: "the user's email follows", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/users/%d", d.Customer.ID), status: 200,
				want: map[string]any{"user.email": "hanako.sato@keitai.ne.jp"}},
			{name: "show one identity", as: "agent", method: "GET", path: fmt.Sprintf("%s/%d.json", base, first), status: 200,
				want: map[string]any{"identity.primary": false, "identity.value": "hanako@customer.co.jp"}},
			{name: "the primary email cannot be deleted", as: "agent", method: "DELETE", path: fmt.Sprintf("%s/%d", base, second), status: 422},
			{name: "the old email can", as: "agent", method: "DELETE", path: fmt.Sprintf("%s/%d", base, first), status: 204},
			{name: "the phone can, clearing the user's phone", as: "agent", method: "DELETE", path: fmt.Sprintf("%s/%d", base, phone), status: 204},
			{name: "phone cleared", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/users/%d", d.Customer.ID), status: 200,
				want: map[string]any{"user.phone": nil, "user.shared_phone_number": nil}},
			{name: "deleted twice", as: "agent", method: "DELETE", path: fmt.Sprintf("%s/%d", base, first), status: 404},
			{name: "another user's identity", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/users/%d/identities/%d/make_primary", d.Agent.ID, second), status: 404},
			{name: "one left", as: "agent", method: "GET", path: base, status: 200, want: map[string]any{"count": 1}},
			{name: "the freed address can be used again", as: "agent", method: "POST", path: "/api/v2/users", status: 201,
				body: map[string]any{"user": map[string]any{"name": "別の 花子", "email": "hanako@customer.co.jp"}}},
		})
	})
}
