package store

import (
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
)

const inboxCols = `id, name, brand_id, default_group_id, signature, auto_ack, auto_ack_subject, auto_ack_body,
	ticket_token, legacy_charset, incoming, outgoing, active, created_at, updated_at`

func scanInbox(sc scanner) (*model.Inbox, error) {
	var (
		in                 model.Inbox
		brand, group       nullInt
		incoming, outgoing string
		created, updated   int64
	)
	err := sc.Scan(&in.ID, &in.Name, &brand, &group, &in.Signature, &in.AutoAck, &in.AutoAckSubject, &in.AutoAckBody,
		&in.TicketToken, &in.LegacyCharset, &incoming, &outgoing, &in.Active, &created, &updated)
	if err != nil {
		return nil, err
	}
	in.BrandID, in.DefaultGroupID = brand.Int64, group.Int64
	in.Incoming = fromJSON[map[string]any](incoming)
	in.Outgoing = fromJSON[map[string]any](outgoing)
	in.CreatedAt, in.UpdatedAt = fromMS(created), fromMS(updated)
	return &in, nil
}

func inboxArgs(in *model.Inbox) []any {
	return []any{in.Name, nullID(in.BrandID), nullID(in.DefaultGroupID), in.Signature, in.AutoAck, in.AutoAckSubject, in.AutoAckBody,
		in.TicketToken, in.LegacyCharset, jsonText(orEmptyMap(in.Incoming)), jsonText(orEmptyMap(in.Outgoing)), in.Active, ms(in.CreatedAt), ms(in.UpdatedAt)}
}

// InsertInbox stores a new inbox with its addresses; ErrConflict when an
// address already belongs to another inbox.
func (t *Tx) InsertInbox(in *model.Inbox) error {
	id, err := t.insert(`INSERT INTO inboxes (name, brand_id, default_group_id, signature, auto_ack, auto_ack_subject, auto_ack_body,
		ticket_token, legacy_charset, incoming, outgoing, active, created_at, updated_at) VALUES (`+placeholders(14)+")", inboxArgs(in)...)
	if err != nil {
		return err
	}
	in.ID = id
	return t.saveInboxAddresses(in)
}

// UpdateInbox rewrites an inbox and replaces its addresses.
func (t *Tx) UpdateInbox(in *model.Inbox) error {
	if err := t.affectOne(`UPDATE inboxes SET name = ?, brand_id = ?, default_group_id = ?, signature = ?, auto_ack = ?, auto_ack_subject = ?,
		auto_ack_body = ?, ticket_token = ?, legacy_charset = ?, incoming = ?, outgoing = ?, active = ?, created_at = ?, updated_at = ? WHERE id = ?`,
		append(inboxArgs(in), in.ID)...); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM inbox_addresses WHERE inbox_id = ?", in.ID); err != nil {
		return err
	}
	return t.saveInboxAddresses(in)
}

func (t *Tx) saveInboxAddresses(in *model.Inbox) error {
	for i, a := range in.Addresses {
		in.Addresses[i] = strings.ToLower(strings.TrimSpace(a))
		if _, err := t.exec("INSERT INTO inbox_addresses (address, inbox_id, position) VALUES (?, ?, ?)", in.Addresses[i], in.ID, i); err != nil {
			return err
		}
	}
	return nil
}

// Inbox returns one inbox with its addresses.
func (t *Tx) Inbox(id int64) (*model.Inbox, error) {
	in, err := scanInbox(t.queryRow("SELECT "+inboxCols+" FROM inboxes WHERE id = ?", id))
	if err != nil {
		return nil, t.wrap(err)
	}
	return in, t.loadInboxAddresses([]*model.Inbox{in})
}

// Inboxes lists every inbox with its addresses.
func (t *Tx) Inboxes() ([]*model.Inbox, error) {
	list, err := queryAll(t, scanInbox, "SELECT "+inboxCols+" FROM inboxes ORDER BY id")
	if err != nil {
		return nil, err
	}
	return list, t.loadInboxAddresses(list)
}

// InboxByAddress finds the inbox an address belongs to. A plus-address
// (support+anything@example.jp) belongs to the inbox of its base address.
func (t *Tx) InboxByAddress(addr string) (*model.Inbox, error) {
	addr = strings.ToLower(strings.TrimSpace(addr))
	var id int64
	err := t.queryRow("SELECT inbox_id FROM inbox_addresses WHERE address = ?", addr).Scan(&id)
	if err != nil && t.wrap(err) == ErrNotFound {
		local, domain, ok := strings.Cut(addr, "@")
		if base, _, plus := strings.Cut(local, "+"); ok && plus {
			err = t.queryRow("SELECT inbox_id FROM inbox_addresses WHERE address = ?", base+"@"+domain).Scan(&id)
		}
	}
	if err != nil {
		return nil, t.wrap(err)
	}
	return t.Inbox(id)
}

// DeleteInbox removes an inbox; its tickets keep their history.
func (t *Tx) DeleteInbox(id int64) error {
	if _, err := t.exec("UPDATE tickets SET inbox_id = NULL WHERE inbox_id = ?", id); err != nil {
		return err
	}
	if _, err := t.exec("DELETE FROM inbox_addresses WHERE inbox_id = ?", id); err != nil {
		return err
	}
	return t.affectOne("DELETE FROM inboxes WHERE id = ?", id)
}

func (t *Tx) loadInboxAddresses(list []*model.Inbox) error {
	if len(list) == 0 {
		return nil
	}
	byID := make(map[int64]*model.Inbox, len(list))
	ids := make([]int64, len(list))
	for i, in := range list {
		byID[in.ID], ids[i] = in, in.ID
		in.Addresses = []string{}
	}
	type pair struct {
		addr string
		id   int64
	}
	pairs, err := queryAll(t, func(sc scanner) (pair, error) {
		var p pair
		return p, sc.Scan(&p.addr, &p.id)
	}, "SELECT address, inbox_id FROM inbox_addresses WHERE inbox_id IN ("+placeholders(len(ids))+") ORDER BY position, address", int64Args(ids)...)
	for _, p := range pairs {
		byID[p.id].Addresses = append(byID[p.id].Addresses, p.addr)
	}
	return err
}

const mailCols = `id, inbox_id, direction, message_id, in_reply_to, refs, sha256, size, mail_from, rcpt_to, subject,
	ticket_id, comment_id, state, error, attempts, next_attempt_at, source, created_at, updated_at`

func scanMail(sc scanner) (*model.MailMessage, error) {
	var (
		m                      model.MailMessage
		inbox, ticket, comment nullInt
		next                   nullInt
		refs, rcpt             string
		created, updated       int64
	)
	err := sc.Scan(&m.ID, &inbox, &m.Direction, &m.MessageID, &m.InReplyTo, &refs, &m.SHA256, &m.Size, &m.MailFrom, &rcpt, &m.Subject,
		&ticket, &comment, &m.State, &m.Error, &m.Attempts, &next, &m.Source, &created, &updated)
	if err != nil {
		return nil, err
	}
	m.InboxID, m.TicketID, m.CommentID = inbox.Int64, ticket.Int64, comment.Int64
	m.References, m.RcptTo = strings.Fields(refs), strings.Fields(rcpt)
	m.NextAttemptAt, m.CreatedAt, m.UpdatedAt = fromNullMS(next), fromMS(created), fromMS(updated)
	return &m, nil
}

func mailArgs(m *model.MailMessage) []any {
	return []any{nullID(m.InboxID), m.Direction, m.MessageID, m.InReplyTo, strings.Join(m.References, " "), m.SHA256, m.Size, m.MailFrom,
		strings.Join(m.RcptTo, " "), m.Subject, nullID(m.TicketID), nullID(m.CommentID), m.State, m.Error, m.Attempts, nullMS(m.NextAttemptAt),
		m.Source, ms(m.CreatedAt), ms(m.UpdatedAt)}
}

// InsertMailMessage records a mail; ErrConflict when the same Message-ID was
// already stored for this inbox and direction (a redelivery).
func (t *Tx) InsertMailMessage(m *model.MailMessage) error {
	id, err := t.insert(`INSERT INTO mail_messages (inbox_id, direction, message_id, in_reply_to, refs, sha256, size, mail_from, rcpt_to, subject,
		ticket_id, comment_id, state, error, attempts, next_attempt_at, source, created_at, updated_at) VALUES (`+placeholders(19)+")", mailArgs(m)...)
	m.ID = id
	return err
}

// UpdateMailMessage rewrites a mail's processing state and links.
func (t *Tx) UpdateMailMessage(m *model.MailMessage) error {
	return t.affectOne(`UPDATE mail_messages SET inbox_id = ?, direction = ?, message_id = ?, in_reply_to = ?, refs = ?, sha256 = ?, size = ?,
		mail_from = ?, rcpt_to = ?, subject = ?, ticket_id = ?, comment_id = ?, state = ?, error = ?, attempts = ?, next_attempt_at = ?,
		source = ?, created_at = ?, updated_at = ? WHERE id = ?`, append(mailArgs(m), m.ID)...)
}

// MailMessage returns one mail.
func (t *Tx) MailMessage(id int64) (*model.MailMessage, error) {
	m, err := scanMail(t.queryRow("SELECT "+mailCols+" FROM mail_messages WHERE id = ?", id))
	return m, t.wrap(err)
}

// MailByMessageID returns the mail with this Message-ID in an inbox and
// direction (for redelivery checks).
func (t *Tx) MailByMessageID(inboxID int64, direction, messageID string) (*model.MailMessage, error) {
	m, err := scanMail(t.queryRow("SELECT "+mailCols+" FROM mail_messages WHERE inbox_id = ? AND direction = ? AND message_id = ?",
		inboxID, direction, messageID))
	return m, t.wrap(err)
}

// TicketForMessageIDs returns the newest live ticket that a mail with any
// of these Message-IDs (seen or sent) belongs to: how a reply finds its
// thread from In-Reply-To and References.
func (t *Tx) TicketForMessageIDs(ids []string) (int64, error) {
	if len(ids) == 0 {
		return 0, ErrNotFound
	}
	var id int64
	err := t.queryRow(`SELECT m.ticket_id FROM mail_messages m JOIN tickets t ON t.id = m.ticket_id
		WHERE m.message_id IN (`+placeholders(len(ids))+`) AND t.deleted_at IS NULL ORDER BY m.id DESC LIMIT 1`, stringArgs(ids)...).Scan(&id)
	return id, t.wrap(err)
}

// MailMessagesOfTicket lists a ticket's mails in order.
func (t *Tx) MailMessagesOfTicket(ticketID int64) ([]*model.MailMessage, error) {
	return queryAll(t, scanMail, "SELECT "+mailCols+" FROM mail_messages WHERE ticket_id = ? ORDER BY id", ticketID)
}

// MailMessagesInState lists mails in a state whose next attempt is due
// (nowMS) — the outbox and the retry queue for unprocessed inbound mail.
func (t *Tx) MailMessagesInState(state string, nowMS int64, limit int) ([]*model.MailMessage, error) {
	return queryAll(t, scanMail, "SELECT "+mailCols+` FROM mail_messages WHERE state = ?
		AND (next_attempt_at IS NULL OR next_attempt_at <= ?) ORDER BY id LIMIT ?`, state, nowMS, limit)
}
