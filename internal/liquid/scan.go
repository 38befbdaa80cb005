package liquid

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

type etKind int

const (
	etEOF etKind = iota
	etIdent
	etString
	etNumber
	etOp    // == != <> < > <= >=
	etPunct // . [ ] | : , ( ) = ..
)

type etok struct {
	kind etKind
	text string
	off  int // absolute offset in the template source
}

// scanExpr tokenizes the inside of a tag or output.
func scanExpr(src string, body string, base int) ([]etok, error) {
	var out []etok
	i := 0
	for i < len(body) {
		c := body[i]
		off := base + i
		switch {
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			i++
		case c == '"' || c == '\'':
			j := strings.IndexByte(body[i+1:], c)
			if j < 0 {
				return nil, errAt(src, off, "string is not closed", "文字列が閉じられていません")
			}
			out = append(out, etok{etString, body[i+1 : i+1+j], off})
			i += j + 2
		case c >= '0' && c <= '9' || c == '-' && i+1 < len(body) && body[i+1] >= '0' && body[i+1] <= '9':
			j := i + 1
			for j < len(body) && (body[j] >= '0' && body[j] <= '9' || body[j] == '.' && !strings.HasPrefix(body[j:], "..")) {
				j++
			}
			out = append(out, etok{etNumber, body[i:j], off})
			i = j
		case c == '=' || c == '!' || c == '<' || c == '>':
			j := i + 1
			if j < len(body) && (body[j] == '=' || c == '<' && body[j] == '>') {
				j++
			}
			t := body[i:j]
			if t == "=" {
				out = append(out, etok{etPunct, t, off})
			} else if t == "!" {
				return nil, errAt(src, off, "unexpected '!'", "「!」は使えません")
			} else {
				out = append(out, etok{etOp, t, off})
			}
			i = j
		case c == '.' && i+1 < len(body) && body[i+1] == '.':
			out = append(out, etok{etPunct, "..", off})
			i += 2
		case strings.IndexByte(".[]|:,()", c) >= 0:
			out = append(out, etok{etPunct, string(c), off})
			i++
		default:
			r, n := utf8.DecodeRuneInString(body[i:])
			if !isIdentRune(r) || r == '-' {
				return nil, errAt(src, off, "unexpected character "+quoteRune(r), "使えない文字です: "+quoteRune(r))
			}
			j := i + n
			for j < len(body) {
				r, n := utf8.DecodeRuneInString(body[j:])
				if !isIdentRune(r) && r != '?' {
					break
				}
				j += n
			}
			out = append(out, etok{etIdent, body[i:j], off})
			i = j
		}
	}
	out = append(out, etok{etEOF, "", base + len(body)})
	return out, nil
}

func isIdentRune(r rune) bool {
	return r == '_' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)
}

func quoteRune(r rune) string {
	if r == utf8.RuneError {
		return "(invalid UTF-8)"
	}
	return "'" + string(r) + "'"
}
