// Package liquid renders a safe subset of Shopify/Zendesk Liquid: variable
// output with filters, if/elsif/else/unless, bounded for loops, assign,
// comment and raw. It never panics, never calls methods on the data, and
// bounds output size and loop iterations, so templates written by admins and
// agents cannot take the server down. Output is plain text; callers escape it
// when they build HTML (or use RenderHTML, which escapes every {{ }} value).
package liquid

import (
	"fmt"
	"unicode/utf8"
)

// Limits applied to every template.
const (
	MaxSource     = 256 << 10 // bytes of template source
	MaxOutput     = 1 << 20   // bytes of rendered output
	MaxIterations = 10000     // loop iterations per render, all loops together
	MaxDepth      = 64        // nesting of blocks
)

// Error is a syntax or render error at a place in the template.
type Error struct {
	Line, Col int    // 1-based; Col counts characters, not bytes
	Msg       string // English
	MsgJa     string // Japanese
}

func (e *Error) Error() string {
	return fmt.Sprintf("line %d, column %d: %s / %d行目%d文字目: %s", e.Line, e.Col, e.Msg, e.Line, e.Col, e.MsgJa)
}

// position turns a byte offset into a 1-based line and character column.
func position(src string, off int) (line, col int) {
	if off > len(src) {
		off = len(src)
	}
	if off < 0 {
		off = 0
	}
	line, col = 1, 1
	for i := 0; i < off; {
		r, n := utf8.DecodeRuneInString(src[i:])
		if n == 0 {
			break
		}
		i += n
		if r == '\n' {
			line++
			col = 1
		} else {
			col++
		}
	}
	return line, col
}

func errAt(src string, off int, msg, ja string) *Error {
	l, c := position(src, off)
	return &Error{Line: l, Col: c, Msg: msg, MsgJa: ja}
}
