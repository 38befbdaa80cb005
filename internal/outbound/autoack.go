package outbound

import (
	"errors"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// SourceAutoAck marks an inbox's automatic acknowledgement.
const SourceAutoAck = "auto_ack"

// defaultAck is sent when an inbox enables acknowledgements without its own text.
const defaultAck = `{{requester}} 様

お問い合わせありがとうございます。受付番号 #{{ticket}} で承りました。担当者より順次ご連絡いたします。
このメールには返信いただけます。

Thank you for contacting us. Your request #{{ticket}} has been received; we will get back to you soon.
You can reply to this email.`

// EnqueueAutoAck queues the inbox's acknowledgement of a new ticket. It is
// marked Auto-Submitted so auto-responders never answer it, and it is not a
// comment: the ticket's conversation stays the customer's and the agents'.
// Callers decide whether to acknowledge (mail.ShouldAutoReply, rate limit).
func (o *Outbox) EnqueueAutoAck(tx *store.Tx, tk *model.Ticket) (*model.MailMessage, error) {
	inbox, err := tx.Inbox(tk.InboxID)
	if err != nil || !inbox.AutoAck {
		return nil, err
	}
	requester, err := tx.User(tk.RequesterID)
	if err != nil || requester.Email == "" {
		return nil, err
	}
	now := o.now()
	text := inbox.AutoAckBody
	if strings.TrimSpace(text) == "" {
		text = defaultAck
	}
	text = strings.NewReplacer("{{ticket}}", strconv.FormatInt(tk.ID, 10), "{{ticket.id}}", strconv.FormatInt(tk.ID, 10),
		"{{requester}}", requester.Name, "{{ticket.requester.name}}", requester.Name, "{{ticket.subject}}", tk.Subject).Replace(text)
	c := &model.Comment{TicketID: tk.ID, Public: true, Body: text, HTMLBody: richtext.FromPlain(text), CreatedAt: now}
	r := &Reply{Inbox: inbox, Ticket: tk, Comment: c, Requester: requester, Auto: true}
	if tk.BrandID != 0 {
		if r.Brand, err = tx.Brand(tk.BrandID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if r.Thread, err = tx.MailMessagesOfTicket(tk.ID); err != nil {
		return nil, err
	}
	return o.queue(tx, r, now, now, SourceAutoAck)
}
