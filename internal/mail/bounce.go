package mail

import (
	"regexp"
	"strings"
)

// deliveryStatus reads a message/delivery-status part (RFC 3464): one block
// of per-message fields, then one block per recipient.
func (p *parser) deliveryStatus(b []byte) {
	if p.m.Bounce == nil {
		p.m.Bounce = &Bounce{}
	}
	text := strings.ReplaceAll(string(b), "\r\n", "\n")
	for _, block := range strings.Split(text, "\n\n") {
		h, _ := splitEntity([]byte(block + "\n\n"))
		addr := h.get("final-recipient")
		if addr == "" {
			addr = h.get("original-recipient")
		}
		if addr == "" {
			continue
		}
		if _, a, ok := strings.Cut(addr, ";"); ok {
			addr = a // "rfc822; taro@example.jp"
		}
		r := BounceRecipient{
			Address:    strings.ToLower(strings.Trim(strings.TrimSpace(addr), "<>")),
			Action:     strings.ToLower(strings.TrimSpace(h.get("action"))),
			Status:     strings.TrimSpace(h.get("status")),
			Diagnostic: strings.TrimSpace(h.get("diagnostic-code")),
		}
		if _, d, ok := strings.Cut(r.Diagnostic, ";"); ok {
			r.Diagnostic = strings.TrimSpace(d) // "smtp; 550 5.1.1 …"
		}
		r.Diagnostic = strings.ToValidUTF8(r.Diagnostic, "?")
		p.m.Bounce.Recipients = append(p.m.Bounce.Recipients, r)
	}
}

// Failed lists the recipients whose delivery failed for good.
func (b *Bounce) Failed() []BounceRecipient {
	var out []BounceRecipient
	for _, r := range b.Recipients {
		if r.Action == "" || r.Action == "failed" || strings.HasPrefix(r.Status, "5") {
			out = append(out, r)
		}
	}
	return out
}

// Permanent reports whether the report says delivery failed (rather than
// only delayed or relayed).
func (b *Bounce) Permanent() bool { return len(b.Failed()) > 0 || len(b.Recipients) == 0 }

var quotedMessageID = regexp.MustCompile(`(?im)^\s*Message-ID:\s*<([^>\s]+)>`)

// plainBounce recognises the old-style bounce a mail system sends without a
// DSN (qmail, some appliances): from mailer-daemon or postmaster, quoting
// the returned message. Its Message-ID is taken from the attached message
// or the quoted headers; without one it stays an ordinary (auto-submitted) mail.
func (p *parser) plainBounce() {
	m := p.m
	local, _, _ := strings.Cut(m.From.Address, "@")
	if m.Bounce != nil || (local != "mailer-daemon" && local != "postmaster" && local != "mail-daemon") {
		return
	}
	for _, a := range m.Attachments {
		if a.ContentType == "message/rfc822" || a.ContentType == "text/rfc822-headers" {
			h, _ := splitEntity(a.Data)
			if ids := msgIDs(h.get("message-id")); len(ids) > 0 {
				m.Bounce = &Bounce{OriginalMessageID: ids[0]}
				return
			}
		}
	}
	if sm := quotedMessageID.FindStringSubmatch(m.Text); sm != nil {
		m.Bounce = &Bounce{OriginalMessageID: sm[1]}
	}
}
