package api

import (
	"net/http"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/tags", s.listTags)
		s.handle("GET /api/v2/tickets/{id}/tags", s.showTicketTags)
		s.handle("GET /api/v2/users/{id}/tags", s.showUserTags)
		s.handle("GET /api/v2/organizations/{id}/tags", s.showOrgTags)
		for method, op := range map[string]users.TagOp{"POST": users.SetTags, "PUT": users.AddTags, "DELETE": users.RemoveTags} {
			s.handle(method+" /api/v2/tickets/{id}/tags", s.editTicketTags(op))
			s.handle(method+" /api/v2/users/{id}/tags", s.editUserTags(op))
			s.handle(method+" /api/v2/organizations/{id}/tags", s.editOrgTags(op))
		}
	})
}

// listTags is the most used ticket tags with their counts, most used first.
func (s *Server) listTags(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	body := map[string]any{}
	var list []store.TagCount
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if p.Cursor {
			// The order is by count, so the cursor carries an offset.
			offset := int64(0)
			if p.After != "" {
				if offset, _, err = decodeCursor(p.After); err != nil {
					return err
				}
			}
			if list, err = tx.TicketTagCountsPage(int(offset), p.Size+1); err != nil {
				return err
			}
			hasMore := len(list) > p.Size
			if hasMore {
				list = list[:p.Size]
			}
			a, b := "", ""
			if len(list) > 0 {
				a, b = encodeCursor(offset+int64(len(list)), 0), encodeCursor(offset, 0)
			}
			p.cursorLinks(body, hasMore, a, b)
			return nil
		}
		if list, err = tx.TicketTagCountsPage(p.offset(), p.Size); err != nil {
			return err
		}
		n, err := tx.CountTicketTags()
		p.offsetLinks(body, n, len(list))
		return err
	})
	if err != nil {
		return err
	}
	out := make([]map[string]any, len(list))
	for i, t := range list {
		out[i] = map[string]any{"name": t.Name, "count": t.Count}
	}
	body["tags"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

// tagsIn is the body of the tag endpoints; DELETE may give ?tags=a,b instead.
type tagsIn struct {
	Tags         []string `json:"tags"`
	SafeUpdate   bool     `json:"safe_update"`
	UpdatedStamp string   `json:"updated_stamp"`
}

func (s *Server) decodeTags(w http.ResponseWriter, r *http.Request) (tagsIn, error) {
	var in tagsIn
	if v := r.URL.Query().Get("tags"); v != "" && r.Method == http.MethodDelete && r.ContentLength <= 0 {
		in.Tags = strings.Split(v, ",")
		return in, nil
	}
	if err := s.decode(w, r, &in); err != nil {
		return in, err
	}
	if in.Tags == nil {
		return in, badRequest("InvalidValue", `The body must be {"tags": ["…"]}. / {"tags": [...]} の形式で送ってください。`)
	}
	return in, nil
}

func writeTags(w http.ResponseWriter, tags []string) error {
	writeJSON(w, http.StatusOK, map[string]any{"tags": strs(tags)})
	return nil
}

func (s *Server) showTicketTags(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tk, err := s.Tickets.Get(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	return writeTags(w, tk.Tags)
}

// editTicketTags goes through the tickets domain, so the change is audited
// and its permission and closed-ticket rules apply (tags stay editable).
func (s *Server) editTicketTags(op users.TagOp) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		in, err := s.decodeTags(w, r)
		if err != nil {
			return err
		}
		ch := tickets.Change{SafeUpdate: in.SafeUpdate}
		if in.UpdatedStamp != "" {
			if ch.UpdatedStamp, err = parseTime(in.UpdatedStamp); err != nil {
				return badRequest("InvalidValue", "updated_stamp: expected an ISO 8601 time. / 日時の形式が正しくありません。")
			}
		}
		switch op {
		case users.SetTags:
			ch.Tags = &in.Tags
		case users.AddTags:
			ch.AddTags = in.Tags
		case users.RemoveTags:
			ch.RemoveTags = in.Tags
		}
		res, err := s.Tickets.Update(r.Context(), currentUser(r), id, ch)
		if err != nil {
			return err
		}
		return writeTags(w, res.Ticket.Tags)
	}
}

func (s *Server) showUserTags(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var u *model.User
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		u, err = tx.User(id)
		return err
	})
	if err != nil {
		return err
	}
	return writeTags(w, u.Tags)
}

func (s *Server) editUserTags(op users.TagOp) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		in, err := s.decodeTags(w, r)
		if err != nil {
			return err
		}
		var u *model.User
		err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
			u, err = users.EditUserTags(tx, currentUser(r), id, op, in.Tags, s.nowMS())
			return err
		})
		if err != nil {
			return err
		}
		return writeTags(w, u.Tags)
	}
}

func (s *Server) showOrgTags(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var o *model.Organization
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		o, err = tx.Organization(id)
		return err
	})
	if err != nil {
		return err
	}
	return writeTags(w, o.Tags)
}

func (s *Server) editOrgTags(op users.TagOp) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		in, err := s.decodeTags(w, r)
		if err != nil {
			return err
		}
		var o *model.Organization
		err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
			o, err = directory.EditOrgTags(tx, currentUser(r), id, op, in.Tags, s.nowMS())
			return err
		})
		if err != nil {
			return err
		}
		return writeTags(w, o.Tags)
	}
}
