package web

import (
	"net/http"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

type signaturesData struct {
	Signature string
	Preview   string // a reply as the customer would read it
	Inboxes   []*model.Inbox
	Errors    []string
	Admin     bool
	Saved     bool
}

// signaturePreview is a sample reply with the agent's signature and, after
// "-- ", the inbox's shared one: the order outbound mail uses.
func signaturePreview(v *view, own, shared string) string {
	text := v.T("admin.sig_sample")
	if s := strings.TrimSpace(own); s != "" {
		text += "\n\n" + s
	}
	if s := strings.TrimSpace(shared); s != "" {
		text += "\n\n-- \n" + s
	}
	return text
}

func (s *Server) showSignatures(w http.ResponseWriter, r *http.Request, status int, d signaturesData) error {
	var shared string
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err := tx.Inboxes()
		if err != nil {
			return err
		}
		for _, ib := range list {
			if ib.Active && shared == "" {
				shared = ib.Signature
			}
		}
		d.Inboxes = list
		return nil
	})
	if err != nil {
		return err
	}
	d.Admin = isAdmin(currentUser(r))
	v := s.view(r)
	v.Title = v.T("admin.signatures")
	d.Preview = signaturePreview(v, d.Signature, shared)
	v.Data = d
	s.render(w, status, "admin_signatures", v)
	return nil
}

func (s *Server) signaturesPage(w http.ResponseWriter, r *http.Request) error {
	return s.showSignatures(w, r, http.StatusOK, signaturesData{Signature: currentUser(r).Signature, Saved: r.URL.Query().Get("saved") == "1"})
}

// signatureSave stores the agent's own signature, or with action=preview
// only shows how it would look.
func (s *Server) signatureSave(w http.ResponseWriter, r *http.Request) error {
	sig := strings.ReplaceAll(r.FormValue("signature"), "\r\n", "\n")
	if r.FormValue("action") == "preview" {
		return s.showSignatures(w, r, http.StatusOK, signaturesData{Signature: sig})
	}
	me := currentUser(r)
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		_, err := users.UpdateBy(tx, me, me.ID, users.Input{Signature: &sig}, s.Now().UTC())
		return err
	})
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showSignatures(w, r, http.StatusUnprocessableEntity, signaturesData{Signature: sig, Errors: msgs})
	}
	http.Redirect(w, r, "/settings/signatures?saved=1", http.StatusSeeOther)
	return nil
}
