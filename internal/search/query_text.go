package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// TextQuery is the full-text part of a search: all positive clauses must
// match and no negated clause may.
type TextQuery struct {
	Clauses []Clause
}

// Clause matches when Tokens occur consecutively (a phrase). Prefix applies
// to the last token only.
type Clause struct {
	Tokens []string
	Prefix bool
	Negate bool
}

// ParseText builds a TextQuery with one clause per term; terms without any
// indexable characters (e.g. "!!!") are dropped.
//
// Tokens are those of IndexTokens, except for a CJK run ending the term: it
// contributes only its bigrams (配送 → [配送]), or, if it is one character,
// that character as a prefix token (配 → 配*), because in the document the
// run may continue. A Latin word ending in "*" (refu*) becomes a prefix token.
// Whitespace inside a phrase is a real boundary: "返金 申請" matches
// "返金 申請" and "返金、申請" but not "返金申請".
func ParseText(terms []Term) TextQuery {
	var q TextQuery
	for _, t := range terms {
		toks, prefix := queryTokens(t.Text)
		if len(toks) == 0 {
			continue
		}
		q.Clauses = append(q.Clauses, Clause{Tokens: toks, Prefix: prefix, Negate: t.Negate})
	}
	return q
}

func queryTokens(text string) ([]string, bool) {
	n := Normalize(text)
	trimmed := strings.TrimRight(n, "*")
	last, _ := utf8.DecodeLastRuneInString(trimmed)
	wildcard := len(trimmed) < len(n) &&
		(unicode.IsLetter(last) || unicode.IsNumber(last) || unicode.IsMark(last))
	runs := segment(trimmed)
	var toks []string
	for i, r := range runs {
		toks = appendRunTokens(toks, r, i == len(runs)-1)
	}
	prefix := false
	if len(runs) > 0 {
		lr := runs[len(runs)-1]
		prefix = (lr.cjk && len(lr.units) == 1) || (!lr.cjk && wildcard)
	}
	return toks, prefix
}

// FTS5 returns an SQLite FTS5 MATCH expression, e.g.
// ("iphone" AND "配送") NOT "返金" NOT "配"*.
//
// FTS5 cannot express a query made only of negations, so FTS5 returns "" if
// no clause is positive (as it does for an empty query); a caller wanting
// "everything except X" must build that itself, e.g. with
// rowid NOT IN (... MATCH <X as a positive query>).
func (q TextQuery) FTS5() string {
	var pos, neg []string
	for _, c := range q.Clauses {
		if len(c.Tokens) == 0 {
			continue
		}
		toks := make([]string, len(c.Tokens))
		for i, t := range c.Tokens {
			toks[i] = strings.ReplaceAll(t, `"`, `""`)
		}
		p := `"` + strings.Join(toks, " ") + `"`
		if c.Prefix {
			p += "*"
		}
		if c.Negate {
			neg = append(neg, p)
		} else {
			pos = append(pos, p)
		}
	}
	if len(pos) == 0 {
		return ""
	}
	s := strings.Join(pos, " AND ")
	if len(neg) > 0 && len(pos) > 1 {
		s = "(" + s + ")"
	}
	for _, n := range neg {
		s += " NOT " + n
	}
	return s
}

// TSQuery returns a literal in PostgreSQL tsquery syntax, e.g.
// 'iphone' & ('配送' <-> '送状') & !'返金':*. Use it as $1::tsquery, never
// with to_tsquery, whose parser would split the CJK tokens again.
//
// Unlike FTS5, an all-negative query is returned as is; PostgreSQL evaluates
// it (matching documents lacking the terms) but cannot use a GIN index for it.
// An empty query yields "".
func (q TextQuery) TSQuery() string {
	var parts []string
	for _, c := range q.Clauses {
		if len(c.Tokens) == 0 {
			continue
		}
		toks := make([]string, len(c.Tokens))
		for i, t := range c.Tokens {
			toks[i] = quoteLexeme(t)
		}
		if c.Prefix {
			toks[len(toks)-1] += ":*"
		}
		p := strings.Join(toks, " <-> ")
		if len(toks) > 1 {
			p = "(" + p + ")"
		}
		if c.Negate {
			p = "!" + p
		}
		parts = append(parts, p)
	}
	return strings.Join(parts, " & ")
}

// quoteLexeme quotes a lexeme for tsvector/tsquery literal input.
func quoteLexeme(t string) string {
	t = strings.ReplaceAll(t, `\`, `\\`)
	return "'" + strings.ReplaceAll(t, "'", "''") + "'"
}
