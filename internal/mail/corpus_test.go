package mail

import (
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

type corpusCase struct {
	File          string   `json:"file"`
	Subject       string   `json:"subject"`
	FromName      string   `json:"from_name"`
	FromAddress   string   `json:"from_address"`
	BodyContains  []string `json:"body_contains"`
	HTMLContains  []string `json:"html_contains"`
	HTMLExcludes  []string `json:"html_excludes"`
	QuoteContains string   `json:"quote_contains"`
	InReplyTo     string   `json:"in_reply_to"`
	Cc            []string `json:"cc"`
	Warnings      bool     `json:"warnings"`
	AutoSubmitted bool     `json:"auto_submitted"`
	Attachments   []struct {
		Name      string `json:"name"`
		Size      int64  `json:"size"`
		ContentID string `json:"content_id"`
	} `json:"attachments"`
	Bounce *struct {
		OriginalMessageID string   `json:"original_message_id"`
		Failed            []string `json:"failed"`
	} `json:"bounce"`
}

// genCorpus writes the Python-made corpus into a temp dir and returns its
// manifest. Python's email package is not ours, so this checks Parse against
// an independent writer of every Japanese charset and MIME case.
func genCorpus(t *testing.T) (string, []corpusCase) {
	t.Helper()
	py, err := exec.LookPath("python3")
	if err != nil {
		if os.Getenv("KIZUNA_REQUIRE_PYTHON") == "1" {
			t.Fatal("python3 not found but KIZUNA_REQUIRE_PYTHON=1")
		}
		t.Skip("python3 not found; the mail corpus test needs it")
	}
	dir := t.TempDir()
	out, err := exec.Command(py, filepath.Join("testdata", "gen_corpus.py"), dir).CombinedOutput()
	if err != nil {
		t.Fatalf("gen_corpus.py: %v\n%s", err, out)
	}
	b, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cases []corpusCase
	if err := json.Unmarshal(b, &cases); err != nil {
		t.Fatal(err)
	}
	if len(cases) < 15 {
		t.Fatalf("corpus has only %d messages", len(cases))
	}
	return dir, cases
}

func TestCorpus(t *testing.T) {
	dir, cases := genCorpus(t)
	for _, c := range cases {
		t.Run(c.File, func(t *testing.T) {
			raw, err := os.ReadFile(filepath.Join(dir, c.File))
			if err != nil {
				t.Fatal(err)
			}
			m := Parse(raw)
			if m.Subject != c.Subject {
				t.Errorf("subject = %q, want %q", m.Subject, c.Subject)
			}
			if m.From.Name != c.FromName || m.From.Address != c.FromAddress {
				t.Errorf("from = %+v, want %q <%s>", m.From, c.FromName, c.FromAddress)
			}
			for _, s := range c.BodyContains {
				if !strings.Contains(m.Text, s) {
					t.Errorf("text lacks %q:\n%s", s, m.Text)
				}
			}
			for _, s := range c.HTMLContains {
				if !strings.Contains(m.HTML, s) {
					t.Errorf("html lacks %q:\n%s", s, m.HTML)
				}
			}
			for _, s := range c.HTMLExcludes {
				if strings.Contains(m.HTML, s) {
					t.Errorf("html keeps %q:\n%s", s, m.HTML)
				}
			}
			if c.QuoteContains != "" && (m.QuoteStart < 0 || !strings.Contains(m.Text[m.QuoteStart:], c.QuoteContains) ||
				strings.Contains(m.Text[:m.QuoteStart], c.QuoteContains)) {
				t.Errorf("quote start %d does not isolate %q in %q", m.QuoteStart, c.QuoteContains, m.Text)
			}
			if c.InReplyTo != "" && m.InReplyTo != c.InReplyTo {
				t.Errorf("in-reply-to = %q", m.InReplyTo)
			}
			if c.Cc != nil && strings.Join(addressList(m.Cc), ",") != strings.Join(c.Cc, ",") {
				t.Errorf("cc = %v, want %v", addressList(m.Cc), c.Cc)
			}
			if c.Warnings != (len(m.Warnings) > 0) {
				t.Errorf("warnings = %q, want some: %v", m.Warnings, c.Warnings)
			}
			if c.AutoSubmitted != m.AutoSubmitted {
				t.Errorf("auto-submitted = %v (%v), want %v", m.AutoSubmitted, m.LoopSignals, c.AutoSubmitted)
			}
			if len(m.Attachments) != len(c.Attachments) {
				t.Fatalf("attachments = %d, want %d: %+v", len(m.Attachments), len(c.Attachments), names(m.Attachments))
			}
			for i, want := range c.Attachments {
				got := m.Attachments[i]
				if got.FileName != want.Name || got.Size() != want.Size || got.ContentID != want.ContentID {
					t.Errorf("attachment %d = %q %d %q, want %q %d %q", i, got.FileName, got.Size(), got.ContentID, want.Name, want.Size, want.ContentID)
				}
			}
			if (c.Bounce == nil) != (m.Bounce == nil) {
				t.Fatalf("bounce = %+v, want %+v", m.Bounce, c.Bounce)
			}
			if c.Bounce != nil {
				if m.Bounce.OriginalMessageID != c.Bounce.OriginalMessageID {
					t.Errorf("bounced message = %q", m.Bounce.OriginalMessageID)
				}
				var failed []string
				for _, r := range m.Bounce.Failed() {
					failed = append(failed, r.Address)
				}
				if strings.Join(failed, ",") != strings.Join(c.Bounce.Failed, ",") {
					t.Errorf("failed recipients = %v", failed)
				}
			}
		})
	}
}

func names(atts []Attachment) []string {
	var out []string
	for _, a := range atts {
		out = append(out, a.FileName)
	}
	return out
}
