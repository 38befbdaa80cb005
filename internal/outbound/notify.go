package outbound

import (
	"bytes"
	"errors"
	"slices"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Notice is a system mail about a ticket — a trigger's notification, a
// CSAT survey, a reminder — that is not a comment on the ticket.
type Notice struct {
	TicketID int64 // 0: about no ticket
	InboxID  int64 // the inbox it is sent from; 0: the ticket's, else the first inbox with an address
	To       []string
	Subject  string
	Body     string // plain text
	HTMLBody string // optional; made from Body when empty
	Kind     string // "trigger", "csat", "reminder"
}

// EnqueueNotice queues n in tx through the outbox, so it is delivered with
// the same retries, multi-node claiming and delivery log as replies. Each
// address gets its own mail: a notice to agents never shows the customer's
// address to them, nor the reverse. A notice to the ticket's requester is
// part of the ticket's mail thread; a notice to anyone else is not (it
// must not become the In-Reply-To of the next reply to the customer).
// A desk without any inbox address cannot mail: the notice is skipped and
// logged rather than failing the ticket write that caused it.
func (o *Outbox) EnqueueNotice(tx *store.Tx, n Notice) error {
	var to []string
	for _, a := range n.To {
		a = strings.ToLower(strings.TrimSpace(a))
		if a != "" && !slices.Contains(to, a) {
			to = append(to, a)
		}
	}
	if len(to) == 0 {
		return nil
	}
	tk := &model.Ticket{}
	if n.TicketID != 0 {
		t, err := tx.Ticket(n.TicketID)
		if err != nil {
			return err
		}
		tk = t
	}
	inbox, err := noticeInbox(tx, n.InboxID, tk.InboxID)
	if err != nil || inbox == nil {
		if err == nil {
			o.Log.Warn("outbox: no inbox with an address to send a notice from", "ticket", n.TicketID, "kind", n.Kind)
		}
		return err
	}
	var requester *model.User
	if tk.RequesterID != 0 {
		if requester, err = tx.User(tk.RequesterID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return err
		}
	}
	now := o.now()
	// The notice's own subject, without "Re:"; the [#id] tag only when it
	// is about a ticket.
	shown := *tk
	shown.Subject = n.Subject
	in := *inbox
	if n.TicketID == 0 {
		in.TicketToken = "none"
	}
	html := n.HTMLBody
	if html == "" {
		html = richtext.FromPlain(n.Body)
	}
	for _, addr := range to {
		toRequester := requester != nil && requester.Email == addr
		rcpt := &model.User{Email: addr}
		if toRequester {
			rcpt = requester
		}
		r := &Reply{Inbox: &in, Ticket: &shown, Requester: rcpt, Auto: true, Date: now,
			Comment: &model.Comment{TicketID: n.TicketID, Public: true, Body: n.Body, HTMLBody: html, CreatedAt: now}}
		if tk.BrandID != 0 {
			if r.Brand, err = tx.Brand(tk.BrandID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
		raw, msgID, err := Compose(r, o.Blobs)
		if err != nil {
			return err
		}
		sum, size, err := o.Blobs.PutIn(store.TxBlobs{Tx: tx}, bytes.NewReader(raw), 0)
		if err != nil {
			return err
		}
		m := &model.MailMessage{InboxID: in.ID, Direction: model.MailOut, MessageID: msgID, SHA256: sum, Size: size,
			MailFrom: r.fromAddress(), RcptTo: []string{addr}, Subject: r.Subject(), State: model.MailQueued,
			NextAttemptAt: now, Source: "notice:" + n.Kind, CreatedAt: now, UpdatedAt: now}
		if toRequester {
			m.TicketID = n.TicketID
		}
		if err := tx.InsertMailMessage(m); err != nil {
			return err
		}
	}
	tx.AfterCommit(o.Wake)
	return nil
}

// noticeInbox picks the inbox a notice leaves from.
func noticeInbox(tx *store.Tx, ids ...int64) (*model.Inbox, error) {
	for _, id := range ids {
		if id == 0 {
			continue
		}
		in, err := tx.Inbox(id)
		if err == nil && len(in.Addresses) > 0 {
			return in, nil
		}
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	all, err := tx.Inboxes()
	if err != nil {
		return nil, err
	}
	for _, in := range all {
		if in.Active && len(in.Addresses) > 0 {
			return in, nil
		}
	}
	return nil, nil
}
