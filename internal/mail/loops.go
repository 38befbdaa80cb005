package mail

import (
	"strings"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// loopSignals records every header that says the mail was sent by a machine
// (RFC 3834 and the de-facto headers of common auto-responders and lists).
func (m *Message) loopSignals(h header) {
	add := func(s string) { m.LoopSignals = append(m.LoopSignals, s) }
	if v := strings.ToLower(strings.TrimSpace(h.get("auto-submitted"))); v != "" && v != "no" {
		add("auto-submitted: " + v)
	}
	switch v := strings.ToLower(strings.TrimSpace(h.get("precedence"))); v {
	case "bulk", "junk", "list", "auto_reply", "auto-reply":
		add("precedence: " + v)
	}
	for _, name := range []string{"x-autoreply", "x-autorespond", "x-autoresponder", "x-auto-response-suppress"} {
		if v := strings.ToLower(strings.TrimSpace(h.get(name))); h.has(name) && v != "no" && v != "false" && v != "none" {
			add(name)
		}
	}
	if v := strings.TrimSpace(h.get("list-id")); v != "" {
		m.ListID = strings.Trim(v, "<>")
		add("list-id")
	}
	if h.has("list-unsubscribe") {
		add("list-unsubscribe")
	}
	if isDaemon(m.From.Address) {
		add("sender: " + m.From.Address)
	}
	// X-Auto-Response-Suppress is a person's mailer asking not to be
	// answered automatically: honoured by ShouldAutoReply, but it does not
	// make the mail machine-sent.
	for _, sig := range m.LoopSignals {
		if sig != "x-auto-response-suppress" {
			m.AutoSubmitted = true
		}
	}
}

// isDaemon reports addresses that belong to mail systems, never people.
func isDaemon(addr string) bool {
	local, _, _ := strings.Cut(strings.ToLower(addr), "@")
	local, _, _ = strings.Cut(local, "+")
	switch local {
	case "mailer-daemon", "postmaster", "mail-daemon", "mailerdaemon", "noreply", "no-reply", "do-not-reply", "donotreply", "bounce", "bounces":
		return true
	}
	return strings.HasPrefix(local, "owner-") || strings.HasSuffix(local, "-request") || strings.HasSuffix(local, "-bounces")
}

// baseAddress strips plus-addressing: support+t12@example.jp → support@example.jp.
func baseAddress(addr string) string {
	addr = strings.ToLower(strings.TrimSpace(addr))
	local, domain, ok := strings.Cut(addr, "@")
	if !ok {
		return addr
	}
	local, _, _ = strings.Cut(local, "+")
	return local + "@" + domain
}

func isOurs(addr string, ours []string) bool {
	b := baseAddress(addr)
	for _, o := range ours {
		if baseAddress(o) == b {
			return true
		}
	}
	return false
}

// ShouldAutoReply decides whether the inbox may send its automatic
// acknowledgement for msg: never for machine-sent mail (any loop signal),
// bounces, system senders, or mail from our own addresses — so two
// auto-responders can never talk to each other. Rate limiting per sender
// (AckLimiter) is the caller's second check.
func ShouldAutoReply(msg *Message, inbox *model.Inbox, ourAddresses []string) bool {
	if msg == nil || inbox == nil || !inbox.AutoAck || !inbox.Active {
		return false
	}
	from := msg.From.Address
	if from == "" || msg.AutoSubmitted || len(msg.LoopSignals) > 0 || msg.Bounce != nil || isDaemon(from) {
		return false
	}
	return !isOurs(from, ourAddresses) && !isOurs(from, inbox.Addresses)
}

// AckLimiter allows at most Max automatic acknowledgements per sender in any
// Window (default 3 per hour). It is in memory: after a restart a sender can
// get at most Max more, which still bounds any loop. Safe for concurrent use.
type AckLimiter struct {
	Max    int
	Window time.Duration

	mu     sync.Mutex
	sent   map[string][]time.Time
	sweeps int
}

// NewAckLimiter returns a limiter of max acks per window.
func NewAckLimiter(max int, window time.Duration) *AckLimiter {
	return &AckLimiter{Max: max, Window: window}
}

// Allow reports whether an acknowledgement to addr may go now, and if so
// counts it.
func (l *AckLimiter) Allow(addr string, now time.Time) bool {
	max, window := l.Max, l.Window
	if max <= 0 {
		max = 3
	}
	if window <= 0 {
		window = time.Hour
	}
	key := baseAddress(addr)
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.sent == nil {
		l.sent = map[string][]time.Time{}
	}
	if l.sweeps++; l.sweeps%1024 == 0 {
		for k, ts := range l.sent {
			if len(ts) == 0 || now.Sub(ts[len(ts)-1]) >= window {
				delete(l.sent, k)
			}
		}
	}
	recent := l.sent[key][:0]
	for _, t := range l.sent[key] {
		if now.Sub(t) < window {
			recent = append(recent, t)
		}
	}
	if len(recent) >= max {
		l.sent[key] = recent
		return false
	}
	l.sent[key] = append(recent, now)
	return true
}
