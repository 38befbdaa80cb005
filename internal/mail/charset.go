package mail

import (
	"bytes"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/encoding/japanese"
)

// japaneseAliases maps labels Japanese mailers use that the WHATWG and IANA
// tables do not know (or know as a narrower set) to the encoding that reads
// them right. x/text's ShiftJIS is the WHATWG one, i.e. Windows-31J with the
// NEC and IBM rows, and its ISO2022JP and EUCJP decoders use the same
// jis0208 index, so ①, ㈱ and 髙 survive in every Japanese charset.
var japaneseAliases = map[string]encoding.Encoding{
	"cp932": japanese.ShiftJIS, "ms932": japanese.ShiftJIS, "sjis-open": japanese.ShiftJIS, "sjis-win": japanese.ShiftJIS,
	"shift_jisx0213": japanese.ShiftJIS, "shift_jis-2004": japanese.ShiftJIS, "x-ms-cp932": japanese.ShiftJIS,
	"iso-2022-jp-1": japanese.ISO2022JP, "iso-2022-jp-2": japanese.ISO2022JP, "iso-2022-jp-3": japanese.ISO2022JP,
	"iso-2022-jp-ext": japanese.ISO2022JP, "iso-2022-jp-ms": japanese.ISO2022JP, "cp50220": japanese.ISO2022JP,
	"cp50221": japanese.ISO2022JP, "cp50222": japanese.ISO2022JP, "iso-2022-jp-2004": japanese.ISO2022JP,
	"eucjp-ms": japanese.EUCJP, "euc-jis-2004": japanese.EUCJP, "cp51932": japanese.EUCJP, "x-euc-jp": japanese.EUCJP,
	"eucjp": japanese.EUCJP, "eucjp-open": japanese.EUCJP,
}

// lookupCharset returns the decoder for a MIME charset label, nil for UTF-8
// and ASCII (read as UTF-8), ok=false when the label is unknown.
func lookupCharset(label string) (enc encoding.Encoding, ok bool) {
	l := strings.ToLower(strings.Trim(strings.TrimSpace(label), `"'`))
	switch l {
	case "", "utf-8", "utf8", "us-ascii", "ascii", "ansi_x3.4-1968", "unicode-1-1-utf-8", "x-unknown-8bit":
		return nil, true
	}
	if e, found := japaneseAliases[l]; found {
		return e, true
	}
	if e, err := htmlindex.Get(l); err == nil && e != nil {
		if n, _ := htmlindex.Name(e); n == "utf-8" {
			return nil, true
		}
		return e, true
	}
	if e, err := ianaindex.MIME.Encoding(l); err == nil && e != nil {
		return e, true
	}
	return nil, false
}

func isISO2022JP(e encoding.Encoding) bool { return e == japanese.ISO2022JP }

// decodeCharset turns body or header bytes labelled with charset into UTF-8.
// It never fails: an unknown or lying label gives the best-effort reading
// and a warning a person can read.
func decodeCharset(b []byte, label string) (string, string) {
	enc, known := lookupCharset(label)
	if !known {
		s, guess := sniffDecode(b)
		return s, "unknown charset " + cleanLabel(label) + "; shown as best-effort " + guess + " / 不明な文字コード " +
			cleanLabel(label) + " のため " + guess + " として表示しています"
	}
	ascii := isASCII(b)
	switch {
	case enc == nil && utf8.Valid(b):
		return string(b), ""
	case enc == nil:
		// Declared UTF-8 or ASCII but it is not: a mailer sent its native
		// charset unlabelled, or the UTF-8 was damaged on the way.
		s, guess := sniffDecode(b)
		if guess == "UTF-8" {
			return s, partlyUnreadable(label)
		}
		return s, mislabel(label, guess)
	case isISO2022JP(enc) && !ascii:
		// ISO-2022-JP is 7-bit; high bytes mean the label lies, or that
		// a few bytes were damaged on the way.
		s, guess := sniffDecode(b)
		if guess == "ISO-2022-JP" {
			return s, partlyUnreadable(label)
		}
		return s, mislabel(label, guess)
	}
	s, err := enc.NewDecoder().Bytes(b)
	if err == nil && (!bytes.ContainsRune(s, utf8.RuneError) || bytes.ContainsRune(b, utf8.RuneError)) {
		return string(s), ""
	}
	// The declared charset could not read it all: try the usual suspects.
	if alt, guess := sniffDecode(b); strings.Count(alt, "\uFFFD") < bytes.Count(s, []byte("\uFFFD")) || err != nil {
		return alt, mislabel(label, guess)
	}
	return string(s), partlyUnreadable(label)
}

func partlyUnreadable(label string) string {
	name := cleanLabel(label)
	if strings.TrimSpace(label) == "" {
		name = "UTF-8"
	}
	return "some characters could not be read as " + name + " / 一部の文字を " + name + " として読めませんでした"
}

func mislabel(label, guess string) string {
	return "declared charset " + cleanLabel(label) + " does not match the text; shown as " + guess +
		" / 文字コード " + cleanLabel(label) + " の表示と内容が一致しないため " + guess + " として表示しています"
}

func cleanLabel(l string) string {
	l = strings.TrimSpace(l)
	if l == "" {
		return "(none)"
	}
	if len(l) > 40 {
		l = l[:40]
	}
	return strings.ToValidUTF8(l, "?")
}

func isASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// sniffDecode reads unlabelled bytes: ISO-2022-JP by its escapes, UTF-8 when
// valid, else Windows-31J or EUC-JP, whichever reads more cleanly.
func sniffDecode(b []byte) (string, string) {
	var jis []byte // ISO-2022-JP's reading, when the text has its escapes
	if bytes.Contains(b, []byte("\x1b$B")) || bytes.Contains(b, []byte("\x1b$@")) || bytes.Contains(b, []byte("\x1b(I")) ||
		bytes.Contains(b, []byte("\x1b(J")) {
		jis, _ = japanese.ISO2022JP.NewDecoder().Bytes(b)
		if isASCII(b) {
			return string(jis), "ISO-2022-JP"
		}
	}
	if utf8.Valid(b) {
		return string(b), "UTF-8"
	}
	if mostlyUTF8(b) {
		return strings.ToValidUTF8(string(b), "\uFFFD"), "UTF-8"
	}
	sj, _ := japanese.ShiftJIS.NewDecoder().Bytes(b)
	eu, _ := japanese.EUCJP.NewDecoder().Bytes(b)
	// What a reading could not decode; an escape left in the text is an
	// ISO-2022-JP shift the reading did not understand.
	bad := func(s []byte) int { return bytes.Count(s, []byte("\uFFFD")) + bytes.Count(s, []byte("\x1b")) }
	if jis != nil && bad(jis) < min(bad(sj), bad(eu)) {
		// ISO-2022-JP with a few stray 8-bit bytes (a relay's damage):
		// the rest still reads.
		return string(jis), "ISO-2022-JP"
	}
	// Bytes 0x80–0xA0 (other than EUC-JP's 0x8E/0x8F single shifts) only
	// occur as Shift_JIS lead bytes: hiragana and katakana start with 0x82/0x83.
	sjisLead := false
	for _, c := range b {
		if c >= 0x80 && c <= 0xA0 && c != 0x8E && c != 0x8F {
			sjisLead = true
			break
		}
	}
	if bad(eu) < bad(sj) || (bad(eu) == bad(sj) && !sjisLead) {
		return string(eu), "EUC-JP"
	}
	return string(sj), "Windows-31J"
}

// mostlyUTF8 reports UTF-8 with a little damage (a character cut off, a
// stray byte): at most a quarter of its non-ASCII bytes fail to decode.
// Read as Shift_JIS it would be garbage throughout. Shift_JIS and EUC-JP
// text almost never decodes as UTF-8: their bytes 0x80–0xBF are UTF-8's
// continuation bytes, invalid where a character should start.
func mostlyUTF8(b []byte) bool {
	bad, high := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			bad++
		}
		high += n
		i += n
	}
	return high > 0 && bad*4 <= high
}
