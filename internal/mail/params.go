package mail

import (
	"fmt"
	"mime"
	"strings"
)

// parseMediaType reads a Content-Type or Content-Disposition, falling back to
// a loose reading when mime.ParseMediaType rejects it.
func parseMediaType(v string) (string, map[string]string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return "", map[string]string{}
	}
	mt, params, err := mime.ParseMediaType(v)
	if err == nil {
		return mt, params
	}
	parts := splitParams(v)
	mt = strings.ToLower(strings.TrimSpace(parts[0]))
	params = map[string]string{}
	for _, kv := range parts[1:] {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		val = strings.Trim(strings.TrimSpace(val), `"`)
		if _, dup := params[k]; !dup {
			params[k] = val
		}
	}
	if strings.Contains(mt, " ") || !strings.Contains(mt, "/") && mt != "inline" && mt != "attachment" {
		return "", params
	}
	return mt, params
}

// fileName takes the disposition's filename, else the type's name; either
// may be RFC 2231 (any charset, continuations), RFC 2047 encoded words or
// raw 8-bit.
func fileName(h header, dparams, params map[string]string) string {
	name := dparams["filename"]
	if name == "" {
		name = rfc2231Param(h.get("content-disposition"), "filename")
	}
	if name == "" {
		name = params["name"]
	}
	if name == "" {
		name = rfc2231Param(h.get("content-type"), "name")
	}
	if name == "" {
		return ""
	}
	s, _ := decodeHeader(name)
	return safeFileName(s)
}

// safeFileName is a decoded name fit to save a file under: no control
// characters or path separators, valid UTF-8, no surrounding spaces.
func safeFileName(s string) string {
	s = strings.Map(func(r rune) rune {
		if r < 0x20 || r == '/' || r == '\\' || r == 0x7f {
			return '_'
		}
		return r
	}, s)
	return strings.TrimSpace(strings.ToValidUTF8(s, "_"))
}

// rfc2231Param reassembles key*=charset'lang'%XX and key*0*=, key*1=…
// continuations itself, because mime.ParseMediaType drops values in
// charsets other than UTF-8 (Shift_JIS, ISO-2022-JP file names).
func rfc2231Param(v, key string) string {
	pieces := map[string]string{}
	for _, kv := range splitParams(v) {
		k, val, ok := strings.Cut(kv, "=")
		if !ok {
			continue
		}
		k = strings.ToLower(strings.TrimSpace(k))
		if strings.HasPrefix(k, key+"*") {
			pieces[k[len(key):]] = strings.Trim(strings.TrimSpace(val), `"`)
		}
	}
	var (
		raw     []byte
		charset string
	)
	if single, ok := pieces["*"]; ok {
		charset, raw = extValue(single)
	} else {
		for n := 0; n < 1000; n++ {
			if p, ok := pieces[fmt.Sprintf("*%d", n)]; ok {
				raw = append(raw, p...)
			} else if p, ok := pieces[fmt.Sprintf("*%d*", n)]; ok {
				if n == 0 {
					charset, raw = extValue(p)
				} else {
					raw = append(raw, pctDecode(p)...)
				}
			} else {
				break
			}
		}
	}
	if len(raw) == 0 {
		return ""
	}
	s, _ := decodeCharset(raw, charset)
	return s
}

func extValue(v string) (string, []byte) {
	cs, rest, ok := strings.Cut(v, "'")
	if !ok {
		return "", pctDecode(v)
	}
	_, enc, _ := strings.Cut(rest, "'")
	return cs, pctDecode(enc)
}

func pctDecode(s string) []byte {
	b := make([]byte, 0, len(s))
	for i := 0; i < len(s); i++ {
		if s[i] == '%' && i+2 < len(s) && isHex(s[i+1]) && isHex(s[i+2]) {
			b = append(b, unhex(s[i+1])<<4|unhex(s[i+2]))
			i += 2
		} else {
			b = append(b, s[i])
		}
	}
	return b
}

// splitParams splits "type; a=b; c=\"d;e\"" at semicolons outside quotes.
func splitParams(v string) []string {
	var (
		out   []string
		quote bool
		s     int
	)
	for i := 0; i < len(v); i++ {
		switch v[i] {
		case '\\':
			if quote {
				i++
			}
		case '"':
			quote = !quote
		case ';':
			if !quote {
				out = append(out, v[s:i])
				s = i + 1
			}
		}
	}
	return append(out, v[s:])
}
