// Package mailprobe checks an inbox's mail server settings by really
// connecting: TCP, then TLS or STARTTLS, then the login, and for IMAP the
// SELECT of the mailbox the poller will read. It sends no mail and changes
// nothing on the server. The settings page's "Test connection" button uses
// it; the result names the step that failed so a person can fix the right
// setting.
package mailprobe

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"
	"time"

	"github.com/emersion/go-imap/v2/imapclient"
	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/kizuna-desk/kizuna/internal/inboxes"
)

// Steps of a probe, in order; Result.Step is the one that failed (or
// StepDone).
const (
	StepConfig   = "config"   // the settings themselves are incomplete
	StepConnect  = "connect"  // TCP connection
	StepTLS      = "tls"      // implicit TLS handshake
	StepGreeting = "greeting" // the server's greeting (and SMTP EHLO)
	StepStartTLS = "starttls" // STARTTLS upgrade
	StepLogin    = "login"    // IMAP LOGIN / SMTP AUTH
	StepSelect   = "select"   // IMAP SELECT of the mailbox
	StepDone     = "done"
)

// DefaultTimeout bounds a whole probe.
const DefaultTimeout = 15 * time.Second

// Config is what to connect to. TLS is "tls" (implicit), "starttls" or
// "none"; "" means the desk's default for the protocol (IMAP: tls; SMTP:
// STARTTLS when the server offers it, as the outbox does).
type Config struct {
	Host               string
	Port               int // 0: the protocol's usual port for the TLS mode
	TLS                string
	Username, Password string
	Insecure           bool   // skip certificate checks (self-signed servers)
	Mailbox            string // IMAP; default INBOX
	HeloName           string // SMTP; default "localhost"
	Timeout            time.Duration
}

// Result is the outcome of a probe.
type Result struct {
	OK   bool
	Step string // the step that failed, StepDone on success
	Err  error  // why it failed (nil on success)
	Addr string // host:port actually tried
	TLS  bool   // the session was encrypted
}

func (r Result) String() string {
	if r.OK {
		return "ok " + r.Addr
	}
	return fmt.Sprintf("%s failed at %s: %v", r.Addr, r.Step, r.Err)
}

// FromSettings reads a Config from an inbox's Incoming or Outgoing settings
// map; open decrypts the sealed password (nil: no password is used).
func FromSettings(m map[string]any, open func(string) (string, error)) (Config, error) {
	c := Config{Host: inboxes.String(m, inboxes.KeyHost), TLS: strings.ToLower(inboxes.String(m, inboxes.KeyTLS)),
		Username: inboxes.String(m, inboxes.KeyUsername), Mailbox: inboxes.String(m, inboxes.KeyMailbox)}
	c.Insecure, _ = m[inboxes.KeyInsecure].(bool)
	if p := inboxes.String(m, inboxes.KeyPort); p != "" {
		c.Port, _ = strconv.Atoi(p)
	}
	if sealed := inboxes.String(m, inboxes.KeyPassword); sealed != "" && open != nil {
		pw, err := open(sealed)
		if err != nil {
			return c, fmt.Errorf("cannot decrypt the stored password: %w", err)
		}
		c.Password = pw
	}
	return c, nil
}

func (c Config) addr(defTLS, defPlain int) string {
	p := c.Port
	if p == 0 {
		p = defPlain
		if c.TLS == "tls" {
			p = defTLS
		}
	}
	return net.JoinHostPort(c.Host, strconv.Itoa(p))
}

func (c Config) tlsConfig() *tls.Config {
	return &tls.Config{ServerName: c.Host, InsecureSkipVerify: c.Insecure, MinVersion: tls.VersionTLS12}
}

func (c *Config) check() error {
	c.Host = strings.TrimSpace(c.Host)
	c.TLS = strings.ToLower(strings.TrimSpace(c.TLS))
	switch {
	case c.Host == "":
		return errors.New("no host is set")
	case c.Port < 0 || c.Port > 65535:
		return fmt.Errorf("port %d is out of range", c.Port)
	case c.TLS != "" && c.TLS != "tls" && c.TLS != "starttls" && c.TLS != "none":
		return fmt.Errorf("unknown TLS mode %q", c.TLS)
	}
	if c.Timeout <= 0 {
		c.Timeout = DefaultTimeout
	}
	return nil
}

// dial opens the TCP connection, and the TLS session for implicit TLS.
func dial(ctx context.Context, c Config, addr string) (net.Conn, *Result) {
	conn, err := (&net.Dialer{}).DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, &Result{Step: StepConnect, Err: err, Addr: addr}
	}
	// The clients set their own (long) deadlines per command; closing the
	// connection when the time is up ends any step.
	context.AfterFunc(ctx, func() { conn.Close() })
	if c.TLS != "tls" {
		return conn, nil
	}
	tc := tls.Client(conn, c.tlsConfig())
	if err := tc.HandshakeContext(ctx); err != nil {
		conn.Close()
		return nil, &Result{Step: StepTLS, Err: err, Addr: addr}
	}
	return tc, nil
}

// IMAP connects, logs in and selects the mailbox (read-only), then logs out.
func IMAP(ctx context.Context, c Config) Result {
	if c.TLS == "" {
		c.TLS = "tls"
	}
	if err := c.check(); err != nil {
		return Result{Step: StepConfig, Err: err}
	}
	addr := c.addr(993, 143)
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	conn, fail := dial(ctx, c, addr)
	if fail != nil {
		return *fail
	}
	defer conn.Close()
	res := Result{Addr: addr, TLS: c.TLS == "tls"}
	failAt := func(step string, err error) Result { return stopped(ctx, res, c.Timeout, step, err) }
	opts := &imapclient.Options{TLSConfig: c.tlsConfig()}
	var cl *imapclient.Client
	if c.TLS == "starttls" {
		var err error
		if cl, err = imapclient.NewStartTLS(conn, opts); err != nil {
			return failAt(StepStartTLS, err)
		}
		res.TLS = true
	} else {
		cl = imapclient.New(conn, opts)
		if err := cl.WaitGreeting(); err != nil {
			return failAt(StepGreeting, err)
		}
	}
	defer cl.Close()
	if err := cl.Login(c.Username, c.Password).Wait(); err != nil {
		return failAt(StepLogin, err)
	}
	mbox := c.Mailbox
	if mbox == "" {
		mbox = "INBOX"
	}
	if _, err := cl.Select(mbox, nil).Wait(); err != nil {
		return failAt(StepSelect, err)
	}
	_ = cl.Logout().Wait()
	res.OK, res.Step = true, StepDone
	return res
}

// SMTP connects, says EHLO, upgrades with STARTTLS and logs in with AUTH
// PLAIN when a user name is set, then quits without sending. TLS "" tries
// STARTTLS and goes on without it when the server does not offer it, as the
// outbox does.
func SMTP(ctx context.Context, c Config) Result {
	if err := c.check(); err != nil {
		return Result{Step: StepConfig, Err: err}
	}
	addr := c.addr(465, 587)
	if c.Port == 0 && c.TLS == "none" {
		addr = net.JoinHostPort(c.Host, "25")
	}
	ctx, cancel := context.WithTimeout(ctx, c.Timeout)
	defer cancel()
	res := Result{Addr: addr, TLS: c.TLS == "tls"}
	failAt := func(step string, err error) Result { return stopped(ctx, res, c.Timeout, step, err) }
	helo := c.HeloName
	if helo == "" {
		helo = "localhost"
	}
	conn, fail := dial(ctx, c, addr)
	if fail != nil {
		return *fail
	}
	var cl *smtp.Client
	if c.TLS == "starttls" || c.TLS == "" {
		var err error
		cl, err = smtp.NewClientStartTLS(conn, c.tlsConfig())
		switch {
		case err != nil && strings.Contains(err.Error(), "support STARTTLS") && c.TLS == "":
			// Not offered: start again in plain text.
			conn.Close()
			if conn, fail = dial(ctx, c, addr); fail != nil {
				return *fail
			}
			cl = nil
		case err != nil && strings.Contains(err.Error(), "support STARTTLS"):
			conn.Close()
			return failAt(StepStartTLS, errors.New("the server does not offer STARTTLS"))
		case err != nil:
			conn.Close()
			return failAt(StepGreeting, err)
		default:
			// The handshake happens with the next command.
			if err := cl.Hello(helo); err != nil {
				cl.Close()
				return failAt(StepStartTLS, err)
			}
			res.TLS = true
		}
	}
	if cl == nil {
		cl = smtp.NewClient(conn)
		cl.CommandTimeout = c.Timeout
		if err := cl.Hello(helo); err != nil {
			cl.Close()
			return failAt(StepGreeting, err)
		}
	}
	defer cl.Close()
	if c.Username != "" {
		if ok, _ := cl.Extension("AUTH"); !ok {
			return failAt(StepLogin, errors.New("the server does not offer AUTH (login)"))
		}
		if err := cl.Auth(sasl.NewPlainClient("", c.Username, c.Password)); err != nil {
			return failAt(StepLogin, err)
		}
	}
	_ = cl.Quit()
	res.OK, res.Step = true, StepDone
	return res
}

// stopped is res ended at step with err, which says so when the time ran
// out.
func stopped(ctx context.Context, res Result, timeout time.Duration, step string, err error) Result {
	var ne net.Error
	if ctx.Err() != nil || (errors.As(err, &ne) && ne.Timeout()) {
		err = fmt.Errorf("%w (timed out after %v)", err, timeout)
	}
	res.Step, res.Err = step, err
	return res
}
