package api

import (
	"fmt"
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/assign"
)

// Agent availability, capacity and skills (our extension, in Zendesk's
// style): what automatic assignment respects, and the team-load panel.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/agents/availabilities", s.listAvailabilities)
		s.handle("GET /api/v2/agents/{id}/availability", s.showAvailability)
		s.handle("PUT /api/v2/agents/{id}/availability", s.setAvailability)
		s.handle("POST /api/v2/agents/{id}/return_tickets", s.returnAgentTickets)
	})
}

type availabilityJSON struct {
	URL         string   `json:"url"`
	AgentID     int64    `json:"agent_id"`
	Name        string   `json:"name"`
	Status      string   `json:"status"`
	Capacity    int      `json:"capacity"`
	Skills      []string `json:"skills"`
	OpenTickets int64    `json:"open_tickets"`
	NewToday    int64    `json:"new_today"`
	GroupIDs    []int64  `json:"group_ids"`
	UpdatedAt   *string  `json:"updated_at"`
}

func presentAvailability(base string, a *assign.Availability) availabilityJSON {
	return availabilityJSON{URL: fmt.Sprintf("%s/api/v2/agents/%d/availability.json", base, a.Agent.ID), AgentID: a.Agent.ID, Name: a.Agent.Name,
		Status: a.Status, Capacity: a.Capacity, Skills: strs(a.Skills), OpenTickets: a.OpenTickets, NewToday: a.NewToday,
		GroupIDs: ids(a.GroupIDs), UpdatedAt: timePtr(a.UpdatedAt)}
}

func (s *Server) listAvailabilities(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	list, err := d.assign.Availabilities(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	body := map[string]any{}
	page, err := pageOf(p, body, list, func(a *assign.Availability) int64 { return a.Agent.ID })
	if err != nil {
		return err
	}
	out := make([]availabilityJSON, len(page))
	for i, a := range page {
		out[i] = presentAvailability(baseURL(r), a)
	}
	body["availabilities"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) showAvailability(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	a, err := d.assign.GetAvailability(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"availability": presentAvailability(baseURL(r), a)})
	return nil
}

func (s *Server) setAvailability(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Availability *struct {
			Status            *string   `json:"status"`
			Capacity          *int      `json:"capacity"`
			Skills            *[]string `json:"skills"`
			ReturnOpenTickets bool      `json:"return_open_tickets"`
		} `json:"availability"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Availability == nil {
		return badRequest("InvalidJSON", `Send {"availability": {"status": "online", ...}}. / {"availability": {...}} の形式で送信してください。`)
	}
	v := in.Availability
	a, returned, err := d.assign.SetAvailability(r.Context(), currentUser(r), id, assign.AvailabilityInput{Status: v.Status, Capacity: v.Capacity,
		Skills: v.Skills, ReturnOpenTickets: v.ReturnOpenTickets})
	if err != nil {
		return err
	}
	body := map[string]any{"availability": presentAvailability(baseURL(r), a)}
	if v.ReturnOpenTickets {
		body["returned_ticket_ids"] = ids(returned)
	}
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) returnAgentTickets(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	returned, err := d.assign.ReturnTickets(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"returned_ticket_ids": ids(returned), "count": len(returned)})
	return nil
}
