package app_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"net"
	"net/http"
	"net/http/httptest"
	"net/mail"
	"net/smtp"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	gosmtp "github.com/emersion/go-smtp"
	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// relay is a real SMTP server on loopback standing in for the company's
// mail relay: it keeps every message the desk sends.
type relay struct {
	addr string
	mu   sync.Mutex
	got  [][]byte
}

type relaySession struct{ r *relay }

func (s relaySession) Mail(string, *gosmtp.MailOptions) error { return nil }
func (s relaySession) Rcpt(string, *gosmtp.RcptOptions) error { return nil }
func (s relaySession) Reset()                                 {}
func (s relaySession) Logout() error                          { return nil }
func (s relaySession) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	s.r.mu.Lock()
	s.r.got = append(s.r.got, b)
	s.r.mu.Unlock()
	return err
}

func startRelay(t *testing.T) *relay {
	r := &relay{}
	srv := gosmtp.NewServer(gosmtp.BackendFunc(func(*gosmtp.Conn) (gosmtp.Session, error) { return relaySession{r}, nil }))
	srv.Domain = "relay.test"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	r.addr = l.Addr().String()
	go srv.Serve(l)
	t.Cleanup(func() { srv.Close() })
	return r
}

func (r *relay) messages() [][]byte {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([][]byte(nil), r.got...)
}

// TestMailRoundTrip: a customer's ISO-2022-JP mail sent over SMTP becomes a
// ticket (with an acknowledgement); an agent replies through the API; the
// reply reaches the relay over real SMTP with threading headers; the
// customer's answer to it lands in the same ticket.
func TestMailRoundTrip(t *testing.T) {
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			db := ""
			if dialect == "postgres" {
				db = storetest.PostgresURL(t)
			}
			rl := startRelay(t)
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			a, err := app.Open(ctx, app.Config{DataDir: t.TempDir(), Database: db, Mail: app.MailConfig{
				SMTP:     smtpd.Config{Addr: "127.0.0.1:0"},
				Relay:    outbound.Relay{Addr: rl.addr, TLS: "none"},
				UndoSend: -1,
			}}, slog.New(slog.NewTextHandler(io.Discard, nil)))
			if err != nil {
				t.Fatal(err)
			}
			defer a.Close()
			if _, _, err := a.Bootstrap(ctx, "admin@example.jp", "pw"); err != nil {
				t.Fatal(err)
			}
			if _, err := a.AddUser(ctx, "yamada@example.jp", "山田 太郎", "agent", ""); err != nil {
				t.Fatal(err)
			}
			adminTok, _ := a.Auth.CreateToken(ctx, "admin@example.jp", "t")
			agentTok, _ := a.Auth.CreateToken(ctx, "yamada@example.jp", "t")
			web := httptest.NewServer(a.Handler())
			defer web.Close()
			api := func(email, tok, method, path string, body any) map[string]any {
				t.Helper()
				var rd io.Reader
				if body != nil {
					b, _ := json.Marshal(body)
					rd = strings.NewReader(string(b))
				}
				req, _ := http.NewRequest(method, web.URL+path, rd)
				req.Header.Set("Content-Type", "application/json")
				req.SetBasicAuth(email+"/token", tok)
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
			api("admin@example.jp", adminTok, "POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{
				"name": "サポート窓口", "addresses": []string{"support@example.jp"}, "ticket_token": "subject",
				"auto_acknowledge": map[string]any{"enabled": true}}})

			runDone := make(chan struct{})
			go func() { defer close(runDone); a.Run(ctx) }()
			defer func() { cancel(); <-runDone }()
			smtpAddr := waitSMTP(t, a)

			// 1. The customer writes in ISO-2022-JP, as many Japanese mailers still do.
			subject := "配送状況について①"
			body := "注文番号 12345 の荷物が届きません。㈱髙橋商店 宛です。"
			raw := jisMail(t, "佐藤 花子", "hanako@customer.co.jp", "support@example.jp", subject, body, "<first.1@customer.co.jp>", "")
			if err := smtp.SendMail(smtpAddr, nil, "hanako@customer.co.jp", []string{"support@example.jp"}, raw); err != nil {
				t.Fatalf("customer mail refused: %v", err)
			}
			ticket := waitFor(t, "the mail becomes a ticket", func() map[string]any {
				r := api("yamada@example.jp", agentTok, "GET", "/api/v2/tickets.json", nil)
				if l, _ := r["tickets"].([]any); len(l) == 1 {
					return l[0].(map[string]any)
				}
				return nil
			})
			id := int64(ticket["id"].(float64))
			if ticket["subject"] != subject || !strings.Contains(ticket["description"].(string), body) || ticket["via"].(map[string]any)["channel"] != "email" {
				t.Fatalf("ticket from mail: %v", ticket)
			}
			ack := waitFor(t, "an acknowledgement reaches the relay", func() *mail.Message {
				for _, m := range rl.messages() {
					if msg, _ := mail.ReadMessage(strings.NewReader(string(m))); msg != nil && msg.Header.Get("Auto-Submitted") == "auto-generated" {
						return msg
					}
				}
				return nil
			})
			if ack.Header.Get("In-Reply-To") != "<first.1@customer.co.jp>" {
				t.Fatalf("acknowledgement threading: %v", ack.Header)
			}

			// 2. The agent replies through the API.
			api("yamada@example.jp", agentTok, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
				"status": "pending", "comment": map[string]any{"body": "お問い合わせありがとうございます。配送業者に確認いたします。"}}})
			reply := waitFor(t, "the reply reaches the relay", func() *mail.Message {
				for _, m := range rl.messages() {
					if msg, _ := mail.ReadMessage(strings.NewReader(string(m))); msg != nil && msg.Header.Get("Auto-Submitted") == "" {
						return msg
					}
				}
				return nil
			})
			dec := new(mime.WordDecoder)
			from, _ := dec.DecodeHeader(reply.Header.Get("From"))
			subj, _ := dec.DecodeHeader(reply.Header.Get("Subject"))
			if !strings.Contains(from, "山田 太郎") || !strings.Contains(from, "support@example.jp") {
				t.Fatalf("reply From = %q", from)
			}
			if want := fmt.Sprintf("Re: %s [#%d]", subject, id); subj != want {
				t.Fatalf("reply Subject = %q, want %q", subj, want)
			}
			if reply.Header.Get("In-Reply-To") != "<first.1@customer.co.jp>" || !strings.Contains(reply.Header.Get("References"), "<first.1@customer.co.jp>") {
				t.Fatalf("reply threading: In-Reply-To %q References %q", reply.Header.Get("In-Reply-To"), reply.Header.Get("References"))
			}
			replyID := reply.Header.Get("Message-Id")

			// 3. The customer answers the reply (a new subject line, but
			// In-Reply-To points at our Message-ID): same ticket, reopened.
			raw = jisMail(t, "佐藤 花子", "hanako@customer.co.jp", "support@example.jp", "お返事ありがとうございます", "よろしくお願いします。", "<second.2@customer.co.jp>", replyID)
			if err := smtp.SendMail(smtpAddr, nil, "hanako@customer.co.jp", []string{"support@example.jp"}, raw); err != nil {
				t.Fatal(err)
			}
			waitFor(t, "the answer joins the ticket", func() any {
				r := api("yamada@example.jp", agentTok, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
				l, _ := r["comments"].([]any)
				if len(l) == 3 && strings.Contains(l[2].(map[string]any)["body"].(string), "よろしくお願いします。") {
					return true
				}
				return nil
			})
			tk := api("yamada@example.jp", agentTok, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)["ticket"].(map[string]any)
			if tk["status"] != "open" {
				t.Fatalf("customer answer left status %v", tk["status"])
			}
			if n := len(api("yamada@example.jp", agentTok, "GET", "/api/v2/tickets.json", nil)["tickets"].([]any)); n != 1 {
				t.Fatalf("%d tickets, want the answer on the first one", n)
			}
		})
	}
}

func jisMail(t *testing.T, name, from, to, subject, body, msgID, inReplyTo string) []byte {
	t.Helper()
	enc := func(s string) string {
		b, err := japanese.ISO2022JP.NewEncoder().String(s)
		if err != nil {
			t.Fatal(err)
		}
		return b
	}
	word := func(s string) string { return mime.BEncoding.Encode("ISO-2022-JP", enc(s)) }
	var b strings.Builder
	fmt.Fprintf(&b, "From: %s <%s>\r\nTo: %s\r\nSubject: %s\r\nMessage-ID: %s\r\nDate: %s\r\n", word(name), from, to, word(subject), msgID, time.Now().Format(time.RFC1123Z))
	if inReplyTo != "" {
		fmt.Fprintf(&b, "In-Reply-To: %s\r\nReferences: %s\r\n", inReplyTo, inReplyTo)
	}
	b.WriteString("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n")
	b.WriteString(strings.ReplaceAll(enc(body), "\n", "\r\n") + "\r\n")
	return []byte(b.String())
}

func waitSMTP(t *testing.T, a *app.App) string {
	t.Helper()
	return waitFor(t, "the SMTP listener", func() string { return a.SMTPAddr() })
}

// waitFor polls f until it returns a non-nil/non-empty value.
func waitFor[T any](t *testing.T, what string, f func() T) T {
	t.Helper()
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		v := f()
		if rv := reflect.ValueOf(&v).Elem(); !rv.IsZero() && !(rv.Kind() == reflect.Interface && rv.IsNil()) {
			return v
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("timed out waiting for %s", what)
	var zero T
	return zero
}
