package app_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/imappoll"
	"github.com/kizuna-desk/kizuna/internal/imappoll/imaptest"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// A running server picks up an IMAP inbox created through the API (no
// restart; STARTTLS with the test server's self-signed certificate), fetches the customer's mail from a real Dovecot into a ticket,
// and flags it \Seen; deactivating the inbox stops the polling.
func TestIMAPInboxEndToEnd(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			db := ""
			if dialect == "postgres" {
				db = storetest.PostgresURL(t)
			}
			dv := imaptest.Start(t)
			imapc := dv.Client(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), Database: db, Mail: app.MailConfig{
				IMAP: imappoll.Config{Reload: 200 * time.Millisecond, MinBackoff: 100 * time.Millisecond, MaxBackoff: 500 * time.Millisecond},
			}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if _, _, err := a.Bootstrap(ctx, "admin@example.jp", "pw"); err != nil {
				t.Fatal(err)
			}
			tok, _ := a.Auth.CreateToken(ctx, "admin@example.jp", "t")
			web := httptest.NewServer(a.Handler())
			defer web.Close()
			api := func(method, path string, body any) map[string]any {
				t.Helper()
				b, _ := json.Marshal(body)
				req, _ := http.NewRequest(method, web.URL+path, strings.NewReader(string(b)))
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth("admin@example.jp/token", tok)
				resp, err := http.DefaultClient.Do(req)
				if err != nil {
					t.Fatal(err)
				}
				defer resp.Body.Close()
				var out map[string]any
				json.NewDecoder(resp.Body).Decode(&out)
				if resp.StatusCode >= 300 {
					t.Fatalf("%s %s: %d %v", method, path, resp.StatusCode, out)
				}
				return out
			}

			runDone := make(chan struct{})
			go func() { defer close(runDone); a.Run(ctx) }()
			defer func() { cancel(); <-runDone }()

			imapc.Append("INBOX", jisMail(t, "佐藤 花子", "hanako@customer.co.jp", "support@example.jp", "請求書の再発行をお願いします", "㈱髙橋商店の佐藤です。①の請求書を再発行してください。", "<imap.1@customer.co.jp>", ""))
			r := api("POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{
				"name": "IMAP窓口", "addresses": []string{"support@example.jp"},
				"incoming": map[string]any{"type": "imap", "host": dv.Host, "port": dv.Port, "tls": "starttls", "insecure": true,
					"username": dv.Username, "password": dv.Password, "mailbox": "INBOX"}}})
			inboxID := int64(r["inbox"].(map[string]any)["id"].(float64))
			in := r["inbox"].(map[string]any)["incoming"].(map[string]any)
			if in["insecure"] != true || in["password_set"] != true || in["password"] != nil || in["tls"] != "starttls" {
				t.Fatalf("incoming settings as shown: %v", in)
			}

			ticket := waitFor(t, "the IMAP mail becomes a ticket", func() map[string]any {
				l, _ := api("GET", "/api/v2/tickets.json", nil)["tickets"].([]any)
				if len(l) == 1 {
					return l[0].(map[string]any)
				}
				return nil
			})
			if ticket["subject"] != "請求書の再発行をお願いします" {
				t.Fatalf("ticket subject %q", ticket["subject"])
			}
			waitFor(t, "the mail flagged seen", func() bool { return imapc.Seen("INBOX", "imap.1@customer.co.jp") })

			// Deactivated: new mail stays in the mailbox.
			api("PUT", "/api/v2/inboxes/"+strconv.FormatInt(inboxID, 10)+".json", map[string]any{"inbox": map[string]any{"active": false}})
			time.Sleep(time.Second) // several reloads
			imapc.Append("INBOX", jisMail(t, "佐藤 花子", "hanako@customer.co.jp", "support@example.jp", "無効化後のメール", "本文", "<imap.2@customer.co.jp>", ""))
			time.Sleep(time.Second)
			if imapc.Seen("INBOX", "imap.2@customer.co.jp") {
				t.Fatal("a deactivated inbox was still polled")
			}
		})
	}
}
