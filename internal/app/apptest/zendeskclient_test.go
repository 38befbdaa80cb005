package apptest_test

import (
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestZendeskNodeClient proves the promise in the README: an existing,
// third-party Zendesk client (node-zendesk, not written here) drives Kizuna
// when only its base URL changes. The checks live in
// tests/zendesk-client/client_test.mjs; this test starts a desk on each
// database and fails with the script's output when it exits non-zero.
func TestZendeskNodeClient(t *testing.T) {
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("KIZUNA_REQUIRE_NODE") == "1" {
			t.Fatalf("node is not installed but KIZUNA_REQUIRE_NODE=1: %v", err)
		}
		t.Skip("node is not installed (set KIZUNA_REQUIRE_NODE=1 to make this a failure)")
	}
	dir := filepath.Join(repoRoot(t), "tests", "zendesk-client")
	installClient(t, dir)

	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
		defer cancel()
		cmd := exec.CommandContext(ctx, node, "client_test.mjs")
		cmd.Dir = dir
		cmd.Env = append(os.Environ(),
			"KIZUNA_URL="+d.URL,
			"KIZUNA_EMAIL="+d.Agent.Email,
			"KIZUNA_TOKEN="+d.Agent.Token,
			// Creating organizations and groups is admin work in Zendesk.
			"KIZUNA_ADMIN_EMAIL="+d.Admin.Email,
			"KIZUNA_ADMIN_TOKEN="+d.Admin.Token,
		)
		out, err := cmd.CombinedOutput()
		if err != nil {
			t.Fatalf("node-zendesk against Kizuna failed (%v):\n%s", err, out)
		}
		t.Logf("node-zendesk output:\n%s", out)
	})
}

// installClient runs `npm ci` unless node_modules already holds the locked
// node-zendesk version, so a fresh clone (CI) needs no manual step.
func installClient(t *testing.T, dir string) {
	t.Helper()
	if installedVersion(dir) == lockedVersion(t, dir) {
		return
	}
	npm, err := exec.LookPath("npm")
	if err != nil {
		t.Fatalf("node_modules is missing in %s and npm is not installed: %v", dir, err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, npm, "ci", "--no-audit", "--no-fund")
	cmd.Dir = dir
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("npm ci in %s: %v\n%s", dir, err, out)
	}
	if got, want := installedVersion(dir), lockedVersion(t, dir); got != want {
		t.Fatalf("after npm ci, node-zendesk is %q, want %q", got, want)
	}
}

func lockedVersion(t *testing.T, dir string) string {
	t.Helper()
	var lock struct {
		Packages map[string]struct {
			Version string `json:"version"`
		} `json:"packages"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "package-lock.json"))
	if err == nil {
		err = json.Unmarshal(raw, &lock)
	}
	if err != nil {
		t.Fatalf("read package-lock.json: %v", err)
	}
	v := lock.Packages["node_modules/node-zendesk"].Version
	if v == "" {
		t.Fatal("package-lock.json does not pin node-zendesk")
	}
	return v
}

func installedVersion(dir string) string {
	var pkg struct {
		Version string `json:"version"`
	}
	raw, err := os.ReadFile(filepath.Join(dir, "node_modules", "node-zendesk", "package.json"))
	if err != nil || json.Unmarshal(raw, &pkg) != nil {
		return ""
	}
	return pkg.Version
}

// repoRoot is the nearest parent directory holding go.mod.
func repoRoot(t *testing.T) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("go.mod not found above the test's directory")
		}
		dir = parent
	}
}
