package mail

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// Processor turns stored inbound mail (state "received") into tickets.
type Processor struct {
	Store   store.Store
	Tickets *tickets.Service
	Blobs   *blob.Store
	Now     func() time.Time
	Log     *slog.Logger
	// OnProcessed is called after a mail's ticket write commits (not for
	// bounces, loops or failures): where the auto-acknowledgement decides,
	// with ShouldAutoReply and an AckLimiter, whether to answer.
	OnProcessed []func(Processed)
	// BeforeCommit runs inside the mail's ticket transaction once it is on a
	// ticket; an error rolls the whole mail back for a retry. The
	// acknowledgement is queued here, so it commits with its ticket (one
	// write per mail, and never a ticket without its acknowledgement).
	BeforeCommit []func(tx *store.Tx, p Processed) error

	// large admits LargeAtOnce mails over LargeBytes at a time: a 30 MB
	// mail takes about four times its size in memory while it is parsed,
	// so many small mails may be processed together but few large ones.
	largeOnce sync.Once
	large     chan struct{}
}

// LargeBytes and LargeAtOnce bound the memory of mail processing: at most
// LargeAtOnce mails bigger than LargeBytes are read and parsed at once,
// however many workers run.
const (
	LargeBytes  = 1 << 20
	LargeAtOnce = 2
)

// admitLarge waits for a turn to process a large mail; release ends it.
func (p *Processor) admitLarge(ctx context.Context) (release func(), err error) {
	p.largeOnce.Do(func() { p.large = make(chan struct{}, LargeAtOnce) })
	select {
	case p.large <- struct{}{}:
		return func() { <-p.large }, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// Processed is what became of one inbound mail.
type Processed struct {
	Mail      *model.MailMessage
	Message   *Message
	Inbox     *model.Inbox
	Ticket    *model.Ticket
	Comment   *model.Comment
	Requester *model.User // the sender
	NewTicket bool        // a new ticket (or follow-up) was opened
	Ours      []string    // every inbox address, for loop checks
}

// maxAttempts bounds retries of mail that failed for a passing reason (the
// database was busy, the disk full); mail that is itself the problem fails
// at once.
const maxAttempts = 5

// maxCollaborators is Zendesk's limit on CCs per ticket.
const maxCollaborators = 48

func (p *Processor) now() time.Time {
	if p.Now != nil {
		return p.Now().UTC().Truncate(time.Millisecond)
	}
	return time.Now().UTC().Truncate(time.Millisecond)
}

func (p *Processor) log() *slog.Logger {
	if p.Log != nil {
		return p.Log
	}
	return slog.Default()
}

// Process reads mail mailID, threads it and writes it to a ticket in one
// transaction. Mail that cannot be processed is marked failed with the
// reason and its raw bytes stay in the blob store: nothing is ever lost.
// Processing a mail that is no longer "received" does nothing.
func (p *Processor) Process(ctx context.Context, mailID int64) error {
	var row *model.MailMessage
	if err := p.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		row, err = tx.MailMessage(mailID)
		return err
	}); err != nil {
		return err
	}
	if row.State != model.MailReceived || row.Direction != model.MailIn {
		return nil
	}
	if row.Size > LargeBytes {
		release, err := p.admitLarge(ctx)
		if err != nil {
			return err
		}
		defer release()
	}
	raw, err := p.readRaw(row.SHA256)
	if err != nil {
		return p.fail(ctx, mailID, fmt.Errorf("%w: %w", errRaw, err))
	}
	msg := Parse(raw)
	stored, err := p.storeAttachments(msg)
	if err != nil {
		return p.fail(ctx, mailID, fmt.Errorf("storing attachments: %w", err))
	}
	var done *Processed
	err = p.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		if done, err = p.apply(tx, mailID, msg, stored); err != nil || done == nil {
			return err
		}
		for _, f := range p.BeforeCommit {
			if err := f(tx, *done); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return p.fail(ctx, mailID, err)
	}
	if done != nil {
		for _, f := range p.OnProcessed {
			f(*done)
		}
	}
	return nil
}

func (p *Processor) readRaw(sum string) ([]byte, error) {
	f, err := p.Blobs.Open(sum)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return io.ReadAll(f)
}

// storeAttachments puts every attachment's bytes in the blob store before the
// transaction (content-addressed, so a retry stores nothing twice).
func (p *Processor) storeAttachments(msg *Message) ([]model.Attachment, error) {
	out := make([]model.Attachment, len(msg.Attachments))
	for i, a := range msg.Attachments {
		sum, size, err := p.Blobs.Put(bytes.NewReader(a.Data), 0)
		if err != nil {
			return nil, err
		}
		ct := a.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		out[i] = model.Attachment{FileName: a.FileName, ContentType: ct, Size: size, SHA256: sum}
	}
	return out, nil
}

var (
	errRaw      = errors.New("raw message unreadable / 元のメールを読めません")
	errNoSender = errors.New("the mail has no sender address / 差出人アドレスがありません")
	errNoInbox  = errors.New("no inbox owns any recipient of this mail / 宛先に該当する受信箱がありません")
)

// permanent reports errors a retry cannot fix: the mail itself is the problem.
func permanent(err error) bool {
	var inv *errs.Invalid
	return errors.As(err, &inv) || errors.Is(err, errs.ErrForbidden) || errors.Is(err, store.ErrNotFound) ||
		errors.Is(err, errRaw) || errors.Is(err, errNoSender) || errors.Is(err, errNoInbox)
}

// fail records why a mail could not be processed. A passing failure leaves
// it "received" with a later NextAttemptAt (backing off) so the retry queue
// (MailMessagesInState) picks it up again; after maxAttempts, or at once
// when the mail itself is the problem, it is marked failed. Either way the
// raw bytes stay. A cancelled context (shutdown) changes nothing.
func (p *Processor) fail(ctx context.Context, mailID int64, cause error) error {
	if ctx.Err() != nil {
		return cause
	}
	p.log().Warn("mail processing failed", "mail_id", mailID, "err", cause)
	err := p.Store.Write(ctx, func(tx *store.Tx) error {
		row, err := tx.MailMessage(mailID)
		if err != nil || row.State != model.MailReceived {
			return err
		}
		now := p.now()
		row.Attempts++
		row.Error, row.UpdatedAt = truncate(cause.Error(), 1000), now
		if permanent(cause) || row.Attempts >= maxAttempts {
			row.State = model.MailFailed
		} else {
			row.NextAttemptAt = now.Add(time.Minute << row.Attempts)
		}
		return tx.UpdateMailMessage(row)
	})
	return errors.Join(fmt.Errorf("mail %d: %w", mailID, cause), err)
}

func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "?")
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}

// finishRow records what became of the mail.
func finishRow(tx *store.Tx, row *model.MailMessage, msg *Message, state string, ticketID, commentID int64, note string, now time.Time) error {
	row.State, row.TicketID, row.CommentID, row.Error, row.UpdatedAt = state, ticketID, commentID, truncate(note, 1000), now
	if row.Subject == "" {
		row.Subject = truncate(msg.Subject, 500)
	}
	if row.InReplyTo == "" {
		row.InReplyTo = msg.InReplyTo
	}
	if len(row.References) == 0 {
		row.References = msg.References
	}
	return tx.UpdateMailMessage(row)
}

// inboxOf is the row's inbox, or the inbox of the first recipient we own.
func inboxOf(tx *store.Tx, row *model.MailMessage, msg *Message) (*model.Inbox, error) {
	if row.InboxID != 0 {
		return tx.Inbox(row.InboxID)
	}
	for _, a := range recipients(row, msg) {
		in, err := tx.InboxByAddress(a)
		if err == nil {
			return in, nil
		}
		if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	return nil, errNoInbox
}

// recipients lists envelope and header recipients, envelope first.
func recipients(row *model.MailMessage, msg *Message) []string {
	list := append([]string(nil), row.RcptTo...)
	for _, a := range append(append([]Address(nil), msg.To...), msg.Cc...) {
		list = append(list, a.Address)
	}
	return list
}

// ourAddresses is every inbox address of the desk.
func ourAddresses(tx *store.Tx) ([]string, error) {
	inboxes, err := tx.Inboxes()
	if err != nil {
		return nil, err
	}
	var out []string
	for _, in := range inboxes {
		out = append(out, in.Addresses...)
	}
	return out, nil
}

// OurAddresses lists every inbox address (for ShouldAutoReply).
func (p *Processor) OurAddresses(ctx context.Context) ([]string, error) {
	var out []string
	err := p.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		out, err = ourAddresses(tx)
		return err
	})
	return out, err
}

func (p *Processor) apply(tx *store.Tx, mailID int64, msg *Message, stored []model.Attachment) (*Processed, error) {
	row, err := tx.MailMessage(mailID)
	if err != nil || row.State != model.MailReceived {
		return nil, err // another worker got there first
	}
	now := p.now()
	inbox, err := inboxOf(tx, row, msg)
	if err != nil {
		return nil, err
	}
	ours, err := ourAddresses(tx)
	if err != nil {
		return nil, err
	}
	if msg.Bounce != nil {
		return nil, p.bounce(tx, row, msg, now)
	}
	from := msg.From
	if from.Address == "" {
		from = Address{Address: strings.ToLower(strings.TrimSpace(row.MailFrom))}
	}
	if from.Address == "" || !strings.Contains(from.Address, "@") {
		return nil, errNoSender
	}
	if isOurs(from.Address, ours) {
		return nil, finishRow(tx, row, msg, model.MailIgnored, 0, 0, "mail from our own address "+from.Address+" (loop) / 自分のアドレスからのメールのため無視しました", now)
	}
	sender, err := users.FindOrCreate(tx, from.Name, from.Address, "", now)
	if err != nil {
		return nil, err
	}
	if sender.Suspended {
		return nil, finishRow(tx, row, msg, model.MailIgnored, 0, 0, "sender "+from.Address+" is suspended / 差出人は利用停止中です", now)
	}
	th, err := thread(tx, inbox, row, msg, sender, ours)
	if err != nil {
		return nil, err
	}
	comment, inline, err := p.comment(tx, row, msg, from, stored, now)
	if err != nil {
		return nil, err
	}
	comment.Metadata["threaded_by"] = th.how
	comment.Metadata["inline_images"] = inline
	ch := tickets.Change{
		Comment:     comment,
		Via:         "email",
		ViaSource:   viaSource(from, inbox, recipientAddress(inbox, row, msg), ""),
		AddCollabs:  collaborators(msg, from.Address, ours),
		FromChannel: sender.Role == model.RoleEndUser,
	}
	if !sender.IsStaff() && th.ticket != nil && !th.onTicket {
		// Replying to a thread they were copied on: they join as a CC.
		ch.AddCollabs = append(ch.AddCollabs, tickets.Person{ID: sender.ID})
	}
	if sender.Role == model.RoleLightAgent {
		ch.Comment.Public = new(bool) // light agents write internal notes only
		ch.AddCollabs = nil
	}
	var res *tickets.Result
	if th.ticket != nil && th.ticket.Status != model.StatusClosed {
		res, err = p.Tickets.UpdateTx(tx, sender, th.ticket.ID, ch)
	} else {
		subject := msg.Subject
		if strings.TrimSpace(subject) == "" {
			subject = "(件名なし / no subject)"
		}
		subject = truncateRunes(subject, 250)
		ch.Subject = &subject
		ch.InboxID = &inbox.ID
		if inbox.BrandID != 0 {
			ch.BrandID = &inbox.BrandID
		}
		if inbox.DefaultGroupID != 0 {
			ch.GroupID = &inbox.DefaultGroupID
		}
		rcpt := recipientAddress(inbox, row, msg)
		ch.Recipient = &rcpt
		if th.ticket != nil {
			ch.FollowupOf = th.ticket.ID
			ch.ViaSource = viaSource(from, inbox, rcpt, "follow_up")
		}
		res, err = p.Tickets.CreateTx(tx, sender, ch)
	}
	if err != nil {
		return nil, err
	}
	var commentID int64
	if res.Comment != nil {
		commentID = res.Comment.ID
	}
	if err := finishRow(tx, row, msg, model.MailProcessed, res.Ticket.ID, commentID, "", now); err != nil {
		return nil, err
	}
	return &Processed{Mail: row, Message: msg, Inbox: inbox, Ticket: res.Ticket, Comment: res.Comment, Requester: sender,
		NewTicket: th.ticket == nil || th.ticket.Status == model.StatusClosed, Ours: ours}, nil
}
