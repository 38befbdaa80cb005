package outbound

import (
	"bytes"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Outgoing states beyond those in model: a worker has taken the mail
// (sending), the customer wrote before a scheduled reply went (held), an
// agent recalled it (cancelled).
const (
	StateSending   = "sending"
	StateHeld      = "held"
	StateCancelled = "cancelled"
)

// Sources of outgoing mail rows: a reply queued for now (after the undo
// window) or one scheduled for a chosen time.
const (
	SourceReply     = "reply"
	SourceScheduled = "scheduled"
)

// DefaultUndoWindow is how long a new reply waits before it goes, so that
// an agent can recall it.
const DefaultUndoWindow = 10 * time.Second

// Relay is an SMTP server that mail goes through.
type Relay struct {
	Addr     string // host:port
	Username string // empty: no AUTH
	Password string
	TLS      string // "starttls" (required), "tls" (implicit, port 465), "none", or "" (STARTTLS when offered)
	// Insecure skips certificate verification (tests, private relays).
	Insecure bool
}

// Config tunes the outbox.
type Config struct {
	UndoWindow  time.Duration // 0: DefaultUndoWindow; negative: none
	Relay       Relay         // used for inboxes without their own outgoing settings
	Poll        time.Duration // how often the worker looks for due mail; default 1s
	Lease       time.Duration // a claim older than this is taken over; default 5m
	RetryBase   time.Duration // first retry delay, doubled each time; default 1m
	RetryMax    time.Duration // longest retry delay; default 2h
	MaxAttempts int           // then the mail fails for good; default 12
	Timeout     time.Duration // one SMTP conversation; default 2m
	HeloName    string        // default: the sending inbox's domain
	// Decrypt opens a secret from an inbox's outgoing settings (passwords
	// are encrypted at rest); nil uses the value as stored.
	Decrypt func(string) (string, error)
	Now     func() time.Time
}

// Outbox queues reply mails and delivers them.
type Outbox struct {
	Store store.Store
	Blobs *blob.Store
	Cfg   Config
	Log   *slog.Logger
	wake  chan struct{}
}

// New returns an outbox; wire BeforeCommit into tickets.Service and run Run.
func New(st store.Store, blobs *blob.Store, cfg Config, log *slog.Logger) *Outbox {
	if cfg.UndoWindow == 0 {
		cfg.UndoWindow = DefaultUndoWindow
	}
	if cfg.UndoWindow < 0 {
		cfg.UndoWindow = 0
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&cfg.Poll, time.Second)
	def(&cfg.Lease, 5*time.Minute)
	def(&cfg.RetryBase, time.Minute)
	def(&cfg.RetryMax, 2*time.Hour)
	def(&cfg.Timeout, 2*time.Minute)
	if cfg.MaxAttempts <= 0 {
		cfg.MaxAttempts = 12
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	if log == nil {
		log = slog.Default()
	}
	return &Outbox{Store: st, Blobs: blobs, Cfg: cfg, Log: log, wake: make(chan struct{}, 1)}
}

func (o *Outbox) now() time.Time { return o.Cfg.Now().UTC().Truncate(time.Millisecond) }

// BeforeCommit queues the reply mail for a public agent comment on a mail
// ticket; append it to tickets.Service.BeforeCommit.
func (o *Outbox) BeforeCommit(tx *store.Tx, r tickets.Result) error {
	c, tk := r.Comment, r.Ticket
	if c == nil || !c.Public || tk == nil || tk.InboxID == 0 {
		return nil
	}
	author, err := tx.User(c.AuthorID)
	if err != nil {
		return err
	}
	if !author.IsStaff() || c.Via == "email" {
		// The customer's own words are not mailed back to them, and an
		// agent who wrote by mail has already sent that mail themselves.
		return nil
	}
	requester, err := tx.User(tk.RequesterID)
	if err != nil || requester.Email == "" {
		return err
	}
	_, err = o.Enqueue(tx, tk, c)
	return err
}

// Enqueue composes the reply for comment c and queues it, inside tx. It
// goes after the undo window, or at the comment's metadata.send_at
// (送信予約) when that is later.
func (o *Outbox) Enqueue(tx *store.Tx, tk *model.Ticket, c *model.Comment) (*model.MailMessage, error) {
	now := o.now()
	next, source := now.Add(o.Cfg.UndoWindow), SourceReply
	if v, ok := c.Metadata["send_at"]; ok && v != nil {
		s, _ := v.(string)
		at, err := time.Parse(time.RFC3339, s)
		if err != nil {
			return nil, errs.Invalidf("comment", "InvalidValue",
				"Comment: metadata.send_at must be a time like 2026-04-01T09:00:00+09:00 / 送信予約の日時の形式が正しくありません")
		}
		if at.After(next) {
			next, source = at.UTC(), SourceScheduled
		}
	}
	reply, err := Gather(tx, tk, c)
	if err != nil {
		return nil, err
	}
	return o.queue(tx, reply, now, next, source)
}

// queue composes reply, stores the raw mail and queues it to go at next.
func (o *Outbox) queue(tx *store.Tx, reply *Reply, now, next time.Time, source string) (*model.MailMessage, error) {
	tk, c := reply.Ticket, reply.Comment
	reply.Date = now
	raw, msgID, err := Compose(reply, o.Blobs)
	if err != nil {
		return nil, fmt.Errorf("compose reply to ticket %d: %w", tk.ID, err)
	}
	// The blob is written (and synced) before the row commits; if the
	// transaction rolls back it is an unreferenced file, never a lost mail.
	sum, size, err := o.Blobs.PutIn(store.TxBlobs{Tx: tx}, bytes.NewReader(raw), 0)
	if err != nil {
		return nil, err
	}
	to, cc := reply.Recipients()
	inReplyTo, refs := reply.Threading()
	m := &model.MailMessage{InboxID: tk.InboxID, Direction: model.MailOut, MessageID: msgID, InReplyTo: inReplyTo, References: refs,
		SHA256: sum, Size: size, MailFrom: reply.fromAddress(), RcptTo: append([]string{to}, cc...), Subject: reply.Subject(),
		TicketID: tk.ID, CommentID: c.ID, State: model.MailQueued, NextAttemptAt: next, Source: source, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertMailMessage(m); err != nil {
		return nil, err
	}
	tx.AfterCommit(o.Wake)
	return m, nil
}

// Wake makes the worker look for due mail now.
func (o *Outbox) Wake() {
	select {
	case o.wake <- struct{}{}:
	default:
	}
}

// HoldScheduled holds back ticketID's scheduled replies that have not gone
// yet, because the customer wrote again: call it from inbound processing
// when a customer's mail lands on a ticket.
func HoldScheduled(tx *store.Tx, ticketID int64) error {
	_, err := tx.HoldScheduledMail(ticketID, time.Now().UnixMilli())
	return err
}

// ErrNotCancellable means the mail has already gone (or is going) out.
var ErrNotCancellable = errors.New("the mail has already been sent or is being sent / このメールはすでに送信済みか送信中のため取り消せません")

// Cancel recalls an outgoing mail that has not been sent (undo send, or a
// scheduled or held reply): it will never be delivered, its comment becomes
// an internal note, and an internal note records the recall.
func Cancel(tx *store.Tx, svc *tickets.Service, actor *model.User, id int64) (*model.MailMessage, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("agents and admins only / エージェントと管理者のみ利用できます")
	}
	m, err := tx.MailMessage(id)
	if err != nil {
		return nil, err
	}
	if m.Direction != model.MailOut {
		return nil, ErrNotCancellable
	}
	now := svc.Now().UTC()
	ok, err := tx.SetMailStateIf(id, []string{model.MailQueued, StateHeld}, StateCancelled, now.UnixMilli())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotCancellable
	}
	tk, err := tx.Ticket(m.TicketID)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if tk != nil && tk.DeletedAt.IsZero() && tk.Status != model.StatusClosed {
		if m.CommentID != 0 {
			if err := tx.MakeCommentPrivate(m.TicketID, m.CommentID); err != nil && !errors.Is(err, store.ErrNotFound) {
				return nil, err
			}
		}
		public := false
		note := fmt.Sprintf("返信メール「%s」の送信を取り消しました。お客様には送信されていません。\nThe reply \"%s\" was recalled before it was sent; the customer did not receive it.", m.Subject, m.Subject)
		if _, err := svc.UpdateTx(tx, actor, m.TicketID, tickets.Change{Comment: &tickets.CommentInput{Body: note, Public: &public},
			Metadata: map[string]any{"mail_message_id": m.ID, "recalled": true}}); err != nil {
			return nil, err
		}
	}
	return tx.MailMessage(id)
}

// ErrNotRetryable means the mail is neither held nor failed.
var ErrNotRetryable = errors.New("only a held or failed mail can be sent again / 保留中または送信失敗のメールのみ再送できます")

// Retry sends a held or failed mail again now (after the settings were
// fixed, or when the agent decides a held reply should still go).
func Retry(tx *store.Tx, actor *model.User, id int64, now time.Time) (*model.MailMessage, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("agents and admins only / エージェントと管理者のみ利用できます")
	}
	if _, err := tx.MailMessage(id); err != nil {
		return nil, err
	}
	ok, err := tx.RequeueMail(id, now.UnixMilli(), now.UnixMilli())
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, ErrNotRetryable
	}
	return tx.MailMessage(id)
}
