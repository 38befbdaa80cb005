package mail

import (
	"bytes"
	"regexp"
	"strings"

	xhtml "golang.org/x/net/html"
	"golang.org/x/net/html/atom"
)

// Parts is a mail's text split for reading: what the person wrote, their
// signature (after the "-- " delimiter) and the quoted history of earlier
// messages. The ticket page shows Body and folds the other two away.
type Parts struct {
	Body      string
	Signature string
	Quoted    string
}

// jaDateAttr matches the attribution line Japanese Gmail and many Japanese
// mailers put before a quote: 「2026年11月20日(金) 10:00 山田太郎 <yamada@example.jp>:」
// or 「2026/11/20 10:00、山田太郎 のメール:」.
var jaDateAttr = regexp.MustCompile(`^(\d{4}年\s*\d{1,2}月\s*\d{1,2}日|\d{4}/\d{1,2}/\d{1,2}|\d{4}-\d{1,2}-\d{1,2}).*\d{1,2}[:：]\d{2}.*[:：]$`)

// onLine starts an English attribution that may wrap onto a second line.
var onLine = regexp.MustCompile(`^(On|Am|Le) .{4,}`)

// attribution reports whether line i starts the quoted history, and how
// many lines before it belong to it too (an Outlook rule line).
func attribution(lines []string, i int) (start bool, back int) {
	t := strings.TrimSpace(lines[i])
	if t == "" {
		return false, 0
	}
	next := func(k int) string {
		if i+k < len(lines) {
			return strings.TrimSpace(lines[i+k])
		}
		return ""
	}
	switch {
	case origLine.MatchString(t):
		return true, 0
	case wroteLine(t), strings.HasSuffix(t, "のメール:"), strings.HasSuffix(t, "のメール："),
		strings.HasSuffix(t, "のメッセージ:"), strings.HasSuffix(t, "のメッセージ："):
		return true, 0
	case jaDateAttr.MatchString(t):
		return true, 0
	case onLine.MatchString(t) && (wroteLine(next(1)) || strings.HasSuffix(strings.ToLower(next(1)), "wrote:")):
		return true, 0
	case headLike(t):
		// Outlook's header block: 差出人 / From, then 送信日時 / Sent / Date
		// within a few lines.
		for k := 1; k <= 4; k++ {
			n := next(k)
			for _, p := range []string{"送信日時:", "送信日時：", "日付:", "日付：", "Sent:", "Date:", "宛先:", "宛先：", "To:"} {
				if strings.HasPrefix(n, p) {
					if i > 0 && strings.TrimSpace(lines[i-1]) != "" && strings.Trim(strings.TrimSpace(lines[i-1]), "_-=─━ ") == "" {
						return true, 1
					}
					return true, 0
				}
			}
		}
	}
	return false, 0
}

func quoteMark(line string) bool {
	t := strings.TrimLeft(line, " \t")
	return strings.HasPrefix(t, ">") || strings.HasPrefix(t, "＞")
}

// SplitQuote splits a mail's plain text into the new words, the signature
// and the quoted history. Quoted history starts at an attribution line
// ("On … wrote:", 「…のメール:」, 「2026年11月20日(金) 10:00 山田太郎 <…>:」,
// "-----Original Message-----", an Outlook 差出人:/From: header block) or,
// without one, at the ">" block that ends the mail. The signature is what
// follows the last "-- " line before the quote. When nothing would be left
// to read, nothing is split off.
func SplitQuote(text string) Parts {
	text = strings.ReplaceAll(text, "\r\n", "\n")
	lines := strings.Split(text, "\n")
	q := len(lines)
	for i := range lines {
		if ok, back := attribution(lines, i); ok && i-back > 0 {
			q = i - back
			break
		}
		if quoteMark(lines[i]) && i > 0 {
			// A ">" block that runs to the end (blank lines aside) is
			// trailing history; one in the middle is an inline answer.
			end := true
			for _, l := range lines[i:] {
				if strings.TrimSpace(l) != "" && !quoteMark(l) {
					end = false
					break
				}
			}
			if end {
				q = i
				// An attribution that wraps or ends in a colon just before.
				if j := prevNonBlank(lines, i); j > 0 && (strings.HasSuffix(strings.TrimSpace(lines[j]), ":") || strings.HasSuffix(strings.TrimSpace(lines[j]), "：")) {
					q = j
				}
				break
			}
		}
	}
	head := lines[:q]
	sig := -1
	for i := len(head) - 1; i > 0; i-- {
		if l := strings.TrimRight(head[i], " \t"); head[i] == "-- " || l == "--" {
			if len(head)-i <= 20 {
				sig = i
			}
			break
		}
	}
	var p Parts
	body := head
	if sig > 0 {
		body = head[:sig]
		p.Signature = strings.TrimSpace(strings.Join(head[sig+1:], "\n"))
	}
	p.Body = strings.TrimRight(strings.Join(body, "\n"), " \t\n")
	p.Quoted = strings.TrimSpace(strings.Join(lines[q:], "\n"))
	if strings.TrimSpace(p.Body) == "" {
		return Parts{Body: strings.TrimRight(text, " \t\n")}
	}
	return p
}

func prevNonBlank(lines []string, i int) int {
	for j := i - 1; j >= 0; j-- {
		if strings.TrimSpace(lines[j]) != "" {
			return j
		}
	}
	return -1
}

// quoteClasses mark the quote containers of common mailers: Gmail, Yahoo,
// Thunderbird's attribution, Apple Mail, Outlook on the web.
var quoteClasses = []string{"gmail_quote", "gmail_extra", "yahoo_quoted", "moz-cite-prefix", "apple-mail-quote", "divrplyfwdmsg", "outlookmessageheader"}

// SplitQuoteHTML splits sanitized mail HTML into what the person wrote and
// the quoted history: everything from the first quote container (Gmail's
// gmail_quote, Thunderbird's cite prefix, Outlook's 差出人:/From: header
// block, an attribution paragraph, or a blockquote that ends the mail) to
// the end. quoted is "" when there is none.
func SplitQuoteHTML(s string) (body, quoted string) {
	ctx := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	nodes, err := xhtml.ParseFragment(strings.NewReader(s), ctx)
	if err != nil {
		return s, ""
	}
	root := &xhtml.Node{Type: xhtml.ElementNode, Data: "div", DataAtom: atom.Div}
	for _, n := range nodes {
		root.AppendChild(n)
	}
	start := findQuote(root)
	if start == nil {
		return s, ""
	}
	// An <hr> right before an Outlook header belongs to the quote.
	if p := prevElement(start); p != nil && p.DataAtom == atom.Hr {
		start = p
	}
	// Everything after start in document order moves to the quote.
	var moved []*xhtml.Node
	for n := start; n != nil && n != root; n = n.Parent {
		var follow []*xhtml.Node
		from := n.NextSibling
		if n == start {
			from = n
		}
		for c := from; c != nil; c = c.NextSibling {
			follow = append(follow, c)
		}
		for _, c := range follow {
			c.Parent.RemoveChild(c)
		}
		moved = append(moved, follow...)
	}
	if strings.TrimSpace(textOf(root)) == "" && !hasImage(root) {
		return s, ""
	}
	var b, q bytes.Buffer
	for c := root.FirstChild; c != nil; c = c.NextSibling {
		_ = xhtml.Render(&b, c)
	}
	for _, c := range moved {
		_ = xhtml.Render(&q, c)
	}
	return b.String(), q.String()
}

func findQuote(root *xhtml.Node) *xhtml.Node {
	var found *xhtml.Node
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		for c := n.FirstChild; c != nil && found == nil; c = c.NextSibling {
			if c.Type != xhtml.ElementNode {
				continue
			}
			if isQuoteElement(c) {
				found = c
				return
			}
			walk(c)
		}
	}
	walk(root)
	if found != nil {
		return found
	}
	// A blockquote after which nothing but blank text follows.
	var last *xhtml.Node
	var lastBQ func(n *xhtml.Node)
	lastBQ = func(n *xhtml.Node) {
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			if c.Type == xhtml.ElementNode && c.DataAtom == atom.Blockquote {
				last = c
				continue
			}
			lastBQ(c)
		}
	}
	lastBQ(root)
	if last == nil {
		return nil
	}
	for n := last; n != nil && n != root; n = n.Parent {
		for c := n.NextSibling; c != nil; c = c.NextSibling {
			if strings.TrimSpace(textOf(c)) != "" {
				return nil
			}
		}
	}
	// Its attribution paragraph ("… wrote:") goes with it.
	if p := prevElement(last); p != nil && strings.HasSuffix(strings.TrimSpace(textOf(p)), ":") {
		return p
	}
	return last
}

func isQuoteElement(n *xhtml.Node) bool {
	for _, a := range n.Attr {
		if a.Key == "class" || a.Key == "id" {
			for _, c := range strings.Fields(strings.ToLower(a.Val)) {
				for _, q := range quoteClasses {
					if c == q {
						return true
					}
				}
			}
		}
		if a.Key == "type" && strings.EqualFold(a.Val, "cite") && n.DataAtom == atom.Blockquote {
			return true
		}
	}
	switch n.DataAtom {
	case atom.P, atom.Div:
	default:
		return false
	}
	// An attribution or Outlook header written as a paragraph.
	text := strings.TrimSpace(textOf(n))
	if text == "" || len(text) > 600 {
		return false
	}
	lines := strings.Split(text, "\n")
	first := strings.TrimSpace(lines[0])
	if len(lines) == 1 {
		if ok, _ := attribution([]string{first}, 0); ok && !headLike(first) {
			return true
		}
	}
	if headLike(first) {
		for _, p := range []string{"送信日時", "Sent:", "日付:", "Date:"} {
			if strings.Contains(text, p) {
				return true
			}
		}
	}
	return false
}

// textOf is n's text with <br> and block ends as line breaks.
func textOf(n *xhtml.Node) string {
	var b strings.Builder
	var walk func(n *xhtml.Node)
	walk = func(n *xhtml.Node) {
		switch {
		case n.Type == xhtml.TextNode:
			b.WriteString(n.Data)
		case n.Type == xhtml.ElementNode && n.DataAtom == atom.Br:
			b.WriteByte('\n')
		}
		for c := n.FirstChild; c != nil; c = c.NextSibling {
			walk(c)
			if c.Type == xhtml.ElementNode && (c.DataAtom == atom.P || c.DataAtom == atom.Div) {
				b.WriteByte('\n')
			}
		}
	}
	walk(n)
	return b.String()
}

func hasImage(n *xhtml.Node) bool {
	if n.Type == xhtml.ElementNode && n.DataAtom == atom.Img {
		return true
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		if hasImage(c) {
			return true
		}
	}
	return false
}

func prevElement(n *xhtml.Node) *xhtml.Node {
	for p := n.PrevSibling; p != nil; p = p.PrevSibling {
		if p.Type == xhtml.ElementNode {
			return p
		}
		if strings.TrimSpace(p.Data) != "" {
			return nil
		}
	}
	return nil
}
