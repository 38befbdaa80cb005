package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestInboxCommands drives `kizuna inbox add` and `kizuna inbox list` as an
// operator would, on both databases.
func TestInboxCommands(t *testing.T) {
	bin := buildBinary(t)
	for _, dialect := range []string{"sqlite", "postgres"} {
		t.Run(dialect, func(t *testing.T) {
			env := append(os.Environ(), "KIZUNA_DATA="+t.TempDir(), "KIZUNA_DB=")
			if dialect == "postgres" {
				env = append(env, "KIZUNA_DB="+storetest.PostgresURL(t))
			}
			kizuna := func(args ...string) (string, error) {
				cmd := exec.Command(bin, args...)
				cmd.Env = env
				out, err := cmd.CombinedOutput()
				return string(out), err
			}
			out, err := kizuna("inbox", "add", "--name", "サポート", "--address", "Support@Example.jp", "--address", "help@example.jp")
			if err != nil || !strings.Contains(out, "created inbox 1 サポート <support@example.jp, help@example.jp>") {
				t.Fatalf("inbox add: %v\n%s", err, out)
			}
			out, err = kizuna("inbox", "add", "--name", "請求 ㈱", "--address", "billing@example.jp", "--ticket-token", "both")
			if err != nil {
				t.Fatalf("second inbox: %v\n%s", err, out)
			}
			out, err = kizuna("inbox", "list")
			lines := strings.Split(strings.TrimSpace(out), "\n")
			if err != nil || len(lines) != 3 || !strings.Contains(lines[1], "サポート") || !strings.Contains(lines[1], "support@example.jp,help@example.jp") ||
				!strings.Contains(lines[2], "請求 ㈱") || !strings.Contains(lines[2], "forwarding") {
				t.Fatalf("inbox list: %v\n%s", err, out)
			}
			// Bad input is a clear error and a non-zero exit.
			for _, c := range []struct {
				args []string
				want string
			}{
				{[]string{"inbox", "add", "--name", "重複", "--address", "SUPPORT@example.jp"}, "already used by inbox 1"},
				{[]string{"inbox", "add", "--name", "壊れた", "--address", "not-an-address"}, "not a valid email address"},
				{[]string{"inbox", "add", "--name", "ブランド", "--address", "brand@example.jp", "--brand", "存在しない"}, "no brand"},
				{[]string{"inbox", "add", "--address", "x@example.jp"}, "--name"},
				{[]string{"inbox"}, "usage"},
			} {
				out, err := kizuna(c.args...)
				if err == nil || !strings.Contains(out, c.want) {
					t.Errorf("kizuna %s: err=%v, want %q in\n%s", strings.Join(c.args, " "), err, c.want, out)
				}
			}
			if out, _ := kizuna("inbox", "list"); strings.Count(strings.TrimSpace(out), "\n") != 2 {
				t.Fatalf("failed adds left inboxes behind:\n%s", out)
			}
		})
	}
}
