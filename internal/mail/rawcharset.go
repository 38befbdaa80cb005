package mail

import (
	"bytes"
	"regexp"
	"strings"
	"unicode/utf8"
)

var charsetParam = regexp.MustCompile(`(?i)charset\s*=\s*"?([a-z0-9_\-:.]{1,40})`)

// RawCharset names the charset to show a raw mail's bytes in as text: the
// first charset the mail declares (its headers are ASCII, its text parts
// are in that charset, e.g. ISO-2022-JP), else UTF-8, or ISO-8859-1 for
// bytes that are not UTF-8. The bytes themselves are never transcoded.
func RawCharset(raw []byte) string {
	if m := charsetParam.FindSubmatch(raw); m != nil {
		return strings.ToLower(string(m[1]))
	}
	if bytes.IndexFunc(raw, func(r rune) bool { return r >= 0x80 }) < 0 {
		return "utf-8"
	}
	// raw may be the head of a mail, cut inside its last character.
	i := len(raw) - 1
	for i > 0 && len(raw)-i < utf8.UTFMax && !utf8.RuneStart(raw[i]) {
		i--
	}
	if !utf8.FullRune(raw[i:]) {
		raw = raw[:i]
	}
	if utf8.Valid(raw) {
		return "utf-8"
	}
	return "iso-8859-1"
}
