package api

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/users"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/users/{id}/identities", s.listIdentities)
		s.handle("GET /api/v2/users/{id}/identities/{iid}", s.showIdentity)
		s.handle("POST /api/v2/users/{id}/identities", s.createIdentity)
		s.handle("PUT /api/v2/users/{id}/identities/{iid}/make_primary", s.makeIdentityPrimary)
		s.handle("DELETE /api/v2/users/{id}/identities/{iid}", s.deleteIdentity)
	})
}

func (s *Server) listIdentities(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var list []*model.Identity
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = users.Identities(tx, currentUser(r), id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identities": presentIdentities(baseURL(r), list),
		"count": len(list), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) showIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	var ident *model.Identity
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if _, err := users.Identities(tx, currentUser(r), id); err != nil {
			return err
		}
		ident, err = tx.Identity(id, iid)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identity": presentIdentity(baseURL(r), ident)})
	return nil
}

func (s *Server) createIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Identity *struct {
			Type     string `json:"type"`
			Value    string `json:"value"`
			Verified bool   `json:"verified"`
		} `json:"identity"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Identity == nil {
		return badRequest("InvalidValue", `The body must be {"identity": {"type": "email", "value": "…"}}. / {"identity": {...}} の形式で送ってください。`)
	}
	var ident *model.Identity
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		ident, err = users.AddIdentity(tx, currentUser(r), id, in.Identity.Type, in.Identity.Value, in.Identity.Verified, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"identity": presentIdentity(baseURL(r), ident)})
	return nil
}

// makeIdentityPrimary answers with all the user's identities, as Zendesk does.
func (s *Server) makeIdentityPrimary(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	var list []*model.Identity
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		list, err = users.MakePrimary(tx, currentUser(r), id, iid, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"identities": presentIdentities(baseURL(r), list)})
	return nil
}

func (s *Server) deleteIdentity(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	iid, err := pathID(r, "iid")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		return users.RemoveIdentity(tx, currentUser(r), id, iid, s.nowMS())
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
