// Package inboxes holds the rules for shared inboxes (受信箱): who may change
// them, what a valid inbox is, and that mail passwords are kept only sealed.
// The API and the CLI both go through it.
package inboxes

import (
	"errors"
	"fmt"
	"net/mail"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Sealer encrypts a secret for storage (secrets.Box).
type Sealer interface{ Seal(plaintext string) string }

// Settings is a requested change to an inbox's incoming or outgoing mail
// settings; nil fields stay as they are. Password is write-only: "" clears.
type Settings struct {
	Type, Host, TLS, Username, Password, Mailbox, FromName *string
	Port                                                   *int64
	ProcessedMailbox                                       *string // IMAP: move stored mail there instead of flagging it \Seen
	Insecure                                               *bool   // skip TLS certificate checks (self-signed servers)
}

// Input is a requested create or update; nil fields stay as they are.
type Input struct {
	Name, Signature, AutoAckSubject, AutoAckBody, TicketToken, LegacyCharset *string
	BrandID, DefaultGroupID                                                  *int64
	Addresses                                                                *[]string
	AutoAck, Active                                                          *bool
	Incoming, Outgoing                                                       *Settings
}

// Keys of the settings maps kept in model.Inbox.Incoming and .Outgoing (the
// IMAP poller and the outbox read them; "password" holds a sealed value).
const (
	KeyType, KeyHost, KeyPort, KeyTLS                 = "type", "host", "port", "tls"
	KeyUsername, KeyPassword, KeyMailbox, KeyFromName = "username", "password", "mailbox", "from_name"
	KeyProcessedMailbox, KeyInsecure                  = "processed_mailbox", "insecure"
)

// Create stores a new inbox; admins only.
func Create(tx *store.Tx, actor *model.User, in Input, box Sealer, now time.Time) (*model.Inbox, error) {
	if err := mayAdminister(actor); err != nil {
		return nil, err
	}
	ib := &model.Inbox{TicketToken: "subject", Active: true, Incoming: map[string]any{KeyType: "forwarding"}, Outgoing: map[string]any{},
		CreatedAt: now, UpdatedAt: now}
	if err := apply(tx, ib, in, box, true); err != nil {
		return nil, err
	}
	if err := tx.InsertInbox(ib); err != nil {
		return nil, err
	}
	return ib, nil
}

// Update changes an inbox; admins only. It takes effect at once for mail
// arriving afterwards (the SMTP listener looks addresses up per recipient).
func Update(tx *store.Tx, actor *model.User, id int64, in Input, box Sealer, now time.Time) (*model.Inbox, error) {
	if err := mayAdminister(actor); err != nil {
		return nil, err
	}
	ib, err := tx.Inbox(id)
	if err != nil {
		return nil, err
	}
	if err := apply(tx, ib, in, box, false); err != nil {
		return nil, err
	}
	ib.UpdatedAt = now
	if err := tx.UpdateInbox(ib); err != nil {
		return nil, err
	}
	return ib, nil
}

// Delete removes an inbox that has no mail yet; one with mail is
// deactivated instead, so its tickets keep their history.
func Delete(tx *store.Tx, actor *model.User, id int64) error {
	if err := mayAdminister(actor); err != nil {
		return err
	}
	if _, err := tx.Inbox(id); err != nil {
		return err
	}
	n, err := tx.InboxMailCount(id)
	if err != nil {
		return err
	}
	if n > 0 {
		return errs.Invalidf("base", "InboxHasMail", "This inbox has %d mails; deactivate it (active: false) instead of deleting it. / メールがある受信箱は削除できません。無効化してください。", n)
	}
	return tx.DeleteInbox(id)
}

func mayAdminister(actor *model.User) error {
	if actor == nil || actor.Role != model.RoleAdmin {
		return errs.Forbiddenf("only admins may change inboxes / 受信箱を変更できるのは管理者のみです")
	}
	return nil
}

func apply(tx *store.Tx, ib *model.Inbox, in Input, box Sealer, creating bool) error {
	v := &errs.Invalid{}
	if in.Name != nil {
		ib.Name = strings.TrimSpace(*in.Name)
	}
	if in.Name != nil || creating {
		switch {
		case ib.Name == "":
			v.Add("name", "BlankValue", "Name: cannot be blank / 名前を入力してください")
		case utf8.RuneCountInString(ib.Name) > 255:
			v.Add("name", "TooLong", "Name: is too long (maximum is 255 characters) / 名前が長すぎます")
		}
	}
	if in.Addresses != nil {
		ib.Addresses = addresses(tx, v, ib.ID, *in.Addresses)
	}
	if len(ib.Addresses) == 0 && (creating || in.Addresses != nil) {
		v.Add("addresses", "BlankValue", "Addresses: at least one address is needed / アドレスを1つ以上指定してください")
	}
	if in.BrandID != nil {
		if id := *in.BrandID; id != 0 {
			if _, err := tx.Brand(id); errors.Is(err, store.ErrNotFound) {
				v.Addf("brand_id", "InvalidValue", "Brand: %d does not exist / ブランドが存在しません", id)
			} else if err != nil {
				return err
			}
		}
		ib.BrandID = *in.BrandID
	}
	if in.DefaultGroupID != nil {
		if id := *in.DefaultGroupID; id != 0 {
			g, err := tx.Group(id)
			if errors.Is(err, store.ErrNotFound) || (err == nil && g.Deleted) {
				v.Addf("default_group_id", "InvalidValue", "Group: %d does not exist / グループが存在しません", id)
			} else if err != nil {
				return err
			}
		}
		ib.DefaultGroupID = *in.DefaultGroupID
	}
	setText(v, "signature", &ib.Signature, in.Signature, 10000)
	setText(v, "auto_acknowledge.subject", &ib.AutoAckSubject, in.AutoAckSubject, 998)
	setText(v, "auto_acknowledge.body", &ib.AutoAckBody, in.AutoAckBody, 20000)
	if in.AutoAck != nil {
		ib.AutoAck = *in.AutoAck
	}
	if in.Active != nil {
		ib.Active = *in.Active
	}
	if in.TicketToken != nil {
		ib.TicketToken = strings.ToLower(strings.TrimSpace(*in.TicketToken))
		if ib.TicketToken != "subject" && ib.TicketToken != "address" && ib.TicketToken != "both" {
			v.Add("ticket_token", "InvalidValue", `Ticket token: must be "subject", "address" or "both" / subject・address・both のいずれかを指定してください`)
		}
	}
	if in.LegacyCharset != nil {
		ib.LegacyCharset = strings.ToLower(strings.TrimSpace(*in.LegacyCharset))
		if ib.LegacyCharset == "utf-8" {
			ib.LegacyCharset = ""
		}
		if ib.LegacyCharset != "" && ib.LegacyCharset != "iso-2022-jp" {
			v.Add("legacy_charset", "InvalidValue", `Legacy charset: must be "iso-2022-jp" or empty (UTF-8) / iso-2022-jp か空欄を指定してください`)
		}
	}
	var err error
	if ib.Incoming, err = settings(v, "incoming", ib.Incoming, in.Incoming, box, true); err != nil {
		return err
	}
	if ib.Outgoing, err = settings(v, "outgoing", ib.Outgoing, in.Outgoing, box, false); err != nil {
		return err
	}
	return v.OrNil()
}

// addresses normalizes and checks the requested addresses: plain valid
// addresses, no +tag (that part is for plus-addressing), none used by
// another inbox.
func addresses(tx *store.Tx, v *errs.Invalid, selfID int64, list []string) []string {
	var out []string
	seen := map[string]bool{}
	for _, raw := range list {
		a := strings.ToLower(strings.TrimSpace(raw))
		p, err := mail.ParseAddress(a)
		local, _, _ := strings.Cut(a, "@")
		switch {
		case err != nil || p.Address != a || p.Name != "" || !strings.Contains(a, "@") || len(a) > 254:
			v.Addf("addresses", "InvalidValue", "%q is not a valid email address / メールアドレスの形式が正しくありません", raw)
			continue
		case strings.Contains(local, "+"):
			v.Addf("addresses", "InvalidValue", "%q: an inbox address cannot contain \"+\" (used for plus-addressing) / 「+」を含むアドレスは使えません", raw)
			continue
		case seen[a]:
			continue
		}
		seen[a] = true
		other, err := tx.InboxByAddress(a)
		if err == nil && other.ID != selfID {
			v.Addf("addresses", "DuplicateValue", "%s is already used by inbox %d (%s) / 他の受信箱で使用中です", a, other.ID, other.Name)
			continue
		}
		out = append(out, a)
	}
	return out
}

func setText(v *errs.Invalid, field string, dst, src *string, max int) {
	if src == nil {
		return
	}
	if utf8.RuneCountInString(*src) > max {
		v.Addf(field, "TooLong", "%s: is too long (maximum is %d characters) / 長すぎます", field, max)
		return
	}
	*dst = *src
}

// settings merges a change into a settings map, sealing a new password.
func settings(v *errs.Invalid, field string, cur map[string]any, in *Settings, box Sealer, incoming bool) (map[string]any, error) {
	m := map[string]any{}
	for k, x := range cur {
		m[k] = x
	}
	if in == nil {
		return m, nil
	}
	str := func(key string, p *string) {
		if p != nil {
			if s := strings.TrimSpace(*p); s != "" {
				m[key] = s
			} else {
				delete(m, key)
			}
		}
	}
	str(KeyHost, in.Host)
	str(KeyUsername, in.Username)
	if incoming {
		str(KeyType, in.Type)
		str(KeyMailbox, in.Mailbox)
		str(KeyProcessedMailbox, in.ProcessedMailbox)
		if t, _ := m[KeyType].(string); t == "" {
			m[KeyType] = "forwarding"
		} else if t != "forwarding" && t != "imap" {
			v.Add(field+".type", "InvalidValue", `Type: must be "forwarding" or "imap" / forwarding か imap を指定してください`)
		}
	} else {
		str(KeyFromName, in.FromName)
	}
	if in.TLS != nil {
		t := strings.ToLower(strings.TrimSpace(*in.TLS))
		switch t {
		case "":
			delete(m, KeyTLS)
		case "tls", "starttls", "none":
			m[KeyTLS] = t
		default:
			v.Add(field+".tls", "InvalidValue", `TLS: must be "tls", "starttls" or "none" / tls・starttls・none のいずれかを指定してください`)
		}
	}
	if in.Port != nil {
		switch p := *in.Port; {
		case p == 0:
			delete(m, KeyPort)
		case p < 0 || p > 65535:
			v.Add(field+".port", "InvalidValue", "Port: must be between 1 and 65535 / ポート番号が正しくありません")
		default:
			m[KeyPort] = float64(p) // as it reads back from JSON
		}
	}
	if in.Insecure != nil {
		if *in.Insecure {
			m[KeyInsecure] = true
		} else {
			delete(m, KeyInsecure)
		}
	}
	if in.Password != nil {
		if *in.Password == "" {
			delete(m, KeyPassword)
		} else if box == nil {
			return nil, errors.New("inboxes: no secret key is configured, so a password cannot be stored")
		} else {
			m[KeyPassword] = box.Seal(*in.Password)
		}
	}
	if incoming && m[KeyType] == "imap" {
		if h, _ := m[KeyHost].(string); h == "" {
			v.Add(field+".host", "BlankValue", "Host: is needed for IMAP / IMAP サーバーを指定してください")
		}
	}
	return m, nil
}

// PasswordSet reports whether settings hold a (sealed) password.
func PasswordSet(m map[string]any) bool {
	s, _ := m[KeyPassword].(string)
	return s != ""
}

// String returns a settings value as text (numbers as digits).
func String(m map[string]any, key string) string {
	switch x := m[key].(type) {
	case string:
		return x
	case float64:
		return fmt.Sprint(int64(x))
	}
	return ""
}
