package api

import (
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/directory"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/ticket_fields", s.listTicketFields)
		s.handle("GET /api/v2/ticket_fields/{id}", s.showTicketField)
		s.handle("POST /api/v2/ticket_fields", s.createTicketField)
		s.handle("PUT /api/v2/ticket_fields/{id}", s.updateTicketField)
		s.handle("DELETE /api/v2/ticket_fields/{id}", s.deleteTicketField)
	})
}

// ticketFieldIn is the "ticket_field" object clients send.
type ticketFieldIn struct {
	Type                optString `json:"type"`
	Title               optString `json:"title"`
	RawTitle            optString `json:"raw_title"`
	Description         optString `json:"description"`
	RawDescription      optString `json:"raw_description"`
	AgentDescription    optString `json:"agent_description"`
	Position            optInt    `json:"position"`
	Active              *bool     `json:"active"`
	Required            *bool     `json:"required"`
	CollapsedForAgents  *bool     `json:"collapsed_for_agents"`
	RegexpForValidation optString `json:"regexp_for_validation"`
	TitleInPortal       optString `json:"title_in_portal"`
	RawTitleInPortal    optString `json:"raw_title_in_portal"`
	VisibleInPortal     *bool     `json:"visible_in_portal"`
	EditableInPortal    *bool     `json:"editable_in_portal"`
	RequiredInPortal    *bool     `json:"required_in_portal"`
	Tag                 optString `json:"tag"`
	Key                 optString `json:"key"`
	CustomFieldOptions  *[]struct {
		ID    optInt `json:"id"`
		Name  string `json:"name"`
		Value string `json:"value"`
	} `json:"custom_field_options"`
}

func (in *ticketFieldIn) input() directory.FieldInput {
	first := func(a, b optString) *string {
		if a.Set {
			return a.ptr()
		}
		return b.ptr()
	}
	out := directory.FieldInput{Type: in.Type.ptr(), Title: first(in.Title, in.RawTitle),
		Description: first(in.Description, in.RawDescription), Regexp: in.RegexpForValidation.ptr(), Tag: in.Tag.ptr(),
		Position: in.Position.ptr(), Active: in.Active, Required: in.Required,
		TitleInPortal: first(in.TitleInPortal, in.RawTitleInPortal), AgentDescription: in.AgentDescription.ptr(),
		Key: in.Key.ptr(), VisibleInPortal: in.VisibleInPortal, EditableInPortal: in.EditableInPortal,
		RequiredInPortal: in.RequiredInPortal, CollapsedForAgents: in.CollapsedForAgents}
	if in.CustomFieldOptions != nil {
		opts := make([]model.FieldOption, len(*in.CustomFieldOptions))
		for i, o := range *in.CustomFieldOptions {
			opts[i] = model.FieldOption{ID: o.ID.V, Name: o.Name, Value: o.Value}
		}
		out.Options = &opts
	}
	return out
}

func (s *Server) decodeField(w http.ResponseWriter, r *http.Request) (directory.FieldInput, error) {
	var in struct {
		Field *ticketFieldIn `json:"ticket_field"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return directory.FieldInput{}, err
	}
	if in.Field == nil {
		return directory.FieldInput{}, badRequest("InvalidValue", `The body must be {"ticket_field": {...}}. / {"ticket_field": {...}} の形式で送ってください。`)
	}
	return in.Field.input(), nil
}

// listTicketFields: staff see every field, customers those shown in the portal.
func (s *Server) listTicketFields(w http.ResponseWriter, r *http.Request) error {
	var list []directory.Field
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		list, err = directory.ListFields(tx)
		return err
	})
	if err != nil {
		return err
	}
	base, me := baseURL(r), currentUser(r)
	out := make([]fieldJSON, 0, len(list))
	for _, f := range list {
		if directory.CanSeeField(me, f) {
			out = append(out, presentField(base, f))
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket_fields": out, "count": len(out), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) showTicketField(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var f *directory.Field
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		f, err = directory.GetField(tx, id)
		return err
	})
	if err != nil {
		return err
	}
	if !directory.CanSeeField(currentUser(r), *f) {
		return store.ErrNotFound
	}
	return s.writeField(w, r, http.StatusOK, f)
}

func (s *Server) writeField(w http.ResponseWriter, r *http.Request, status int, f *directory.Field) error {
	writeJSON(w, status, map[string]any{"ticket_field": presentField(baseURL(r), *f)})
	return nil
}

func (s *Server) createTicketField(w http.ResponseWriter, r *http.Request) error {
	in, err := s.decodeField(w, r)
	if err != nil {
		return err
	}
	var f *directory.Field
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		f, err = directory.CreateField(tx, currentUser(r), in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	return s.writeField(w, r, http.StatusCreated, f)
}

func (s *Server) updateTicketField(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeField(w, r)
	if err != nil {
		return err
	}
	var f *directory.Field
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		f, err = directory.UpdateField(tx, currentUser(r), id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	return s.writeField(w, r, http.StatusOK, f)
}

func (s *Server) deleteTicketField(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		return directory.DeleteField(tx, currentUser(r), id)
	})
	if err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
