package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/secrets"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func TestInboxes(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		box, err := secrets.Open(d.App.Config.DataDir)
		if err != nil {
			t.Fatal(err)
		}
		d.App.API.Secrets = box
		inbox := func(id int) string { return fmt.Sprintf("/api/v2/inboxes/%d.json", id) }
		const imapPassword, smtpPassword = "imap-パスワード-①", "smtp-秘密-㈱"
		support := map[string]any{"inbox": map[string]any{
			"name": "サポート窓口", "addresses": []string{"Support@Example.jp", "help@example.jp", "help@example.jp"},
			"brand_id": 1, "default_group_id": 1, "signature": "――\n株式会社キズナ サポート",
			"auto_acknowledge": map[string]any{"enabled": true, "subject": "お問い合わせを受け付けました", "body": "担当者よりご連絡します。"},
			"ticket_token":     "both",
			"incoming": map[string]any{"type": "imap", "host": "imap.example.jp", "port": 993, "tls": "tls", "username": "support",
				"password": imapPassword, "mailbox": "INBOX"},
			"outgoing": map[string]any{"host": "smtp.example.jp", "port": "587", "tls": "starttls", "username": "support",
				"password": smtpPassword, "from_name": "キズナ サポート"},
		}}
		noPasswords := func(t *testing.T, r *apptest.Response) {
			if strings.Contains(string(r.Raw), "パスワード") || strings.Contains(string(r.Raw), "秘密") || strings.Contains(string(r.Raw), `"password"`) {
				t.Errorf("a password came back: %s", r.Raw)
			}
		}
		runSteps(t, d, []step{
			{name: "admin creates an inbox", as: "admin", method: "POST", path: "/api/v2/inboxes.json", body: support, status: 201,
				want: map[string]any{"inbox.id": 1, "inbox.name": "サポート窓口", "inbox.addresses.0": "support@example.jp", "inbox.addresses.1": "help@example.jp",
					"inbox.brand_id": 1, "inbox.default_group_id": 1, "inbox.auto_acknowledge.enabled": true, "inbox.ticket_token": "both",
					"inbox.incoming.type": "imap", "inbox.incoming.port": 993, "inbox.incoming.password_set": true, "inbox.incoming.mailbox": "INBOX",
					"inbox.outgoing.port": 587, "inbox.outgoing.tls": "starttls", "inbox.outgoing.password_set": true,
					"inbox.outgoing.from_name": "キズナ サポート", "inbox.active": true, "inbox.legacy_charset": ""},
				check: func(t *testing.T, r *apptest.Response) {
					noPasswords(t, r)
					if r.Len("inbox.addresses") != 2 || r.Str("inbox.url") != d.URL+"/api/v2/inboxes/1.json" {
						t.Errorf("addresses/url: %s", r.Raw)
					}
				}},
			{name: "agents see inboxes", as: "agent", method: "GET", path: "/api/v2/inboxes.json", status: 200,
				want: map[string]any{"count": 1, "inboxes.0.name": "サポート窓口", "inboxes.0.incoming.password_set": true}, check: noPasswords},
			{name: "customers do not", as: "customer", method: "GET", path: "/api/v2/inboxes.json", status: 403},
			{name: "agents cannot create", as: "agent", method: "POST", path: "/api/v2/inboxes.json", status: 403,
				body: map[string]any{"inbox": map[string]any{"name": "勝手", "addresses": []string{"katte@example.jp"}}}},
			{name: "an address belongs to one inbox", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"SUPPORT@example.jp"}}}, check: wantDetail("addresses", "DuplicateValue")},
			{name: "addresses must be addresses", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"請求 <billing@example.jp>"}}}, check: wantDetail("addresses", "InvalidValue")},
			{name: "no plus in an inbox address", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"billing+x@example.jp"}}}, check: wantDetail("addresses", "InvalidValue")},
			{name: "at least one address", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"name": "請求"}}, check: wantDetail("addresses", "BlankValue")},
			{name: "name required", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"addresses": []string{"billing@example.jp"}}}, check: wantDetail("name", "BlankValue")},
			{name: "brand must exist", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"billing@example.jp"}, "brand_id": 99}}, check: wantDetail("brand_id", "InvalidValue")},
			{name: "group must exist", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"billing@example.jp"}, "default_group_id": 99}}, check: wantDetail("default_group_id", "InvalidValue")},
			{name: "ticket token values", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body: map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"billing@example.jp"}, "ticket_token": "header"}}, check: wantDetail("ticket_token", "InvalidValue")},
			{name: "tls values", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body:  map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"billing@example.jp"}, "outgoing": map[string]any{"tls": "ssl3"}}},
				check: wantDetail("outgoing.tls", "InvalidValue")},
			{name: "imap needs a host", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 422,
				body:  map[string]any{"inbox": map[string]any{"name": "請求", "addresses": []string{"billing@example.jp"}, "incoming": map[string]any{"type": "imap"}}},
				check: wantDetail("incoming.host", "BlankValue")},
			{name: "wrong types are 400", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 400,
				body: map[string]any{"inbox": map[string]any{"name": "請求", "addresses": "billing@example.jp"}}},
			{name: "a second inbox, defaults", as: "admin", method: "POST", path: "/api/v2/inboxes.json", status: 201,
				body: map[string]any{"inbox": map[string]any{"name": "請求窓口", "addresses": []string{"billing@example.jp"}}},
				want: map[string]any{"inbox.id": 2, "inbox.ticket_token": "subject", "inbox.incoming.type": "forwarding", "inbox.incoming.password_set": false,
					"inbox.brand_id": nil, "inbox.outgoing.port": nil}},
			{name: "update keeps the password when not sent", as: "admin", method: "PUT", path: inbox(1), status: 200,
				body: map[string]any{"inbox": map[string]any{"name": "サポート窓口（新）", "addresses": []string{"support@example.jp", "info@example.jp"},
					"legacy_charset": "ISO-2022-JP", "incoming": map[string]any{"port": 143, "tls": "starttls"}}},
				want: map[string]any{"inbox.name": "サポート窓口（新）", "inbox.addresses.1": "info@example.jp", "inbox.legacy_charset": "iso-2022-jp",
					"inbox.incoming.port": 143, "inbox.incoming.host": "imap.example.jp", "inbox.incoming.password_set": true}},
			{name: "a freed address can be reused", as: "admin", method: "PUT", path: inbox(2), status: 200,
				body: map[string]any{"inbox": map[string]any{"addresses": []string{"billing@example.jp", "help@example.jp"}}},
				want: map[string]any{"inbox.addresses.1": "help@example.jp"}},
			{name: "update cannot take another inbox's address", as: "admin", method: "PUT", path: inbox(2), status: 422,
				body: map[string]any{"inbox": map[string]any{"addresses": []string{"info@example.jp"}}}, check: wantDetail("addresses", "DuplicateValue")},
			{name: "clearing the smtp password", as: "admin", method: "PUT", path: inbox(1), status: 200,
				body: map[string]any{"inbox": map[string]any{"outgoing": map[string]any{"password": ""}}},
				want: map[string]any{"inbox.outgoing.password_set": false, "inbox.incoming.password_set": true}},
			{name: "show", as: "agent", method: "GET", path: inbox(1), status: 200, check: noPasswords,
				// the order given is kept: the first address is the one replies come from
				want: map[string]any{"inbox.id": 1, "inbox.addresses.0": "support@example.jp", "inbox.addresses.1": "info@example.jp"}},
			{name: "unknown inbox", as: "admin", method: "GET", path: inbox(77), status: 404},
			{name: "ticket moves to an inbox", as: "agent", method: "POST", path: "/api/v2/tickets.json", status: 201,
				body: map[string]any{"ticket": map[string]any{"subject": "配送状況を教えてください", "comment": map[string]any{"body": "注文①"}}}},
			{name: "move to inbox 2", as: "agent", method: "PUT", path: "/api/v2/tickets/1.json", status: 200,
				body: map[string]any{"ticket": map[string]any{"inbox_id": 2}}, want: map[string]any{"ticket.inbox_id": 2}},
			{name: "move to a missing inbox", as: "agent", method: "PUT", path: "/api/v2/tickets/1.json", status: 422,
				body: map[string]any{"ticket": map[string]any{"inbox_id": 99}}, check: wantDetail("inbox_id", "InvalidValue")},
			{name: "agents cannot delete", as: "agent", method: "DELETE", path: inbox(2), status: 403},
			{name: "admin deletes an inbox without mail", as: "admin", method: "DELETE", path: inbox(2), status: 204},
			{name: "gone", as: "admin", method: "GET", path: inbox(2), status: 404},
			{name: "its addresses are free again", as: "admin", method: "PUT", path: inbox(1), status: 200,
				body: map[string]any{"inbox": map[string]any{"addresses": []string{"support@example.jp", "billing@example.jp"}}}},
		})
		// The stored settings hold the IMAP password only sealed.
		var ib *model.Inbox
		if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) (err error) { ib, err = tx.Inbox(1); return }); err != nil {
			t.Fatal(err)
		}
		sealed, _ := ib.Incoming["password"].(string)
		if !secrets.IsSealed(sealed) || strings.Contains(fmt.Sprint(ib.Incoming), imapPassword) {
			t.Fatalf("incoming settings as stored: %v", ib.Incoming)
		}
		if got, err := box.Open(sealed); err != nil || got != imapPassword {
			t.Fatalf("sealed password opens to %q, %v", got, err)
		}
		if _, ok := ib.Outgoing["password"]; ok {
			t.Fatalf("cleared password still stored: %v", ib.Outgoing)
		}
		// An inbox with mail is kept (deactivate it instead), so tickets keep their history.
		err = d.App.Store.Write(context.Background(), func(tx *store.Tx) error {
			now := time.Now().UTC()
			return tx.InsertMailMessage(&model.MailMessage{InboxID: 1, Direction: model.MailIn, MessageID: "kept@customer.co.jp", SHA256: "00", Size: 1,
				State: model.MailReceived, Source: "smtp", CreatedAt: now, UpdatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		runSteps(t, d, []step{
			{name: "an inbox with mail is not deleted", as: "admin", method: "DELETE", path: inbox(1), status: 422, check: wantDetail("base", "InboxHasMail")},
			{name: "but can be deactivated", as: "admin", method: "PUT", path: inbox(1), status: 200,
				body: map[string]any{"inbox": map[string]any{"active": false}}, want: map[string]any{"inbox.active": false}},
		})
	})
}
