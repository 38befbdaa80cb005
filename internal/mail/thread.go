package mail

import (
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// threadMatch is the ticket a mail belongs to (nil: a new ticket).
type threadMatch struct {
	ticket   *model.Ticket
	how      string // "message_id", "subject_token", "address_token" or "new"
	onTicket bool   // the sender is the requester or already copied on it
}

var (
	subjectToken = regexp.MustCompile(`\[#(\d{1,18})\]`)
	addressToken = regexp.MustCompile(`^[^+@]+\+t(\d{1,18})@`)
)

// thread finds the ticket a mail continues: by In-Reply-To/References
// against every Message-ID we have seen or sent, else by the ticket token
// the inbox puts in outgoing mail. A subject alone never joins a ticket, and
// a token only joins for someone already on that ticket (tokens are guessable).
func thread(tx *store.Tx, inbox *model.Inbox, row *model.MailMessage, msg *Message, sender *model.User, ours []string) (threadMatch, error) {
	var ids []string
	for _, id := range append(slices.Clone(msg.References), msg.InReplyTo) {
		if id != "" && id != msg.MessageID && !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) > 0 {
		id, err := tx.TicketForMessageIDs(ids)
		if err == nil {
			tk, err := tx.Ticket(id)
			if err != nil {
				return threadMatch{}, err
			}
			return threadMatch{ticket: tk, how: "message_id", onTicket: onTicket(sender, tk)}, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return threadMatch{}, err
		}
	}
	mode := inbox.TicketToken
	if mode == "" {
		mode = "both"
	}
	var candidates []struct {
		id  int64
		how string
	}
	if mode == "subject" || mode == "both" {
		for _, m := range subjectToken.FindAllStringSubmatch(msg.Subject, -1) {
			id, _ := strconv.ParseInt(m[1], 10, 64)
			candidates = append(candidates, struct {
				id  int64
				how string
			}{id, "subject_token"})
		}
	}
	if mode == "address" || mode == "both" {
		for _, a := range recipients(row, msg) {
			if m := addressToken.FindStringSubmatch(strings.ToLower(a)); m != nil && isOurs(a, ours) {
				id, _ := strconv.ParseInt(m[1], 10, 64)
				candidates = append(candidates, struct {
					id  int64
					how string
				}{id, "address_token"})
			}
		}
	}
	for _, c := range candidates {
		tk, err := tx.Ticket(c.id)
		if errors.Is(err, store.ErrNotFound) {
			continue
		}
		if err != nil {
			return threadMatch{}, err
		}
		if tk.DeletedAt.IsZero() && (sender.IsStaff() || onTicket(sender, tk)) {
			return threadMatch{ticket: tk, how: c.how, onTicket: true}, nil
		}
	}
	return threadMatch{how: "new"}, nil
}

func onTicket(u *model.User, tk *model.Ticket) bool {
	return u.IsStaff() || tk.RequesterID == u.ID || slices.Contains(tk.CollaboratorIDs, u.ID)
}

// bounce attaches a delivery status report to the outgoing mail it is
// about: that mail is marked bounced with the reason and an internal note
// goes on its ticket. A bounce never opens a ticket.
func (p *Processor) bounce(tx *store.Tx, row *model.MailMessage, msg *Message, now time.Time) error {
	b := msg.Bounce
	var out *model.MailMessage
	if b.OriginalMessageID != "" {
		inboxes, err := tx.Inboxes()
		if err != nil {
			return err
		}
		ids := []int64{row.InboxID}
		for _, in := range inboxes {
			if in.ID != row.InboxID {
				ids = append(ids, in.ID)
			}
		}
		for _, id := range ids {
			m, err := tx.MailByMessageID(id, model.MailOut, b.OriginalMessageID)
			if err == nil {
				out = m
				break
			}
			if !errors.Is(err, store.ErrNotFound) {
				return err
			}
		}
	}
	if out == nil {
		return finishRow(tx, row, msg, model.MailIgnored, 0, 0,
			"delivery report for an unknown message <"+b.OriginalMessageID+"> / 不明なメッセージの配信通知", now)
	}
	reason := bounceReason(b)
	if b.Permanent() {
		out.State, out.Error, out.UpdatedAt = model.MailBounced, truncate(reason, 1000), now
		if err := tx.UpdateMailMessage(out); err != nil {
			return err
		}
	}
	var commentID int64
	if out.TicketID != 0 {
		id, err := p.bounceNote(tx, out, row, b, reason)
		if err != nil {
			return err
		}
		commentID = id
	}
	return finishRow(tx, row, msg, model.MailIgnored, out.TicketID, commentID, "delivery report for <"+b.OriginalMessageID+">: "+reason, now)
}

func bounceReason(b *Bounce) string {
	var parts []string
	for _, r := range b.Recipients {
		s := r.Address
		if r.Status != "" {
			s += " " + r.Status
		}
		if r.Diagnostic != "" {
			s += " (" + r.Diagnostic + ")"
		}
		if r.Action != "" && r.Action != "failed" {
			s += " [" + r.Action + "]"
		}
		parts = append(parts, s)
	}
	if len(parts) == 0 {
		return "delivery failed / 配信に失敗しました"
	}
	return strings.Join(parts, "; ")
}

// bounceNote adds an internal note about the failed delivery, written as the
// agent whose reply bounced (else the assignee); a closed ticket or one with
// no agent to write it gets none — the outgoing mail's state still shows it.
func (p *Processor) bounceNote(tx *store.Tx, out, row *model.MailMessage, b *Bounce, reason string) (int64, error) {
	tk, err := tx.Ticket(out.TicketID)
	if errors.Is(err, store.ErrNotFound) {
		return 0, nil
	}
	if err != nil || !tk.DeletedAt.IsZero() || tk.Status == model.StatusClosed {
		return 0, err
	}
	var author *model.User
	if out.CommentID != 0 {
		cs, err := tx.Comments(out.TicketID, false, out.CommentID-1, 1, false)
		if err != nil {
			return 0, err
		}
		if len(cs) == 1 && cs[0].ID == out.CommentID {
			if u, err := tx.User(cs[0].AuthorID); err == nil && u.IsStaff() {
				author = u
			}
		}
	}
	if author == nil && tk.AssigneeID != 0 {
		if u, err := tx.User(tk.AssigneeID); err == nil && u.IsStaff() {
			author = u
		}
	}
	if author == nil {
		return 0, nil
	}
	title := "配信に失敗しました / Delivery failed"
	if !b.Permanent() {
		title = "配信が遅れています / Delivery delayed"
	}
	body := fmt.Sprintf("%s: %s\nMessage-ID: <%s>", title, reason, b.OriginalMessageID)
	res, err := p.Tickets.UpdateTx(tx, author, tk.ID, tickets.Change{
		Via: "email",
		Comment: &tickets.CommentInput{Body: body, Public: new(bool), Metadata: map[string]any{
			"mail_message_id": row.ID, "bounce_of": out.ID, "message_id": b.OriginalMessageID, "system": true}},
	})
	if err != nil || res.Comment == nil {
		return 0, err
	}
	return res.Comment.ID, nil
}
