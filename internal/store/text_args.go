package store

import (
	"strings"
	"unicode/utf8"
)

// storableArgs makes every string argument storable in both databases:
// PostgreSQL refuses a NUL character or invalid UTF-8 in text (an error
// the caller can do nothing about, so a 500), where SQLite would keep
// them. Text that reaches the store that way (a web form, a mail body, an
// import) loses its NULs and has each invalid byte replaced with U+FFFD, on
// both databases alike. The API refuses such input before it gets here,
// with a 400 naming it. Binary data travels as []byte and is not touched.
// args is copied only when something changes.
func storableArgs(args []any) []any {
	for i, a := range args {
		s, ok := a.(string)
		if !ok || storable(s) {
			continue
		}
		out := make([]any, len(args))
		copy(out, args)
		for j := i; j < len(out); j++ {
			if s, ok := out[j].(string); ok && !storable(s) {
				out[j] = storableText(s)
			}
		}
		return out
	}
	return args
}

func storable(s string) bool { return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) }

// storableText is s without NULs and with invalid UTF-8 replaced.
func storableText(s string) string {
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "")
}
