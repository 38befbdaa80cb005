// Package outbound sends replies by mail: it composes the RFC 5322 message
// for a public comment, queues it in a persistent outbox in the same
// transaction as the comment, and delivers it over SMTP with retries,
// scheduled sending and an undo window.
package outbound

import (
	"bytes"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/textproto"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Reply is everything a reply mail is made of.
type Reply struct {
	Inbox     *model.Inbox
	Brand     *model.Brand // nil: the inbox name stands in
	Ticket    *model.Ticket
	Comment   *model.Comment
	Author    *model.User
	Requester *model.User
	CCs       []*model.User
	Thread    []*model.MailMessage // the ticket's mails so far, oldest first
	Auto      bool                 // an automatic mail (acknowledgement, trigger)
	Date      time.Time
}

// Gather loads what a reply to comment c on tk needs.
func Gather(tx *store.Tx, tk *model.Ticket, c *model.Comment) (*Reply, error) {
	r := &Reply{Ticket: tk, Comment: c, Date: c.CreatedAt}
	var err error
	if r.Inbox, err = tx.Inbox(tk.InboxID); err != nil {
		return nil, err
	}
	if tk.BrandID != 0 {
		if r.Brand, err = tx.Brand(tk.BrandID); err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if r.Author, err = tx.User(c.AuthorID); err != nil {
		return nil, err
	}
	if r.Requester, err = tx.User(tk.RequesterID); err != nil {
		return nil, err
	}
	if len(tk.CollaboratorIDs) > 0 {
		if r.CCs, err = tx.UsersByID(tk.CollaboratorIDs); err != nil {
			return nil, err
		}
	}
	r.Thread, err = tx.MailMessagesOfTicket(tk.ID)
	return r, err
}

// fromAddress is the inbox address replies leave from.
func (r *Reply) fromAddress() string {
	if len(r.Inbox.Addresses) == 0 {
		return ""
	}
	return r.Inbox.Addresses[0]
}

func (r *Reply) domain() string {
	_, d, _ := strings.Cut(r.fromAddress(), "@")
	if d == "" {
		d = "kizuna.local"
	}
	return d
}

// fromName is the inbox's configured sender name, else "Agent via Brand".
func (r *Reply) fromName() string {
	if n, _ := r.Inbox.Outgoing["from_name"].(string); strings.TrimSpace(n) != "" {
		return n
	}
	brand := r.Inbox.Name
	if r.Brand != nil && r.Brand.Name != "" {
		brand = r.Brand.Name
	}
	if r.Author == nil || r.Author.Name == "" {
		return brand
	}
	return r.Author.Name + " via " + brand
}

// replyTo carries the ticket token in a plus-address when the inbox wants it.
func (r *Reply) replyTo() string {
	addr := r.fromAddress()
	if tokenIn(r.Inbox.TicketToken, "address") {
		local, domain, _ := strings.Cut(addr, "@")
		local, _, _ = strings.Cut(local, "+")
		return fmt.Sprintf("%s+t%d@%s", local, r.Ticket.ID, domain)
	}
	return addr
}

func tokenIn(setting, want string) bool {
	if setting == "" {
		setting = "subject"
	}
	return setting == want || setting == "both"
}

// Subject is "Re: <subject> [#id]", never prefixed or tagged twice; the
// first mail of a ticket opened by an agent is no reply and gets no "Re:".
func (r *Reply) Subject() string {
	s := strings.TrimSpace(r.Ticket.Subject)
	low := strings.ToLower(s)
	if len(r.Thread) > 0 && !strings.HasPrefix(low, "re:") && !strings.HasPrefix(low, "re：") {
		s = strings.TrimSpace("Re: " + s)
	}
	if tag := fmt.Sprintf("[#%d]", r.Ticket.ID); tokenIn(r.Inbox.TicketToken, "subject") && !strings.Contains(s, tag) {
		s += " " + tag
	}
	return s
}

// Recipients are the requester and the copied people, without duplicates
// and without the desk's own addresses (which would loop).
func (r *Reply) Recipients() (to string, cc []string) {
	if r.Requester != nil {
		to = r.Requester.Email
	}
	for _, u := range r.CCs {
		if u.Email != "" && u.Email != to && !slices.Contains(cc, u.Email) && !slices.Contains(r.Inbox.Addresses, u.Email) {
			cc = append(cc, u.Email)
		}
	}
	return to, cc
}

// Threading returns In-Reply-To (the customer's latest mail, else our
// latest sent one) and References (every mail the customer has seen on this
// thread, oldest first; the first and the latest 19 when there are more).
func (r *Reply) Threading() (inReplyTo string, refs []string) {
	var lastOut string
	for _, m := range r.Thread {
		if m.MessageID == "" || slices.Contains(refs, m.MessageID) {
			continue
		}
		switch {
		case m.Direction == model.MailIn:
			inReplyTo = m.MessageID
		case m.State == model.MailSent:
			lastOut = m.MessageID
		default:
			continue // never delivered: the customer has not seen it
		}
		refs = append(refs, m.MessageID)
	}
	if inReplyTo == "" {
		inReplyTo = lastOut
	}
	if len(refs) > 20 {
		refs = append(refs[:1], refs[len(refs)-19:]...)
	}
	return inReplyTo, refs
}

// NewMessageID makes a stable, unique Message-ID (without brackets).
func (r *Reply) NewMessageID() string {
	var b [6]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("kz.%d.%d.%s@%s", r.Ticket.ID, r.Comment.ID, hex.EncodeToString(b[:]), r.domain())
}

// Compose builds the reply mail and returns it with its Message-ID.
// Attachment bytes come from blobs.
func Compose(r *Reply, blobs *blob.Store) ([]byte, string, error) {
	id := r.NewMessageID()
	raw, err := r.compose(id, blobs)
	return raw, id, err
}

func (r *Reply) compose(messageID string, blobs *blob.Store) ([]byte, error) {
	if r.fromAddress() == "" {
		return nil, errors.New("the inbox has no address to send from")
	}
	to, cc := r.Recipients()
	if to == "" {
		return nil, errors.New("the requester has no email address")
	}
	cs := charsets{legacy: strings.EqualFold(r.Inbox.LegacyCharset, "iso-2022-jp")}
	var b bytes.Buffer
	writeHeader(&b, "From", cs.address(r.fromName(), r.fromAddress()))
	writeHeader(&b, "To", cs.address(r.Requester.Name, to))
	if len(cc) > 0 {
		names := map[string]string{}
		for _, u := range r.CCs {
			names[u.Email] = u.Name
		}
		list := make([]string, len(cc))
		for i, a := range cc {
			list[i] = cs.address(names[a], a)
		}
		writeHeader(&b, "Cc", strings.Join(list, ", "))
	}
	writeHeader(&b, "Reply-To", "<"+r.replyTo()+">")
	writeHeader(&b, "Subject", cs.word(r.Subject()))
	date := r.Date
	if date.IsZero() {
		date = time.Now()
	}
	writeHeader(&b, "Date", date.Format(time.RFC1123Z))
	writeHeader(&b, "Message-ID", "<"+messageID+">")
	inReplyTo, refs := r.Threading()
	if inReplyTo != "" {
		writeHeader(&b, "In-Reply-To", "<"+inReplyTo+">")
	}
	if len(refs) > 0 {
		writeHeader(&b, "References", "<"+strings.Join(refs, "> <")+">")
	}
	if r.Auto {
		writeHeader(&b, "Auto-Submitted", "auto-generated")
	}
	writeHeader(&b, "X-Kizuna-Ticket-ID", fmt.Sprint(r.Ticket.ID))
	writeHeader(&b, "MIME-Version", "1.0")

	mw := multipart.NewWriter(&b)
	atts := r.Comment.Attachments
	if len(atts) == 0 {
		writeHeader(&b, "Content-Type", `multipart/alternative; boundary="`+mw.Boundary()+`"`)
		b.WriteString("\r\n")
		if err := r.writeAlternatives(mw, cs); err != nil {
			return nil, err
		}
		if err := mw.Close(); err != nil {
			return nil, err
		}
		return b.Bytes(), nil
	}
	writeHeader(&b, "Content-Type", `multipart/mixed; boundary="`+mw.Boundary()+`"`)
	b.WriteString("\r\n")
	boundary := multipart.NewWriter(io.Discard).Boundary()
	part, err := mw.CreatePart(textproto.MIMEHeader{"Content-Type": {`multipart/alternative; boundary="` + boundary + `"`}})
	if err != nil {
		return nil, err
	}
	alt := multipart.NewWriter(part)
	if err := alt.SetBoundary(boundary); err != nil {
		return nil, err
	}
	if err := r.writeAlternatives(alt, cs); err != nil {
		return nil, err
	}
	if err := alt.Close(); err != nil {
		return nil, err
	}
	for _, a := range atts {
		if err := writeAttachment(mw, cs, a, blobs); err != nil {
			return nil, err
		}
	}
	if err := mw.Close(); err != nil {
		return nil, err
	}
	return b.Bytes(), nil
}

// bodies returns the plain and HTML bodies with the signatures appended:
// the agent's own, then the inbox's shared one after "-- ".
func (r *Reply) bodies() (text, htmlBody string) {
	text, htmlBody = r.Comment.Body, r.Comment.HTMLBody
	if htmlBody == "" {
		htmlBody = "<p>" + strings.ReplaceAll(html.EscapeString(text), "\n", "<br>") + "</p>"
	}
	var sigs []string
	if r.Author != nil && strings.TrimSpace(r.Author.Signature) != "" {
		sigs = append(sigs, strings.TrimSpace(r.Author.Signature))
	}
	if s := strings.TrimSpace(r.Inbox.Signature); s != "" {
		sigs = append(sigs, "-- \n"+s)
	}
	for _, s := range sigs {
		text += "\n\n" + s
		htmlBody += "<p>" + strings.ReplaceAll(html.EscapeString(s), "\n", "<br>") + "</p>"
	}
	return text + "\n", "<html><body>" + htmlBody + "</body></html>\n"
}

func (r *Reply) writeAlternatives(w *multipart.Writer, cs charsets) error {
	text, htmlBody := r.bodies()
	for _, p := range []struct{ typ, body string }{{"text/plain", text}, {"text/html", htmlBody}} {
		charset, cte, data := cs.body(p.body)
		part, err := w.CreatePart(textproto.MIMEHeader{
			"Content-Type":              {p.typ + "; charset=" + charset},
			"Content-Transfer-Encoding": {cte},
		})
		if err != nil {
			return err
		}
		if _, err := part.Write(data); err != nil {
			return err
		}
	}
	return nil
}

// writeAttachment adds one file: its name RFC 2231-encoded in UTF-8 in
// Content-Disposition (what current mail programs read) and as an encoded
// word in Content-Type's name (what older Japanese mail programs read).
func writeAttachment(w *multipart.Writer, cs charsets, a model.Attachment, blobs *blob.Store) error {
	f, err := blobs.Open(a.SHA256)
	if err != nil {
		return fmt.Errorf("attachment %q: %w", a.FileName, err)
	}
	defer f.Close()
	data, err := io.ReadAll(f)
	if err != nil {
		return err
	}
	ct, _, err := mime.ParseMediaType(a.ContentType)
	if err != nil || !strings.Contains(ct, "/") {
		ct = "application/octet-stream"
	}
	name := strings.NewReplacer(`"`, "", "\\", "", "\r", "", "\n", "").Replace(a.FileName)
	part, err := w.CreatePart(textproto.MIMEHeader{
		"Content-Type":              {ct + `; name="` + cs.word(name) + `"`},
		"Content-Disposition":       {mime.FormatMediaType("attachment", map[string]string{"filename": a.FileName})},
		"Content-Transfer-Encoding": {"base64"},
	})
	if err != nil {
		return err
	}
	_, err = part.Write(base64Lines(data))
	return err
}
