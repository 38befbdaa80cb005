package api

import (
	"net/http"
	"strconv"

	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Follow-ups (a Kizuna extension, no Zendesk equivalent): N days after the
// date in a user field, open an outbound task ticket for that customer,
// once. Admins manage them; see docs/automations.md.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/followups", s.listFollowups)
		s.handle("GET /api/v2/followups/{id}", s.showFollowup)
		s.handle("POST /api/v2/followups", s.saveFollowup(true))
		s.handle("PUT /api/v2/followups/{id}", s.saveFollowup(false))
		s.handle("DELETE /api/v2/followups/{id}", s.deleteFollowup)
	})
}

type followupJSON struct {
	URL       string   `json:"url"`
	ID        int64    `json:"id"`
	Title     string   `json:"title"`
	Active    bool     `json:"active"`
	UserField string   `json:"user_field"`
	Days      int64    `json:"days"`
	GroupID   *int64   `json:"group_id"`
	Subject   string   `json:"subject"`
	Body      string   `json:"body"`
	Priority  *string  `json:"priority"`
	Tags      []string `json:"tags"`
	CreatedBy int64    `json:"created_by_id"`
	CreatedAt string   `json:"created_at"`
	UpdatedAt string   `json:"updated_at"`
}

func presentFollowup(base string, f *store.Followup) followupJSON {
	tags := f.Tags
	if tags == nil {
		tags = []string{}
	}
	return followupJSON{URL: base + "/api/v2/followups/" + strconv.FormatInt(f.ID, 10) + ".json", ID: f.ID, Title: f.Title,
		Active: f.Active, UserField: f.UserField, Days: f.Days, GroupID: idPtr(f.GroupID), Subject: f.Subject, Body: f.Body,
		Priority: strPtr(f.Priority), Tags: tags, CreatedBy: f.CreatedBy, CreatedAt: isoTime(f.CreatedAt), UpdatedAt: isoTime(f.UpdatedAt)}
}

func (s *Server) listFollowups(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	var list []*store.Followup
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		list, err = tx.Followups(false)
		return err
	}); err != nil {
		return err
	}
	body := map[string]any{}
	page, err := pageOf(p, body, list, func(f *store.Followup) int64 { return f.ID })
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]followupJSON, len(page))
	for i, f := range page {
		out[i] = presentFollowup(base, f)
	}
	body["followups"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) showFollowup(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var f *store.Followup
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		f, err = tx.Followup(id)
		return err
	}); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"followup": presentFollowup(baseURL(r), f)})
	return nil
}

func (s *Server) saveFollowup(create bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireAdmin(r); err != nil {
			return err
		}
		var id int64
		if !create {
			var err error
			if id, err = pathID(r, "id"); err != nil {
				return err
			}
		}
		var in struct {
			Followup *struct {
				Title     *string   `json:"title"`
				Active    *bool     `json:"active"`
				UserField *string   `json:"user_field"`
				Days      *int64    `json:"days"`
				GroupID   optInt    `json:"group_id"`
				Subject   *string   `json:"subject"`
				Body      *string   `json:"body"`
				Priority  optString `json:"priority"`
				Tags      *[]string `json:"tags"`
			} `json:"followup"`
		}
		if err := s.decode(w, r, &in); err != nil {
			return err
		}
		b := in.Followup
		if b == nil {
			return badRequest("InvalidValue", `The body must be {"followup": {...}}. / {"followup": {...}} の形式で送ってください。`)
		}
		fi := automations.FollowupInput{Title: b.Title, Active: b.Active, UserField: b.UserField, Days: b.Days, GroupID: b.GroupID.ptr(),
			Subject: b.Subject, Body: b.Body, Priority: b.Priority.ptr(), Tags: b.Tags}
		f := &store.Followup{Active: true}
		err := s.Store.Write(r.Context(), func(tx *store.Tx) error {
			if !create {
				var err error
				if f, err = tx.Followup(id); err != nil {
					return err
				}
			}
			return automations.SaveFollowup(tx, f, fi, currentUser(r), s.nowMS())
		})
		if err != nil {
			return err
		}
		status := http.StatusOK
		if create {
			status = http.StatusCreated
		}
		writeJSON(w, status, map[string]any{"followup": presentFollowup(baseURL(r), f)})
		return nil
	}
}

func (s *Server) deleteFollowup(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteFollowup(id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
