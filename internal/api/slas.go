package api

import (
	"encoding/json"
	"math"
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// SLA policies (Zendesk's /api/v2/slas/policies) and a ticket's SLA
// targets: ?include=slas on a ticket, and /api/v2/tickets/{id}/slas with
// time left and breaches.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		const base = "/api/v2/slas/policies"
		s.handle("GET "+base, s.listSLAPolicies)
		s.handle("GET "+base+"/definitions", s.slaDefinitions)
		s.handle("PUT "+base+"/reorder", s.reorderSLAPolicies)
		s.handle("GET "+base+"/{id}", s.showSLAPolicy)
		s.handle("POST "+base, s.createSLAPolicy)
		s.handle("PUT "+base+"/{id}", s.updateSLAPolicy)
		s.handle("DELETE "+base+"/{id}", s.deleteSLAPolicy)
		s.handle("GET /api/v2/tickets/{id}/slas", s.ticketSLAs)
	})
	ticketIncludes["slas"] = func(s *Server, r *http.Request, tx *store.Tx, tk *model.Ticket) (any, error) {
		if !currentUser(r).IsStaff() {
			return nil, nil
		}
		sts, err := sla.Statuses(tx, tk.ID, s.Now())
		if err != nil {
			return nil, err
		}
		out := make([]map[string]any, 0, len(sts))
		for _, st := range sts {
			out = append(out, presentSLAMetric(st))
		}
		return map[string]any{"policy_metrics": out}, nil
	}
}

type policyMetricJSON struct {
	Priority        string `json:"priority"`
	Metric          string `json:"metric"`
	Target          int    `json:"target"`
	TargetInSeconds int    `json:"target_in_seconds"`
	BusinessHours   bool   `json:"business_hours"`
	SameDay         bool   `json:"same_day,omitempty"`
}

type slaPolicyJSON struct {
	URL           string             `json:"url"`
	ID            int64              `json:"id"`
	Title         string             `json:"title"`
	Description   string             `json:"description"`
	Position      int                `json:"position"`
	Filter        rules.Conditions   `json:"filter"`
	PolicyMetrics []policyMetricJSON `json:"policy_metrics"`
	CreatedAt     string             `json:"created_at"`
	UpdatedAt     string             `json:"updated_at"`
}

func presentSLAPolicy(base string, p *sla.Policy) slaPolicyJSON {
	ms := make([]policyMetricJSON, len(p.Metrics))
	for i, m := range p.Metrics {
		ms[i] = policyMetricJSON{Priority: m.Priority, Metric: m.Metric, Target: m.Target, TargetInSeconds: m.Target * 60, BusinessHours: m.BusinessHours, SameDay: m.SameDay}
	}
	return slaPolicyJSON{URL: base + "/api/v2/slas/policies/" + itoa(p.ID) + ".json", ID: p.ID, Title: p.Title,
		Description: p.Description, Position: p.Position, Filter: p.Filter, PolicyMetrics: ms,
		CreatedAt: isoTime(p.CreatedAt), UpdatedAt: isoTime(p.UpdatedAt)}
}

func itoa(n int64) string { b, _ := json.Marshal(n); return string(b) }

func (s *Server) listSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	var list []*sla.Policy
	err := s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		list, err = sla.Policies(tx)
		return err
	})
	if err != nil {
		return err
	}
	base := baseURL(r)
	out := make([]slaPolicyJSON, len(list))
	for i, p := range list {
		out[i] = presentSLAPolicy(base, p)
	}
	writeJSON(w, http.StatusOK, map[string]any{"sla_policies": out, "next_page": nil, "previous_page": nil, "count": len(out)})
	return nil
}

func (s *Server) showSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var sp *store.SLAPolicy
	err = s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		sp, err = tx.SLAPolicy(id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sla_policy": presentSLAPolicy(baseURL(r), sla.FromStored(sp))})
	return nil
}

// policyMetricIn accepts target in minutes or Zendesk's newer
// target_in_seconds.
type policyMetricIn struct {
	Priority        string   `json:"priority"`
	Metric          string   `json:"metric"`
	Target          *float64 `json:"target"`
	TargetInSeconds *float64 `json:"target_in_seconds"`
	BusinessHours   *bool    `json:"business_hours"`
	SameDay         *bool    `json:"same_day"`
}

func (s *Server) decodeSLAPolicy(w http.ResponseWriter, r *http.Request) (sla.PolicyInput, error) {
	var in struct {
		Policy *struct {
			Title         optString         `json:"title"`
			Description   optString         `json:"description"`
			Position      *int              `json:"position"`
			Filter        *rules.Conditions `json:"filter"`
			PolicyMetrics *[]policyMetricIn `json:"policy_metrics"`
		} `json:"sla_policy"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return sla.PolicyInput{}, err
	}
	if in.Policy == nil {
		return sla.PolicyInput{}, badRequest("InvalidValue", `The body must be {"sla_policy": {...}}. / {"sla_policy": {...}} の形式で送ってください。`)
	}
	p := in.Policy
	out := sla.PolicyInput{Title: p.Title.ptr(), Description: p.Description.ptr(), Position: p.Position, Filter: p.Filter}
	if p.PolicyMetrics != nil {
		ms := make([]sla.PolicyMetric, len(*p.PolicyMetrics))
		for i, m := range *p.PolicyMetrics {
			ms[i] = sla.PolicyMetric{Priority: m.Priority, Metric: m.Metric}
			switch {
			case m.Target != nil:
				ms[i].Target = int(math.Round(*m.Target))
			case m.TargetInSeconds != nil:
				ms[i].Target = int(math.Ceil(*m.TargetInSeconds / 60))
			}
			if m.BusinessHours != nil {
				ms[i].BusinessHours = *m.BusinessHours
			}
			if m.SameDay != nil {
				ms[i].SameDay = *m.SameDay
			}
		}
		out.Metrics = &ms
	}
	return out, nil
}

func (s *Server) createSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	in, err := s.decodeSLAPolicy(w, r)
	if err != nil {
		return err
	}
	var p *sla.Policy
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		p, err = sla.CreatePolicy(tx, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, map[string]any{"sla_policy": presentSLAPolicy(baseURL(r), p)})
	return nil
}

func (s *Server) updateSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	in, err := s.decodeSLAPolicy(w, r)
	if err != nil {
		return err
	}
	var p *sla.Policy
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		p, err = sla.UpdatePolicy(tx, id, in, s.nowMS())
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"sla_policy": presentSLAPolicy(baseURL(r), p)})
	return nil
}

func (s *Server) deleteSLAPolicy(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return tx.DeleteSLAPolicy(id) }); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}

func (s *Server) reorderSLAPolicies(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var in struct {
		IDs *[]int64 `json:"sla_policy_ids"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.IDs == nil {
		return badRequest("InvalidValue", `The body must be {"sla_policy_ids": [...]}. / {"sla_policy_ids": [...]} の形式で送ってください。`)
	}
	if err := s.Store.Write(r.Context(), func(tx *store.Tx) error { return sla.Reorder(tx, *in.IDs, s.nowMS()) }); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{})
	return nil
}

func (s *Server) slaDefinitions(w http.ResponseWriter, r *http.Request) error {
	if err := requireAdmin(r); err != nil {
		return err
	}
	var defs []sla.Definition
	err := s.Store.Read(r.Context(), func(tx *store.Tx) (err error) {
		defs, err = sla.Definitions(tx)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"definitions": map[string]any{"all": defs, "any": defs}})
	return nil
}
