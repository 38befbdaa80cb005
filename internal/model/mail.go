package model

import "time"

// Inbox is a shared mailbox (受信箱) with its own addresses, brand, default
// group and mail settings.
type Inbox struct {
	ID             int64
	Name           string
	BrandID        int64
	DefaultGroupID int64
	Addresses      []string // lower-cased; the first is where replies come from
	Signature      string
	AutoAck        bool
	AutoAckSubject string
	AutoAckBody    string
	TicketToken    string // "subject" ([#123] tag), "address" (support+t123@) or "both"
	LegacyCharset  string // "" (UTF-8) or "iso-2022-jp" for outgoing mail
	Incoming       map[string]any
	Outgoing       map[string]any
	Active         bool
	CreatedAt      time.Time
	UpdatedAt      time.Time
}

// Mail message directions and states.
const (
	MailIn  = "in"
	MailOut = "out"

	MailReceived  = "received"  // stored raw, not yet turned into a ticket
	MailProcessed = "processed" // on a ticket
	MailFailed    = "failed"    // could not be processed or delivered; Error says why
	MailIgnored   = "ignored"   // e.g. a bounce or loop that opens no ticket
	MailQueued    = "queued"    // outgoing, waiting for delivery
	MailSent      = "sent"
	MailBounced   = "bounced"
)

// MailMessage is one mail in or out; its raw bytes are the blob SHA256.
type MailMessage struct {
	ID            int64
	InboxID       int64
	Direction     string
	MessageID     string // without angle brackets
	InReplyTo     string
	References    []string
	SHA256        string
	Size          int64
	MailFrom      string
	RcptTo        []string
	Subject       string
	TicketID      int64
	CommentID     int64
	State         string
	Error         string
	Attempts      int
	NextAttemptAt time.Time
	Source        string // smtp, imap, api
	CreatedAt     time.Time
	UpdatedAt     time.Time
}
