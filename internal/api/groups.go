package api

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/groups", s.listGroups(false))
		s.handle("GET /api/v2/groups/assignable", s.listGroups(true))
		s.handle("GET /api/v2/groups/{id}", s.showGroup)
		s.handle("POST /api/v2/groups", s.createGroup)
		s.handle("PUT /api/v2/groups/{id}", s.updateGroup)
		s.handle("DELETE /api/v2/groups/{id}", s.deleteGroup)
		s.handle("GET /api/v2/group_memberships", s.listMemberships("", ""))
		s.handle("GET /api/v2/group_memberships/{mid}", s.showMembership)
		s.handle("GET /api/v2/users/{id}/group_memberships", s.listMemberships("id", ""))
		s.handle("GET /api/v2/groups/{id}/memberships", s.listMemberships("", "id"))
		s.handle("POST /api/v2/group_memberships", s.createMembership)
		s.handle("POST /api/v2/users/{id}/group_memberships", s.createMembership)
		s.handle("DELETE /api/v2/group_memberships/{mid}", s.deleteMembership)
		s.handle("DELETE /api/v2/users/{id}/group_memberships/{mid}", s.deleteMembership)
		s.handle("PUT /api/v2/users/{id}/group_memberships/{mid}/make_default", s.makeDefaultMembership)
	})
}

// pageOf slices a short in-memory list (groups, memberships) for either
// pagination style; ids ascend, so the cursor is the last id.
func pageOf[T any](p *pager, body map[string]any, list []T, id func(T) int64) ([]T, error) {
	if p.Cursor {
		start := 0
		if p.After != "" {
			_, after, err := decodeCursor(p.After)
			if err != nil {
				return nil, err
			}
			for start < len(list) && id(list[start]) <= after {
				start++
			}
		}
		page := list[start:min(len(list), start+p.Size)]
		a, b := "", ""
		if len(page) > 0 {
			a, b = encodeCursor(0, id(page[len(page)-1])), encodeCursor(0, id(page[0]))
		}
		p.cursorLinks(body, start+len(page) < len(list), a, b)
		return page, nil
	}
	off := min(p.offset(), len(list))
	page := list[off:min(len(list), off+p.Size)]
	p.offsetLinks(body, int64(len(list)), len(page))
	return page, nil
}

// listGroups lists live groups; assignable ones are those an agent may
// assign tickets to, so light agents, who cannot assign, are refused.
func (s *Server) listGroups(assignable bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		check := requireStaff
		if assignable {
			check = requireAgent
		}
		if err := check(r); err != nil {
			return err
		}
		p, err := parsePager(r)
		if err != nil {
			return err
		}
		var list []*model.Group
		err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
			list, err = tx.Groups(false)
			return err
		})
		if err != nil {
			return err
		}
		body := map[string]any{}
		page, err := pageOf(p, body, list, func(g *model.Group) int64 { return g.ID })
		if err != nil {
			return err
		}
		base := baseURL(r)
		out := make([]groupJSON, len(page))
		for i, g := range page {
			out[i] = presentGroup(base, g)
		}
		body["groups"] = out
		writeJSON(w, http.StatusOK, body)
		return nil
	}
}

func (s *Server) writeGroup(w http.ResponseWriter, r *http.Request, status int, g *model.Group) error {
	writeJSON(w, status, map[string]any{"group": presentGroup(baseURL(r), g)})
	return nil
}

// showGroup shows deleted groups too (deleted: true), as Zendesk does.
func (s *Server) showGroup(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var g *model.Group
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		g, err = tx.Group(id)
		return err
	})
	if err != nil {
		return err
	}
	return s.writeGroup(w, r, http.StatusOK, g)
}

func (s *Server) decodeGroup(w http.ResponseWriter, r *http.Request) (directory.GroupInput, error) {
	var in struct {
		Group *struct {
			Name        optString `json:"name"`
			Description optString `json:"description"`
			Default     *bool     `json:"default"`
		} `json:"group"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return directory.GroupInput{}, err
	}
	if in.Group == nil {
		return directory.GroupInput{}, badRequest("InvalidValue", `The body must be {"group": {...}}. / {"group": {...}} の形式で送ってください。`)
	}
	return directory.GroupInput{Name: in.Group.Name.ptr(), Description: in.Group.Description.ptr(), Default: in.Group.Default}, nil
}

func (s *Server) createGroup(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeGroup(w, r)
	if err != nil {
		return err
	}
	var g *model.Group
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		g, err = directory.CreateGroup(tx, currentUser(r), in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	return s.writeGroup(w, r, http.StatusCreated, g)
}

func (s *Server) updateGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeGroup(w, r)
	if err != nil {
		return err
	}
	var g *model.Group
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		g, err = directory.UpdateGroup(tx, currentUser(r), id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	return s.writeGroup(w, r, http.StatusOK, g)
}

func (s *Server) deleteGroup(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		return directory.DeleteGroup(tx, currentUser(r), id, s.nowMS())
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// listMemberships lists all memberships, or a user's (userParam) or a
// group's (groupParam), checking that the user or group exists.
func (s *Server) listMemberships(userParam, groupParam string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireStaff(r); err != nil {
			return err
		}
		var userID, groupID int64
		var err error
		if userParam != "" {
			if userID, err = pathID(r, userParam); err != nil {
				return err
			}
		}
		if groupParam != "" {
			if groupID, err = pathID(r, groupParam); err != nil {
				return err
			}
		}
		p, err := parsePager(r)
		if err != nil {
			return err
		}
		var list []*model.GroupMembership
		err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
			if userID != 0 {
				if _, err := tx.User(userID); err != nil {
					return err
				}
			}
			if groupID != 0 {
				if _, err := tx.Group(groupID); err != nil {
					return err
				}
			}
			list, err = tx.Memberships(userID, groupID)
			return err
		})
		if err != nil {
			return err
		}
		body := map[string]any{}
		page, err := pageOf(p, body, list, func(m *model.GroupMembership) int64 { return m.ID })
		if err != nil {
			return err
		}
		body["group_memberships"] = presentMemberships(baseURL(r), page)
		writeJSON(w, http.StatusOK, body)
		return nil
	}
}

func (s *Server) showMembership(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	var m *model.GroupMembership
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		m, err = tx.Membership(id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"group_membership": presentMembership(baseURL(r), m)})
	return nil
}

func (s *Server) createMembership(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Membership *struct {
			UserID  optInt `json:"user_id"`
			GroupID optInt `json:"group_id"`
			Default bool   `json:"default"`
		} `json:"group_membership"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Membership == nil {
		return badRequest("InvalidValue", `The body must be {"group_membership": {"user_id": …, "group_id": …}}. / {"group_membership": {...}} の形式で送ってください。`)
	}
	userID := in.Membership.UserID.V
	if r.PathValue("id") != "" {
		var err error
		if userID, err = pathID(r, "id"); err != nil {
			return err
		}
	}
	var m *model.GroupMembership
	err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		m, err = directory.AddMember(tx, currentUser(r), userID, in.Membership.GroupID.V, in.Membership.Default, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"group_membership": presentMembership(baseURL(r), m)})
	return nil
}

func (s *Server) deleteMembership(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		if r.PathValue("id") != "" {
			uid, err := pathID(r, "id")
			if err != nil {
				return err
			}
			if m, err := tx.Membership(id); err != nil || m.UserID != uid {
				return store.ErrNotFound
			}
		}
		return directory.RemoveMember(tx, currentUser(r), id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// makeDefaultMembership answers with all the user's memberships, as Zendesk does.
func (s *Server) makeDefaultMembership(w http.ResponseWriter, r *http.Request) error {
	uid, err := pathID(r, "id")
	if err != nil {
		return err
	}
	id, err := pathID(r, "mid")
	if err != nil {
		return err
	}
	var list []*model.GroupMembership
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		list, err = directory.MakeDefaultMember(tx, currentUser(r), uid, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"group_memberships": presentMemberships(baseURL(r), list)})
	return nil
}
