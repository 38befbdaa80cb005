// Package richtext converts comment bodies between plain text and safe HTML.
// Every HTML body that reaches storage has passed Sanitize.
package richtext

import (
	"html"
	"strings"
	"sync"

	"github.com/microcosm-cc/bluemonday"
	xhtml "golang.org/x/net/html"
)

var (
	policyOnce sync.Once
	policy     *bluemonday.Policy
)

// Sanitize keeps formatting, links, tables and images but drops scripts,
// event handlers, styles that can hide content, and anything executable.
func Sanitize(s string) string {
	policyOnce.Do(func() {
		policy = bluemonday.UGCPolicy()
		policy.AllowAttrs("class").Globally()
		policy.RequireNoReferrerOnLinks(true)
		policy.AddTargetBlankToFullyQualifiedLinks(true)
		policy.AllowURLSchemes("http", "https", "mailto", "tel", "cid")
	})
	return policy.Sanitize(s)
}

// FromPlain renders plain text as HTML paragraphs with line breaks.
func FromPlain(s string) string {
	s = strings.ReplaceAll(s, "\r\n", "\n")
	paras := strings.Split(s, "\n\n")
	var b strings.Builder
	for _, p := range paras {
		if strings.TrimSpace(p) == "" {
			continue
		}
		b.WriteString("<p>")
		b.WriteString(strings.ReplaceAll(html.EscapeString(p), "\n", "<br>"))
		b.WriteString("</p>")
	}
	return b.String()
}

// blockTags end a line of text when they close.
var blockTags = map[string]bool{"p": true, "div": true, "br": true, "li": true, "tr": true, "h1": true, "h2": true,
	"h3": true, "h4": true, "h5": true, "h6": true, "blockquote": true, "pre": true, "table": true, "ul": true, "ol": true, "hr": true}

// ToPlain derives readable plain text from HTML: block elements become line
// breaks, scripts and styles vanish, entities are decoded.
func ToPlain(s string) string {
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	skip := 0
	for {
		switch z.Next() {
		case xhtml.ErrorToken:
			return tidyLines(b.String())
		case xhtml.TextToken:
			if skip == 0 {
				b.WriteString(string(z.Text()))
			}
		case xhtml.StartTagToken, xhtml.SelfClosingTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "script" || tag == "style" || tag == "head" || tag == "title" {
				skip++
			}
			if tag == "br" || tag == "hr" {
				b.WriteByte('\n')
			}
			if tag == "li" {
				b.WriteString("\n- ")
			}
		case xhtml.EndTagToken:
			name, _ := z.TagName()
			tag := string(name)
			if tag == "script" || tag == "style" || tag == "head" || tag == "title" {
				if skip > 0 {
					skip--
				}
			}
			if blockTags[tag] {
				b.WriteString("\n")
			}
		}
	}
}

// tidyLines trims trailing spaces and collapses runs of blank lines.
func tidyLines(s string) string {
	lines := strings.Split(strings.ReplaceAll(s, "\u00a0", " "), "\n")
	out := make([]string, 0, len(lines))
	blank := 0
	for _, l := range lines {
		l = strings.TrimRight(l, " \t\r")
		if strings.TrimSpace(l) == "" {
			blank++
			if blank > 1 || len(out) == 0 {
				continue
			}
			out = append(out, "")
			continue
		}
		blank = 0
		out = append(out, l)
	}
	return strings.TrimSpace(strings.Join(out, "\n"))
}
