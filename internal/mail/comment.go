package mail

import (
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func truncateRunes(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n]) + "…"
}

// comment builds the mail's comment: attachments recorded first so inline
// cid: images can point at their attachment.
func (p *Processor) comment(tx *store.Tx, row *model.MailMessage, msg *Message, from Address, stored []model.Attachment,
	now time.Time) (*tickets.CommentInput, map[string]any, error) {
	html := msg.HTML
	inline := map[string]any{}
	atts := make([]model.Attachment, 0, len(stored))
	for i, a := range stored {
		src := msg.Attachments[i]
		a.CreatedAt = now
		a.Inline = src.ContentID != "" && (src.Inline || strings.Contains(html, "cid:"+src.ContentID))
		if err := tx.InsertAttachment(&a); err != nil {
			return nil, nil, err
		}
		if src.ContentID != "" && html != "" {
			url := fmt.Sprintf("/api/v2/attachments/%d/content", a.ID)
			if strings.Contains(html, `"cid:`+src.ContentID+`"`) {
				html = strings.ReplaceAll(html, `"cid:`+src.ContentID+`"`, `"`+url+`"`)
				inline[src.ContentID] = a.ID
			}
		}
		atts = append(atts, a)
	}
	body := msg.Text
	if strings.TrimSpace(body) == "" && strings.TrimSpace(html) == "" {
		body = "(本文なし / no message text)"
	}
	warnings := msg.Warnings
	if warnings == nil {
		warnings = []string{}
	}
	meta := map[string]any{
		"mail_message_id": row.ID, "message_id": msg.MessageID, "from": from.Address, "from_name": from.Name,
		"to": addressList(msg.To), "cc": addressList(msg.Cc), "warnings": warnings,
		"auto_submitted": msg.AutoSubmitted, "loop_signals": orEmpty(msg.LoopSignals), "quote_start": msg.QuoteStart,
	}
	return &tickets.CommentInput{Body: body, HTMLBody: html, Attachments: atts, Metadata: meta}, inline, nil
}

func orEmpty(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

func addressList(list []Address) []string {
	out := make([]string, 0, len(list))
	for _, a := range list {
		out = append(out, a.Address)
	}
	return out
}

// collaborators are the people copied on the mail (To and Cc besides us and
// the sender), as Zendesk adds them as CCs.
func collaborators(msg *Message, sender string, ours []string) []tickets.Person {
	var out []tickets.Person
	seen := map[string]bool{baseAddress(sender): true}
	for _, a := range append(append([]Address(nil), msg.To...), msg.Cc...) {
		b := baseAddress(a.Address)
		if seen[b] || isOurs(a.Address, ours) || isDaemon(a.Address) || len(out) >= maxCollaborators {
			continue
		}
		seen[b] = true
		out = append(out, tickets.Person{Name: a.Name, Email: a.Address})
	}
	return out
}

// recipientAddress is the inbox address the mail was sent to.
func recipientAddress(inbox *model.Inbox, row *model.MailMessage, msg *Message) string {
	for _, a := range recipients(row, msg) {
		if isOurs(a, inbox.Addresses) {
			return baseAddress(a)
		}
	}
	if len(inbox.Addresses) > 0 {
		return inbox.Addresses[0]
	}
	return ""
}

func viaSource(from Address, inbox *model.Inbox, to, rel string) map[string]any {
	var r any
	if rel != "" {
		r = rel
	}
	return map[string]any{
		"from": map[string]any{"address": from.Address, "name": from.Name},
		"to":   map[string]any{"address": to, "name": inbox.Name},
		"rel":  r,
	}
}
