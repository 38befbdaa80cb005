package web

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/inboxes"
	"github.com/kizuna-desk/kizuna/internal/mailprobe"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// mailForm is the incoming or outgoing half of the inbox form. Passwords
// are write-only: the form shows only whether one is set.
type mailForm struct {
	Type, Host, Port, TLS, User, Mailbox, Processed, FromName string
	Insecure, PasswordSet, ClearPassword                      bool
	Prefix                                                    string // of the form's field names: in_ or out_
	Incoming                                                  bool
	password                                                  string // typed now; never shown back
}

// inboxForm is the inbox edit form as shown, or as submitted.
type inboxForm struct {
	ID                                         int64
	Name, Addresses, Signature, AutoAckSubject string
	AutoAckBody, TicketToken                   string
	BrandID, DefaultGroupID                    int64
	AutoAck, Legacy, Active                    bool
	In, Out                                    mailForm
}

// probeResult is the answer to "Test connection".
type probeResult struct {
	What    string // "imap" or "smtp"
	OK      bool
	Message string
	Detail  string
}

type inboxPage struct {
	Form   inboxForm
	Brands []*model.Brand
	Groups []*model.Group
	Errors []string
	Probe  *probeResult
	Saved  bool
	Plus   string // a plus-address example for the first address
}

func formOfInbox(ib *model.Inbox) inboxForm {
	f := inboxForm{ID: ib.ID, Name: ib.Name, Addresses: strings.Join(ib.Addresses, "\n"), Signature: ib.Signature,
		AutoAckSubject: ib.AutoAckSubject, AutoAckBody: ib.AutoAckBody, TicketToken: ib.TicketToken, BrandID: ib.BrandID,
		DefaultGroupID: ib.DefaultGroupID, AutoAck: ib.AutoAck, Legacy: ib.LegacyCharset == "iso-2022-jp", Active: ib.Active}
	for _, x := range []struct {
		m  map[string]any
		mf *mailForm
	}{{ib.Incoming, &f.In}, {ib.Outgoing, &f.Out}} {
		m := x.m
		*x.mf = mailForm{Type: inboxes.String(m, inboxes.KeyType), Host: inboxes.String(m, inboxes.KeyHost), Port: inboxes.String(m, inboxes.KeyPort),
			TLS: inboxes.String(m, inboxes.KeyTLS), User: inboxes.String(m, inboxes.KeyUsername), Mailbox: inboxes.String(m, inboxes.KeyMailbox),
			Processed: inboxes.String(m, inboxes.KeyProcessedMailbox), FromName: inboxes.String(m, inboxes.KeyFromName), PasswordSet: inboxes.PasswordSet(m)}
		x.mf.Insecure, _ = m[inboxes.KeyInsecure].(bool)
	}
	if f.In.Type == "" {
		f.In.Type = "forwarding"
	}
	f.In.Prefix, f.In.Incoming, f.Out.Prefix = "in_", true, "out_"
	return f
}

func readInboxForm(r *http.Request, id int64) (inboxForm, error) {
	f := inboxForm{ID: id, Name: r.FormValue("name"), Addresses: r.FormValue("addresses"), Signature: r.FormValue("signature"),
		AutoAckSubject: r.FormValue("auto_ack_subject"), AutoAckBody: r.FormValue("auto_ack_body"), TicketToken: r.FormValue("ticket_token"),
		AutoAck: checked(r, "auto_ack"), Legacy: checked(r, "legacy_charset"), Active: checked(r, "active")}
	var err error
	if f.BrandID, err = formID(r, "brand_id"); err != nil {
		return f, err
	}
	if f.DefaultGroupID, err = formID(r, "default_group_id"); err != nil {
		return f, err
	}
	for prefix, mf := range map[string]*mailForm{"in_": &f.In, "out_": &f.Out} {
		*mf = mailForm{Type: r.FormValue(prefix + "type"), Host: r.FormValue(prefix + "host"), Port: r.FormValue(prefix + "port"),
			TLS: r.FormValue(prefix + "tls"), User: r.FormValue(prefix + "user"), Mailbox: r.FormValue(prefix + "mailbox"),
			Processed: r.FormValue(prefix + "processed"), FromName: r.FormValue(prefix + "from_name"),
			Insecure: checked(r, prefix+"insecure"), ClearPassword: checked(r, prefix+"clear_password"), password: r.FormValue(prefix + "password"),
			Prefix: prefix, Incoming: prefix == "in_"}
	}
	return f, nil
}

// addressList splits the addresses box: one a line, or separated by
// commas, spaces or Japanese commas.
func addressList(s string) []string {
	return strings.FieldsFunc(s, func(r rune) bool {
		return r == '\n' || r == '\r' || r == ',' || r == '、' || r == '，' || r == ' ' || r == '\t' || r == '　'
	})
}

// portValue is the port to ask for: "" clears it; anything that is not a
// number is sent as -1 so the domain's range check explains it.
func portValue(s string) *int64 {
	n, ok := formNumber(s)
	if !ok {
		n = -1
	}
	return &n
}

func (mf mailForm) settings(incoming bool) *inboxes.Settings {
	st := &inboxes.Settings{Host: ptr(mf.Host), Port: portValue(mf.Port), TLS: ptr(mf.TLS), Username: ptr(mf.User), Insecure: ptr(mf.Insecure)}
	if incoming {
		st.Type, st.Mailbox, st.ProcessedMailbox = ptr(mf.Type), ptr(mf.Mailbox), ptr(mf.Processed)
	} else {
		st.FromName = ptr(mf.FromName)
	}
	switch {
	case mf.ClearPassword:
		st.Password = ptr("")
	case mf.password != "":
		st.Password = ptr(mf.password)
	}
	return st
}

func (f inboxForm) input() inboxes.Input {
	addrs := addressList(f.Addresses)
	charset := ""
	if f.Legacy {
		charset = "iso-2022-jp"
	}
	var token *string // a form without the select keeps the inbox's
	if f.TicketToken != "" {
		token = ptr(f.TicketToken)
	}
	return inboxes.Input{Name: ptr(f.Name), BrandID: ptr(f.BrandID), DefaultGroupID: ptr(f.DefaultGroupID), Addresses: &addrs,
		Signature: ptr(f.Signature), AutoAck: ptr(f.AutoAck), AutoAckSubject: ptr(f.AutoAckSubject), AutoAckBody: ptr(f.AutoAckBody),
		TicketToken: token, LegacyCharset: ptr(charset), Active: ptr(f.Active),
		Incoming: f.In.settings(true), Outgoing: f.Out.settings(false)}
}

// sealer is the secret box as inboxes.Sealer, or nil (a nil pointer in the
// interface would not compare equal to nil in the domain's check).
func (s *Server) sealer() inboxes.Sealer {
	if s.Secrets == nil {
		return nil
	}
	return s.Secrets
}

func (s *Server) inboxList(w http.ResponseWriter, r *http.Request) error {
	var (
		list   []*model.Inbox
		brands map[int64]string
		groups map[int64]string
	)
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if list, err = tx.Inboxes(); err != nil {
			return err
		}
		brands, groups, err = brandGroupNames(tx)
		return err
	}); err != nil {
		return err
	}
	v := s.view(r)
	v.Title = v.T("admin.inboxes")
	v.Data = map[string]any{"Inboxes": list, "Brands": brands, "Groups": groups, "Changed": r.URL.Query().Get("changed") == "1"}
	s.render(w, http.StatusOK, "admin_inboxes", v)
	return nil
}

func brandGroupNames(tx *store.Tx) (map[int64]string, map[int64]string, error) {
	bs, err := tx.Brands()
	if err != nil {
		return nil, nil, err
	}
	gs, err := tx.Groups(false)
	if err != nil {
		return nil, nil, err
	}
	brands, groups := map[int64]string{}, map[int64]string{}
	for _, b := range bs {
		brands[b.ID] = b.Name
	}
	for _, g := range gs {
		groups[g.ID] = g.Name
	}
	return brands, groups, nil
}

func (s *Server) showInboxForm(w http.ResponseWriter, r *http.Request, status int, p inboxPage) error {
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if p.Brands, err = tx.Brands(); err != nil {
			return err
		}
		p.Groups, err = tx.Groups(false)
		return err
	}); err != nil {
		return err
	}
	if as := addressList(p.Form.Addresses); len(as) > 0 {
		if local, domain, ok := strings.Cut(as[0], "@"); ok {
			p.Plus = local + "+…@" + domain
		}
	}
	v := s.view(r)
	v.Title = v.T("admin.inbox_new")
	if p.Form.ID != 0 {
		v.Title = p.Form.Name
	}
	v.Data = p
	s.render(w, status, "admin_inbox", v)
	return nil
}

func (s *Server) inboxNew(w http.ResponseWriter, r *http.Request) error {
	return s.showInboxForm(w, r, http.StatusOK, inboxPage{Form: inboxForm{TicketToken: "subject", Active: true,
		In: mailForm{Type: "forwarding", Prefix: "in_", Incoming: true}, Out: mailForm{Prefix: "out_"}}})
}

func (s *Server) inboxEdit(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var ib *model.Inbox
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error { ib, err = tx.Inbox(id); return err }); err != nil {
		return err
	}
	return s.showInboxForm(w, r, http.StatusOK, inboxPage{Form: formOfInbox(ib), Saved: r.URL.Query().Get("saved") == "1"})
}

// inboxSave creates (POST /settings/inboxes) or updates an inbox, or, for
// the "Test connection" buttons, tries the typed settings without saving.
func (s *Server) inboxSave(w http.ResponseWriter, r *http.Request) error {
	id, err := optionalPathID(r, "id")
	if err != nil {
		return err
	}
	f, err := readInboxForm(r, id)
	if err != nil {
		return err
	}
	var stored *model.Inbox
	if id != 0 {
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) error { stored, err = tx.Inbox(id); return err }); err != nil {
			return err
		}
		f.In.PasswordSet, f.Out.PasswordSet = inboxes.PasswordSet(stored.Incoming), inboxes.PasswordSet(stored.Outgoing)
	}
	switch what := r.FormValue("action"); what {
	case "test_imap", "test_smtp":
		res := s.probe(r.Context(), s.view(r), f, stored, what == "test_imap")
		return s.showInboxForm(w, r, http.StatusOK, inboxPage{Form: f, Probe: res})
	}
	me, now := currentUser(r), s.Now().UTC()
	var ib *model.Inbox
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if id == 0 {
			ib, err = inboxes.Create(tx, me, f.input(), s.sealer(), now)
		} else {
			ib, err = inboxes.Update(tx, me, id, f.input(), s.sealer(), now)
		}
		return err
	})
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showInboxForm(w, r, http.StatusUnprocessableEntity, inboxPage{Form: f, Errors: msgs})
	}
	http.Redirect(w, r, fmt.Sprintf("/settings/inboxes/%d?saved=1", ib.ID), http.StatusSeeOther)
	return nil
}

// inboxActive turns an inbox off (its addresses stop taking mail, its
// tickets stay) or on again.
func (s *Server) inboxActive(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	active := checked(r, "active")
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := inboxes.Update(tx, currentUser(r), id, inboxes.Input{Active: &active}, s.sealer(), s.Now().UTC())
		return err
	})
	if err != nil {
		if _, perr := s.problems(r, err); perr != nil {
			return perr
		}
		return errBadInput
	}
	http.Redirect(w, r, "/settings/inboxes?changed=1", http.StatusSeeOther)
	return nil
}

// probeStepKeys explain each failed step of a connection test.
var probeStepKeys = map[string]string{
	mailprobe.StepConfig:   "admin.probe_config",
	mailprobe.StepConnect:  "admin.probe_connect",
	mailprobe.StepTLS:      "admin.probe_tls",
	mailprobe.StepGreeting: "admin.probe_greeting",
	mailprobe.StepStartTLS: "admin.probe_starttls",
	mailprobe.StepLogin:    "admin.probe_login",
	mailprobe.StepSelect:   "admin.probe_select",
}

// probe tries the settings as typed; a password left blank means the
// stored one (unless "clear" is ticked).
func (s *Server) probe(ctx context.Context, v *view, f inboxForm, stored *model.Inbox, imap bool) *probeResult {
	mf, what := f.Out, "smtp"
	if imap {
		mf, what = f.In, "imap"
	}
	res := &probeResult{What: what}
	port, ok := formNumber(mf.Port)
	if !ok || port < 0 || port > 65535 {
		res.Message = v.T("admin.probe_bad_port")
		return res
	}
	cfg := mailprobe.Config{Host: mf.Host, Port: int(port), TLS: mf.TLS, Username: strings.TrimSpace(mf.User), Password: mf.password,
		Insecure: mf.Insecure, Mailbox: strings.TrimSpace(mf.Mailbox), Timeout: s.ProbeTimeout}
	if cfg.Password == "" && !mf.ClearPassword && stored != nil {
		m := stored.Outgoing
		if imap {
			m = stored.Incoming
		}
		// The stored password goes only to the server and user it was
		// saved for: typing another host must not send it elsewhere.
		if inboxes.PasswordSet(m) && (!strings.EqualFold(strings.TrimSpace(mf.Host), inboxes.String(m, inboxes.KeyHost)) ||
			cfg.Username != inboxes.String(m, inboxes.KeyUsername)) {
			res.Message = v.T("admin.probe_need_password")
			return res
		}
		var open func(string) (string, error)
		if s.Secrets != nil {
			open = s.Secrets.Open
		}
		saved, err := mailprobe.FromSettings(m, open)
		if err != nil {
			res.Message, res.Detail = v.T("admin.probe_password"), err.Error()
			return res
		}
		cfg.Password = saved.Password
	}
	if !imap {
		cfg.HeloName = "localhost"
		if as := addressList(f.Addresses); len(as) > 0 {
			if _, d, ok := strings.Cut(as[0], "@"); ok {
				cfg.HeloName = d
			}
		}
	}
	if cfg.Timeout <= 0 {
		cfg.Timeout = 15 * time.Second
	}
	var out mailprobe.Result
	if imap {
		out = mailprobe.IMAP(ctx, cfg)
	} else {
		out = mailprobe.SMTP(ctx, cfg)
	}
	if out.OK {
		res.OK = true
		enc := v.T("admin.probe_plain")
		if out.TLS {
			enc = v.T("admin.probe_encrypted")
		}
		res.Message = v.T("admin.probe_ok", out.Addr, enc)
		return res
	}
	res.Message = v.T(probeStepKeys[out.Step])
	if out.Err != nil {
		res.Detail = out.Err.Error()
	}
	return res
}
