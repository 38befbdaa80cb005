package main

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// buildBinary compiles kizuna once per test run.
func buildBinary(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "kizuna")
	cmd := exec.Command("go", "build", "-o", bin, ".")
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("build: %v\n%s", err, out)
	}
	return bin
}

func freeAddr(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().String()
}

// TestCommandContract drives the binary as operators and scripts do: serve,
// then user add and token create against the same data while it runs, then
// the API with that token; SIGTERM shuts it down cleanly.
func TestCommandContract(t *testing.T) {
	bin := buildBinary(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			data := t.TempDir()
			env := append(os.Environ(), "KIZUNA_DATA="+data, "KIZUNA_DB=", "KIZUNA_ADMIN_EMAIL=", "KIZUNA_ADMIN_PASSWORD=", "KIZUNA_SMTP=127.0.0.1:0")
			if dialect == "postgres" {
				env = append(env, "KIZUNA_DB="+storetest.PostgresURL(t))
			}
			addr := freeAddr(t)
			srv := exec.Command(bin, "serve", "--http", addr)
			srv.Env = env
			stdout, _ := srv.StdoutPipe()
			var logs bytes.Buffer
			srv.Stderr = &logs
			if err := srv.Start(); err != nil {
				t.Fatal(err)
			}
			defer srv.Process.Kill()
			// The first start prints the generated admin login once.
			sc := bufio.NewScanner(stdout)
			var banner []string
			for sc.Scan() {
				banner = append(banner, sc.Text())
				if strings.Contains(sc.Text(), "password:") {
					break
				}
			}
			go io.Copy(io.Discard, stdout)
			if !strings.Contains(strings.Join(banner, "\n"), "admin@kizuna.local") {
				t.Fatalf("no admin banner: %q\n%s", banner, logs.String())
			}
			waitHTTP(t, "http://"+addr+"/healthz")

			run := func(args ...string) string {
				cmd := exec.Command(bin, args...)
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				if err != nil {
					t.Fatalf("kizuna %s: %v\n%s", strings.Join(args, " "), err, out)
				}
				return string(out)
			}
			run("user", "add", "--email", "suzuki@example.jp", "--name", "鈴木 一郎", "--role", "agent", "--password", "pw-鈴木")
			out := strings.TrimSpace(run("token", "create", "--email", "suzuki@example.jp"))
			lines := strings.Split(out, "\n")
			token := lines[len(lines)-1]
			if len(token) < 20 || strings.Contains(token, " ") {
				t.Fatalf("token line = %q", token)
			}
			// Bad input to the CLI is a clear error and a non-zero exit.
			bad := exec.Command(bin, "user", "add", "--email", "x@example.jp", "--role", "boss")
			bad.Env = env
			if out, err := bad.CombinedOutput(); err == nil || !strings.Contains(string(out), "Role") {
				t.Fatalf("bad role accepted: %v %s", err, out)
			}

			body := `{"ticket":{"subject":"請求書の再発行","comment":{"body":"㈱テスト宛で再発行をお願いします"}}}`
			req, _ := http.NewRequest("POST", "http://"+addr+"/api/v2/tickets.json", strings.NewReader(body))
			req.Header.Set("Content-Type", "application/json")
			req.SetBasicAuth("suzuki@example.jp/token", token)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var got struct {
				Ticket struct {
					ID      int64  `json:"id"`
					Subject string `json:"subject"`
				} `json:"ticket"`
			}
			json.NewDecoder(resp.Body).Decode(&got)
			resp.Body.Close()
			if resp.StatusCode != 201 || got.Ticket.Subject != "請求書の再発行" {
				t.Fatalf("create with CLI token: %d %+v", resp.StatusCode, got)
			}
			// Bearer works too.
			req, _ = http.NewRequest("GET", fmt.Sprintf("http://%s/api/v2/tickets/%d", addr, got.Ticket.ID), nil)
			req.Header.Set("Authorization", "Bearer "+token)
			resp, err = http.DefaultClient.Do(req)
			if err != nil || resp.StatusCode != 200 {
				t.Fatalf("bearer: %v %v", err, resp.Status)
			}
			resp.Body.Close()

			// A trainee whose public replies need approval (our extension).
			run("user", "add", "--email", "kenshu@example.jp", "--name", "研修 花子", "--role", "agent", "--approval-required")
			req, _ = http.NewRequest("GET", fmt.Sprintf("http://%s/api/v2/users/me", addr), nil)
			req.SetBasicAuth("kenshu@example.jp/token", lastLine(run("token", "create", "--email", "kenshu@example.jp")))
			resp, err = http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			var me struct {
				User struct {
					ApprovalRequired bool `json:"approval_required"`
				} `json:"user"`
			}
			json.NewDecoder(resp.Body).Decode(&me)
			resp.Body.Close()
			if !me.User.ApprovalRequired {
				t.Errorf("kizuna user add --approval-required did not set the flag")
			}

			srv.Process.Signal(syscall.SIGTERM)
			done := make(chan error, 1)
			go func() { done <- srv.Wait() }()
			select {
			case err := <-done:
				if err != nil {
					t.Fatalf("serve exited with %v\n%s", err, logs.String())
				}
			case <-time.After(15 * time.Second):
				t.Fatal("serve did not stop on SIGTERM")
			}
			if !strings.Contains(logs.String(), "shutting down") {
				t.Fatalf("no graceful shutdown log:\n%s", logs.String())
			}
			// A second start on the same data creates no second admin.
			if out := run("migrate"); !strings.Contains(out, "up to date") {
				t.Fatalf("migrate: %s", out)
			}
			if out := run("version"); !strings.HasPrefix(out, "kizuna ") {
				t.Fatalf("version: %s", out)
			}
		})
	}
}

func waitHTTP(t *testing.T, url string) {
	t.Helper()
	deadline := time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) {
		resp, err := http.Get(url)
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == 200 {
				return
			}
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatalf("%s never answered", url)
}

func lastLine(s string) string {
	lines := strings.Split(strings.TrimSpace(s), "\n")
	return lines[len(lines)-1]
}
