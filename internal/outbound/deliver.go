package outbound

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"net"
	"net/smtp"
	"net/textproto"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Run delivers due mail until ctx ends. Any number of nodes may run it on
// one database: each mail is claimed by exactly one of them.
func (o *Outbox) Run(ctx context.Context) {
	tick := time.NewTicker(o.Cfg.Poll)
	defer tick.Stop()
	for {
		if _, err := o.DeliverDue(ctx); err != nil && ctx.Err() == nil {
			o.Log.Error("outbox: delivering mail", "err", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-o.wake:
		}
	}
}

// DeliverDue makes one delivery attempt for every mail that is due and
// that this worker manages to claim; it returns how many it attempted.
func (o *Outbox) DeliverDue(ctx context.Context) (int, error) {
	var due []*model.MailMessage
	err := o.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		due, err = tx.OutgoingDue(o.now().UnixMilli(), 50)
		return err
	})
	if err != nil {
		return 0, err
	}
	n := 0
	for _, m := range due {
		if ctx.Err() != nil {
			return n, ctx.Err()
		}
		now := o.now()
		lease := now.Add(o.Cfg.Lease)
		var claimed bool
		err := o.Store.Write(ctx, func(tx *store.Tx) error {
			var err error
			claimed, err = tx.ClaimMail(m.ID, m.State, m.NextAttemptAt.UnixMilli(), StateSending, lease.UnixMilli(), now.UnixMilli(), true)
			return err
		})
		if err != nil {
			return n, err
		}
		if !claimed {
			continue // another worker took it, or it was cancelled or held
		}
		n++
		m.Attempts++
		if err := o.deliver(ctx, m, lease.UnixMilli()); err != nil {
			return n, err
		}
	}
	return n, nil
}

// deliver sends one claimed mail and records the outcome.
func (o *Outbox) deliver(ctx context.Context, m *model.MailMessage, leaseMS int64) error {
	var inbox *model.Inbox
	err := o.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		inbox, err = tx.Inbox(m.InboxID)
		return err
	})
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	var rejected []string
	relay, err := o.relayFor(inbox)
	if err == nil {
		rejected, err = o.send(ctx, relay, helo(o.Cfg.HeloName, m.MailFrom), m, func(sum string) (io.ReadCloser, error) { return o.Blobs.Open(sum) })
	}
	now := o.now()
	state, text, next := model.MailSent, "", time.Time{}
	if len(rejected) > 0 {
		text = "some recipients were rejected / 一部の宛先が拒否されました: " + strings.Join(rejected, "; ")
	}
	if err != nil {
		permanent, reason := classify(err)
		switch {
		case permanent:
			state, text = model.MailFailed, reason
		case m.Attempts >= o.Cfg.MaxAttempts:
			state, text = model.MailFailed, fmt.Sprintf("gave up after %d attempts / %d 回試行しましたが送信できませんでした: %s", m.Attempts, m.Attempts, reason)
		default:
			state, text, next = model.MailQueued, reason, now.Add(o.backoff(m.Attempts))
		}
		o.Log.Warn("outbox: delivery attempt failed", "mail", m.ID, "ticket", m.TicketID, "attempt", m.Attempts, "state", state, "err", reason)
	}
	var ok bool
	var nextMS int64 // 0: no further attempt
	if !next.IsZero() {
		nextMS = next.UnixMilli()
	}
	err = o.Store.Write(context.WithoutCancel(ctx), func(tx *store.Tx) error {
		var err error
		ok, err = tx.FinishMail(m.ID, leaseMS, state, text, nextMS, now.UnixMilli())
		return err
	})
	if err == nil && !ok {
		o.Log.Warn("outbox: claim expired before the attempt finished", "mail", m.ID)
	}
	return err
}

// backoff is the wait before the next attempt: RetryBase doubled per
// attempt, at most RetryMax.
func (o *Outbox) backoff(attempts int) time.Duration {
	d := o.Cfg.RetryBase
	for i := 1; i < attempts && d < o.Cfg.RetryMax; i++ {
		d *= 2
	}
	return min(d, o.Cfg.RetryMax)
}

// relayFor reads an inbox's own outgoing server, else the global relay.
// Keys in Inbox.Outgoing: host, port (or addr "host:port"), username,
// password (decrypted with Cfg.Decrypt), tls, insecure.
func (o *Outbox) relayFor(in *model.Inbox) (Relay, error) {
	if in == nil || in.Outgoing == nil {
		return o.globalRelay()
	}
	get := func(k string) string {
		switch v := in.Outgoing[k].(type) {
		case string:
			return strings.TrimSpace(v)
		case float64:
			return fmt.Sprint(int64(v))
		}
		return ""
	}
	r := Relay{Addr: get("addr"), Username: get("username"), Password: get("password"), TLS: strings.ToLower(get("tls"))}
	r.Insecure, _ = in.Outgoing["insecure"].(bool)
	if r.Addr == "" && get("host") != "" {
		port := get("port")
		if port == "" {
			port = map[string]string{"tls": "465", "none": "25"}[r.TLS]
			if port == "" {
				port = "587"
			}
		}
		r.Addr = net.JoinHostPort(get("host"), port)
	}
	if r.Addr == "" {
		return o.globalRelay()
	}
	if r.Password != "" && o.Cfg.Decrypt != nil {
		p, err := o.Cfg.Decrypt(r.Password)
		if err != nil {
			return r, temporary{fmt.Errorf("cannot decrypt the inbox's SMTP password / SMTP パスワードを復号できません: %w", err)}
		}
		r.Password = p
	}
	return r, nil
}

func (o *Outbox) globalRelay() (Relay, error) {
	if o.Cfg.Relay.Addr == "" {
		return Relay{}, temporary{errors.New("no outgoing mail server is configured (inbox settings or --smtp-relay) / 送信サーバーが設定されていません")}
	}
	return o.Cfg.Relay, nil
}

func helo(name, from string) string {
	if name != "" {
		return name
	}
	if _, d, ok := strings.Cut(from, "@"); ok && d != "" {
		return d
	}
	return "localhost"
}

// temporary marks an error to be retried whatever its wording.
type temporary struct{ error }

func (t temporary) Unwrap() error { return t.error }

// classify tells a permanent failure (an SMTP 5xx reply) from one worth
// retrying (4xx, network trouble), with the text to show the agent.
func classify(err error) (permanent bool, reason string) {
	var tmp temporary
	var te *textproto.Error
	switch {
	case errors.As(err, &tmp):
		return false, err.Error()
	case errors.As(err, &te):
		return te.Code >= 500, fmt.Sprintf("%d %s", te.Code, te.Msg)
	}
	return false, err.Error()
}

// send speaks SMTP to the relay. It returns recipients refused with a
// permanent error when others were accepted (the mail goes to those).
func (o *Outbox) send(ctx context.Context, r Relay, heloName string, m *model.MailMessage, open func(string) (io.ReadCloser, error)) ([]string, error) {
	host, _, err := net.SplitHostPort(r.Addr)
	if err != nil {
		return nil, temporary{fmt.Errorf("bad relay address %q: %w", r.Addr, err)}
	}
	ctx, cancel := context.WithTimeout(ctx, o.Cfg.Timeout)
	defer cancel()
	tlsCfg := &tls.Config{ServerName: host, InsecureSkipVerify: r.Insecure}
	var conn net.Conn
	if r.TLS == "tls" {
		conn, err = (&tls.Dialer{Config: tlsCfg}).DialContext(ctx, "tcp", r.Addr)
	} else {
		conn, err = (&net.Dialer{}).DialContext(ctx, "tcp", r.Addr)
	}
	if err != nil {
		return nil, err
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	c, err := smtp.NewClient(conn, host)
	if err != nil {
		conn.Close()
		return nil, err
	}
	defer c.Close()
	if err := c.Hello(heloName); err != nil {
		return nil, err
	}
	if r.TLS == "starttls" || r.TLS == "" {
		if ok, _ := c.Extension("STARTTLS"); ok {
			if err := c.StartTLS(tlsCfg); err != nil {
				return nil, temporary{fmt.Errorf("STARTTLS: %w", err)}
			}
		} else if r.TLS == "starttls" {
			return nil, temporary{errors.New("the relay does not offer STARTTLS / 送信サーバーが STARTTLS に対応していません")}
		}
	}
	if r.Username != "" {
		// A refused login is a settings problem: keep the mail queued so it
		// goes once the settings are fixed.
		if err := c.Auth(smtp.PlainAuth("", r.Username, r.Password, host)); err != nil {
			return nil, temporary{fmt.Errorf("AUTH: %w", err)}
		}
	}
	if err := c.Mail(m.MailFrom); err != nil {
		return nil, err
	}
	var rejected []string
	var lastErr error
	for _, rcpt := range m.RcptTo {
		if err := c.Rcpt(rcpt); err != nil {
			if p, reason := classify(err); !p {
				return nil, err
			} else {
				rejected, lastErr = append(rejected, rcpt+": "+reason), err
			}
		}
	}
	if len(rejected) == len(m.RcptTo) {
		if lastErr == nil {
			lastErr = &textproto.Error{Code: 554, Msg: "no recipients / 宛先がありません"}
		}
		return nil, lastErr
	}
	f, err := open(m.SHA256)
	if err != nil {
		return nil, temporary{fmt.Errorf("raw message: %w", err)}
	}
	defer f.Close()
	w, err := c.Data()
	if err != nil {
		return nil, err
	}
	if _, err := io.Copy(w, f); err != nil {
		return nil, err
	}
	if err := w.Close(); err != nil {
		return nil, err
	}
	_ = c.Quit()
	return rejected, nil
}
