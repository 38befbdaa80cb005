package mail

import (
	"regexp"
	"strings"

	xhtml "golang.org/x/net/html"

	"github.com/kizuna-desk/kizuna/internal/richtext"
)

// finish assembles Text and HTML once every part has been read.
func (p *parser) finish() {
	m := p.m
	if p.html != "" {
		m.HTML = blockRemoteImages(richtext.Sanitize(p.html))
	}
	text := strings.Join(p.text, "\n\n")
	if strings.TrimSpace(text) == "" && m.HTML != "" {
		text = richtext.ToPlain(m.HTML)
	}
	text = strings.ReplaceAll(strings.ReplaceAll(text, "\r\n", "\n"), "\r", "\n")
	text = strings.ToValidUTF8(text, "\uFFFD")
	m.Text = strings.TrimRight(text, " \t\n")
	m.QuoteStart = quoteStart(m.Text)
	p.plainBounce()
}

// blockRemoteImages replaces images loaded from the network (trackers) with
// a visible placeholder; cid: and data: images stay, they are in the mail.
func blockRemoteImages(s string) string {
	if !strings.Contains(s, "<img") {
		return s
	}
	z := xhtml.NewTokenizer(strings.NewReader(s))
	var b strings.Builder
	for {
		tt := z.Next()
		if tt == xhtml.ErrorToken {
			return b.String()
		}
		if tt == xhtml.StartTagToken || tt == xhtml.SelfClosingTagToken {
			tok := z.Token()
			if tok.Data == "img" {
				src := ""
				for _, a := range tok.Attr {
					if a.Key == "src" {
						src = strings.ToLower(strings.TrimSpace(a.Val))
					}
				}
				if !strings.HasPrefix(src, "cid:") && !strings.HasPrefix(src, "data:") {
					b.WriteString("[画像をブロックしました / remote image blocked]")
					continue
				}
				b.WriteString(tok.String())
				continue
			}
		}
		b.Write(z.Raw())
	}
}

var origLine = regexp.MustCompile(`(?i)^-{2,}\s*(original message|元のメッセージ|転送されたメッセージ|forwarded message|元メッセージ)\s*-{2,}$`)

// wroteLine matches the attribution line before a quote: "On … wrote:",
// "…さんは書きました:", "… からのメッセージ:". Plain string tests: this runs on
// every line of every mail.
func wroteLine(s string) bool {
	if !strings.HasSuffix(s, ":") && !strings.HasSuffix(s, "：") && !strings.HasSuffix(s, "e") && !strings.HasSuffix(s, "E") {
		return false
	}
	t := strings.TrimRight(s, ":： ")
	if len(t) == len(s) && !strings.HasSuffix(strings.ToLower(s), "wrote") {
		return false // no colon and not "wrote"
	}
	return strings.HasSuffix(strings.ToLower(t), "wrote") || strings.HasSuffix(t, "書きました") ||
		strings.Contains(t, "さんは書きました") || strings.HasSuffix(t, "からのメッセージ")
}

func headLike(s string) bool {
	for _, p := range []string{"From:", "From：", "差出人:", "差出人：", "送信者:", "送信者："} {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

// quoteStart finds where quoted history or the signature starts: the first
// ">" block (or the "On … wrote:" / "…さんは書きました:" line before it),
// an "-----Original Message-----" / "-----元のメッセージ-----" separator,
// an Outlook "From:" header block, or the "-- " signature delimiter.
func quoteStart(text string) int {
	lines := strings.SplitAfter(text, "\n")
	off := 0
	prevOff, prev := -1, ""
	for _, raw := range lines {
		line := strings.TrimRight(raw, "\n")
		trim := strings.TrimSpace(line)
		switch {
		case strings.HasPrefix(trim, ">") || strings.HasPrefix(trim, "＞"):
			if prevOff >= 0 && (wroteLine(prev) || strings.HasSuffix(prev, ":") || strings.HasSuffix(prev, "：")) {
				return prevOff
			}
			return off
		case wroteLine(trim) && off > 0, strings.HasPrefix(trim, "--") && origLine.MatchString(trim), line == "-- ", line == "--":
			return off
		case headLike(trim) && prevOff >= 0 && strings.Trim(prev, "_-= ") == "" && prev != "":
			return prevOff // Outlook: a rule line, then From:
		}
		if trim != "" {
			prevOff, prev = off, trim
		} else if prev != "" && strings.Trim(prev, "_-= ") != "" {
			prevOff, prev = -1, ""
		}
		off += len(raw)
	}
	return -1
}

// metaCharsetRE finds the charset an HTML page declares in its head:
// <meta charset="Shift_JIS"> or <meta http-equiv="Content-Type"
// content="text/html; charset=Shift_JIS">.
var metaCharsetRE = regexp.MustCompile(`(?i)<meta[^>]*?charset\s*=\s*["']?([a-z0-9_.:-]+)`)

// metaCharset returns the charset declared in the first 1024 bytes of an
// HTML page (where browsers look), or "".
func metaCharset(b []byte) string {
	if m := metaCharsetRE.FindSubmatch(b[:min(len(b), 1024)]); m != nil {
		return string(m[1])
	}
	return ""
}
