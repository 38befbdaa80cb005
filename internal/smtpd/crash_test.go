package smtpd_test

import (
	"bufio"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestCrashHelper is the listener process of TestKill9 (run as a child of
// the test binary); it does nothing in a normal run.
func TestCrashHelper(t *testing.T) {
	if os.Getenv("KIZUNA_CRASH_HELPER") != "1" {
		t.Skip("helper process for TestKill9")
	}
	ctx := context.Background()
	dir := os.Getenv("KIZUNA_CRASH_DATA")
	db, err := store.Open(ctx, os.Getenv("KIZUNA_CRASH_DB"), dir)
	if err != nil {
		t.Fatal(err)
	}
	blobs, err := blob.Open(filepath.Join(dir, "blobs"))
	if err != nil {
		t.Fatal(err)
	}
	srv, err := smtpd.New(smtpd.Config{Addr: os.Getenv("KIZUNA_CRASH_ADDR")}, db, &inbound.Spool{Store: db, Blobs: blobs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	fmt.Println("ready", srv.Addr())
	select {} // until killed
}

// TestKill9 kills the listener process with SIGKILL while clients deliver,
// restarts it, and checks that every message that was answered 250 is
// stored exactly once with its exact bytes; the senders' retries of the
// rest are then stored too, still once each. KIZUNA_CRASH_MESSAGES sets how
// many messages are delivered in all (default 400; 10000 for the full run).
func TestKill9(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	total := 400
	if n, err := strconv.Atoi(os.Getenv("KIZUNA_CRASH_MESSAGES")); err == nil && n > 0 {
		total = n
	}
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			dbURL := ""
			if dialect == "postgres" {
				dbURL = storetest.PostgresURL(t)
			}
			dir := t.TempDir()
			open := func() *store.DB {
				db, err := store.Open(context.Background(), dbURL, dir)
				if err != nil {
					t.Fatal(err)
				}
				return db
			}
			db := open()
			now := time.Now().UTC()
			inbox := &model.Inbox{Name: "サポート", Addresses: []string{"support@example.jp"}, TicketToken: "subject", Active: true, CreatedAt: now, UpdatedAt: now}
			if err := db.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertInbox(inbox) }); err != nil {
				t.Fatal(err)
			}
			db.Close()

			msgs := make([]string, total)
			for i := range msgs {
				msgs[i] = japaneseMail(t, fmt.Sprintf("crash-%05d@customer.co.jp", i))
			}
			var mu sync.Mutex
			acked := map[int]bool{}

			// Deliver from 4 clients until the kill, then kill -9 mid-stream.
			proc, addr := startHelper(t, dir, dbURL)
			var wg sync.WaitGroup
			for c := range 4 {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for i := c; i < total; i += 4 {
						if send(t, addr, nil, "hanako@customer.co.jp", []string{"support@example.jp"}, msgs[i]) != nil {
							return // the server is gone
						}
						mu.Lock()
						acked[i] = true
						mu.Unlock()
					}
				}()
			}
			for {
				mu.Lock()
				n := len(acked)
				mu.Unlock()
				if n >= total/2 {
					break
				}
				time.Sleep(5 * time.Millisecond)
			}
			proc.Process.Kill()
			proc.Wait()
			wg.Wait()
			t.Logf("%d of %d messages answered 250 before kill -9", len(acked), total)

			check := func(want map[int]bool) {
				db := open()
				defer db.Close()
				blobs, _ := blob.Open(filepath.Join(dir, "blobs"))
				err := db.Read(context.Background(), func(tx *store.Tx) error {
					for i := range want {
						m, err := tx.MailByMessageID(inbox.ID, model.MailIn, fmt.Sprintf("crash-%05d@customer.co.jp", i))
						if err != nil {
							return fmt.Errorf("message %d answered 250 but not stored: %w", i, err)
						}
						f, err := blobs.Open(m.SHA256)
						if err != nil {
							return fmt.Errorf("message %d: raw missing: %w", i, err)
						}
						h := sha256.New()
						io.Copy(h, f)
						f.Close()
						if hex.EncodeToString(h.Sum(nil)) != m.SHA256 || m.Size != int64(len(msgs[i])) {
							return fmt.Errorf("message %d: raw damaged", i)
						}
					}
					return nil
				})
				if err != nil {
					t.Fatal(err)
				}
			}
			check(acked)

			// After a restart the senders retry what was not acked, and
			// redeliver some that were (their 250 may have been lost).
			proc, addr = startHelper(t, dir, dbURL)
			all := map[int]bool{}
			for i := range total {
				all[i] = true
				if !acked[i] || i%50 == 0 {
					if err := send(t, addr, nil, "hanako@customer.co.jp", []string{"support@example.jp"}, msgs[i]); err != nil {
						t.Fatalf("retry %d: %v", i, err)
					}
				}
			}
			proc.Process.Kill()
			proc.Wait()
			check(all)
			db = open()
			defer db.Close()
			db.Read(context.Background(), func(tx *store.Tx) error {
				n, err := tx.InboxMailCount(inbox.ID)
				if err != nil || n != int64(total) {
					t.Fatalf("%d rows for %d messages (%v)", n, total, err)
				}
				return nil
			})
		})
	}
}

func startHelper(t *testing.T, dir, dbURL string) (*exec.Cmd, string) {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashHelper$", "-test.v")
	cmd.Env = append(os.Environ(), "KIZUNA_CRASH_HELPER=1", "KIZUNA_CRASH_DATA="+dir, "KIZUNA_CRASH_DB="+dbURL, "KIZUNA_CRASH_ADDR=127.0.0.1:0")
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.Stderr = os.Stderr
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { cmd.Process.Kill(); cmd.Wait() })
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		var addr string
		if _, err := fmt.Sscanf(sc.Text(), "ready %s", &addr); err == nil {
			go io.Copy(io.Discard, out)
			return cmd, addr
		}
	}
	t.Fatalf("helper did not start: %v", sc.Err())
	return nil, ""
}
