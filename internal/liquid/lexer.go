package liquid

import (
	"regexp"
	"strings"
)

type tokKind int

const (
	tokText tokKind = iota
	tokOutput
	tokTag
)

// token is a piece of the source; for output and tag tokens body is the text
// between the delimiters (trimmed) and off the offset of the opening delimiter.
type token struct {
	kind tokKind
	body string
	off  int
	// bodyOff is the offset of body within the source, for error columns.
	bodyOff int
}

var (
	endRaw     = regexp.MustCompile(`\{%-?\s*endraw\s*-?%\}`)
	endComment = regexp.MustCompile(`\{%-?\s*endcomment\s*-?%\}`)
)

// lex splits src into text, {{ output }} and {% tag %} tokens, applying the
// "-" whitespace control and treating raw and comment bodies as opaque.
func lex(src string) ([]token, error) {
	var toks []token
	trimNext := false
	i := 0
	for i < len(src) {
		j := indexDelim(src, i)
		if j < 0 {
			toks = appendText(toks, src[i:], i, trimNext, false)
			break
		}
		isOut := src[j+1] == '{'
		closer := "%}"
		if isOut {
			closer = "}}"
		}
		start := j + 2
		trimPrev := start < len(src) && src[start] == '-'
		if trimPrev {
			start++
		}
		end := strings.Index(src[start:], closer)
		if end < 0 {
			if isOut {
				return nil, errAt(src, j, "'{{' is not closed with '}}'", "「{{」が「}}」で閉じられていません")
			}
			return nil, errAt(src, j, "'{%' is not closed with '%}'", "「{%」が「%}」で閉じられていません")
		}
		end += start
		next := end + 2
		inner := src[start:end]
		trimAfter := strings.HasSuffix(inner, "-")
		if trimAfter {
			inner = inner[:len(inner)-1]
		}
		toks = appendText(toks, src[i:j], i, trimNext, trimPrev)
		trimNext = trimAfter
		body := strings.TrimSpace(inner)
		bodyOff := start + (len(inner) - len(strings.TrimLeft(inner, " \t\r\n")))
		kind := tokTag
		if isOut {
			kind = tokOutput
		}
		toks = append(toks, token{kind: kind, body: body, off: j, bodyOff: bodyOff})
		i = next
		if kind == tokTag {
			name := firstWord(body)
			if name == "raw" || name == "comment" {
				re := endRaw
				if name == "comment" {
					re = endComment
				}
				loc := re.FindStringIndex(src[i:])
				if loc == nil {
					return nil, errAt(src, j, "'{% "+name+" %}' is not closed with '{% end"+name+" %}'", "「{% "+name+" %}」に対応する「{% end"+name+" %}」がありません")
				}
				if name == "raw" {
					toks = append(toks, token{kind: tokText, body: src[i : i+loc[0]], off: i})
				}
				endTag := src[i+loc[0] : i+loc[1]]
				toks = append(toks, token{kind: tokTag, body: "end" + name, off: i + loc[0], bodyOff: i + loc[0]})
				trimNext = strings.HasSuffix(endTag, "-%}")
				i += loc[1]
			}
		}
	}
	return toks, nil
}

func indexDelim(src string, from int) int {
	for k := from; k+1 < len(src); k++ {
		if src[k] == '{' && (src[k+1] == '{' || src[k+1] == '%') {
			return k
		}
	}
	return -1
}

func appendText(toks []token, s string, off int, trimLeft, trimRight bool) []token {
	if trimLeft {
		n := len(s)
		s = strings.TrimLeft(s, " \t\r\n")
		off += n - len(s)
	}
	if trimRight {
		s = strings.TrimRight(s, " \t\r\n")
	}
	if s == "" {
		return toks
	}
	return append(toks, token{kind: tokText, body: s, off: off})
}

func firstWord(s string) string {
	for i, r := range s {
		if r == ' ' || r == '\t' || r == '\n' || r == '\r' {
			return s[:i]
		}
	}
	return s
}
