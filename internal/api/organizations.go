package api

import (
	"errors"
	"net/http"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/organizations", s.listOrgs)
		s.handle("GET /api/v2/organizations/count", s.countOrgs)
		s.handle("GET /api/v2/organizations/show_many", s.showManyOrgs)
		s.handle("GET /api/v2/organizations/search", s.searchOrgs)
		s.handle("GET /api/v2/organizations/autocomplete", s.autocompleteOrgs)
		s.handle("GET /api/v2/organizations/{id}", s.showOrg)
		s.handle("GET /api/v2/organizations/{id}/users", s.orgUsers)
		s.handle("POST /api/v2/organizations", s.createOrg)
		s.handle("POST /api/v2/organizations/create_or_update", s.createOrUpdateOrg)
		s.handle("PUT /api/v2/organizations/{id}", s.updateOrg)
		s.handle("DELETE /api/v2/organizations/{id}", s.deleteOrg)
	})
}

// orgIn is the "organization" object clients send.
type orgIn struct {
	Name               optString      `json:"name"`
	ExternalID         optString      `json:"external_id"`
	Details            optString      `json:"details"`
	Notes              optString      `json:"notes"`
	GroupID            optInt         `json:"group_id"`
	SharedTickets      *bool          `json:"shared_tickets"`
	SharedComments     *bool          `json:"shared_comments"`
	DomainNames        *[]string      `json:"domain_names"`
	Tags               *[]string      `json:"tags"`
	OrganizationFields map[string]any `json:"organization_fields"`
}

func (s *Server) decodeOrg(w http.ResponseWriter, r *http.Request) (directory.OrgInput, error) {
	var in struct {
		Org *orgIn `json:"organization"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return directory.OrgInput{}, err
	}
	if in.Org == nil {
		return directory.OrgInput{}, badRequest("InvalidValue", `The body must be {"organization": {...}}. / {"organization": {...}} の形式で送ってください。`)
	}
	o := in.Org
	return directory.OrgInput{Name: o.Name.ptr(), ExternalID: o.ExternalID.ptr(), Details: o.Details.ptr(), Notes: o.Notes.ptr(),
		GroupID: o.GroupID.ptr(), SharedTickets: o.SharedTickets, SharedComments: o.SharedComments, DomainNames: o.DomainNames,
		Tags: o.Tags, Fields: o.OrganizationFields}, nil
}

func (s *Server) writeOrg(w http.ResponseWriter, r *http.Request, status int, o *model.Organization) error {
	writeJSON(w, status, map[string]any{"organization": presentOrg(baseURL(r), o).forViewer(currentUser(r))})
	return nil
}

// listOrgs: staff see every organization, customers only their own.
func (s *Server) listOrgs(w http.ResponseWriter, r *http.Request) error {
	var f store.OrgFilter
	if me := currentUser(r); !me.IsStaff() {
		if me.OrganizationID == 0 {
			writeJSON(w, http.StatusOK, map[string]any{"organizations": []any{}, "count": 0, "next_page": nil, "previous_page": nil})
			return nil
		}
		f.IDs = []int64{me.OrganizationID}
	}
	return s.respondOrgs(w, r, f, true)
}

func (s *Server) respondOrgs(w http.ResponseWriter, r *http.Request, f store.OrgFilter, cursorOK bool) error {
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	if p.Cursor && !cursorOK {
		return badRequest("InvalidPaginationParameter", "Search results use page and per_page. / 検索結果は page と per_page でページングします。")
	}
	body := map[string]any{}
	var list []*model.Organization
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = pageByID(p, body, func(o *model.Organization) int64 { return o.ID },
			func(after int64, offset, limit int) ([]*model.Organization, error) {
				return tx.ListOrganizations(f, after, offset, limit, false)
			},
			func() (int64, error) { return tx.CountOrganizations(f) })
		return err
	})
	if err != nil {
		return err
	}
	out := presentOrgs(baseURL(r), list)
	for i := range out {
		out[i] = out[i].forViewer(currentUser(r))
	}
	body["organizations"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) countOrgs(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var n int64
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		n, err = tx.CountOrganizations(store.OrgFilter{})
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": map[string]any{"value": n, "refreshed_at": isoTime(s.Now())}})
	return nil
}

func (s *Server) showManyOrgs(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	q := r.URL.Query()
	var f store.OrgFilter
	if ext := q.Get("external_ids"); ext != "" {
		for _, e := range strings.Split(ext, ",") {
			if e = strings.TrimSpace(e); e != "" {
				f.ExternalIDs = append(f.ExternalIDs, e)
			}
		}
		if len(f.ExternalIDs) > 100 {
			return badRequest("TooManyValues", "At most 100 external ids per request. / 一度に指定できるのは100件までです。")
		}
	} else {
		ids, err := idList(q.Get("ids"))
		if err != nil {
			return err
		}
		f.IDs = ids
	}
	return s.orgList(w, r, func(tx *store.Tx) ([]*model.Organization, error) { return tx.ListOrganizations(f, 0, 0, 100, false) })
}

// orgList writes an unpaged list of organizations.
func (s *Server) orgList(w http.ResponseWriter, r *http.Request, load func(*store.Tx) ([]*model.Organization, error)) error {
	var list []*model.Organization
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = load(tx)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"organizations": presentOrgs(baseURL(r), list), "count": len(list), "next_page": nil, "previous_page": nil})
	return nil
}

// searchOrgs is Zendesk's exact lookup by name (any case) or external_id.
func (s *Server) searchOrgs(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	q := r.URL.Query()
	name, ext := strings.TrimSpace(q.Get("name")), strings.TrimSpace(q.Get("external_id"))
	if name == "" && ext == "" {
		return badRequest("InvalidValue", "Give name= or external_id=. / name または external_id を指定してください。")
	}
	return s.orgList(w, r, func(tx *store.Tx) ([]*model.Organization, error) {
		var (
			o   *model.Organization
			err error
		)
		if ext != "" {
			o, err = tx.OrganizationByExternalID(ext)
		} else {
			o, err = tx.OrganizationByName(name)
		}
		if errors.Is(err, store.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		return []*model.Organization{o}, nil
	})
}

func (s *Server) autocompleteOrgs(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	text := prefixQuery(r.URL.Query().Get("name"))
	if len(text.Clauses) == 0 {
		return badRequest("InvalidValue", "name is required, e.g. name=株式会社. / name を指定してください。")
	}
	return s.respondOrgs(w, r, store.OrgFilter{Text: text}, false)
}

func (s *Server) showOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if !directory.CanViewOrg(currentUser(r), id) {
		return errs.Forbiddenf("you can see only your own organization / 自分の組織のみ閲覧できます")
	}
	var o *model.Organization
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		o, err = tx.Organization(id)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeOrg(w, r, http.StatusOK, o)
}

func (s *Server) orgUsers(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		_, err := tx.Organization(id)
		return err
	})
	if err != nil {
		return err
	}
	return s.respondUsers(w, r, store.UserFilter{OrganizationIDs: []int64{id}}, true)
}

func (s *Server) createOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeOrg(w, r)
	if err != nil {
		return err
	}
	var o *model.Organization
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		o, err = directory.CreateOrg(tx, currentUser(r), in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	w.Header().Set("Location", presentOrg(baseURL(r), o).URL)
	return s.writeOrg(w, r, http.StatusCreated, o)
}

func (s *Server) createOrUpdateOrg(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeOrg(w, r)
	if err != nil {
		return err
	}
	var (
		o       *model.Organization
		created bool
	)
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		o, created, err = directory.CreateOrUpdateOrg(tx, currentUser(r), in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	status := http.StatusOK
	if created {
		status = http.StatusCreated
	}
	return s.writeOrg(w, r, status, o)
}

func (s *Server) updateOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeOrg(w, r)
	if err != nil {
		return err
	}
	var o *model.Organization
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		o, err = directory.UpdateOrg(tx, currentUser(r), id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	return s.writeOrg(w, r, http.StatusOK, o)
}

func (s *Server) deleteOrg(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		return directory.DeleteOrg(tx, currentUser(r), id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
