package search

import (
	"strconv"
	"strings"
)

// FTS5Tokenizer is the tokenize= option for Kizuna's FTS5 tables:
//
//	CREATE VIRTUAL TABLE ticket_fts USING fts5(body, tokenize='ascii')
//
// The ascii tokenizer treats every non-ASCII byte as a token character and
// ASCII non-alphanumerics as separators. Tokens from IndexTokens contain only
// a-z, 0-9 and non-ASCII letters/marks, so each survives as exactly one FTS5
// token, independent of SQLite's Unicode tables (unicode61 knows only Unicode
// 6.1). Keep the default detail=full: phrase queries need positions.
// Adding prefix='1' speeds up one-character (prefix) queries.
const FTS5Tokenizer = "ascii"

// sectionBoundaryFTS5 separates sections in FTS5 documents so that phrases
// cannot span them. It is a private-use character, which IndexTokens never
// emits, so no query can match it.
const sectionBoundaryFTS5 = "\uE000"

// FTS5Document returns the text to store in an FTS5 column created with
// FTS5Tokenizer: the IndexTokens of each section joined by spaces.
func FTS5Document(sections ...string) string {
	var b strings.Builder
	for _, s := range sections {
		toks := IndexTokens(s)
		if len(toks) == 0 {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(" " + sectionBoundaryFTS5 + " ")
		}
		b.WriteString(strings.Join(toks, " "))
	}
	return b.String()
}

// Section is one weighted part of a document (e.g. subject 'A', body 'D').
type Section struct {
	Text   string
	Weight byte // 'A'..'D'; anything else means 'D'
}

const (
	maxTSPosition = 16383 // PostgreSQL's largest tsvector position
	// maxTSVectorBytes keeps the stored tsvector well below PostgreSQL's 1MB
	// limit; its binary form is at most ~1.5x this literal.
	maxTSVectorBytes = 600_000
)

// TSVector returns a literal for $1::tsvector (not to_tsvector): each token as
// 'tok':pos<weight>. Positions are consecutive within a section, so <->
// phrases work, with one unused position between sections so phrases do not
// cross them. Positions past 16383 are clamped (phrase matching degrades
// there, as in to_tsvector); text beyond ~600KB of literal is not indexed.
func TSVector(sections ...Section) string {
	var b strings.Builder
	pos := 1
	for _, s := range sections {
		toks := IndexTokens(s.Text)
		if len(toks) == 0 {
			continue
		}
		w := s.Weight
		if w >= 'a' && w <= 'd' {
			w -= 'a' - 'A'
		}
		if w < 'A' || w > 'D' {
			w = 'D'
		}
		if b.Len() > 0 {
			pos++
		}
		for _, t := range toks {
			if b.Len() > maxTSVectorBytes {
				return b.String()
			}
			if b.Len() > 0 {
				b.WriteByte(' ')
			}
			b.WriteString(quoteLexeme(t))
			b.WriteByte(':')
			b.WriteString(strconv.Itoa(min(pos, maxTSPosition)))
			b.WriteByte(w)
			pos++
		}
	}
	return b.String()
}
