// Package imappoll fetches mail from existing mailboxes over IMAP into the
// spool: one poller per IMAP inbox, incremental by UID, IDLE where the
// server offers it, and a message is marked \Seen (or moved) only after the
// spool has stored it.
package imappoll

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/inboxes"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// Settings keys for the IMAP-only options (see internal/inboxes).
const (
	// KeyProcessedMailbox names a folder stored mail is moved to instead of
	// being flagged \Seen.
	KeyProcessedMailbox = inboxes.KeyProcessedMailbox
	// KeyInsecure skips certificate verification (self-signed servers).
	KeyInsecure = inboxes.KeyInsecure
)

// Settings is one inbox's incoming IMAP configuration, password opened.
type Settings struct {
	Host, Username, Password string
	Port                     int
	TLS                      string // "tls", "starttls" or "none"
	Mailbox                  string // default INBOX
	ProcessedMailbox         string // "" = flag \Seen instead
	Insecure                 bool
}

// Addr is host:port.
func (s Settings) Addr() string { return net.JoinHostPort(s.Host, strconv.Itoa(s.Port)) }

// IsIMAP reports whether an inbox is to be polled.
func IsIMAP(ib *model.Inbox) bool {
	return ib.Active && inboxes.String(ib.Incoming, inboxes.KeyType) == "imap"
}

// ParseSettings reads an inbox's incoming settings; open decrypts the sealed
// password (secrets.Box.Open).
func ParseSettings(ib *model.Inbox, open func(string) (string, error)) (Settings, error) {
	m := ib.Incoming
	s := Settings{
		Host:             inboxes.String(m, inboxes.KeyHost),
		Username:         inboxes.String(m, inboxes.KeyUsername),
		TLS:              strings.ToLower(inboxes.String(m, inboxes.KeyTLS)),
		Mailbox:          inboxes.String(m, inboxes.KeyMailbox),
		ProcessedMailbox: inboxes.String(m, KeyProcessedMailbox),
	}
	switch v := m[KeyInsecure].(type) {
	case bool:
		s.Insecure = v
	case string:
		s.Insecure = v == "true" || v == "1"
	}
	if s.Host == "" {
		return s, errors.New("no IMAP host configured")
	}
	if s.TLS == "" {
		s.TLS = "tls"
	}
	if s.TLS != "tls" && s.TLS != "starttls" && s.TLS != "none" {
		return s, fmt.Errorf("unknown tls mode %q", s.TLS)
	}
	if p := inboxes.String(m, inboxes.KeyPort); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil || n <= 0 || n > 65535 {
			return s, fmt.Errorf("bad port %q", p)
		}
		s.Port = n
	} else if s.TLS == "tls" {
		s.Port = 993
	} else {
		s.Port = 143
	}
	if s.Mailbox == "" {
		s.Mailbox = "INBOX"
	}
	if sealed := inboxes.String(m, inboxes.KeyPassword); sealed != "" {
		if open == nil {
			return s, errors.New("a password is set but no secret key is configured")
		}
		pw, err := open(sealed)
		if err != nil {
			return s, fmt.Errorf("open password: %w", err)
		}
		s.Password = pw
	}
	return s, nil
}
