package search

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/cases"
	"golang.org/x/text/unicode/norm"
)

// maxTokenBytes bounds token length (PostgreSQL rejects lexemes over 2046
// bytes). Index and query truncate identically, so matching is unaffected.
const maxTokenBytes = 200

// Normalize applies NFKC and Unicode case folding, so that ｶﾀｶﾅ, ﾎﾟｲﾝﾄ and
// ＡＢＣ compare equal to カタカナ, ポイント and abc. NFKC is applied again
// after folding because folding can produce unnormalised sequences.
func Normalize(s string) string {
	if n, ok := normalizeFast(s); ok {
		return n
	}
	return normalizeSlow(s)
}

func normalizeSlow(s string) string {
	// A cases.Caser is stateful, so make one per call.
	return norm.NFKC.String(cases.Fold().String(norm.NFKC.String(s)))
}

// run is a maximal stretch of token characters of one kind.
type run struct {
	cjk   bool
	word  string   // !cjk: the whole word
	units []string // cjk: characters, each with its trailing combining marks
}

// IndexTokens returns the tokens to index for s, in order:
//
//   - Words: maximal runs of letters, digits and combining marks outside the
//     scripts below ("iphone15" is one word). Everything else separates, so
//     "don't" → don, t and "foo@example.com" → foo, example, com (queries are
//     split the same way and matched as phrases).
//   - Runs of Han, Hiragana, Katakana (incl. ー), Hangul, Thai, Lao, Khmer,
//     Myanmar, Yi and Bopomofo: overlapping bigrams, then the run's last
//     character as a unigram ("配送状況" → 配送 送状 状況 況). Every character
//     thus starts some token, so a one-character query is a prefix query.
//
// Tokens contain only letters, digits and marks: never spaces, quotes or
// ASCII punctuation. Variation selectors and zero-width characters are
// dropped without splitting.
func IndexTokens(s string) []string {
	n := Normalize(s)
	if out, ok := appendIndexTokens(nil, n); ok {
		return out
	}
	var out []string
	for _, r := range segment(n) {
		out = appendRunTokens(out, r, false)
	}
	return out
}

// appendRunTokens appends r's tokens. With queryTail set, a CJK run's trailing
// unigram is omitted (its bigrams already pin the position); see queryTokens.
func appendRunTokens(out []string, r run, queryTail bool) []string {
	if !r.cjk {
		return append(out, truncate(r.word))
	}
	for i := 0; i+1 < len(r.units); i++ {
		out = append(out, truncate(r.units[i]+r.units[i+1]))
	}
	if !queryTail || len(r.units) == 1 {
		out = append(out, truncate(r.units[len(r.units)-1]))
	}
	return out
}

// segment splits normalised text into runs.
func segment(s string) []run {
	var runs []run
	var word strings.Builder
	var units []string
	inWord, inCJK := false, false
	flush := func() {
		if inWord {
			runs = append(runs, run{word: word.String()})
			word.Reset()
		}
		if inCJK {
			runs = append(runs, run{cjk: true, units: units})
			units = nil
		}
		inWord, inCJK = false, false
	}
	for _, r := range s {
		switch {
		case isIgnorable(r):
			continue
		case unicode.IsMark(r):
			// Marks extend the preceding character; stray ones are dropped.
			if inWord {
				word.WriteRune(r)
			} else if inCJK {
				units[len(units)-1] += string(r)
			}
		case isCJK(r):
			if inWord {
				flush()
			}
			inCJK = true
			units = append(units, string(r))
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if inCJK {
				flush()
			}
			inWord = true
			word.WriteRune(r)
		default:
			flush()
		}
	}
	flush()
	return runs
}

// cjkScripts are written without spaces between words (Hangul is included
// because particles attach to words, so substring matching helps there too).
var cjkScripts = []*unicode.RangeTable{
	unicode.Han, unicode.Hiragana, unicode.Katakana, unicode.Hangul,
	unicode.Bopomofo, unicode.Thai, unicode.Lao, unicode.Khmer,
	unicode.Myanmar, unicode.Yi,
}

func isCJK(r rune) bool {
	if r < 0x0E00 || !(unicode.IsLetter(r) || unicode.IsNumber(r)) {
		return false
	}
	// ー, 〆 and friends are script Common but belong to Japanese words.
	if (r >= 0x3000 && r <= 0x30FF) || (r >= 0x31F0 && r <= 0x31FF) {
		return true
	}
	return unicode.In(r, cjkScripts...)
}

// isIgnorable reports characters that should vanish without splitting a word:
// variation selectors (IVS in kanji), soft hyphen, zero-width (non-)joiners.
func isIgnorable(r rune) bool {
	switch r {
	case 0x00AD, 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF:
		return true
	}
	return unicode.Is(unicode.Variation_Selector, r)
}

func truncate(tok string) string {
	if len(tok) <= maxTokenBytes {
		return tok
	}
	cut := maxTokenBytes
	for cut > 0 && !utf8.RuneStart(tok[cut]) {
		cut--
	}
	return tok[:cut]
}
