package api

import (
	"net/http"
	"strconv"

	"github.com/kizuna-desk/kizuna/internal/inboxes"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// /api/v2/inboxes is our own extension in Zendesk's style: shared inboxes
// (受信箱) with their addresses and mail settings. Passwords are write-only.

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/inboxes", s.listInboxes)
		s.handle("GET /api/v2/inboxes/{id}", s.showInbox)
		s.handle("POST /api/v2/inboxes", s.createInbox)
		s.handle("PUT /api/v2/inboxes/{id}", s.updateInbox)
		s.handle("DELETE /api/v2/inboxes/{id}", s.deleteInbox)
	})
}

type autoAckJSON struct {
	Enabled bool   `json:"enabled"`
	Subject string `json:"subject"`
	Body    string `json:"body"`
}

type mailSettingsJSON struct {
	Type        string `json:"type,omitempty"`
	Host        string `json:"host"`
	Port        *int64 `json:"port"`
	TLS         string `json:"tls"`
	Username    string `json:"username"`
	PasswordSet bool   `json:"password_set"`
	Mailbox     string `json:"mailbox,omitempty"`
	FromName    string `json:"from_name,omitempty"`
	Processed   string `json:"processed_mailbox,omitempty"`
	Insecure    bool   `json:"insecure,omitempty"`
}

type inboxJSON struct {
	ID             int64            `json:"id"`
	URL            string           `json:"url"`
	Name           string           `json:"name"`
	BrandID        *int64           `json:"brand_id"`
	DefaultGroupID *int64           `json:"default_group_id"`
	Addresses      []string         `json:"addresses"`
	Signature      string           `json:"signature"`
	AutoAck        autoAckJSON      `json:"auto_acknowledge"`
	TicketToken    string           `json:"ticket_token"`
	LegacyCharset  string           `json:"legacy_charset"`
	Incoming       mailSettingsJSON `json:"incoming"`
	Outgoing       mailSettingsJSON `json:"outgoing"`
	Active         bool             `json:"active"`
	CreatedAt      string           `json:"created_at"`
	UpdatedAt      string           `json:"updated_at"`
}

func presentSettings(m map[string]any, incoming bool) mailSettingsJSON {
	out := mailSettingsJSON{Host: inboxes.String(m, inboxes.KeyHost), TLS: inboxes.String(m, inboxes.KeyTLS),
		Username: inboxes.String(m, inboxes.KeyUsername), PasswordSet: inboxes.PasswordSet(m)}
	out.Insecure, _ = m[inboxes.KeyInsecure].(bool)
	if p, err := strconv.ParseInt(inboxes.String(m, inboxes.KeyPort), 10, 64); err == nil {
		out.Port = &p
	}
	if incoming {
		out.Type, out.Mailbox = inboxes.String(m, inboxes.KeyType), inboxes.String(m, inboxes.KeyMailbox)
		out.Processed = inboxes.String(m, inboxes.KeyProcessedMailbox)
	} else {
		out.FromName = inboxes.String(m, inboxes.KeyFromName)
	}
	return out
}

func presentInbox(base string, ib *model.Inbox) inboxJSON {
	addrs := ib.Addresses
	if addrs == nil {
		addrs = []string{}
	}
	return inboxJSON{ID: ib.ID, URL: base + "/api/v2/inboxes/" + strconv.FormatInt(ib.ID, 10) + ".json", Name: ib.Name,
		BrandID: idPtr(ib.BrandID), DefaultGroupID: idPtr(ib.DefaultGroupID), Addresses: addrs, Signature: ib.Signature,
		AutoAck: autoAckJSON{Enabled: ib.AutoAck, Subject: ib.AutoAckSubject, Body: ib.AutoAckBody}, TicketToken: ib.TicketToken,
		LegacyCharset: ib.LegacyCharset, Incoming: presentSettings(ib.Incoming, true), Outgoing: presentSettings(ib.Outgoing, false),
		Active: ib.Active, CreatedAt: isoTime(ib.CreatedAt), UpdatedAt: isoTime(ib.UpdatedAt)}
}

func (s *Server) listInboxes(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var list []*model.Inbox
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = tx.Inboxes()
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]inboxJSON, 0, len(list))
	for _, ib := range list {
		out = append(out, presentInbox(base, ib))
	}
	writeJSON(w, http.StatusOK, map[string]any{"inboxes": out, "count": len(out), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) showInbox(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var ib *model.Inbox
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		ib, err = tx.Inbox(id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"inbox": presentInbox(baseURL(r), ib)})
	return nil
}

type settingsInput struct {
	Type     optString `json:"type"`
	Host     optString `json:"host"`
	Port     optInt    `json:"port"`
	TLS      optString `json:"tls"`
	Username optString `json:"username"`
	Password optString `json:"password"`
	Mailbox  optString `json:"mailbox"`
	FromName optString `json:"from_name"`
	// IMAP only: where stored mail is moved, and no certificate check.
	ProcessedMailbox optString `json:"processed_mailbox"`
	Insecure         *bool     `json:"insecure"`
}

func (si *settingsInput) settings() *inboxes.Settings {
	if si == nil {
		return nil
	}
	return &inboxes.Settings{Type: si.Type.ptr(), Host: si.Host.ptr(), Port: si.Port.ptr(), TLS: si.TLS.ptr(), Username: si.Username.ptr(),
		Password: si.Password.ptr(), Mailbox: si.Mailbox.ptr(), FromName: si.FromName.ptr(),
		ProcessedMailbox: si.ProcessedMailbox.ptr(), Insecure: si.Insecure}
}

func (s *Server) decodeInbox(w http.ResponseWriter, r *http.Request) (inboxes.Input, error) {
	var in struct {
		Inbox *struct {
			Name           optString `json:"name"`
			BrandID        optInt    `json:"brand_id"`
			DefaultGroupID optInt    `json:"default_group_id"`
			Addresses      *[]string `json:"addresses"`
			Signature      optString `json:"signature"`
			AutoAck        *struct {
				Enabled *bool     `json:"enabled"`
				Subject optString `json:"subject"`
				Body    optString `json:"body"`
			} `json:"auto_acknowledge"`
			TicketToken   optString      `json:"ticket_token"`
			LegacyCharset optString      `json:"legacy_charset"`
			Incoming      *settingsInput `json:"incoming"`
			Outgoing      *settingsInput `json:"outgoing"`
			Active        *bool          `json:"active"`
		} `json:"inbox"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return inboxes.Input{}, err
	}
	if in.Inbox == nil {
		return inboxes.Input{}, badRequest("InvalidValue", `The body must be {"inbox": {...}}. / {"inbox": {...}} の形式で送ってください。`)
	}
	b := in.Inbox
	out := inboxes.Input{Name: b.Name.ptr(), BrandID: b.BrandID.ptr(), DefaultGroupID: b.DefaultGroupID.ptr(), Addresses: b.Addresses,
		Signature: b.Signature.ptr(), TicketToken: b.TicketToken.ptr(), LegacyCharset: b.LegacyCharset.ptr(),
		Incoming: b.Incoming.settings(), Outgoing: b.Outgoing.settings(), Active: b.Active}
	if b.AutoAck != nil {
		out.AutoAck, out.AutoAckSubject, out.AutoAckBody = b.AutoAck.Enabled, b.AutoAck.Subject.ptr(), b.AutoAck.Body.ptr()
	}
	return out, nil
}

func (s *Server) createInbox(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	in, err := s.decodeInbox(w, r)
	if err != nil {
		return err
	}
	var ib *model.Inbox
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		ib, err = inboxes.Create(tx, currentUser(r), in, s.sealer(), s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"inbox": presentInbox(baseURL(r), ib)})
	return nil
}

func (s *Server) updateInbox(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeInbox(w, r)
	if err != nil {
		return err
	}
	var ib *model.Inbox
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		ib, err = inboxes.Update(tx, currentUser(r), id, in, s.sealer(), s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"inbox": presentInbox(baseURL(r), ib)})
	return nil
}

func (s *Server) deleteInbox(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error { return inboxes.Delete(tx, currentUser(r), id) })
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// sealer returns the configured box, or nil (an interface holding a nil
// pointer would not compare equal to nil in the domain's check).
func (s *Server) sealer() inboxes.Sealer {
	if s.Secrets == nil {
		return nil
	}
	return s.Secrets
}
