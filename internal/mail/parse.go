// Package mail reads inbound mail — every Japanese charset right, broken
// messages best-effort with warnings — and turns stored mail into tickets:
// threading, follow-ups, collaborators, bounces and loop protection.
package mail

import (
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/quotedprintable"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"
)

// Message is a parsed mail. Parse always returns one, however broken the
// input; Warnings says what could not be read exactly.
type Message struct {
	MessageID  string
	InReplyTo  string
	References []string
	Date       time.Time
	From       Address
	To         []Address
	Cc         []Address
	ReplyTo    []Address
	Subject    string
	Text       string // plain text (LF line ends); derived from HTML when only HTML came
	HTML       string // sanitized; remote images blocked, cid: images kept
	// QuoteStart is the byte offset in Text where quoted history (or the
	// signature, whichever comes first) begins, -1 when there is none; the
	// UI collapses Text[QuoteStart:].
	QuoteStart  int
	Attachments []Attachment
	Warnings    []string

	// Loop and auto-reply signals.
	AutoSubmitted bool     // any signal below: never answer automatically
	LoopSignals   []string // e.g. "auto-submitted: auto-replied", "precedence: bulk"
	ListID        string

	Bounce *Bounce // set for a delivery status report (multipart/report)
}

// Attachment is a file carried by the mail.
type Attachment struct {
	FileName    string
	ContentType string
	ContentID   string // without <>; an inline image referenced as cid:…
	Inline      bool
	Data        []byte
}

// Size is the decoded size in bytes.
func (a Attachment) Size() int64 { return int64(len(a.Data)) }

// Bounce is what a DSN says about a message that could not be delivered.
type Bounce struct {
	OriginalMessageID string
	Recipients        []BounceRecipient
}

// BounceRecipient is one failed (or delayed) recipient of a DSN.
type BounceRecipient struct {
	Address    string
	Action     string // failed, delayed, …
	Status     string // e.g. 5.1.1
	Diagnostic string
}

// maxDepth bounds multipart nesting so hostile mail cannot recurse forever.
const maxDepth = 20

// Parse reads a raw RFC 5322 message. It never panics and never returns nil.
func Parse(raw []byte) (m *Message) {
	m = &Message{QuoteStart: -1}
	defer func() {
		if r := recover(); r != nil {
			m.Warnings = append(m.Warnings, fmt.Sprintf("the message could not be read completely (%v) / メールの一部を読み取れませんでした", r))
		}
	}()
	h, body := splitEntity(raw)
	m.readHeaders(h)
	p := &parser{m: m}
	p.walk(h, body, 0)
	p.finish()
	return m
}

func (m *Message) warn(ws ...string) {
	for _, w := range ws {
		if w != "" && !containsStr(m.Warnings, w) {
			m.Warnings = append(m.Warnings, w)
		}
	}
}

func containsStr(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func (m *Message) readHeaders(h header) {
	if ids := msgIDs(h.get("message-id")); len(ids) > 0 {
		m.MessageID = ids[0]
	}
	if ids := msgIDs(h.get("in-reply-to")); len(ids) > 0 {
		m.InReplyTo = ids[0]
	}
	m.References = msgIDs(h.get("references"))
	if d, err := mail.ParseDate(strings.TrimSpace(h.get("date"))); err == nil {
		m.Date = d.UTC()
	}
	var ws []string
	m.Subject, ws = decodeHeader(h.get("subject"))
	m.warn(ws...)
	m.Subject = strings.Join(strings.Fields(m.Subject), " ")
	if from, ws := parseAddressList(h.get("from")); len(from) > 0 {
		m.From = from[0]
		m.warn(ws...)
	} else if h.get("from") != "" {
		m.warn("the From address could not be read / 差出人アドレスを読み取れませんでした")
	}
	m.To, ws = parseAddressList(h.get("to"))
	m.warn(ws...)
	m.Cc, ws = parseAddressList(h.get("cc"))
	m.warn(ws...)
	m.ReplyTo, ws = parseAddressList(h.get("reply-to"))
	m.warn(ws...)
	m.loopSignals(h)
}

// parser walks the MIME tree collecting the body and attachments.
type parser struct {
	m         *Message
	text      []string
	html      string
	inlineSeq int
}

func (p *parser) walk(h header, body []byte, depth int) {
	ct := h.get("content-type")
	mt, params := parseMediaType(ct)
	if mt == "" {
		mt, params = "text/plain", map[string]string{}
		if ct != "" {
			p.m.warn("unreadable Content-Type " + cleanLabel(ct) + "; read as plain text / Content-Type を読めないためテキストとして表示しています")
		}
	}
	disp, dparams := parseMediaType(h.get("content-disposition"))
	name := fileName(h, dparams, params)
	switch {
	case strings.HasPrefix(mt, "multipart/") && depth < maxDepth:
		p.multipart(mt, params, body, depth)
		return
	case strings.HasPrefix(mt, "multipart/"):
		p.m.warn("MIME parts nested too deeply were skipped / 入れ子が深すぎる部分を省略しました")
		return
	case mt == "message/delivery-status":
		p.deliveryStatus(p.transfer(h, body))
		return
	case (mt == "message/rfc822" || mt == "text/rfc822-headers") && p.m.Bounce != nil:
		oh, _ := splitEntity(p.transfer(h, body))
		if ids := msgIDs(oh.get("message-id")); len(ids) > 0 && p.m.Bounce.OriginalMessageID == "" {
			p.m.Bounce.OriginalMessageID = ids[0]
		}
		return
	}
	data := p.transfer(h, body)
	attached := disp == "attachment" || name != ""
	if (mt == "text/plain" || mt == "text/html" || mt == "text/enriched") && !attached {
		label := params["charset"]
		if label == "" && mt == "text/html" && !utf8.Valid(data) {
			// The page may name its charset itself; valid UTF-8 is read as
			// such whatever it says (a mailer re-encodes and leaves the tag).
			label = metaCharset(data)
		}
		s, w := decodeCharset(data, label)
		p.m.warn(w)
		if mt == "text/html" {
			if p.html == "" {
				p.html = s
			} else {
				p.html += "<hr>" + s
			}
		} else {
			p.text = append(p.text, s)
		}
		return
	}
	a := Attachment{ContentType: mt, FileName: name, Data: data, Inline: disp == "inline"}
	if ids := msgIDs(h.get("content-id")); len(ids) > 0 {
		a.ContentID = ids[0]
	} else if cid := strings.Trim(strings.TrimSpace(h.get("content-id")), "<>"); cid != "" {
		a.ContentID = cid
	}
	if a.FileName == "" && mt == "message/rfc822" {
		a.FileName = forwardedName(data) // as mail clients name a forwarded message
	}
	if a.FileName == "" {
		p.inlineSeq++
		a.FileName = defaultName(mt, p.inlineSeq)
	}
	p.m.Attachments = append(p.m.Attachments, a)
}

// forwardedName is "<its subject>.eml" for a message attached whole, or ""
// when it has no subject.
func forwardedName(raw []byte) string {
	h, _ := splitEntity(raw)
	subject, _ := decodeHeader(h.get("subject"))
	if subject = safeFileName(subject); subject == "" {
		return ""
	}
	if r := []rune(subject); len(r) > 100 {
		subject = string(r[:100])
	}
	return subject + ".eml"
}

func defaultName(mt string, n int) string {
	ext := ".bin"
	switch {
	case mt == "message/rfc822":
		ext = ".eml"
	case strings.HasPrefix(mt, "text/"):
		ext = ".txt"
	default:
		if exts, _ := mime.ExtensionsByType(mt); len(exts) > 0 {
			ext = exts[0]
		}
	}
	base := "attachment"
	if strings.HasPrefix(mt, "image/") {
		base = "image"
	}
	return fmt.Sprintf("%s-%d%s", base, n, ext)
}

// transfer undoes the Content-Transfer-Encoding, leniently.
func (p *parser) transfer(h header, body []byte) []byte {
	switch strings.ToLower(strings.TrimSpace(h.get("content-transfer-encoding"))) {
	case "base64":
		return lenientBase64(body)
	case "quoted-printable":
		out, err := io.ReadAll(quotedprintable.NewReader(bytes.NewReader(body)))
		if err != nil {
			p.m.warn("broken quoted-printable text was shown as far as it could be read / quoted-printable の壊れた部分を可能な範囲で表示しています")
		}
		return out
	}
	return body
}

func (p *parser) multipart(mt string, params map[string]string, body []byte, depth int) {
	boundary := params["boundary"]
	parts := splitMultipart(body, boundary)
	if len(parts) == 0 {
		p.m.warn("a multipart message had no readable parts / マルチパートの各部分を読み取れませんでした")
		if len(bytes.TrimSpace(body)) > 0 {
			s, _ := sniffDecode(body)
			p.text = append(p.text, s)
		}
		return
	}
	switch mt {
	case "multipart/alternative":
		// Keep the last plain and the last HTML alternative (the richest of each).
		var plainIdx, htmlIdx = -1, -1
		for i, part := range parts {
			h, _ := splitEntity(part)
			ct, _ := parseMediaType(h.get("content-type"))
			switch {
			case ct == "text/html" || strings.HasPrefix(ct, "multipart/"):
				htmlIdx = i
			case ct == "text/plain" || ct == "":
				plainIdx = i
			}
		}
		for i, part := range parts {
			if i == plainIdx || i == htmlIdx {
				h, b := splitEntity(part)
				p.walk(h, b, depth+1)
			}
		}
	case "multipart/report":
		if strings.EqualFold(params["report-type"], "delivery-status") || p.m.Bounce == nil {
			p.m.Bounce = &Bounce{}
		}
		for _, part := range parts {
			h, b := splitEntity(part)
			p.walk(h, b, depth+1)
		}
	default: // mixed, related, signed and anything unknown
		for _, part := range parts {
			h, b := splitEntity(part)
			p.walk(h, b, depth+1)
		}
	}
}

// splitMultipart cuts a body at its boundary lines, tolerating a missing
// close delimiter, trailing whitespace and LF-only line ends.
func splitMultipart(body []byte, boundary string) [][]byte {
	if boundary == "" {
		return nil
	}
	delim := []byte("--" + boundary)
	var (
		parts [][]byte
		start = -1
	)
	for pos := 0; pos <= len(body); {
		end := bytes.IndexByte(body[pos:], '\n')
		next := len(body) + 1
		if end >= 0 {
			end += pos
			next = end + 1
		} else {
			end = len(body)
		}
		line := bytes.TrimRight(body[pos:end], " \t\r")
		if bytes.HasPrefix(line, delim) {
			rest := line[len(delim):]
			if len(rest) == 0 || bytes.Equal(rest, []byte("--")) {
				if start >= 0 {
					parts = append(parts, trimPartEnd(body[start:pos]))
				}
				if len(rest) > 0 {
					return parts
				}
				start = min(next, len(body))
			}
		}
		pos = next
	}
	if start >= 0 && start < len(body) {
		parts = append(parts, body[start:]) // no closing delimiter
	}
	return parts
}

// trimPartEnd drops the line break that belongs to the next delimiter.
func trimPartEnd(b []byte) []byte {
	b = bytes.TrimSuffix(b, []byte("\n"))
	return bytes.TrimSuffix(b, []byte("\r"))
}
