package search

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Fast paths for indexing. Every ticket write and every seeded or imported
// ticket tokenizes its whole conversation, so IndexTokens is hot; these
// produce exactly what Normalize and segment+appendRunTokens produce (see
// tokenize_fast_test.go) with far less work for the common case: Japanese
// and English text that is already normalised.

// normalizeFast returns Normalize(s) when s holds only characters that NFKC
// and case folding leave alone (bar ASCII capitals, which just lower-case);
// ok is false when the full normalisation is needed.
func normalizeFast(s string) (n string, ok bool) {
	upper := false
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if 'A' <= c && c <= 'Z' {
				upper = true
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !stableRune(r) {
			return "", false
		}
		i += size
	}
	if upper {
		return asciiLower(s), true
	}
	return s, true
}

// stableRune reports characters that NFKC and case folding map to
// themselves and that never compose with a neighbour from this set: kana,
// CJK ideographs and common Japanese punctuation. Verified exhaustively by
// TestStableRunes.
func stableRune(r rune) bool {
	switch {
	case r >= 0x4E00 && r <= 0x9FFF, // CJK Unified Ideographs
		r >= 0x3400 && r <= 0x4DBF, // Extension A
		r >= 0x3041 && r <= 0x3096, // Hiragana (not the combining marks 3099/309A)
		r >= 0x30A1 && r <= 0x30FE, // Katakana, ・, ー, ヽ, ヾ (not ヿ)
		r >= 0x3001 && r <= 0x3003, // 、。〃
		r >= 0x3005 && r <= 0x3007, // 々〆〇
		r >= 0x3008 && r <= 0x3011, // 〈〉《》「」『』【】
		r >= 0x3014 && r <= 0x301C: // 〔〕〖〗〘〙〚〛〜
		return true
	}
	return false
}

func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'A' <= c && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// span is a character (with its trailing marks) inside the normalised text.
type span struct{ start, end int }

// appendIndexTokens appends the tokens of the normalised text s, exactly as
// segment and appendRunTokens would, but slicing tokens out of s instead of
// building a string per character. ok is false for the one shape it does
// not handle (a combining mark separated from its CJK character by an
// ignorable one); the caller then takes the general path.
func appendIndexTokens(out []string, s string) (_ []string, ok bool) {
	if out == nil {
		out = make([]string, 0, len(s)/3+4) // about one token per kana or kanji
	}
	units := make([]span, 0, 32) // the CJK run being read
	wordStart, wordEnd := -1, -1
	wordDirty := false // an ignorable character sits inside the word
	flush := func() {
		if wordStart >= 0 {
			w := s[wordStart:wordEnd]
			if wordDirty {
				w = strings.Map(func(r rune) rune {
					if isIgnorable(r) {
						return -1
					}
					return r
				}, w)
			}
			out = append(out, truncate(w))
			wordStart, wordDirty = -1, false
		}
		if len(units) > 0 {
			for i := 0; i+1 < len(units); i++ {
				a, b := units[i], units[i+1]
				if a.end == b.start {
					out = append(out, truncate(s[a.start:b.end]))
				} else { // an ignorable character between them
					out = append(out, truncate(s[a.start:a.end]+s[b.start:b.end]))
				}
			}
			last := units[len(units)-1]
			out = append(out, truncate(s[last.start:last.end]))
			units = units[:0]
		}
	}
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf { // ASCII: letters and digits make words, the rest separates
			if 'a' <= c && c <= 'z' || '0' <= c && c <= '9' || 'A' <= c && c <= 'Z' {
				if len(units) > 0 {
					flush()
				}
				if wordStart < 0 {
					wordStart = i
				}
				wordEnd = i + 1
			} else {
				flush()
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case isKanaOrKanji(r):
			if wordStart >= 0 {
				flush()
			}
			units = append(units, span{i, i + size})
		case isIgnorable(r):
			if wordStart >= 0 {
				wordDirty = true
			}
		case unicode.IsMark(r):
			// Marks extend the preceding character; stray ones are dropped.
			switch {
			case wordStart >= 0:
				if wordEnd != i {
					wordDirty = true
				}
				wordEnd = i + size
			case len(units) > 0:
				if units[len(units)-1].end != i {
					return nil, false
				}
				units[len(units)-1].end = i + size
			}
		case isCJK(r):
			if wordStart >= 0 {
				flush()
			}
			units = append(units, span{i, i + size})
		case unicode.IsLetter(r) || unicode.IsNumber(r):
			if len(units) > 0 {
				flush()
			}
			if wordStart >= 0 && wordEnd != i {
				wordDirty = true // ignorables were skipped since the word's last character
			}
			if wordStart < 0 {
				wordStart = i
			}
			wordEnd = i + size
		default:
			flush()
		}
		i += size
	}
	flush()
	if len(out) == 0 {
		return nil, true // as the general path returns for no tokens
	}
	return out, true
}

// isKanaOrKanji is isCJK's answer for the most common ranges, without the
// script table lookups (checked against isCJK by TestKanaOrKanji).
func isKanaOrKanji(r rune) bool {
	return r >= 0x4E00 && r <= 0x9FFF || r >= 0x3041 && r <= 0x3096 || r >= 0x30A1 && r <= 0x30FA || r == 0x30FC
}
