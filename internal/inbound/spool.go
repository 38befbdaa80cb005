// Package inbound keeps received mail durably before anyone is told it
// arrived (the spool), and turns every stored mail into ticket work with
// retries (the worker). The SMTP listener and the IMAP poller both go
// through the spool: it returns only after the raw bytes are fsynced and the
// row is committed, so a 250 or an IMAP \Seen always means "kept".
package inbound

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/textproto"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// headerCap bounds how much of a message is read to find its header; mail
// whose header is larger is still stored, just without parsed ids.
const headerCap = 1 << 20

// ErrTooLarge is returned when a message exceeds the size limit.
var ErrTooLarge = blob.ErrTooLarge

// Spool stores received mail.
type Spool struct {
	Store store.Store
	Blobs *blob.Store
	Now   func() time.Time
	// Notify, when set, is told each newly stored mail after its commit
	// (Worker.Notify), so processing starts at once instead of at the next poll.
	Notify func(mailID int64)
}

// Target is one inbox a message is delivered to and the envelope recipients
// that led there (kept per inbox, so a Bcc to one inbox is not shown in
// another).
type Target struct {
	Inbox  *model.Inbox
	RcptTo []string
}

// Delivery is the outcome for one target.
type Delivery struct {
	Mail      *model.MailMessage
	Duplicate bool // the same Message-ID was already stored for this inbox
}

// Receive stores one message for one inbox. duplicate is true, and nothing
// new is stored, when the inbox already has a mail with this Message-ID.
func (s *Spool) Receive(ctx context.Context, inbox *model.Inbox, raw io.Reader, maxBytes int64, source, mailFrom string, rcptTo []string) (msg *model.MailMessage, duplicate bool, err error) {
	ds, err := s.Deliver(ctx, []Target{{Inbox: inbox, RcptTo: rcptTo}}, raw, maxBytes, source, mailFrom)
	if err != nil {
		return nil, false, err
	}
	return ds[0].Mail, ds[0].Duplicate, nil
}

// Deliver stores one message (read once) for several inboxes: one blob and
// one row per inbox, all in one transaction. It returns after the commit.
func (s *Spool) Deliver(ctx context.Context, targets []Target, raw io.Reader, maxBytes int64, source, mailFrom string) ([]Delivery, error) {
	if len(targets) == 0 {
		return nil, errors.New("inbound: no inbox to deliver to")
	}
	var head bytes.Buffer
	h := readHeader(io.TeeReader(io.LimitReader(raw, headerCap), &head))
	full := io.MultiReader(bytes.NewReader(head.Bytes()), raw)

	out := make([]Delivery, len(targets))
	if h.messageID != "" {
		// A redelivery is answered from the database without storing its
		// bytes again (its trace headers differ, so its blob would too).
		err := s.Store.Read(ctx, func(tx *store.Tx) error {
			for i, tg := range targets {
				m, err := tx.MailByMessageID(tg.Inbox.ID, model.MailIn, h.messageID)
				if err == nil {
					out[i] = Delivery{Mail: m, Duplicate: true}
				} else if !errors.Is(err, store.ErrNotFound) {
					return err
				}
			}
			return nil
		})
		if err != nil {
			return nil, err
		}
		if allDuplicates(out) {
			return out, drain(full, maxBytes)
		}
	}

	// A mail small enough to be a database blob is read first and stored in
	// the same transaction as its rows: one write instead of two. A large
	// one streams to a file before the transaction, which stays short.
	var small []byte
	var sum string
	var size int64
	buf := bytes.NewBuffer(make([]byte, 0, 32<<10))
	n, err := io.Copy(buf, io.LimitReader(full, blob.InlineMax+1))
	if err != nil {
		return nil, fmt.Errorf("read mail: %w", err)
	}
	if n <= blob.InlineMax {
		if maxBytes > 0 && n > maxBytes {
			return nil, fmt.Errorf("store raw mail: %w", blob.ErrTooLarge)
		}
		small = buf.Bytes()
	} else if sum, size, err = s.Blobs.Put(io.MultiReader(buf, full), maxBytes); err != nil {
		return nil, fmt.Errorf("store raw mail: %w", err)
	}
	now := s.now()
	var fresh []int64
	err = s.Store.Write(ctx, func(tx *store.Tx) error {
		fresh = fresh[:0]
		if small != nil {
			var err error
			if sum, size, err = s.Blobs.PutIn(store.TxBlobs{Tx: tx}, bytes.NewReader(small), maxBytes); err != nil {
				return fmt.Errorf("store raw mail: %w", err)
			}
		}
		for i, tg := range targets {
			if out[i].Duplicate {
				continue
			}
			m := &model.MailMessage{InboxID: tg.Inbox.ID, Direction: model.MailIn, MessageID: h.messageID, InReplyTo: h.inReplyTo,
				References: h.references, SHA256: sum, Size: size, MailFrom: clean(mailFrom, 998), RcptTo: cleanList(tg.RcptTo),
				Subject: h.subject, State: model.MailReceived, Source: source, CreatedAt: now, UpdatedAt: now}
			err := tx.Savepoint(func() error { return tx.InsertMailMessage(m) })
			if errors.Is(err, store.ErrConflict) && h.messageID != "" {
				// Stored concurrently by another connection since our check.
				if m, err = tx.MailByMessageID(tg.Inbox.ID, model.MailIn, h.messageID); err != nil {
					return err
				}
				out[i] = Delivery{Mail: m, Duplicate: true}
				continue
			}
			if err != nil {
				return err
			}
			out[i] = Delivery{Mail: m}
			fresh = append(fresh, m.ID)
		}
		return nil
	})
	if err != nil {
		for i := range out { // nothing of this write is kept
			if !out[i].Duplicate {
				out[i] = Delivery{}
			}
		}
		return nil, fmt.Errorf("record mail: %w", err)
	}
	if s.Notify != nil {
		for _, id := range fresh {
			s.Notify(id)
		}
	}
	return out, nil
}

func (s *Spool) now() time.Time {
	if s.Now != nil {
		return s.Now().UTC()
	}
	return time.Now().UTC()
}

func allDuplicates(ds []Delivery) bool {
	for _, d := range ds {
		if !d.Duplicate {
			return false
		}
	}
	return true
}

// drain reads the rest of a duplicate so the sender's transfer completes,
// still enforcing the size limit.
func drain(r io.Reader, maxBytes int64) error {
	if maxBytes <= 0 {
		_, err := io.Copy(io.Discard, r)
		return err
	}
	n, err := io.Copy(io.Discard, io.LimitReader(r, maxBytes+1))
	if err == nil && n > maxBytes {
		return ErrTooLarge
	}
	return err
}

// header is what the spool needs before the full parse: ids for dedupe and
// threading, and the raw subject for lists.
type header struct {
	messageID, inReplyTo string
	references           []string
	subject              string
}

// readHeader parses the header block; a broken header yields what could be
// read (a message is never refused for its header).
func readHeader(r io.Reader) header {
	tp := textproto.NewReader(bufio.NewReader(r))
	mh, _ := tp.ReadMIMEHeader()
	var h header
	if mh == nil {
		return h
	}
	if ids := msgIDs(mh.Get("Message-Id")); len(ids) > 0 {
		h.messageID = ids[0]
	}
	if ids := msgIDs(mh.Get("In-Reply-To")); len(ids) > 0 {
		h.inReplyTo = ids[0]
	}
	refs := msgIDs(strings.Join(mh.Values("References"), " "))
	if len(refs) > 50 { // keep the thread root and the latest ones
		refs = append(refs[:1:1], refs[len(refs)-49:]...)
	}
	h.references = refs
	h.subject = clean(mh.Get("Subject"), 998)
	return h
}

// msgIDs extracts message ids ("<a@b>" → "a@b") from a header value,
// tolerating missing brackets, comments and junk between ids.
func msgIDs(v string) []string {
	var out []string
	for v != "" {
		open := strings.IndexByte(v, '<')
		if open < 0 {
			break
		}
		end := strings.IndexByte(v[open:], '>')
		if end < 0 {
			break
		}
		if id := clean(strings.TrimSpace(v[open+1:open+end]), 500); id != "" && !strings.ContainsAny(id, " \t") {
			out = append(out, id)
		}
		v = v[open+end+1:]
	}
	if len(out) == 0 { // bare ids without brackets, as some mailers send
		for _, f := range strings.Fields(v) {
			if strings.Contains(f, "@") && !strings.ContainsAny(f, "<>()") {
				out = append(out, clean(f, 500))
			}
		}
	}
	return out
}

// clean makes header text storable in both databases: valid UTF-8 (raw
// 8-bit Shift_JIS headers are common), no NUL, bounded length.
func clean(s string, max int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	s = strings.ReplaceAll(s, "\x00", "")
	if len(s) > max {
		s = s[:max]
		for !utf8.ValidString(s) {
			s = s[:len(s)-1]
		}
	}
	return s
}

func cleanList(list []string) []string {
	out := make([]string, 0, len(list))
	for _, s := range list {
		if s = clean(strings.ReplaceAll(s, " ", ""), 320); s != "" {
			out = append(out, s)
		}
	}
	return out
}
