package liquid

import (
	"errors"
	"html"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"
)

type filterSpec struct {
	min, max int
	fn       func(in any, args []any) (any, error)
}

var filters map[string]filterSpec

func init() {
	str := func(f func(string) string) filterSpec {
		return filterSpec{0, 0, func(in any, _ []any) (any, error) { return f(toString(in)), nil }}
	}
	filters = map[string]filterSpec{
		"upcase":         str(strings.ToUpper),
		"downcase":       str(strings.ToLower),
		"capitalize":     str(capitalize),
		"escape":         str(html.EscapeString),
		"h":              str(html.EscapeString),
		"strip":          str(strings.TrimSpace),
		"lstrip":         str(func(s string) string { return strings.TrimLeftFunc(s, unicode.IsSpace) }),
		"rstrip":         str(func(s string) string { return strings.TrimRightFunc(s, unicode.IsSpace) }),
		"strip_newlines": str(func(s string) string { return strings.NewReplacer("\r", "", "\n", "").Replace(s) }),
		"newline_to_br":  str(func(s string) string { return strings.ReplaceAll(s, "\n", "<br />\n") }),
		"default": {1, 1, func(in any, a []any) (any, error) {
			if in == nil || in == false || isEmpty(in, false) {
				return a[0], nil
			}
			return in, nil
		}},
		"truncate": {1, 2, truncate},
		"date":     {1, 1, dateFilter},
		"split": {1, 1, func(in any, a []any) (any, error) {
			s, sep := toString(in), toString(a[0])
			var parts []string
			if sep == "" {
				parts = strings.Split(s, "")
			} else {
				parts = strings.Split(s, sep)
			}
			out := make([]any, 0, len(parts))
			for _, p := range parts {
				out = append(out, p)
			}
			for len(out) > 0 && out[len(out)-1] == "" { // Liquid drops trailing empties
				out = out[:len(out)-1]
			}
			return out, nil
		}},
		"join": {0, 1, func(in any, a []any) (any, error) {
			sep := " "
			if len(a) == 1 {
				sep = toString(a[0])
			}
			l := toList(in)
			if l == nil {
				return toString(in), nil
			}
			var b strings.Builder
			for i, e := range l {
				if i > 0 {
					b.WriteString(sep)
				}
				b.WriteString(toString(e))
				if b.Len() > MaxOutput {
					return nil, errTooLong
				}
			}
			return b.String(), nil
		}},
		"size": {0, 0, func(in any, _ []any) (any, error) {
			if s, ok := in.(string); ok {
				return int64(utf8.RuneCountInString(s)), nil
			}
			return int64(len(toList(in))), nil
		}},
		"first": {0, 0, func(in any, _ []any) (any, error) {
			if l := toList(in); len(l) > 0 {
				return l[0], nil
			}
			return nil, nil
		}},
		"last": {0, 0, func(in any, _ []any) (any, error) {
			if l := toList(in); len(l) > 0 {
				return l[len(l)-1], nil
			}
			return nil, nil
		}},
		"replace": {2, 2, func(in any, a []any) (any, error) {
			return replace(toString(in), toString(a[0]), toString(a[1]), -1)
		}},
		"replace_first": {2, 2, func(in any, a []any) (any, error) {
			return replace(toString(in), toString(a[0]), toString(a[1]), 1)
		}},
		"remove": {1, 1, func(in any, a []any) (any, error) {
			return replace(toString(in), toString(a[0]), "", -1)
		}},
		"append": {1, 1, func(in any, a []any) (any, error) {
			return concat(toString(in), toString(a[0]))
		}},
		"prepend": {1, 1, func(in any, a []any) (any, error) {
			return concat(toString(a[0]), toString(in))
		}},
	}
}

var errTooLong = errors.New("result is too long / 結果が長すぎます")

func concat(a, b string) (any, error) {
	if len(a)+len(b) > MaxOutput {
		return nil, errTooLong
	}
	return a + b, nil
}

func replace(s, old, new string, n int) (any, error) {
	if old == "" {
		return s, nil // Go would insert between every rune; Liquid users never mean that
	}
	count := strings.Count(s, old)
	if n > 0 {
		count = min(count, n)
	}
	if len(s)+count*(len(new)-len(old)) > MaxOutput {
		return nil, errTooLong
	}
	return strings.Replace(s, old, new, n), nil
}

func capitalize(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 {
		return s
	}
	return string(unicode.ToUpper(r)) + strings.ToLower(s[n:])
}

// truncate counts characters (not bytes), so Japanese text is cut between
// characters; the ellipsis counts towards the length as in Liquid.
func truncate(in any, a []any) (any, error) {
	s := toString(in)
	n, ok := toInt(a[0])
	if !ok {
		return nil, errors.New("length must be a number / 長さは数値で指定してください")
	}
	ell := "..."
	if len(a) == 2 {
		ell = toString(a[1])
	}
	if int64(utf8.RuneCountInString(s)) <= n {
		return s, nil
	}
	keep := n - int64(utf8.RuneCountInString(ell))
	if keep < 0 {
		keep = 0
	}
	var b strings.Builder
	i := int64(0)
	for _, r := range s {
		if i >= keep {
			break
		}
		b.WriteRune(r)
		i++
	}
	b.WriteString(ell)
	return b.String(), nil
}

var tokyo = func() *time.Location {
	if l, err := time.LoadLocation("Asia/Tokyo"); err == nil {
		return l
	}
	return time.FixedZone("JST", 9*3600)
}()

// now is replaceable in tests.
var now = time.Now

var dateLayouts = []string{
	time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02 15:04:05 -0700", "2006-01-02 15:04:05",
	"2006-01-02 15:04", "2006-01-02", "2006/01/02 15:04", "2006/01/02",
}

// dateFilter formats a time (time.Time, a date string, Unix seconds or
// "now"/"today") with strftime in Asia/Tokyo; unparseable input is returned
// unchanged, as Liquid does.
func dateFilter(in any, a []any) (any, error) {
	format := toString(a[0])
	var t time.Time
	switch v := in.(type) {
	case time.Time:
		t = v
	case string:
		s := strings.TrimSpace(v)
		if s == "now" || s == "today" {
			t = now()
			break
		}
		for _, l := range dateLayouts {
			if p, err := time.ParseInLocation(l, s, tokyo); err == nil {
				t = p
				break
			}
		}
		if t.IsZero() {
			if n, ok := toInt(s); ok {
				t = time.Unix(n, 0)
			} else {
				return in, nil
			}
		}
	default:
		n, ok := toInt(in)
		if !ok {
			return in, nil
		}
		t = time.Unix(n, 0)
	}
	if format == "" {
		return in, nil
	}
	return strftime(t.In(tokyo), format), nil
}
