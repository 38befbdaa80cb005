package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestBrands(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		// The desk starts with brand 1, "Kizuna", the default.
		const cart = 2
		brand := func(id int) string { return fmt.Sprintf("/api/v2/brands/%d", id) }
		runSteps(t, d, []step{
			{name: "the default brand", as: "agent", method: "GET", path: "/api/v2/brands.json", status: 200,
				want: map[string]any{"count": 1, "brands.0.name": "Kizuna", "brands.0.default": true, "brands.0.active": true}},
			{name: "admin adds a brand", as: "admin", method: "POST", path: "/api/v2/brands.json", status: 201,
				body: map[string]any{"brand": map[string]any{"name": "カートASP サポート", "subdomain": "Cart-Help", "host_mapping": "support.cart.example.co.jp"}},
				want: map[string]any{"brand.id": cart, "brand.subdomain": "cart-help", "brand.default": false, "brand.active": true,
					"brand.host_mapping": "support.cart.example.co.jp", "brand.brand_url": "https://support.cart.example.co.jp"},
				check: func(t *testing.T, r *apptest.Response) {
					if r.Str("brand.url") != fmt.Sprintf("%s/api/v2/brands/%d.json", d.URL, cart) {
						t.Errorf("url %s", r.Str("brand.url"))
					}
				}},
			{name: "subdomains are unique", as: "admin", method: "POST", path: "/api/v2/brands", status: 422,
				body: map[string]any{"brand": map[string]any{"name": "重複", "subdomain": "cart-help"}}, check: wantDetail("subdomain", "DuplicateValue")},
			{name: "subdomains are host labels", as: "admin", method: "POST", path: "/api/v2/brands", status: 422,
				body: map[string]any{"brand": map[string]any{"name": "日本語", "subdomain": "サポート"}}, check: wantDetail("subdomain", "InvalidValue")},
			{name: "names are required", as: "admin", method: "POST", path: "/api/v2/brands", status: 422,
				body: map[string]any{"brand": map[string]any{"subdomain": "noname"}}, check: wantDetail("name", "BlankValue")},
			{name: "host mapping must be a host", as: "admin", method: "POST", path: "/api/v2/brands", status: 422,
				body:  map[string]any{"brand": map[string]any{"name": "URL", "subdomain": "url", "host_mapping": "https://x.example.jp/"}},
				check: wantDetail("host_mapping", "InvalidValue")},
			{name: "agents cannot add brands", as: "agent", method: "POST", path: "/api/v2/brands", status: 403,
				body: map[string]any{"brand": map[string]any{"name": "勝手", "subdomain": "katte"}}},
			{name: "agents cannot change brands", as: "agent", method: "PUT", path: brand(cart), status: 403,
				body: map[string]any{"brand": map[string]any{"name": "改名"}}},
			{name: "the default cannot be deactivated", as: "admin", method: "PUT", path: brand(1), status: 422,
				body: map[string]any{"brand": map[string]any{"active": false}}},
			{name: "make the new brand the default", as: "admin", method: "PUT", path: brand(cart) + ".json", status: 200,
				body: map[string]any{"brand": map[string]any{"default": true}}, want: map[string]any{"brand.default": true}},
			{name: "the old default is not", as: "agent", method: "GET", path: brand(1), status: 200, want: map[string]any{"brand.default": false}},
			{name: "new tickets use the default brand", as: "agent", method: "POST", path: "/api/v2/tickets", status: 201,
				body: map[string]any{"ticket": map[string]any{"subject": "ログインできません", "comment": map[string]any{"body": "パスワード再設定メールが届きません"}}},
				want: map[string]any{"ticket.brand_id": cart}},
			{name: "deactivate the old one", as: "admin", method: "PUT", path: brand(1), status: 200,
				body: map[string]any{"brand": map[string]any{"active": false, "name": "旧ブランド"}}, want: map[string]any{"brand.active": false, "brand.name": "旧ブランド"}},
			{name: "customers see active brands", as: "customer", method: "GET", path: "/api/v2/brands", status: 200,
				want: map[string]any{"count": 1, "brands.0.id": cart}},
			{name: "customers cannot see inactive ones", as: "customer", method: "GET", path: brand(1), status: 404},
			{name: "staff still see it", as: "light", method: "GET", path: brand(1), status: 200},
			{name: "missing", as: "agent", method: "GET", path: brand(99), status: 404},
			{name: "update missing", as: "admin", method: "PUT", path: brand(99), status: 404, body: map[string]any{"brand": map[string]any{"name": "x"}}},
		})
	})
}
