package search

import (
	"errors"
	"fmt"
	"strings"
	"unicode"
)

// Query is a parsed Zendesk-style search query.
type Query struct {
	Type    string // "ticket", "user", "organization" or "" (from type:)
	Filters []Filter
	Terms   []Term
	OrderBy string // lower-cased order_by: value, e.g. "updated_at"
	Sort    string // "asc", "desc" or ""
}

// Filter is a field condition such as status<solved or -tags:vip.
//
// Several filters on the same field (status:open status:pending) are all
// kept; Zendesk semantics are that they are ORed (negated ones ANDed), which
// the store implements. Unknown fields are kept too; the store decides.
type Filter struct {
	Field  string // ASCII-lower-cased, e.g. "status", "ticket_type", "custom_field_123"
	Op     string // ":", "<", ">", "<=", ">="
	Value  string // as typed, quotes removed; not case-folded
	Negate bool
}

// Term is a free-text word or "quoted phrase". A trailing "*" (wildcard) is
// kept in Text; ParseText turns it into a prefix match.
type Term struct {
	Text   string
	Phrase bool
	Negate bool
}

// ErrSyntax is wrapped by every error Parse returns.
var ErrSyntax = errors.New("invalid search query")

// SyntaxError describes a malformed query.
type SyntaxError struct {
	Msg  string // e.g. "unbalanced quote"
	Near string // the offending part of the query
}

func (e *SyntaxError) Error() string {
	return fmt.Sprintf("search: %s near %q", e.Msg, e.Near)
}

func (e *SyntaxError) Unwrap() error { return ErrSyntax }

// Parse parses Zendesk search syntax: whitespace-separated words, "phrases",
// field:value, field<value, field>value, field<=value, field>=value (also
// field:<value etc.), quoted values (subject:"返金 申請"), and a leading "-"
// to negate a word, phrase or filter. type:ticket|user|organization sets
// Query.Type (other type: values stay filters); order_by: and sort: set
// OrderBy and Sort.
//
// Full-width ASCII (ｓｔａｔｕｓ：ｏｐｅｎ), ideographic spaces and typographic
// quotes (“ ”) are folded to ASCII first, since Japanese IMEs produce them.
// Field names must be ASCII (letter first); "件名:返金" or a URL is a text term.
func Parse(q string) (Query, error) {
	s := []rune(foldSyntax(q))
	var out Query
	i := 0
	for {
		for i < len(s) && s[i] == ' ' {
			i++
		}
		if i >= len(s) {
			break
		}
		neg := false
		if s[i] == '-' {
			i++
			if i >= len(s) || s[i] == ' ' {
				continue // a lone "-" means nothing
			}
			neg = true
		}
		if s[i] == '"' {
			text, next, err := readQuoted(s, i)
			if err != nil {
				return Query{}, err
			}
			i = next
			if strings.TrimSpace(text) != "" {
				out.Terms = append(out.Terms, Term{Text: text, Phrase: true, Negate: neg})
			}
			continue
		}
		f, next, ok, err := readFilter(s, i, neg)
		if err == nil && ok {
			err = out.addFilter(f)
		}
		if err != nil {
			return Query{}, err
		}
		if ok {
			i = next
			continue
		}
		start := i
		for i < len(s) && s[i] != ' ' && s[i] != '"' {
			i++
		}
		out.Terms = append(out.Terms, Term{Text: string(s[start:i]), Negate: neg})
	}
	return out, nil
}

// readFilter reads field<op>value at s[i:]; ok is false if s[i:] is not a
// filter (then it is read as a word).
func readFilter(s []rune, i int, neg bool) (f Filter, next int, ok bool, err error) {
	j := i
	for j < len(s) && isFieldRune(s[j], j == i) {
		j++
	}
	if j == i || j >= len(s) || (s[j] != ':' && s[j] != '<' && s[j] != '>') {
		return Filter{}, 0, false, nil
	}
	field := strings.ToLower(string(s[i:j]))
	op, k := readOp(s, j)
	if op == ":" && k+1 < len(s) && s[k] == '/' && s[k+1] == '/' {
		return Filter{}, 0, false, nil // a URL such as https://example.com
	}
	var value string
	if k < len(s) && s[k] == '"' {
		value, k, err = readQuoted(s, k)
		if err != nil {
			return Filter{}, 0, false, err
		}
	} else {
		start := k
		for k < len(s) && s[k] != ' ' && s[k] != '"' {
			k++
		}
		value = string(s[start:k])
	}
	if strings.TrimSpace(value) == "" {
		return Filter{}, 0, false, &SyntaxError{Msg: "missing value for field " + field, Near: string(s[i:k])}
	}
	return Filter{Field: field, Op: op, Value: value, Negate: neg}, k, true, nil
}

func readOp(s []rune, j int) (string, int) {
	op := string(s[j])
	j++
	if op == ":" && j < len(s) && (s[j] == '<' || s[j] == '>') {
		op = string(s[j]) // lenient: created:>2026-01-01
		j++
	}
	if op != ":" && j < len(s) && s[j] == '=' {
		op += "="
		j++
	}
	return op, j
}

// readQuoted reads a "..." string starting at s[i] == '"'.
func readQuoted(s []rune, i int) (string, int, error) {
	for j := i + 1; j < len(s); j++ {
		if s[j] == '"' {
			return string(s[i+1 : j]), j + 1, nil
		}
	}
	near := string(s[i:])
	if r := []rune(near); len(r) > 40 {
		near = string(r[:40]) + "…"
	}
	return "", 0, &SyntaxError{Msg: "unbalanced quote", Near: near}
}

func (q *Query) addFilter(f Filter) error {
	switch {
	case f.Field == "type" && f.Op == ":" && !f.Negate:
		t, ok := objectTypes[strings.ToLower(f.Value)]
		if !ok {
			break // e.g. type:question — the store decides
		}
		if q.Type != "" && q.Type != t {
			return &SyntaxError{Msg: "conflicting type: filters", Near: "type:" + f.Value}
		}
		q.Type = t
		return nil
	case f.Field == "order_by":
		if f.Op != ":" || f.Negate {
			return &SyntaxError{Msg: "order_by takes the form order_by:field", Near: "order_by" + f.Op + f.Value}
		}
		q.OrderBy = strings.ToLower(f.Value)
		return nil
	case f.Field == "sort":
		v := strings.ToLower(f.Value)
		if f.Op != ":" || f.Negate || (v != "asc" && v != "desc") {
			return &SyntaxError{Msg: "sort must be sort:asc or sort:desc", Near: "sort" + f.Op + f.Value}
		}
		q.Sort = v
		return nil
	}
	q.Filters = append(q.Filters, f)
	return nil
}

var objectTypes = map[string]string{
	"ticket": "ticket", "tickets": "ticket",
	"user": "user", "users": "user",
	"organization": "organization", "organizations": "organization",
	"org": "organization",
}

func isFieldRune(r rune, first bool) bool {
	if r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' {
		return true
	}
	return !first && (r >= '0' && r <= '9' || r == '_')
}

// foldSyntax maps full-width ASCII, Unicode spaces and typographic quotes
// and minus signs to ASCII so that IME input parses like ASCII input.
func foldSyntax(q string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E: // ！..～ → !..~
			return r - 0xFEE0
		case unicode.IsSpace(r):
			return ' '
		case r == '“' || r == '”' || r == '„' || r == '″':
			return '"'
		case r == '−':
			return '-'
		}
		return r
	}, q)
}
