package api

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"unicode/utf8"
)

// Text no database can store: PostgreSQL refuses a NUL character and
// invalid UTF-8 in text, so such input would fail deep in a write (a 500)
// or, on SQLite, be kept as it came. The API refuses it up front instead,
// naming the parameter.

// checkQueryText returns a 400 for a query parameter that holds invalid
// UTF-8 or a NUL character.
func checkQueryText(q url.Values) error {
	for name, values := range q {
		shown := strings.ReplaceAll(strings.ToValidUTF8(name, "?"), "\x00", "")
		for _, v := range slices.Concat(values, []string{name}) {
			if !utf8.ValidString(v) {
				return badRequest("InvalidValue", fmt.Sprintf("Query parameter %q is not valid UTF-8. / クエリパラメータ %q が UTF-8 ではありません。", shown, shown))
			}
			if strings.IndexByte(v, 0) >= 0 {
				return badRequest("InvalidValue", fmt.Sprintf("Query parameter %q holds a NUL character (%%00). / クエリパラメータ %q に NUL 文字が含まれています。", shown, shown))
			}
		}
	}
	return nil
}

// jsonEscapedNUL reports whether a JSON text holds the escape \u0000 (a
// raw NUL byte is already malformed JSON). A backslash always starts a
// two-character escape inside a string, so skipping each pair finds only
// real escapes: "\\u0000" is a backslash followed by the text u0000.
func jsonEscapedNUL(b []byte) bool {
	for {
		i := bytes.IndexByte(b, '\\')
		if i < 0 || i+1 >= len(b) {
			return false
		}
		if b[i+1] == 'u' && i+6 <= len(b) && string(b[i+2:i+6]) == "0000" {
			return true
		}
		b = b[i+2:]
	}
}
