package api

import (
	"errors"
	"fmt"
	"net/http"
	"sync"

	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/snooze"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Assignment (our extension, in Zendesk's style): a rule per group or
// inbox at /api/v2/assignment_rules, claiming a ticket, and the
// own-to-the-end flag. See docs/assignment.md.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/assignment_rules", s.listAssignmentRules)
		s.handle("GET /api/v2/assignment_rules/{id}", s.showAssignmentRule)
		s.handle("POST /api/v2/assignment_rules", s.saveAssignmentRule)
		s.handle("PUT /api/v2/assignment_rules/{id}", s.saveAssignmentRule)
		s.handle("DELETE /api/v2/assignment_rules/{id}", s.deleteAssignmentRule)
		s.handle("POST /api/v2/tickets/{id}/claim", s.claimTicket)
		s.handle("GET /api/v2/tickets/{id}/ownership", s.showOwnership)
		s.handle("PUT /api/v2/tickets/{id}/ownership", s.setOwnership)
	})
}

// assignDeps are the services the assignment extension attaches to a
// server; kept beside the server rather than in it so this area stays in
// its own files.
type assignDeps struct {
	assign *assign.Service
	snooze *snooze.Service
}

var attached sync.Map // *Server → *assignDeps

// AttachAssignment gives s the assignment and snooze services (called by
// the app's assignment extension).
func AttachAssignment(s *Server, a *assign.Service, sn *snooze.Service) {
	attached.Store(s, &assignDeps{assign: a, snooze: sn})
}

func (s *Server) assignDeps() (*assignDeps, error) {
	if d, ok := attached.Load(s); ok {
		return d.(*assignDeps), nil
	}
	return nil, errors.New("api: assignment services not attached")
}

type assignmentRuleJSON struct {
	URL           string `json:"url"`
	ID            int64  `json:"id"`
	GroupID       *int64 `json:"group_id"`
	InboxID       *int64 `json:"inbox_id"`
	Mode          string `json:"mode"`
	ReturnOnReply string `json:"return_on_reply"`
	CreatedAt     string `json:"created_at"`
	UpdatedAt     string `json:"updated_at"`
}

func presentAssignmentRule(base string, r *store.AssignmentRule) assignmentRuleJSON {
	return assignmentRuleJSON{URL: fmt.Sprintf("%s/api/v2/assignment_rules/%d.json", base, r.ID), ID: r.ID, GroupID: idPtr(r.GroupID),
		InboxID: idPtr(r.InboxID), Mode: r.Mode, ReturnOnReply: r.ReturnOnReply, CreatedAt: isoTime(r.CreatedAt), UpdatedAt: isoTime(r.UpdatedAt)}
}

func (s *Server) listAssignmentRules(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	list, err := d.assign.Rules(r.Context(), currentUser(r))
	if err != nil {
		return err
	}
	body := map[string]any{}
	page, err := pageOf(p, body, list, func(x *store.AssignmentRule) int64 { return x.ID })
	if err != nil {
		return err
	}
	out := make([]assignmentRuleJSON, len(page))
	for i, x := range page {
		out[i] = presentAssignmentRule(baseURL(r), x)
	}
	body["assignment_rules"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) showAssignmentRule(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	rule, err := d.assign.Rule(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"assignment_rule": presentAssignmentRule(baseURL(r), rule)})
	return nil
}

func (s *Server) saveAssignmentRule(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	var id int64
	status := http.StatusCreated
	if r.Method == http.MethodPut {
		if id, err = pathID(r, "id"); err != nil {
			return err
		}
		status = http.StatusOK
	}
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in struct {
		Rule *struct {
			GroupID       optInt  `json:"group_id"`
			InboxID       optInt  `json:"inbox_id"`
			Mode          *string `json:"mode"`
			ReturnOnReply *string `json:"return_on_reply"`
		} `json:"assignment_rule"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Rule == nil {
		return badRequest("InvalidJSON", `Send {"assignment_rule": {...}}. / {"assignment_rule": {...}} の形式で送信してください。`)
	}
	rule, err := d.assign.SaveRule(r.Context(), currentUser(r), id, assign.RuleInput{GroupID: in.Rule.GroupID.ptr(), InboxID: in.Rule.InboxID.ptr(),
		Mode: in.Rule.Mode, ReturnOnReply: in.Rule.ReturnOnReply})
	if err != nil {
		return err
	}
	writeJSON(w, status, map[string]any{"assignment_rule": presentAssignmentRule(baseURL(r), rule)})
	return nil
}

func (s *Server) deleteAssignmentRule(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.assign.DeleteRule(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

// claimTicket is "take it": 200 with the ticket when it is (now) mine, 409
// naming who has it otherwise.
func (s *Server) claimTicket(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tk, res, err := d.assign.Claim(r.Context(), currentUser(r), id)
	var conflict *assign.ClaimConflict
	if errors.As(err, &conflict) {
		writeJSON(w, http.StatusConflict, map[string]any{"error": "AlreadyAssigned", "description": conflict.Error(),
			"assignee_id": conflict.AssigneeID, "assignee_name": conflict.Name})
		return nil
	}
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, http.StatusOK, tk, res, nil)
}

type ownershipJSON struct {
	TicketID   int64   `json:"ticket_id"`
	AssigneeID *int64  `json:"assignee_id"`
	OwnToEnd   bool    `json:"own_to_end"`
	UpdatedAt  *string `json:"updated_at"`
}

func presentOwnership(o *assign.Ownership) map[string]any {
	return map[string]any{"ownership": ownershipJSON{TicketID: o.TicketID, AssigneeID: idPtr(o.AssigneeID), OwnToEnd: o.OwnToEnd, UpdatedAt: timePtr(o.UpdatedAt)}}
}

func (s *Server) showOwnership(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	o, err := d.assign.Ownership(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentOwnership(o))
	return nil
}

// setOwnership takes {"ownership": {"own_to_end": true}} or, for short,
// {"own_to_end": true}.
func (s *Server) setOwnership(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		OwnToEnd  *bool `json:"own_to_end"`
		Ownership *struct {
			OwnToEnd *bool `json:"own_to_end"`
		} `json:"ownership"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	own := in.OwnToEnd
	if in.Ownership != nil && in.Ownership.OwnToEnd != nil {
		own = in.Ownership.OwnToEnd
	}
	if own == nil {
		return badRequest("InvalidJSON", `Send {"own_to_end": true} or false. / {"own_to_end": true} の形式で送信してください。`)
	}
	o, err := d.assign.SetOwnership(r.Context(), currentUser(r), id, *own)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentOwnership(o))
	return nil
}
