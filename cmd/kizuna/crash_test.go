package main

import (
	"bufio"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"

	"golang.org/x/text/encoding/japanese"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestServeKill9 is issue 3's crash test on the real binary: `kizuna serve`
// is killed with SIGKILL while four SMTP clients deliver, then started
// again. Mails the dead process had claimed are taken up again when its
// claims' one-minute lease runs out. Every message answered 250 must be stored exactly once and become
// a ticket after the restart; the senders' retries of the rest (and some
// redeliveries of acknowledged ones) are stored once too.
// KIZUNA_CRASH_MESSAGES sets the number of messages (default 400; the
// figure in docs/benchmarks.md used 10000).
func TestServeKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts the server binary")
	}
	total := 400
	if n, err := strconv.Atoi(os.Getenv("KIZUNA_CRASH_MESSAGES")); err == nil && n > 0 {
		total = n
	}
	bin := buildBinary(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			t.Parallel() // most of the time is the restarted node waiting out the dead one's one-minute claims
			data := t.TempDir()
			dbURL := ""
			if dialect == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			env := append(os.Environ(), "KIZUNA_DATA="+data, "KIZUNA_DB="+dbURL,
				"KIZUNA_ADMIN_EMAIL=admin@example.jp", "KIZUNA_ADMIN_PASSWORD=kizuna-crash-test")
			inbox := exec.Command(bin, "inbox", "add", "--name", "サポート窓口", "--address", "support@example.jp")
			inbox.Env = env
			if out, err := inbox.CombinedOutput(); err != nil {
				t.Fatalf("inbox add: %v\n%s", err, out)
			}
			msgs := make([]string, total)
			for i := range msgs {
				msgs[i] = crashMail(t, i)
			}

			smtpAddr := freeAddr(t)
			srv := startServe(t, bin, env, smtpAddr)
			var mu sync.Mutex
			acked := map[int]bool{}
			var wg sync.WaitGroup
			var sendErr error
			for c := range 4 {
				wg.Go(func() {
					for i := c; i < total; i += 4 {
						if err := sendMail(smtpAddr, msgs[i]); err != nil {
							mu.Lock()
							sendErr = err
							mu.Unlock()
							return // the server is gone
						}
						mu.Lock()
						acked[i] = true
						mu.Unlock()
					}
				})
			}
			sending := make(chan struct{})
			go func() { wg.Wait(); close(sending) }()
			for {
				mu.Lock()
				n, err := len(acked), sendErr
				mu.Unlock()
				if n >= total/2 {
					break
				}
				select {
				case <-sending: // every sender stopped before the kill
					t.Fatalf("senders stopped after %d of %d acknowledgements: %v", n, total, err)
				case <-time.After(5 * time.Millisecond):
				}
			}
			srv.Process.Kill() // SIGKILL: no shutdown code runs
			srv.Wait()
			wg.Wait()
			t.Logf("%d of %d messages answered 250 before kill -9", len(acked), total)

			// Restart: the spooled mails are processed; senders retry what
			// was not acknowledged and redeliver every 50th that was.
			srv = startServe(t, bin, env, smtpAddr)
			for i := range total {
				if !acked[i] || i%50 == 0 {
					if err := sendMail(smtpAddr, msgs[i]); err != nil {
						t.Fatalf("retry %d: %v", i, err)
					}
				}
			}
			db, err := store.Open(context.Background(), dbURL, data)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			deadline := time.Now().Add(3 * time.Minute)
			for {
				rows, tickets, err := crashState(db, total)
				if err != nil {
					t.Fatal(err)
				}
				if rows != int64(total) {
					t.Fatalf("%d mail rows for %d distinct messages", rows, total)
				}
				if tickets == total {
					break
				}
				if time.Now().After(deadline) {
					t.Fatalf("only %d of %d stored messages became tickets", tickets, total)
				}
				time.Sleep(200 * time.Millisecond)
			}
			srv.Process.Kill()
			srv.Wait()
		})
	}
}

// crashState counts the inbox's mail rows and how many of the test's
// messages are stored and threaded into a ticket (each into its own: they
// share a subject, and a subject alone never threads).
func crashState(db *store.DB, total int) (rows int64, ticketed int, err error) {
	err = db.Read(context.Background(), func(tx *store.Tx) error {
		inboxes, err := tx.Inboxes()
		if err != nil || len(inboxes) != 1 {
			return fmt.Errorf("inboxes: %d, %v", len(inboxes), err)
		}
		if rows, err = tx.InboxMailCount(inboxes[0].ID); err != nil {
			return err
		}
		seen := map[int64]bool{}
		for i := range total {
			m, err := tx.MailByMessageID(inboxes[0].ID, model.MailIn, crashID(i))
			if err != nil {
				return fmt.Errorf("message %d: %w", i, err)
			}
			if m.TicketID != 0 {
				if seen[m.TicketID] {
					return fmt.Errorf("message %d threaded into ticket %d twice", i, m.TicketID)
				}
				seen[m.TicketID] = true
				ticketed++
			}
		}
		return nil
	})
	return rows, ticketed, err
}

func startServe(t *testing.T, bin string, env []string, smtpAddr string) *exec.Cmd {
	t.Helper()
	httpAddr := freeAddr(t)
	cmd := exec.Command(bin, "serve", "--http", httpAddr, "--smtp", smtpAddr)
	cmd.Env = env
	stderr, err := cmd.StderrPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	// Keep a tail of the log for failures; never block the server on a full pipe.
	go func() {
		sc := bufio.NewScanner(stderr)
		for sc.Scan() {
			if testing.Verbose() {
				t.Log(sc.Text())
			}
		}
		io.Copy(io.Discard, stderr)
	}()
	waitHTTP(t, "http://"+httpAddr+"/healthz")
	// The SMTP listener opens after the HTTP one: a first mail sent in
	// between was refused, every sender stopped, and the test waited
	// forever for acknowledgements.
	deadline := time.Now().Add(20 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", smtpAddr, time.Second)
		if err == nil {
			c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("SMTP %s never listened: %v", smtpAddr, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
	return cmd
}

func crashID(i int) string { return fmt.Sprintf("serve-crash-%05d@customer.co.jp", i) }

// crashMail is an ISO-2022-JP mail like those of the Japanese corpus, so a
// restart that mangled bytes would show.
func crashMail(t *testing.T, i int) string {
	enc := func(s string) string {
		b, err := japanese.ISO2022JP.NewEncoder().Bytes([]byte(s))
		if err != nil {
			t.Fatal(err)
		}
		return string(b)
	}
	word := func(s string) string {
		return "=?ISO-2022-JP?B?" + base64.StdEncoding.EncodeToString([]byte(enc(s))) + "?="
	}
	return "From: " + word("佐藤 花子") + " <hanako@customer.co.jp>\r\n" +
		"To: support@example.jp\r\nSubject: " + word(fmt.Sprintf("配送状況の確認（注文%d）", i)) + "\r\n" +
		"Message-ID: <" + crashID(i) + ">\r\nMIME-Version: 1.0\r\n" +
		"Content-Type: text/plain; charset=ISO-2022-JP\r\nContent-Transfer-Encoding: 7bit\r\n\r\n" +
		enc("お世話になっております。㈱テストの髙橋です。\r\n注文①の配送状況を教えてください。") + "\r\n"
}

func sendMail(addr, msg string) error {
	return smtp.SendMail(addr, nil, "hanako@customer.co.jp", []string{"support@example.jp"}, []byte(msg))
}
