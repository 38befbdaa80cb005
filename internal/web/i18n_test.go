package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// TestCatalogComplete: every key a template or handler uses is in the
// catalog with both languages, and both texts take the same arguments.
func TestCatalogComplete(t *testing.T) {
	used := map[string]bool{}
	static := regexp.MustCompile(`\.T "([a-z][a-z0-9_]*\.[a-z_]+)"`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		for _, m := range static.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	// Keys in Go code: string literals shaped like catalog keys.
	// The prefixes come from the catalog itself, so a new area's keys
	// (admin., approval. …) are checked without editing this test.
	prefixes := map[string]bool{}
	for k := range messages {
		prefixes[k[:strings.IndexByte(k, '.')]] = true
	}
	var alts []string
	for p := range prefixes {
		alts = append(alts, regexp.QuoteMeta(p))
	}
	literal := regexp.MustCompile(`"((?:` + strings.Join(alts, "|") + `)\.[a-z_]+)"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		for _, m := range literal.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
	}
	markValueKeys(used)
	if len(used) < 100 {
		t.Fatalf("found only %d keys; is the scan broken?", len(used))
	}
	for k := range used {
		if _, ok := messages[k]; !ok {
			t.Errorf("key %q is used but not in the catalog", k)
		}
	}
	verbs := regexp.MustCompile(`%(\[\d+\])?[sd]`)
	for k, m := range messages {
		if m[0] == "" || m[1] == "" {
			t.Errorf("%s: a language is missing", k)
		}
		if a, b := verbs.FindAllString(m[0], -1), verbs.FindAllString(m[1], -1); len(a) != len(b) {
			t.Errorf("%s: ja has %v, en has %v", k, a, b)
		}
	}
}

func TestLanguageChoice(t *testing.T) {
	for _, c := range []struct{ header, want string }{
		{"", "ja"},
		{"en-US,en;q=0.9", "en"},
		{"ja,en-US;q=0.8", "ja"},
		{"fr-FR,en;q=0.5,ja;q=0.7", "ja"},
		{"fr-FR,de;q=0.5", "ja"},
		{"en-GB;q=0.9,ja-JP;q=0.3", "en"},
	} {
		if got := acceptLanguage(c.header); got != c.want {
			t.Errorf("Accept-Language %q → %s, want %s", c.header, got, c.want)
		}
	}
	for loc, want := range map[string]string{"ja": "ja", "ja-JP": "ja", "en-US": "en", "EN": "en", "fr": "", "": ""} {
		if got := langOf(loc); got != want {
			t.Errorf("langOf(%q) = %q, want %q", loc, got, want)
		}
	}
}

func TestViewHelpers(t *testing.T) {
	for name, want := range map[string]string{"山田 太郎": "山", "Emily Clark": "EC", "emily": "E", "": "?", "ｶﾀｶﾅ": "ｶ"} {
		if got := Initials(name); got != want {
			t.Errorf("Initials(%q) = %q, want %q", name, got, want)
		}
	}
	seen := map[int]bool{}
	for id := int64(1); id <= 200; id++ {
		c := Colour(id)
		if c < 0 || c > 11 || c != Colour(id) {
			t.Fatalf("Colour(%d) = %d", id, c)
		}
		seen[c] = true
	}
	if len(seen) < 10 || Colour(0) != -1 {
		t.Errorf("colours used by 200 agents: %d; Colour(0) = %d", len(seen), Colour(0))
	}
	now := time.Date(2026, 11, 24, 3, 0, 0, 0, time.UTC) // 12:00 in Tokyo
	v := &view{Lang: "ja", loc: tokyo, now: now}
	for _, c := range []struct {
		at   time.Time
		want string
	}{
		{now.Add(-time.Hour), "11:00"},
		{time.Date(2026, 11, 23, 15, 0, 0, 0, time.UTC), "00:00"},         // the 23rd in UTC, already today in Tokyo
		{time.Date(2026, 11, 23, 14, 59, 0, 0, time.UTC), "11月23日 23:59"}, // yesterday in Tokyo
		{time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC), "3月1日 09:00"},
		{time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC), "2025年3月1日"},
	} {
		if got := v.When(c.at); got != c.want {
			t.Errorf("When(%v) = %q, want %q", c.at, got, c.want)
		}
	}
	if got := (&view{Lang: "en", loc: tokyo, now: now}).When(time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)); got != "Mar 1 09:00" {
		t.Errorf("English date %q", got)
	}
	for p, want := range map[string]string{"/tickets/5": "/tickets/5", "//evil.example": "/tickets", "https://evil.example": "/tickets", "/\\evil": "/tickets", "": "/tickets"} {
		if got := localPath(p); got != want {
			t.Errorf("localPath(%q) = %q", p, got)
		}
	}
	ua := "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36 Edg/131.0.0.0"
	if got := uaSummary(ua); got != "Edge 131 · Windows" {
		t.Errorf("uaSummary = %q", got)
	}
	if got := splitTags("配送, 至急　VIP,配送"); strings.Join(got, "|") != "vip|至急|配送" {
		t.Errorf("splitTags = %q", got)
	}
}

// TestStaticBudget: a page's own JavaScript and CSS stay under 100 KB.
func TestStaticBudget(t *testing.T) {
	total := 0
	for name, b := range staticFiles {
		if strings.HasSuffix(name, ".js") || strings.HasSuffix(name, ".css") {
			total += len(b)
		}
	}
	if total == 0 || total > 100<<10 {
		t.Fatalf("static JS+CSS = %d bytes", total)
	}
	t.Logf("all JavaScript and CSS together: %d bytes", total)
}

// markValueKeys marks the keys built from lists of values ("status." + s …).
func markValueKeys(used map[string]bool) {
	for _, s := range model.Statuses {
		used["status."+s] = true
	}
	for _, p := range model.Priorities {
		used["priority."+p] = true
	}
	for _, c := range model.Channels {
		used["via."+c] = true
	}
	for _, v := range builtinViews {
		used["view."+v] = true
	}
	for _, c := range sortable {
		used["col."+c] = true
	}
}
