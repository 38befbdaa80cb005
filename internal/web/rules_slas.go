package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// /settings/slas: SLA policies in match order (the first whose conditions
// hold applies), each with conditions and per-priority targets in
// minutes, counted in calendar or business hours. sla.CreatePolicy /
// UpdatePolicy validate.

type slaListData struct {
	rulesPage
	Policies []*sla.Policy
}

func (s *Server) slaList(w http.ResponseWriter, r *http.Request) error {
	v := s.view(r)
	d := &slaListData{rulesPage: s.rulesChrome(r, v, "/settings/slas")}
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		d.Policies, err = sla.Policies(tx)
		return err
	}); err != nil {
		return err
	}
	v.Title, v.Data = v.T("rules.slas"), d
	s.render(w, http.StatusOK, "rules_slas", v)
	return nil
}

// slaCell is one target of the form's grid.
type slaCell struct {
	Name     string // form name suffix: <priority>_<metric>
	Label    string // for the input's label
	Minutes  string
	Business bool
}

type slaRow struct {
	Priority string
	Cells    []slaCell
}

type slaFormData struct {
	rulesPage
	Policy  *sla.Policy
	All     *rowEditor
	Any     *rowEditor
	Metrics []ruleChoice
	Grid    []slaRow
}

// slaPriorities are the grid's rows, most urgent first.
var slaPriorities = []string{"urgent", "high", "normal", "low"}

func (s *Server) slaForm(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	p := &sla.Policy{}
	pad := 2
	if r.PathValue("id") != "" {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		if err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			sp, err := tx.SLAPolicy(id)
			if err != nil {
				return err
			}
			p = sla.FromStored(sp)
			return nil
		}); err != nil {
			return err
		}
		pad = 1
	}
	return s.showSLAForm(w, r, p, map[string]int{"all": pad, "any": 1}, nil, http.StatusOK)
}

func (s *Server) showSLAForm(w http.ResponseWriter, r *http.Request, p *sla.Policy, pads map[string]int, errList []string, status int) error {
	v := s.view(r)
	d := &slaFormData{rulesPage: s.rulesChrome(r, v, "/settings/slas"), Policy: p}
	d.Errors, d.Notice = errList, ""
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		defs, err := sla.Definitions(tx)
		if err != nil {
			return err
		}
		labels := map[string]string{}
		var fields []rules.FieldInfo
		for _, def := range defs {
			fi := rules.FieldInfo{Field: def.Subject}
			for _, op := range def.Operators {
				fi.Operators = append(fi.Operators, op.Value)
			}
			if def.Nullable && def.Type == "list" {
				fi.Values = append(fi.Values, "")
			}
			for _, val := range def.Values {
				fi.Values = append(fi.Values, val.Value)
				if val.Title != "" && val.Title != val.Value {
					labels[def.Subject+"="+val.Value] = val.Title
				}
			}
			labels[def.Subject] = v.ruleBilingual(def.Title)
			fields = append(fields, fi)
		}
		d.All = newEditor(v, "all", "rules.cond_all", conditionRows(p.Filter.All), fields, labels, true, pads["all"])
		d.Any = newEditor(v, "any", "rules.cond_any", conditionRows(p.Filter.Any), fields, labels, true, pads["any"])
		d.All.Help, d.Any.Help = "rules.sla_all_help", "rules.cond_any_help"
		return nil
	})
	if err != nil {
		return err
	}
	for _, m := range sla.MetricNames {
		d.Metrics = append(d.Metrics, ruleChoice{m, v.ruleBilingual(sla.MetricTitle(m))})
	}
	for _, pr := range slaPriorities {
		row := slaRow{Priority: pr}
		for _, m := range d.Metrics {
			c := slaCell{Name: pr + "_" + m.Value, Label: v.T("priority."+pr) + " · " + m.Label, Business: true}
			if pm, ok := p.For(pr, m.Value); ok {
				c.Minutes, c.Business = strconv.Itoa(pm.Target), pm.BusinessHours
			}
			if r.Method == http.MethodPost {
				// Shown again as typed, "六十" included.
				c.Minutes = strings.TrimSpace(r.PostForm.Get("m_" + c.Name))
				c.Business = r.PostForm.Get("b_"+c.Name) != "calendar"
			}
			row.Cells = append(row.Cells, c)
		}
		d.Grid = append(d.Grid, row)
	}
	v.Title, v.Data = v.T("rules.slas"), d
	s.render(w, status, "rules_sla", v)
	return nil
}

// slaMetrics reads the grid: a cell with minutes is a target. A number
// that does not parse is sent on as 0, so the domain's range message
// names it.
func slaMetrics(r *http.Request) []sla.PolicyMetric {
	out := []sla.PolicyMetric{}
	for _, pr := range slaPriorities {
		for _, m := range sla.MetricNames {
			raw := strings.TrimSpace(r.PostForm.Get("m_" + pr + "_" + m))
			if raw == "" {
				continue
			}
			n, err := strconv.Atoi(raw)
			if err != nil {
				n = 0
			}
			out = append(out, sla.PolicyMetric{Priority: pr, Metric: m, Target: n, BusinessHours: r.PostForm.Get("b_"+pr+"_"+m) != "calendar"})
		}
	}
	return out
}

func (s *Server) slaSave(w http.ResponseWriter, r *http.Request) error {
	if err := rulesAdminOnly(r); err != nil {
		return err
	}
	id, err := optionalPathID(r, "id")
	if err != nil {
		return err
	}
	all, nAll := decodeRows(r, "all")
	anyRows, nAny := decodeRows(r, "any")
	title, desc := strings.TrimSpace(r.PostForm.Get("title")), strings.TrimSpace(r.PostForm.Get("description"))
	filter := rules.Conditions{All: conditionsFrom(all), Any: conditionsFrom(anyRows)}
	metrics := slaMetrics(r)
	p := &sla.Policy{ID: id, Title: title, Description: desc, Filter: filter, Metrics: metrics}
	pads := map[string]int{"all": padFor(r, "all", len(all), nAll), "any": padFor(r, "any", len(anyRows), nAny)}
	if r.PostForm.Get("add_row") != "" {
		return s.showSLAForm(w, r, p, pads, nil, http.StatusOK)
	}
	in := sla.PolicyInput{Title: &title, Description: &desc, Filter: &filter, Metrics: &metrics}
	now := s.Now().UTC().Truncate(1e6)
	err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
		var err error
		if id == 0 {
			_, err = sla.CreatePolicy(tx, in, now)
		} else {
			_, err = sla.UpdatePolicy(tx, id, in, now)
		}
		return err
	})
	var inv *errs.Invalid
	if errors.As(err, &inv) {
		return s.showSLAForm(w, r, p, pads, s.view(r).ruleErrors(inv), http.StatusUnprocessableEntity)
	}
	if err != nil {
		return err
	}
	return rulesDone(w, r, "/settings/slas", "saved")
}
