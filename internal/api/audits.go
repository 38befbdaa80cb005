package api

// Comments and audits of a ticket: GET /tickets/{id}/comments, the
// make_private action, and GET /tickets/{id}/audits (one or all).

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	desc := r.URL.Query().Get("sort_order") == "desc" || r.URL.Query().Get("sort") == "-created_at"
	publicOnly := !me.IsStaff()
	body := map[string]any{}
	var list []*model.Comment
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = pageByID(p, body, func(c *model.Comment) int64 { return c.ID },
			func(after int64, offset, limit int) ([]*model.Comment, error) {
				rows, err := tx.Comments(id, publicOnly, after, offset+limit, desc)
				return sliceFrom(rows, offset), err
			},
			func() (int64, error) { return tx.CountComments(id, publicOnly) })
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]commentJSON, len(list))
	for i, c := range list {
		out[i] = presentComment(base, c)
	}
	body["comments"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) makeCommentPrivate(w http.ResponseWriter, r *http.Request) error {
	if err := requireAgent(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	cid, err := pathID(r, "cid")
	if err != nil {
		return err
	}
	if err := s.Tickets.MakePrivate(r.Context(), currentUser(r), id, cid); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

func (s *Server) listAudits(w http.ResponseWriter, r *http.Request) error {
	id, err := s.staffTicketID(r)
	if err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	desc := r.URL.Query().Get("sort_order") == "desc"
	body := map[string]any{}
	var list []*model.Audit
	var comments map[int64]*model.Comment
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = pageByID(p, body, func(a *model.Audit) int64 { return a.ID },
			func(after int64, offset, limit int) ([]*model.Audit, error) {
				rows, err := tx.Audits(id, after, offset+limit, desc)
				return sliceFrom(rows, offset), err
			},
			func() (int64, error) { return tx.CountAudits(id) })
		if err != nil {
			return err
		}
		comments, err = commentsByID(tx, id)
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]map[string]any, len(list))
	for i, a := range list {
		out[i] = presentAudit(base, a, comments)
	}
	body["audits"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) showAudit(w http.ResponseWriter, r *http.Request) error {
	id, err := s.staffTicketID(r)
	if err != nil {
		return err
	}
	aid, err := pathID(r, "aid")
	if err != nil {
		return err
	}
	var a *model.Audit
	var comments map[int64]*model.Comment
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		if a, err = tx.Audit(id, aid); err != nil {
			return err
		}
		comments, err = commentsByID(tx, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"audit": presentAudit(baseURL(r), a, comments)})
	return nil
}

// commentsByID are a ticket's comments by id, for the Comment events of its
// audits.
func commentsByID(tx *store.Tx, ticketID int64) (map[int64]*model.Comment, error) {
	list, err := tx.Comments(ticketID, false, 0, 0, false)
	out := make(map[int64]*model.Comment, len(list))
	for _, c := range list {
		out[c.ID] = c
	}
	return out, err
}
