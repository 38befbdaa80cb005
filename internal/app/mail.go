package app

import (
	"context"
	"errors"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/imappoll"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/mail"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// MailConfig is the email channel's operator settings.
type MailConfig struct {
	SMTP     smtpd.Config    // Kizuna's own listener for forwarded mail; Addr "" disables it
	Relay    outbound.Relay  // where replies go for inboxes without their own SMTP settings
	UndoSend time.Duration   // how long a reply can be recalled; 0 = default, negative = none
	AckLimit int             // auto-acknowledgements per sender per hour; 0 = 3
	IMAP     imappoll.Config // polling of IMAP inboxes; zero values take the defaults
}

// wireMail builds the email channel: processing of stored mail into tickets,
// the spool and its worker, and the outbox hooked into ticket writes.
func (a *App) wireMail() {
	cfg := a.Config.Mail
	a.Outbox = outbound.New(a.Store, a.Blobs, outbound.Config{UndoWindow: cfg.UndoSend, Relay: cfg.Relay, Decrypt: a.Secrets.Open}, a.Log)
	a.Tickets.BeforeCommit = append(a.Tickets.BeforeCommit, a.Outbox.BeforeCommit)
	a.MailProcessor = &mail.Processor{Store: a.Store, Tickets: a.Tickets, Blobs: a.Blobs, Now: time.Now, Log: a.Log}
	limit := cfg.AckLimit
	if limit <= 0 {
		limit = 3
	}
	acks := mail.NewAckLimiter(limit, time.Hour)
	a.MailProcessor.BeforeCommit = append(a.MailProcessor.BeforeCommit, func(tx *store.Tx, p mail.Processed) error {
		return a.afterMail(tx, p, acks)
	})
	a.MailWorker = &inbound.Worker{Store: a.Store, Processor: a.MailProcessor, Log: a.Log}
	a.Spool = &inbound.Spool{Store: a.Store, Blobs: a.Blobs, Notify: a.MailWorker.Notify}
}

// afterMail runs inside the transaction that puts a customer's mail on a
// ticket: a scheduled reply that has not gone yet is held back (the
// customer wrote first), and a new ticket is acknowledged when the inbox
// wants it and no loop can follow.
func (a *App) afterMail(tx *store.Tx, p mail.Processed, acks *mail.AckLimiter) error {
	if !p.NewTicket {
		return outbound.HoldScheduled(tx, p.Ticket.ID)
	}
	if p.Inbox == nil || !p.Inbox.AutoAck || p.Requester == nil || p.Requester.IsStaff() {
		return nil
	}
	if !mail.ShouldAutoReply(p.Message, p.Inbox, p.Ours) || !acks.Allow(p.Requester.Email, time.Now()) {
		return nil
	}
	_, err := a.Outbox.EnqueueAutoAck(tx, p.Ticket)
	return err
}

// Run starts the background work — the SMTP listener, the IMAP pollers, the
// inbound worker and the outbox — and blocks until ctx ends, then stops them.
func (a *App) Run(ctx context.Context) error {
	var listener *smtpd.Server
	if a.Config.Mail.SMTP.Addr != "" {
		var err error
		if listener, err = smtpd.New(a.Config.Mail.SMTP, a.Store, a.Spool, a.Log); err != nil {
			return err
		}
		if err := listener.Start(); err != nil {
			return err
		}
		a.smtpAddr.Store(listener.Addr())
		a.Log.Info("SMTP listener ready", "smtp", listener.Addr())
	}
	var wg sync.WaitGroup
	wg.Add(3)
	go func() {
		defer wg.Done()
		a.imapManager().Run(ctx)
	}()
	go func() {
		defer wg.Done()
		if err := a.MailWorker.Run(ctx); err != nil && !errors.Is(err, context.Canceled) {
			a.Log.Error("inbound mail worker stopped", "err", err)
		}
	}()
	go func() {
		defer wg.Done()
		a.Outbox.Run(ctx)
	}()
	waitExtensions := a.runExtensions(ctx)
	<-ctx.Done()
	if listener != nil {
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := listener.Shutdown(shutdownCtx); err != nil {
			a.Log.Warn("SMTP listener shutdown", "err", err)
		}
	}
	wg.Wait()
	waitExtensions()
	return nil
}

// imapManager polls every active IMAP inbox, following inbox changes.
func (a *App) imapManager() *imappoll.Manager {
	cfg := a.Config.Mail.IMAP
	if cfg.MaxBytes <= 0 { // the same limit as mail forwarded over SMTP
		cfg.MaxBytes = a.Config.Mail.SMTP.MaxMessageBytes
	}
	m := &imappoll.Manager{Store: a.Store, Spool: a.Spool, Log: a.Log, Config: cfg}
	if a.Secrets != nil {
		m.Open = a.Secrets.Open
	}
	return m
}

// SMTPAddr is the SMTP listener's address once Run has started it, else "".
func (a *App) SMTPAddr() string {
	s, _ := a.smtpAddr.Load().(string)
	return s
}
