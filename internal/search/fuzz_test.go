package search

import (
	"errors"
	"strings"
	"testing"
	"time"
	"unicode"
)

// FuzzParse checks that no input panics, errors are *SyntaxError, tokens are
// clean, and every generated FTS5 expression is accepted by SQLite.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"配送 遅延", `subject:"返金 申請" -tags:vip`, "status<solved priority>=high",
		"type:ticket order_by:updated_at sort:desc", "status：open　ﾎﾟｲﾝﾄ", `"返金 申請`,
		"created>4hours", "-配 iPhone配* foo@example.com", "“返金”", "ｓｔａｔｕｓ：", "-", `""`,
		"葛\U000E0100飾 e\u0301 \u00ad", "custom_field_1:>=2026-01-01T10:00:00Z",
	} {
		f.Add(s)
	}
	db := openFTS5(f)
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			var se *SyntaxError
			if !errors.As(err, &se) {
				t.Fatalf("Parse(%q) returned %T", s, err)
			}
			return
		}
		for _, fl := range q.Filters {
			if fl.Value == "" || fl.Field == "" {
				t.Fatalf("empty filter %+v", fl)
			}
			ParseTime(fl.Value, time.Now(), nil)
		}
		tq := ParseText(q.Terms)
		for _, c := range tq.Clauses {
			for _, tok := range c.Tokens {
				if tok == "" || strings.IndexFunc(tok, func(r rune) bool {
					return r < 0x80 && !unicode.IsLetter(r) && !unicode.IsDigit(r) || unicode.IsSpace(r)
				}) >= 0 {
					t.Fatalf("bad token %q from %q", tok, s)
				}
			}
		}
		if m := tq.FTS5(); m != "" {
			rows, err := db.Query(`SELECT rowid FROM docs WHERE docs MATCH ?`, m)
			if err != nil {
				t.Fatalf("FTS5 rejected %q (from %q): %v", m, s, err)
			}
			rows.Close()
		}
		_ = tq.TSQuery()
		_ = TSVector(Section{Text: s, Weight: 'A'})
		_ = FTS5Document(s, s)
	})
}
