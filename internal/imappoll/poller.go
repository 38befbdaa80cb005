package imappoll

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"slices"
	"time"

	"github.com/emersion/go-imap/v2"
	"github.com/emersion/go-imap/v2/imapclient"

	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Deliverer stores one raw message for an inbox and returns only once it is
// durable (inbound.Spool).
type Deliverer interface {
	Receive(ctx context.Context, inbox *model.Inbox, raw io.Reader, maxBytes int64, source, mailFrom string, rcptTo []string) (*model.MailMessage, bool, error)
}

// Config tunes polling; zero values take the defaults.
type Config struct {
	MaxBytes      int64         // larger messages are skipped and left unseen; default 30 MiB (as SMTP)
	PollInterval  time.Duration // between checks when the server has no IDLE; default 60s
	IdleRefresh   time.Duration // IDLE is restarted this often (servers drop it after 30m); default 25m
	RetryInterval time.Duration // next try after a message failed to store; default 1m
	MinBackoff    time.Duration // first wait before reconnecting; default 1s
	MaxBackoff    time.Duration // default 5m
	DialTimeout   time.Duration // default 30s
	Reload        time.Duration // how often the Manager re-reads the inbox list; default 30s
	DisableIdle   bool          // poll every PollInterval even where IDLE is offered (servers with a broken IDLE)
}

func (c Config) withDefaults() Config {
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	if c.MaxBytes <= 0 {
		c.MaxBytes = 30 << 20
	}
	def(&c.PollInterval, time.Minute)
	def(&c.IdleRefresh, 25*time.Minute)
	def(&c.RetryInterval, time.Minute)
	def(&c.MinBackoff, time.Second)
	def(&c.MaxBackoff, 5*time.Minute)
	def(&c.DialTimeout, 30*time.Second)
	def(&c.Reload, 30*time.Second)
	return c
}

// Poller fetches one inbox's mailbox into the spool until its context ends.
type Poller struct {
	Inbox    *model.Inbox
	Settings Settings
	Store    store.Store // where the UID position is kept
	Spool    Deliverer
	Log      *slog.Logger
	Config   Config
}

// Run polls, reconnecting with backoff after errors, until ctx ends.
func (p *Poller) Run(ctx context.Context) {
	p.Config = p.Config.withDefaults()
	if p.Log == nil {
		p.Log = slog.New(slog.DiscardHandler)
	}
	p.Log = p.Log.With("inbox_id", p.Inbox.ID, "imap", p.Settings.Addr(), "mailbox", p.Settings.Mailbox)
	backoff := p.Config.MinBackoff
	for ctx.Err() == nil {
		selected, err := p.session(ctx)
		if ctx.Err() != nil {
			return
		}
		if selected { // the server was fine for a while: start over gently
			backoff = p.Config.MinBackoff
		}
		p.Log.Warn("IMAP session ended; reconnecting / IMAP 接続が切れたため再接続します", "err", err, "in", backoff)
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(backoff*2, p.Config.MaxBackoff)
	}
}

// dial connects and logs in.
func (p *Poller) dial(wake chan<- struct{}) (*imapclient.Client, error) {
	s := p.Settings
	opts := &imapclient.Options{
		TLSConfig: &tls.Config{ServerName: s.Host, InsecureSkipVerify: s.Insecure, MinVersion: tls.VersionTLS12},
		Dialer:    &net.Dialer{Timeout: p.Config.DialTimeout},
		UnilateralDataHandler: &imapclient.UnilateralDataHandler{
			Mailbox: func(d *imapclient.UnilateralDataMailbox) {
				if d.NumMessages != nil { // EXISTS: new mail
					select {
					case wake <- struct{}{}:
					default:
					}
				}
			},
		},
	}
	var c *imapclient.Client
	var err error
	switch s.TLS {
	case "starttls":
		c, err = imapclient.DialStartTLS(s.Addr(), opts)
	case "none":
		c, err = imapclient.DialInsecure(s.Addr(), opts)
	default:
		c, err = imapclient.DialTLS(s.Addr(), opts)
	}
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	if err := c.Login(s.Username, s.Password).Wait(); err != nil {
		c.Close()
		return nil, fmt.Errorf("login as %s: %w", s.Username, err)
	}
	return c, nil
}

// session runs one connection: select, sync, then wait for news (IDLE or
// a timer) and sync again, until an error. selected reports whether it got
// as far as the mailbox.
func (p *Poller) session(ctx context.Context) (selected bool, err error) {
	wake := make(chan struct{}, 1)
	c, err := p.dial(wake)
	if err != nil {
		return false, err
	}
	defer c.Close()
	stop := context.AfterFunc(ctx, func() { c.Close() })
	defer stop()

	if pm := p.Settings.ProcessedMailbox; pm != "" {
		c.Create(pm, nil).Wait() // usually "already exists"; a real problem shows in MOVE
	}
	sel, err := c.Select(p.Settings.Mailbox, nil).Wait()
	if err != nil {
		return false, fmt.Errorf("select: %w", err)
	}
	st, err := p.position(ctx, sel.UIDValidity)
	if err != nil {
		return true, err
	}
	sy := &syncer{p: p, c: c, st: st, done: map[imap.UID]bool{}, warned: map[imap.UID]bool{}}
	for {
		failed, err := sy.pass(ctx)
		if err != nil {
			return true, err
		}
		wait := p.Config.IdleRefresh
		if failed {
			wait = p.Config.RetryInterval
		}
		if err := p.waitForNews(ctx, c, wake, wait); err != nil {
			return true, err
		}
	}
}

// position loads where we got to; after a UIDVALIDITY change the old UIDs
// mean nothing, so the whole mailbox is read again (dedupe by Message-ID
// keeps that from storing anything twice).
func (p *Poller) position(ctx context.Context, validity uint32) (*store.IMAPState, error) {
	var st *store.IMAPState
	err := p.Store.Read(ctx, func(tx *store.Tx) (err error) {
		st, err = tx.IMAPState(p.Inbox.ID)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return nil, err
	}
	if st != nil && st.UIDValidity == validity {
		return st, nil
	}
	if st != nil {
		p.Log.Warn("UIDVALIDITY changed; rescanning the mailbox / UIDVALIDITY が変わったためメールボックスを再読み込みします",
			"old", st.UIDValidity, "new", validity)
	}
	st = &store.IMAPState{InboxID: p.Inbox.ID, UIDValidity: validity, UpdatedAt: time.Now()}
	return st, p.Store.Write(ctx, func(tx *store.Tx) error { return tx.SaveIMAPState(st) })
}

// waitForNews returns when the server reports new mail, after wait, or with
// an error when the connection or ctx ends.
func (p *Poller) waitForNews(ctx context.Context, c *imapclient.Client, wake <-chan struct{}, wait time.Duration) error {
	caps := c.Caps()
	idle := (caps.Has(imap.CapIdle) || caps.Has(imap.CapIMAP4rev2)) && !p.Config.DisableIdle
	if !idle {
		wait = min(wait, p.Config.PollInterval)
	}
	timer := time.NewTimer(wait)
	defer timer.Stop()
	var cmd *imapclient.IdleCommand
	if idle {
		var err error
		if cmd, err = c.Idle(); err != nil {
			return fmt.Errorf("idle: %w", err)
		}
	}
	var err error
	select {
	case <-wake:
	case <-timer.C:
	case <-ctx.Done():
		err = ctx.Err()
	case <-c.Closed():
		err = errors.New("connection closed by the server")
	}
	if cmd != nil {
		if cerr := cmd.Close(); cerr != nil && err == nil {
			err = fmt.Errorf("end idle: %w", cerr)
		}
		if werr := cmd.Wait(); werr != nil && err == nil {
			err = fmt.Errorf("idle: %w", werr)
		}
	}
	if err == nil {
		// Also a cheap liveness check for servers without IDLE.
		if !idle {
			err = c.Noop().Wait()
		}
	}
	return err
}

// syncer walks the mailbox by UID for one session.
type syncer struct {
	p  *Poller
	c  *imapclient.Client
	st *store.IMAPState
	// done holds UIDs above st.LastUID already stored (or skipped) in this
	// session, behind one that failed, so a retry pass does not redo them.
	done, warned map[imap.UID]bool
}

// pass fetches everything above the last UID. A message that cannot be
// stored is logged and left for the next pass; failed says one was.
func (s *syncer) pass(ctx context.Context) (failed bool, err error) {
	from := imap.UID(s.st.LastUID + 1)
	msgs, err := s.c.Fetch(imap.UIDSet{{Start: from, Stop: 0}}, &imap.FetchOptions{UID: true, RFC822Size: true}).Collect()
	if err != nil {
		return false, fmt.Errorf("list messages: %w", err)
	}
	slices.SortFunc(msgs, func(a, b *imapclient.FetchMessageBuffer) int { return int(a.UID) - int(b.UID) })
	prefix := true // every message so far is done: st.LastUID may move up
	for _, m := range msgs {
		if m.UID < from { // "n:*" always includes the last message
			continue
		}
		if ctx.Err() != nil {
			return false, ctx.Err()
		}
		ok := s.done[m.UID]
		if !ok {
			ok, err = s.one(ctx, m.UID, m.RFC822Size)
			if err != nil {
				return false, err
			}
		}
		if !ok {
			failed, prefix = true, false
			continue
		}
		if !prefix {
			s.done[m.UID] = true
			continue
		}
		delete(s.done, m.UID)
		s.st.LastUID, s.st.UpdatedAt = uint32(m.UID), time.Now()
		if err := s.p.Store.Write(ctx, func(tx *store.Tx) error { return tx.SaveIMAPState(s.st) }); err != nil {
			return false, fmt.Errorf("save position: %w", err)
		}
	}
	return failed, nil
}

// one stores one message and then marks it. ok is false when it should be
// tried again later; err only for a broken connection.
func (s *syncer) one(ctx context.Context, uid imap.UID, size int64) (ok bool, err error) {
	log := s.p.Log.With("uid", uid, "size", size)
	if size > s.p.Config.MaxBytes {
		if !s.warned[uid] {
			s.warned[uid] = true
			log.Warn("message over the size limit left in the mailbox unseen / サイズ上限を超えるメールは取り込まずに残します", "limit", s.p.Config.MaxBytes)
		}
		return true, nil
	}
	set := imap.UIDSetNum(uid)
	stored, gone, err := s.store(ctx, set)
	if s.closed() {
		return false, fmt.Errorf("fetch uid %d: connection lost: %v", uid, err)
	}
	switch {
	case gone: // expunged by someone else meanwhile
		return true, nil
	case errors.Is(err, inbound.ErrTooLarge): // RFC822.SIZE understated it
		log.Warn("message over the size limit left in the mailbox unseen / サイズ上限を超えるメールは取り込まずに残します", "limit", s.p.Config.MaxBytes)
		return true, nil
	case err != nil:
		log.Warn("could not store message; will retry / メールを保存できませんでした。後で再試行します", "err", err)
		return false, nil
	case !stored:
		return false, nil
	}
	if err := s.mark(set); err != nil {
		if s.closed() {
			return false, fmt.Errorf("mark uid %d: %w", uid, err)
		}
		// Stored: a later session fetches it again and the spool answers
		// "duplicate", after which the mark is retried.
		log.Warn("stored, but could not mark the message / 保存済みですがフラグを付けられませんでした", "err", err)
	}
	return true, nil
}

// store streams one message from the server into the spool.
func (s *syncer) store(ctx context.Context, set imap.UIDSet) (stored, gone bool, err error) {
	cmd := s.c.Fetch(set, &imap.FetchOptions{UID: true, BodySection: []*imap.FetchItemBodySection{{Peek: true}}})
	defer cmd.Close()
	msg := cmd.Next()
	if msg == nil {
		if err := cmd.Close(); err != nil {
			return false, false, err
		}
		return false, true, nil
	}
	var body imap.LiteralReader
	for item := msg.Next(); item != nil; item = msg.Next() {
		if b, ok := item.(imapclient.FetchItemDataBodySection); ok && b.Literal != nil {
			body = b.Literal
			break
		}
	}
	if body == nil {
		return false, false, errors.New("the server sent no message body")
	}
	if _, _, err := s.p.Spool.Receive(ctx, s.p.Inbox, body, s.p.Config.MaxBytes, "imap", "", nil); err != nil {
		return false, false, err
	}
	if err := cmd.Close(); err != nil {
		// The bytes are stored; the server's late NO changes nothing.
		s.p.Log.Warn("fetch ended with an error after the message was stored", "err", err)
	}
	return true, false, nil
}

// mark flags a stored message \Seen, or moves it to the processed folder.
func (s *syncer) mark(set imap.UIDSet) error {
	if pm := s.p.Settings.ProcessedMailbox; pm != "" {
		_, err := s.c.Move(set, pm).Wait()
		return err
	}
	return s.c.Store(set, &imap.StoreFlags{Op: imap.StoreFlagsAdd, Silent: true, Flags: []imap.Flag{imap.FlagSeen}}, nil).Close()
}

func (s *syncer) closed() bool {
	select {
	case <-s.c.Closed():
		return true
	default:
		return false
	}
}
