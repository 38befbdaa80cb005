package mail

import (
	"bytes"
	"encoding/base64"
	"strings"
)

// header is an entity's header fields in order, names lower-cased, values
// raw (unfolded, not yet decoded).
type header []field

type field struct{ name, value string }

func (h header) get(name string) string {
	for _, f := range h {
		if f.name == name {
			return f.value
		}
	}
	return ""
}

func (h header) has(name string) bool {
	for _, f := range h {
		if f.name == name {
			return true
		}
	}
	return false
}

// splitEntity separates the header block from the body. It accepts CRLF or
// bare LF, and a message with no blank line is all header.
func splitEntity(raw []byte) (header, []byte) {
	var h header
	rest := raw
	for len(rest) > 0 {
		line, next, _ := bytes.Cut(rest, []byte("\n"))
		line = bytes.TrimSuffix(line, []byte("\r"))
		if len(line) == 0 {
			return h, next
		}
		if (line[0] == ' ' || line[0] == '\t') && len(h) > 0 {
			// Folded continuation: unfold by dropping the line break only.
			h[len(h)-1].value += string(line)
		} else if name, val, ok := bytes.Cut(line, []byte(":")); ok && len(name) > 0 && !bytes.ContainsAny(name, " \t") {
			h = append(h, field{strings.ToLower(string(name)), string(bytes.TrimLeft(val, " \t"))})
		} else if len(h) == 0 && !bytes.Contains(line, []byte(":")) {
			// Not a header at all (e.g. a body with no headers).
			return h, rest
		}
		rest = next
	}
	return h, nil
}

// decodeHeader turns a raw header value into text: RFC 2047 encoded words
// (B and Q; adjacent words of one charset joined before decoding so a
// character split across words survives), and raw 8-bit or ISO-2022-JP
// text sent without encoding.
func decodeHeader(v string) (string, []string) {
	var (
		out      strings.Builder
		warns    []string
		pending  []byte // bytes of adjacent encoded words not yet decoded
		pendCS   string
		lastWord bool
	)
	flush := func() {
		if pending != nil {
			s, w := decodeCharset(pending, pendCS)
			out.WriteString(s)
			if w != "" {
				warns = append(warns, w)
			}
			pending, pendCS = nil, ""
		}
	}
	plain := func(s string) {
		if s == "" {
			return
		}
		flush()
		t, w := decodeRaw(s)
		out.WriteString(t)
		if w != "" {
			warns = append(warns, w)
		}
		lastWord = false
	}
	i := 0
	for i < len(v) {
		j := strings.Index(v[i:], "=?")
		if j < 0 {
			plain(v[i:])
			break
		}
		cs, enc, text, n, ok := encodedWord(v[i+j:])
		if ok && enc == "B" && !isBase64Text(text) {
			// Not base64 at all ("=?UTF-8?B?!!!?="): decoding around the
			// junk would show garbage read in some charset. Shown as
			// written, as RFC 2047 asks of a word that cannot be decoded.
			plain(v[i : i+j+n])
			i += j + n
			continue
		}
		if !ok {
			plain(v[i : i+j+2])
			i += j + 2
			continue
		}
		before := v[i : i+j]
		if !lastWord || strings.Trim(before, " \t\r\n") != "" {
			plain(before) // whitespace between encoded words is not text
		}
		b := decodeWord(enc, text)
		csl := strings.ToLower(cs)
		if pending != nil && csl != pendCS {
			flush()
		}
		if pending == nil {
			pendCS = csl
			pending = []byte{}
		}
		pending = append(pending, b...)
		lastWord = true
		i += j + n
	}
	flush()
	return strings.TrimSpace(out.String()), warns
}

// encodedWord parses "=?charset?X?text?=" at the start of s.
func encodedWord(s string) (cs, enc, text string, n int, ok bool) {
	parts := strings.SplitN(s[2:], "?", 3)
	if len(parts) < 3 || len(parts[1]) != 1 || parts[0] == "" || strings.ContainsAny(parts[0], " \t") {
		return
	}
	end := strings.Index(parts[2], "?=")
	if end < 0 || strings.ContainsAny(parts[2][:end], " \t") {
		return
	}
	cs, _, _ = strings.Cut(parts[0], "*") // RFC 2231 language suffix
	return cs, strings.ToUpper(parts[1]), parts[2][:end], 2 + len(parts[0]) + 1 + 1 + 1 + end + 2, true
}

// isBase64Text reports whether s holds only base64's alphabet and padding.
func isBase64Text(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/' || c == '=') {
			return false
		}
	}
	return true
}

func decodeWord(enc, text string) []byte {
	if enc == "B" {
		return lenientBase64([]byte(text))
	}
	if enc != "Q" {
		return []byte(text)
	}
	var b []byte
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '_':
			b = append(b, ' ')
		case c == '=' && i+2 < len(text) && isHex(text[i+1]) && isHex(text[i+2]):
			b = append(b, unhex(text[i+1])<<4|unhex(text[i+2]))
			i += 2
		default:
			b = append(b, c)
		}
	}
	return b
}

// decodeRaw reads header text that was not encoded: UTF-8, or a Japanese
// mailer's raw Shift_JIS/EUC-JP/ISO-2022-JP.
func decodeRaw(s string) (string, string) {
	b := []byte(s)
	if isASCII(b) && !strings.Contains(s, "\x1b") {
		return s, ""
	}
	t, guess := sniffDecode(b)
	if guess == "UTF-8" || guess == "ISO-2022-JP" {
		return t, ""
	}
	return t, "header sent without encoding; read as " + guess + " / エンコードされていないヘッダーを " + guess + " として読みました"
}

// lenientBase64 decodes base64 ignoring whitespace, junk and bad padding,
// as mail clients do; padding inside the data (chunks joined by a sloppy
// mailer) starts a new run.
func lenientBase64(in []byte) []byte {
	out := make([]byte, 0, len(in)*3/4+3)
	run := make([]byte, 0, 76)
	flush := func() {
		run = run[:len(run)/4*4+len(run)%4*boolInt(len(run)%4 > 1)]
		buf := make([]byte, base64.RawStdEncoding.DecodedLen(len(run)))
		n, _ := base64.RawStdEncoding.Decode(buf, run)
		out = append(out, buf[:n]...)
		run = run[:0]
	}
	for _, c := range in {
		switch {
		case c >= 'A' && c <= 'Z' || c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '+' || c == '/':
			run = append(run, c)
		case c == '=':
			if len(run) > 0 {
				flush()
			}
		}
	}
	flush()
	return out
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

func isHex(c byte) bool { return c >= '0' && c <= '9' || c >= 'a' && c <= 'f' || c >= 'A' && c <= 'F' }

func unhex(c byte) byte {
	switch {
	case c >= 'a':
		return c - 'a' + 10
	case c >= 'A':
		return c - 'A' + 10
	}
	return c - '0'
}

// Address is a mailbox: display name and lower-cased address.
type Address struct {
	Name    string
	Address string
}

// parseAddressList reads a To/From/Cc value leniently: display names are
// decoded as headers (encoded words, raw 8-bit), commas inside quotes or
// angle brackets do not split, and a group's name is skipped.
func parseAddressList(v string) ([]Address, []string) {
	var (
		list  []Address
		warns []string
	)
	for _, part := range splitAddresses(v) {
		part = strings.TrimSpace(part)
		if i := strings.Index(part, ":"); i >= 0 && !strings.ContainsAny(part[:i], "<@\"") {
			part = strings.TrimSpace(part[i+1:]) // "group: a@b, c@d;"
		}
		part = strings.TrimSpace(strings.TrimSuffix(part, ";"))
		if part == "" {
			continue
		}
		var a Address
		if lt := strings.LastIndex(part, "<"); lt >= 0 {
			gt := strings.Index(part[lt:], ">")
			if gt < 0 {
				gt = len(part) - lt
			}
			a.Address = part[lt+1 : lt+gt]
			a.Name = strings.TrimSpace(part[:lt])
		} else {
			name := ""
			if o := strings.Index(part, "("); o >= 0 {
				if c := strings.LastIndex(part, ")"); c > o {
					name = part[o+1 : c]
					part = part[:o] + part[c+1:]
				}
			}
			a.Address, a.Name = strings.TrimSpace(part), name
		}
		a.Address = strings.ToLower(strings.Trim(strings.TrimSpace(a.Address), `"'`))
		if i := strings.LastIndex(a.Address, ":"); i >= 0 {
			a.Address = a.Address[i+1:] // source route "@a,@b:x@y"
		}
		if a.Name != "" {
			name, w := decodeHeader(a.Name)
			warns = append(warns, w...)
			if len(name) >= 2 && name[0] == '"' && name[len(name)-1] == '"' {
				name = strings.ReplaceAll(strings.ReplaceAll(name[1:len(name)-1], `\"`, `"`), `\\`, `\`)
			}
			a.Name = strings.TrimSpace(name)
		}
		if !strings.Contains(a.Address, "@") {
			continue
		}
		list = append(list, a)
	}
	return list, warns
}

func splitAddresses(v string) []string {
	var (
		parts           []string
		quote           bool
		angle, paren, s int
	)
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c == '\\' && quote:
			i++
		case c == '"':
			quote = !quote
		case quote:
		case c == '<':
			angle++
		case c == '>' && angle > 0:
			angle--
		case c == '(':
			paren++
		case c == ')' && paren > 0:
			paren--
		case c == ',' && angle == 0 && paren == 0:
			parts = append(parts, v[s:i])
			s = i + 1
		}
	}
	return append(parts, v[s:])
}

// msgIDs extracts Message-IDs without angle brackets.
func msgIDs(v string) []string {
	var ids []string
	for {
		lt := strings.Index(v, "<")
		if lt < 0 {
			break
		}
		gt := strings.Index(v[lt:], ">")
		if gt < 0 {
			break
		}
		if id := strings.TrimSpace(v[lt+1 : lt+gt]); id != "" && !strings.ContainsAny(id, " \t") {
			ids = append(ids, id)
		}
		v = v[lt+gt+1:]
	}
	if len(ids) == 0 {
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") {
				ids = append(ids, strings.Trim(f, "<>,"))
			}
		}
	}
	return ids
}
