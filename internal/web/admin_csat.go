package web

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// csatRow is a survey setting with the name of its brand or inbox.
type csatRow struct {
	csat.Setting
	Name string
}

type csatData struct {
	Account   csat.Setting
	Overrides []csatRow
	Brands    []*model.Brand
	Inboxes   []*model.Inbox
	Errors    []string
	Changed   bool
	Delay     string // as typed, shown again after an error
}

func (s *Server) showCSAT(w http.ResponseWriter, r *http.Request, status int, d csatData) error {
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err := csat.Settings(tx)
		if err != nil {
			return err
		}
		if d.Brands, err = tx.Brands(); err != nil {
			return err
		}
		if d.Inboxes, err = tx.Inboxes(); err != nil {
			return err
		}
		d.Account = list[0]
		for _, x := range list[1:] {
			row := csatRow{Setting: x}
			if x.Scope == csat.ScopeBrand {
				for _, b := range d.Brands {
					if b.ID == x.ScopeID {
						row.Name = b.Name
					}
				}
			} else {
				for _, ib := range d.Inboxes {
					if ib.ID == x.ScopeID {
						row.Name = ib.Name
					}
				}
			}
			d.Overrides = append(d.Overrides, row)
		}
		return nil
	})
	if err != nil {
		return err
	}
	v := s.view(r)
	v.Title = v.T("admin.csat")
	v.Data = d
	s.render(w, status, "admin_csat", v)
	return nil
}

func (s *Server) csatPage(w http.ResponseWriter, r *http.Request) error {
	return s.showCSAT(w, r, http.StatusOK, csatData{Changed: r.URL.Query().Get("changed") == "1"})
}

// csatSave stores the account setting (scope=account) or a brand's or
// inbox's override (scope=brand:ID, inbox:ID).
func (s *Server) csatSave(w http.ResponseWriter, r *http.Request) error {
	x := csat.Setting{Scope: csat.ScopeAccount, Enabled: checked(r, "enabled")}
	if scope, id, ok := strings.Cut(r.FormValue("scope"), ":"); ok {
		n, err := strconv.ParseInt(id, 10, 64)
		if err != nil {
			return errBadInput
		}
		x.Scope, x.ScopeID = scope, n
	}
	delay := r.FormValue("delay_minutes")
	n, ok := formNumber(delay)
	if !ok || strings.TrimSpace(delay) == "" {
		return s.showCSAT(w, r, http.StatusUnprocessableEntity, csatData{Errors: []string{s.view(r).T("admin.csat_bad_delay")}, Delay: delay})
	}
	x.DelayMinutes = int(n)
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error { var err error; x, err = csat.Save(tx, x, s.Now()); return err })
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showCSAT(w, r, http.StatusUnprocessableEntity, csatData{Errors: msgs, Delay: delay})
	}
	http.Redirect(w, r, "/settings/csat?changed=1", http.StatusSeeOther)
	return nil
}

func (s *Server) csatDelete(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	scope := r.PathValue("scope")
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error { return csat.Remove(tx, scope, id) })
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showCSAT(w, r, http.StatusUnprocessableEntity, csatData{Errors: msgs})
	}
	http.Redirect(w, r, "/settings/csat?changed=1", http.StatusSeeOther)
	return nil
}
