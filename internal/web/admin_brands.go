package web

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

type brandForm struct {
	ID                           int64
	Name, Subdomain, HostMapping string
	Active, Default              bool
}

type brandsData struct {
	Brands  []*model.Brand
	Form    brandForm
	Errors  []string
	Changed bool
}

func (s *Server) showBrands(w http.ResponseWriter, r *http.Request, status int, d brandsData) error {
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error { var err error; d.Brands, err = tx.Brands(); return err }); err != nil {
		return err
	}
	v := s.view(r)
	v.Title = v.T("admin.brands")
	v.Data = d
	s.render(w, status, "admin_brands", v)
	return nil
}

func (s *Server) brandsPage(w http.ResponseWriter, r *http.Request) error {
	d := brandsData{Form: brandForm{Active: true}, Changed: r.URL.Query().Get("changed") == "1"}
	if id, ok := formNumber(r.URL.Query().Get("edit")); ok && id > 0 {
		var b *model.Brand
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) error { var err error; b, err = tx.Brand(id); return err }); err != nil {
			return err
		}
		d.Form = brandForm{ID: b.ID, Name: b.Name, Subdomain: b.Subdomain, HostMapping: b.HostMapping, Active: b.Active, Default: b.Default}
	}
	return s.showBrands(w, r, http.StatusOK, d)
}

func (s *Server) brandSave(w http.ResponseWriter, r *http.Request) error {
	f := brandForm{Name: r.FormValue("name"), Subdomain: r.FormValue("subdomain"), HostMapping: r.FormValue("host_mapping"),
		Active: checked(r, "active"), Default: checked(r, "default")}
	var err error
	if f.ID, err = optionalPathID(r, "id"); err != nil {
		return err
	}
	in := directory.BrandInput{Name: ptr(f.Name), Subdomain: ptr(f.Subdomain), HostMapping: ptr(f.HostMapping), Active: ptr(f.Active), Default: ptr(f.Default)}
	me, now := currentUser(r), s.Now().UTC()
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if f.ID == 0 {
			_, err = directory.CreateBrand(tx, me, in, now)
		} else {
			_, err = directory.UpdateBrand(tx, me, f.ID, in, now)
		}
		return err
	})
	if err != nil {
		msgs, err := s.problems(r, err)
		if err != nil {
			return err
		}
		return s.showBrands(w, r, http.StatusUnprocessableEntity, brandsData{Form: f, Errors: msgs})
	}
	http.Redirect(w, r, "/settings/brands?changed=1", http.StatusSeeOther)
	return nil
}
