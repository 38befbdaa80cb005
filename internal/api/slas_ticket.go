package api

import (
	"encoding/json"
	"math"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// presentSLAMetric is one entry of Zendesk's ticket "slas.policy_metrics":
// breach_at, stage, metric and the time to breach in its largest unit
// (negative once breached).
func presentSLAMetric(st sla.Status) map[string]any {
	m := map[string]any{"breach_at": timePtr(st.BreachAt), "stage": st.Stage, "metric": st.Target.Metric}
	if st.Stage == sla.StageAchieved {
		return m
	}
	left := st.Left
	abs := left.Abs()
	sign := 1
	if left < 0 {
		sign = -1
	}
	switch {
	case abs >= 24*time.Hour:
		m["days"] = sign * int(abs/(24*time.Hour))
	case abs >= time.Hour:
		m["hours"] = sign * int(abs/time.Hour)
	default:
		m["minutes"] = sign * int(math.Ceil(abs.Minutes()))
	}
	return m
}

// ticketSLAs shows every target of a ticket with its time left.
func (s *Server) ticketSLAs(w http.ResponseWriter, r *http.Request) error {
	id, err := s.staffTicketID(r)
	if err != nil {
		return err
	}
	now := s.Now()
	var (
		sts      []sla.Status
		policies = map[int64]string{}
	)
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		sts, err = sla.Statuses(tx, id, now)
		if err != nil {
			return err
		}
		ps, err := tx.SLAPolicies()
		for _, p := range ps {
			policies[p.ID] = p.Title
		}
		return err
	})
	if err != nil {
		return err
	}
	out := make([]map[string]any, 0, len(sts))
	var next *string
	breaches := 0
	for _, st := range sts {
		t := st.Target
		left := int64(st.Left / time.Second)
		e := map[string]any{
			"metric": t.Metric, "title": sla.MetricTitle(t.Metric), "stage": st.Stage,
			"policy_id": t.PolicyID, "policy_title": policies[t.PolicyID],
			"target": t.TargetMinutes, "business_hours": t.BusinessHours, "same_day": t.SameDay,
			"started_at": isoTime(t.StartedAt), "breach_at": timePtr(st.BreachAt), "fulfilled_at": timePtr(t.FulfilledAt),
			"breached": st.Breached, "breached_at": timePtr(t.BreachedAt), "warned_at": timePtr(t.WarnedAt),
			"time_left_seconds": left, "time_left": humanLeft(st.Left),
		}
		if st.Breached {
			breaches++
		}
		if st.Stage == sla.StageActive && (next == nil || isoTime(st.BreachAt) < *next) {
			next = timePtr(st.BreachAt)
		}
		out = append(out, e)
	}
	writeJSON(w, http.StatusOK, map[string]any{"slas": out, "next_breach_at": next, "breaches": breaches})
	return nil
}

// humanLeft reads "2時間30分 (2h30m)" or "超過 15分 (15m overdue)".
func humanLeft(d time.Duration) string {
	over := d < 0
	d = d.Abs().Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	ja, en := "", ""
	if h > 0 {
		ja, en = itoa(int64(h))+"時間", itoa(int64(h))+"h"
	}
	ja += itoa(int64(m)) + "分"
	en += itoa(int64(m)) + "m"
	if over {
		return "超過 " + ja + " (" + en + " overdue)"
	}
	return "残り " + ja + " (" + en + " left)"
}

// ticketIncludes are sideloads a ticket response can carry inside the
// ticket object (?include=slas,…); each returns nil to add nothing.
var ticketIncludes = map[string]func(s *Server, r *http.Request, tx *store.Tx, tk *model.Ticket) (any, error){}

// ticketExtras runs the sideloads the request names.
func (s *Server) ticketExtras(r *http.Request, tk *model.Ticket) (map[string]any, error) {
	inc := r.URL.Query().Get("include")
	if inc == "" {
		return nil, nil
	}
	var names []string
	for _, n := range strings.Split(inc, ",") {
		n = strings.TrimSpace(n)
		if _, ok := ticketIncludes[n]; ok && !slices.Contains(names, n) {
			names = append(names, n)
		}
	}
	if len(names) == 0 {
		return nil, nil
	}
	out := map[string]any{}
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		for _, n := range names {
			v, err := ticketIncludes[n](s, r, tx, tk)
			if err != nil {
				return err
			}
			if v != nil {
				out[n] = v
			}
		}
		return nil
	})
	return out, err
}

// withExtras adds fields to a presented ticket.
func withExtras(ticket any, extra map[string]any) (any, error) {
	if len(extra) == 0 {
		return ticket, nil
	}
	b, err := json.Marshal(ticket)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	if err := json.Unmarshal(b, &m); err != nil {
		return nil, err
	}
	for k, v := range extra {
		m[k] = v
	}
	return m, nil
}
