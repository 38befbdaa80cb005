package outbound

import (
	"bytes"
	"encoding/base64"
	"mime"
	"net/mail"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding/japanese"
)

// charsets chooses how text is encoded. Every mail is UTF-8 unless the
// inbox asks for ISO-2022-JP for legacy recipients; then each header word
// and body part is ISO-2022-JP when it can be, and UTF-8 when it holds a
// character JIS X 0208 lacks (emoji, many symbols), so nothing is lost.
type charsets struct{ legacy bool }

// iso2022jp encodes s as RFC 1468 ISO-2022-JP, reporting false when s has
// a character it cannot represent. The encoder also emits vendor extensions
// (half-width kana as ESC ( I, NEC and IBM rows such as ① ㈱ 髙) that many
// receivers cannot read, so those count as unrepresentable too.
func iso2022jp(s string) ([]byte, bool) {
	out, err := japanese.ISO2022JP.NewEncoder().Bytes([]byte(s))
	if err != nil {
		return nil, false
	}
	return out, strictJIS(out)
}

// strictJIS reports whether b uses only ASCII, JIS X 0201 Roman and the
// rows of JIS X 0208 (1–8, 16–84).
func strictJIS(b []byte) bool {
	twoByte := false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == 0x1b && i+2 < len(b):
			seq := string(b[i+1 : i+3])
			switch seq {
			case "$B", "$@":
				twoByte = true
			case "(B", "(J":
				twoByte = false
			default:
				return false
			}
			i += 2
		case twoByte && b[i] != '\r' && b[i] != '\n':
			if row := int(b[i]) - 0x20; row < 1 || row > 84 || (row > 8 && row < 16) {
				return false
			}
			i++
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// word encodes header text as RFC 2047 encoded words where needed.
func (c charsets) word(s string) string {
	if isASCII(s) {
		return s
	}
	if c.legacy {
		if w, ok := isoWords(s); ok {
			return w
		}
	}
	return mime.BEncoding.Encode("UTF-8", s)
}

// isoWords splits s into ISO-2022-JP encoded words of at most 75
// characters, each starting and ending in ASCII mode as RFC 1468 requires
// (the encoder closes every chunk with ESC ( B).
func isoWords(s string) (string, bool) {
	const maxRaw = 42 // 56 base64 characters + "=?ISO-2022-JP?B?" + "?=" ≤ 75
	var words []string
	var chunk []rune
	flush := func() bool {
		if len(chunk) == 0 {
			return true
		}
		b, ok := iso2022jp(string(chunk))
		if !ok {
			return false
		}
		words = append(words, "=?ISO-2022-JP?B?"+base64.StdEncoding.EncodeToString(b)+"?=")
		chunk = chunk[:0]
		return true
	}
	for _, r := range s {
		b, ok := iso2022jp(string(append(chunk, r)))
		if !ok {
			return "", false
		}
		if len(b) > maxRaw {
			if !flush() {
				return "", false
			}
		}
		chunk = append(chunk, r)
	}
	if !flush() {
		return "", false
	}
	return strings.Join(words, " "), true
}

// address formats a display name and address for a header.
func (c charsets) address(name, addr string) string {
	name = strings.TrimSpace(strings.NewReplacer("\r", " ", "\n", " ").Replace(name))
	if name == "" {
		return "<" + addr + ">"
	}
	if isASCII(name) {
		return (&mail.Address{Name: name, Address: addr}).String()
	}
	return c.word(name) + " <" + addr + ">"
}

// body encodes a text part: its charset, transfer encoding and bytes.
// Line ends become CRLF, the canonical form of text in mail.
func (c charsets) body(s string) (charset, cte string, data []byte) {
	s = strings.ReplaceAll(strings.ReplaceAll(s, "\r\n", "\n"), "\n", "\r\n")
	if c.legacy {
		if b, ok := iso2022jp(s); ok {
			if maxLine(b) <= 998 {
				return "ISO-2022-JP", "7bit", b
			}
			return "ISO-2022-JP", "base64", base64Lines(b)
		}
	}
	return "UTF-8", "base64", base64Lines([]byte(s))
}

func maxLine(b []byte) int {
	m := 0
	for _, l := range bytes.Split(b, []byte("\r\n")) {
		m = max(m, len(l))
	}
	return m
}

// base64Lines encodes b in lines of 76 characters.
func base64Lines(b []byte) []byte {
	enc := base64.StdEncoding.EncodeToString(b)
	var out bytes.Buffer
	for len(enc) > 76 {
		out.WriteString(enc[:76])
		out.WriteString("\r\n")
		enc = enc[76:]
	}
	out.WriteString(enc)
	out.WriteString("\r\n")
	return out.Bytes()
}

// writeHeader writes "Name: value" folded at spaces to keep lines short.
// Folding only turns a space into CRLF + space, which unfolds back to the
// same value (and between encoded words it is ignored, as RFC 2047 says).
func writeHeader(b *bytes.Buffer, name, value string) {
	value = strings.NewReplacer("\r", "", "\n", "").Replace(value)
	line := name + ":"
	for i, tok := range strings.Split(value, " ") {
		if i > 0 && len(line)+1+len(tok) > 76 && strings.TrimSpace(line) != "" {
			b.WriteString(line)
			b.WriteString("\r\n")
			line = ""
		}
		line += " " + tok
	}
	b.WriteString(line)
	b.WriteString("\r\n")
}
