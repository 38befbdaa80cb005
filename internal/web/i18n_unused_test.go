package web

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
)

// dynamicKeys are catalog keys built in ways the scan below cannot follow
// (a helper's arguments, a field name from data): each entry is a prefix,
// and every key starting with it counts as used. Keep it short; a key
// family that is built from a literal prefix in a template's print/printf
// or in Go ("status." + s, "rules." + "op_" + op) is found without it.
var dynamicKeys = []string{
	"approval.done_",   // approvalKey("done", …), approvals.go
	"approval.state_",  // approvalKey("state", …) and part_approvals.html
	"approval.action_", // part_approvals.html
	"field.",           // audit events: "field." + e.FieldName, funcs.go
}

// TestCatalogKeysUsed: every key in the web catalogs is used by a template
// or by Go code in this package — literally, through a prefix a template
// (print "x.y_" …) or Go ("x.y_" + v, "x." + v + "_done") builds keys from,
// or through dynamicKeys. A dead key is text nobody sees and everyone
// translates; delete it with the code that stopped using it.
func TestCatalogKeysUsed(t *testing.T) {
	keyish := regexp.MustCompile(`"([a-z][a-z0-9_]*(?:\.[a-z0-9_-]+)+)"`)
	used := map[string]bool{}
	prefixes := slices.Clone(dynamicKeys)
	var patterns []*regexp.Regexp

	// Templates: any key-shaped literal, and print/printf prefixes.
	tplPrefix := regexp.MustCompile(`\(printf? "([a-z][a-z0-9_]*\.[a-z0-9_.-]*)`)
	err := fs.WalkDir(templateFS, "templates", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := templateFS.ReadFile(p)
		for _, m := range keyish.FindAllStringSubmatch(string(b), -1) {
			used[m[1]] = true
		}
		for _, m := range tplPrefix.FindAllStringSubmatch(string(b), -1) {
			prefixes = append(prefixes, m[1])
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}

	// Go: key-shaped literals; literals joined by + are one literal; a
	// literal followed by + is a prefix, and "p" + x + "s" a pattern. A
	// bare area ("approval." + kind + "_" + v) says too little to be a
	// prefix: such keys go into dynamicKeys.
	joined := regexp.MustCompile(`"\s*\+\s*"`)
	entry := regexp.MustCompile(`"[^"\n]+":\s*\{\s*"`)
	goPrefix := regexp.MustCompile(`"([a-z][a-z0-9_]*\.[a-z0-9_.-]*)"\s*\+`)
	goAround := regexp.MustCompile(`"([a-z][a-z0-9_]*\.[a-z0-9_.-]*)"\s*\+\s*[\w.()\[\]]+\s*\+\s*"([a-z0-9_.]{2,})"`)
	files, _ := filepath.Glob("*.go")
	for _, f := range files {
		if strings.HasSuffix(f, "_test.go") {
			continue
		}
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		// Not the catalogs' own entries ("x.y": {"ja", "en"}).
		src := entry.ReplaceAllString(joined.ReplaceAllString(string(b), ""), "")
		for _, m := range keyish.FindAllStringSubmatch(src, -1) {
			used[m[1]] = true
		}
		for _, m := range goAround.FindAllStringSubmatch(src, -1) {
			patterns = append(patterns, regexp.MustCompile(`^`+regexp.QuoteMeta(m[1])+`.*`+regexp.QuoteMeta(m[2])+`$`))
		}
		for _, m := range goPrefix.FindAllStringSubmatch(src, -1) {
			if strings.Count(m[1], ".") > 1 || !strings.HasSuffix(m[1], ".") || slices.Contains(dynamicKeys, m[1]) {
				prefixes = append(prefixes, m[1])
			}
		}
	}
	// Families built from the model's lists ("status." + s …), as
	// TestCatalogComplete enumerates them.
	markValueKeys(used)
	if len(used) < 100 || len(prefixes) < len(dynamicKeys)+3 {
		t.Fatalf("found only %d keys and %d prefixes; is the scan broken?", len(used), len(prefixes))
	}

	var dead []string
	for k := range messages {
		if used[k] || slices.ContainsFunc(prefixes, func(p string) bool { return strings.HasPrefix(k, p) }) ||
			slices.ContainsFunc(patterns, func(p *regexp.Regexp) bool { return p.MatchString(k) }) {
			continue
		}
		dead = append(dead, k)
	}
	slices.Sort(dead)
	for _, k := range dead {
		t.Errorf("catalog key %q is used by no template and no Go code in internal/web", k)
	}
}
