package secrets

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSealOpenAndKeyFile(t *testing.T) {
	dir := t.TempDir()
	box, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	info, err := os.Stat(filepath.Join(dir, KeyFile))
	if err != nil || info.Mode().Perm() != 0o600 || info.Size() != 32 {
		t.Fatalf("key file: %v %v", info, err)
	}
	for _, plain := range []string{"", "パスワード①㈱髙ｶﾀｶﾅ", strings.Repeat("x", 5000)} {
		s1, s2 := box.Seal(plain), box.Seal(plain)
		if s1 == s2 || !IsSealed(s1) || (plain != "" && strings.Contains(s1, plain)) {
			t.Fatalf("seal %q gave %q / %q", plain, s1, s2)
		}
		got, err := box.Open(s1)
		if err != nil || got != plain {
			t.Fatalf("open = %q, %v", got, err)
		}
	}
	// The same data dir gives the same key: secrets survive a restart.
	again, err := Open(dir)
	if err != nil {
		t.Fatal(err)
	}
	sealed := box.Seal("imap-secret")
	if got, err := again.Open(sealed); err != nil || got != "imap-secret" {
		t.Fatalf("reopened box: %q %v", got, err)
	}
	// Another key, a damaged value or a plain value never opens.
	other, _ := Open(t.TempDir())
	if _, err := other.Open(sealed); err == nil {
		t.Fatal("opened with another key")
	}
	if _, err := box.Open(sealed[:len(sealed)-2] + "AA"); err == nil {
		t.Fatal("opened a damaged value")
	}
	if _, err := box.Open("imap-secret"); err != ErrNotSealed {
		t.Fatalf("plain value: %v", err)
	}
}

func TestOpenRejectsBadKeyFile(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, KeyFile), bytes.Repeat([]byte{1}, 16), 0o600); err != nil {
		t.Fatal(err)
	}
	if _, err := Open(dir); err == nil || !strings.Contains(err.Error(), "32 bytes") {
		t.Fatalf("short key accepted: %v", err)
	}
}
