// Package smtpd is Kizuna's own SMTP listener for mail forwarded to the
// desk. It accepts only recipients that belong to an inbox (never an open
// relay), enforces a size limit, offers STARTTLS when given a certificate,
// and answers 250 only after the spool has durably stored the message.
package smtpd

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"strings"
	"time"

	"github.com/emersion/go-smtp"

	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Config tunes the listener.
type Config struct {
	Addr            string // e.g. 127.0.0.1:2525; "" disables the listener
	Hostname        string // greeting and EHLO name; default "kizuna"
	MaxMessageBytes int64  // default 30 MiB
	MaxRecipients   int    // default 100
	TLSCertFile     string // both set: STARTTLS is offered
	TLSKeyFile      string
	TLSConfig       *tls.Config // used instead of the files when set (tests)
	ReadTimeout     time.Duration
	WriteTimeout    time.Duration
}

// DefaultMaxMessageBytes is the size limit unless configured.
const DefaultMaxMessageBytes = 30 << 20

// Server is a running listener.
type Server struct {
	cfg   Config
	store store.Store
	spool *inbound.Spool
	log   *slog.Logger
	srv   *smtp.Server
	ln    net.Listener
	done  chan struct{}
	err   error
	conns tracker
}

// New prepares a listener that delivers into spool. Call Start to listen.
func New(cfg Config, st store.Store, spool *inbound.Spool, log *slog.Logger) (*Server, error) {
	if cfg.Hostname == "" {
		cfg.Hostname = "kizuna"
	}
	if cfg.MaxMessageBytes <= 0 {
		cfg.MaxMessageBytes = DefaultMaxMessageBytes
	}
	if cfg.MaxRecipients <= 0 {
		cfg.MaxRecipients = 100
	}
	if cfg.ReadTimeout <= 0 {
		cfg.ReadTimeout = 5 * time.Minute
	}
	if cfg.WriteTimeout <= 0 {
		cfg.WriteTimeout = time.Minute
	}
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	s := &Server{cfg: cfg, store: st, spool: spool, log: log, done: make(chan struct{})}
	srv := smtp.NewServer(s)
	srv.Domain = cfg.Hostname
	srv.MaxMessageBytes = cfg.MaxMessageBytes
	srv.MaxRecipients = cfg.MaxRecipients
	// go-smtp applies its line limit inside DATA too; real mail (HTML from
	// some generators) has lines far over RFC 5321's 1000, and refusing it
	// would lose the message. 1 MiB still bounds a command line's memory.
	srv.MaxLineLength = 1 << 20
	srv.ReadTimeout, srv.WriteTimeout = cfg.ReadTimeout, cfg.WriteTimeout
	srv.EnableSMTPUTF8 = true // addresses and headers are kept as sent
	srv.ErrorLog = slogLogger{log}
	switch {
	case cfg.TLSConfig != nil:
		srv.TLSConfig = cfg.TLSConfig
	case cfg.TLSCertFile != "" || cfg.TLSKeyFile != "":
		cert, err := tls.LoadX509KeyPair(cfg.TLSCertFile, cfg.TLSKeyFile)
		if err != nil {
			return nil, fmt.Errorf("smtp TLS certificate: %w", err)
		}
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}, MinVersion: tls.VersionTLS12}
	}
	s.srv = srv
	return s, nil
}

// Start listens on cfg.Addr and serves in the background.
func (s *Server) Start() error {
	ln, err := net.Listen("tcp", s.cfg.Addr)
	if err != nil {
		return fmt.Errorf("smtp listen: %w", err)
	}
	s.ln = &trackingListener{Listener: ln, t: &s.conns}
	go func() {
		err := s.srv.Serve(s.ln)
		if err != nil && !errors.Is(err, smtp.ErrServerClosed) && !errors.Is(err, net.ErrClosed) {
			s.err = err
		}
		close(s.done)
	}()
	s.log.Info("smtp listening", "addr", ln.Addr().String(), "starttls", s.srv.TLSConfig != nil, "max_bytes", s.cfg.MaxMessageBytes)
	return nil
}

// Addr is the address actually listened on (useful with port 0).
func (s *Server) Addr() string { return s.ln.Addr().String() }

// Shutdown stops accepting connections, closes idle ones, and lets a
// message being stored finish and get its answer; when ctx ends first the
// rest are cut (their senders retry, and the retry is deduplicated).
func (s *Server) Shutdown(ctx context.Context) error {
	s.conns.shutdown()
	errc := make(chan error, 1)
	go func() { errc <- s.srv.Shutdown(context.Background()) }()
	select {
	case <-errc:
	case <-ctx.Done():
		s.conns.closeAll()
		<-errc
	}
	if s.ln != nil {
		<-s.done
	}
	return s.err
}

// Close stops at once.
func (s *Server) Close() error {
	s.srv.Close()
	s.conns.closeAll()
	if s.ln != nil {
		<-s.done
	}
	return s.err
}

// NewSession implements smtp.Backend.
func (s *Server) NewSession(c *smtp.Conn) (smtp.Session, error) {
	return &session{s: s, remote: c.Conn().RemoteAddr().String()}, nil
}

// storeTimeout bounds a database call made while a client waits.
const storeTimeout = 2 * time.Minute

type session struct {
	s      *Server
	remote string
	from   string
	// recipients grouped by inbox, in RCPT order
	targets []inbound.Target
}

// Reset runs after the answer to DATA has been written: the point where a
// connection that was storing a message may be closed by a shutdown.
func (ss *session) Reset() {
	ss.from, ss.targets = "", nil
	ss.s.conns.setBusy(ss.remote, false)
}

func (ss *session) Logout() error { return nil }

func (ss *session) Mail(from string, opts *smtp.MailOptions) error {
	if opts != nil && opts.Size > ss.s.cfg.MaxMessageBytes {
		return errTooLarge
	}
	ss.from, ss.targets = from, nil
	return nil
}

// Rcpt accepts an address only if it belongs to an inbox, looked up each
// time so a new address works without a restart.
func (ss *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	addr := strings.ToLower(strings.TrimSpace(to))
	var inbox *model.Inbox
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	err := ss.s.store.Read(ctx, func(tx *store.Tx) error {
		var err error
		inbox, err = tx.InboxByAddress(addr)
		return err
	})
	switch {
	case errors.Is(err, store.ErrNotFound) || (err == nil && !inbox.Active):
		return errNoMailbox
	case err != nil:
		ss.s.log.Error("smtp: recipient lookup failed", "rcpt", addr, "err", err)
		return errTemporary
	}
	for i := range ss.targets {
		if ss.targets[i].Inbox.ID == inbox.ID {
			ss.targets[i].RcptTo = appendNew(ss.targets[i].RcptTo, addr)
			return nil
		}
	}
	ss.targets = append(ss.targets, inbound.Target{Inbox: inbox, RcptTo: []string{addr}})
	return nil
}

// Data stores the message once for every inbox among the recipients; the
// 250 go-smtp sends on a nil return therefore means "committed".
func (ss *session) Data(r io.Reader) error {
	if len(ss.targets) == 0 {
		return errNoMailbox
	}
	ss.s.conns.setBusy(ss.remote, true)
	ctx, cancel := context.WithTimeout(context.Background(), storeTimeout)
	defer cancel()
	ds, err := ss.s.spool.Deliver(ctx, ss.targets, r, ss.s.cfg.MaxMessageBytes, "smtp", ss.from)
	switch {
	case errors.Is(err, smtp.ErrDataTooLarge) || errors.Is(err, inbound.ErrTooLarge):
		return errTooLarge
	case errors.Is(err, smtp.ErrTooLongLine):
		return errLineTooLong
	case err != nil:
		ss.s.log.Error("smtp: storing a message failed; the sender will retry", "from", ss.from, "remote", ss.remote, "err", err)
		return errTemporary
	}
	for _, d := range ds {
		ss.s.log.Debug("smtp: message stored", "mail_id", d.Mail.ID, "inbox_id", d.Mail.InboxID, "duplicate", d.Duplicate, "size", d.Mail.Size)
	}
	return nil
}

func appendNew(list []string, s string) []string {
	for _, x := range list {
		if x == s {
			return list
		}
	}
	return append(list, s)
}

var (
	errNoMailbox = &smtp.SMTPError{Code: 550, EnhancedCode: smtp.EnhancedCode{5, 1, 1},
		Message: "No such mailbox here; this server relays for nobody"}
	errTooLarge = &smtp.SMTPError{Code: 552, EnhancedCode: smtp.EnhancedCode{5, 3, 4},
		Message: "Message too large"}
	errLineTooLong = &smtp.SMTPError{Code: 554, EnhancedCode: smtp.EnhancedCode{5, 6, 0},
		Message: "A line of the message is longer than 1 MiB"}
	errTemporary = &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0},
		Message: "Temporary local problem storing the message; please try again later"}
)

// slogLogger adapts go-smtp's logger to slog.
type slogLogger struct{ l *slog.Logger }

func (g slogLogger) Printf(format string, v ...any) { g.l.Warn("smtp: " + fmt.Sprintf(format, v...)) }

func (g slogLogger) Println(v ...any) { g.l.Warn("smtp: " + strings.TrimSpace(fmt.Sprintln(v...))) }
