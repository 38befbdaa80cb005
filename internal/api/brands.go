package api

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/brands", s.listBrands)
		s.handle("GET /api/v2/brands/{id}", s.showBrand)
		s.handle("POST /api/v2/brands", s.createBrand)
		s.handle("PUT /api/v2/brands/{id}", s.updateBrand)
	})
}

func (s *Server) listBrands(w http.ResponseWriter, r *http.Request) error {
	var list []*model.Brand
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = tx.Brands()
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]brandJSON, 0, len(list))
	for _, b := range list {
		if b.Active || currentUser(r).IsStaff() {
			out = append(out, presentBrand(base, b))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"brands": out, "count": len(out), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) showBrand(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var b *model.Brand
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		b, err = tx.Brand(id)
		return err
	})
	if err != nil {
		return err
	}
	if !b.Active && !currentUser(r).IsStaff() {
		return store.ErrNotFound
	}
	writeJSON(w, http.StatusOK, map[string]any{"brand": presentBrand(baseURL(r), b)})
	return nil
}

func (s *Server) decodeBrand(w http.ResponseWriter, r *http.Request) (directory.BrandInput, error) {
	var in struct {
		Brand *struct {
			Name        optString `json:"name"`
			Subdomain   optString `json:"subdomain"`
			HostMapping optString `json:"host_mapping"`
			Active      *bool     `json:"active"`
			Default     *bool     `json:"default"`
		} `json:"brand"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return directory.BrandInput{}, err
	}
	if in.Brand == nil {
		return directory.BrandInput{}, badRequest("InvalidValue", `The body must be {"brand": {...}}. / {"brand": {...}} の形式で送ってください。`)
	}
	b := in.Brand
	return directory.BrandInput{Name: b.Name.ptr(), Subdomain: b.Subdomain.ptr(), HostMapping: b.HostMapping.ptr(),
		Active: b.Active, Default: b.Default}, nil
}

func (s *Server) createBrand(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeBrand(w, r)
	if err != nil {
		return err
	}
	var b *model.Brand
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		b, err = directory.CreateBrand(tx, currentUser(r), in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"brand": presentBrand(baseURL(r), b)})
	return nil
}

func (s *Server) updateBrand(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeBrand(w, r)
	if err != nil {
		return err
	}
	var b *model.Brand
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		b, err = directory.UpdateBrand(tx, currentUser(r), id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"brand": presentBrand(baseURL(r), b)})
	return nil
}
