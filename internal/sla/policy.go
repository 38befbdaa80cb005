// Package sla keeps Zendesk-style SLA policies and, on every ticket write,
// the ticket's SLA targets (table sla_targets): first reply, next reply,
// periodic update, requester wait and agent work time, each in calendar or
// business hours (package bizhours, Japanese holidays included). A minute
// job marks warnings and breaches; Facts gives rules "sla_next_breach_hours".
package sla

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Metrics, as Zendesk names them.
const (
	FirstReply     = "first_reply_time"
	NextReply      = "next_reply_time"
	PeriodicUpdate = "periodic_update_time"
	RequesterWait  = "requester_wait_time"
	AgentWork      = "agent_work_time"
)

// MetricNames lists the supported metrics in display order.
var MetricNames = []string{FirstReply, NextReply, PeriodicUpdate, RequesterWait, AgentWork}

// Priorities a policy metric can target.
var Priorities = []string{"low", "normal", "high", "urgent"}

// MaxTargetMinutes bounds a target at one year of minutes.
const MaxTargetMinutes = 366 * 24 * 60

// PolicyMetric is one target of a policy, in Zendesk's shape.
type PolicyMetric struct {
	Priority      string `json:"priority"`
	Metric        string `json:"metric"`
	Target        int    `json:"target"` // minutes
	BusinessHours bool   `json:"business_hours"`
	// SameDay (our extension) makes a reply target due at the close of the
	// business day it starts on (当日中に返信); Target is then unused.
	SameDay bool `json:"same_day,omitempty"`
}

// Policy is an SLA policy.
type Policy struct {
	ID          int64
	Title       string
	Description string
	Position    int
	Filter      rules.Conditions
	Metrics     []PolicyMetric
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// For returns the policy's target for priority and metric.
func (p *Policy) For(priority, metric string) (PolicyMetric, bool) {
	for _, m := range p.Metrics {
		if m.Priority == priority && m.Metric == metric {
			return m, true
		}
	}
	return PolicyMetric{}, false
}

// FromStored decodes a stored policy.
func FromStored(sp *store.SLAPolicy) *Policy {
	p := &Policy{ID: sp.ID, Title: sp.Title, Description: sp.Description, Position: sp.Position,
		CreatedAt: sp.CreatedAt, UpdatedAt: sp.UpdatedAt}
	_ = json.Unmarshal([]byte(sp.Filter), &p.Filter)
	_ = json.Unmarshal([]byte(sp.Metrics), &p.Metrics)
	if p.Metrics == nil {
		p.Metrics = []PolicyMetric{}
	}
	return p
}

// Stored encodes p for the store.
func (p *Policy) Stored() *store.SLAPolicy {
	f, _ := json.Marshal(p.Filter)
	m, _ := json.Marshal(p.Metrics)
	return &store.SLAPolicy{ID: p.ID, Title: p.Title, Description: p.Description, Position: p.Position,
		Filter: string(f), Metrics: string(m), CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
}

// Validate checks a policy as the API receives it; all problems are
// reported at once as errs.Invalid.
func (p *Policy) Validate() error {
	var v errs.Invalid
	if p.Title == "" {
		v.Addf("title", "BlankValue", "Title: cannot be blank / タイトルを入力してください")
	}
	if err := rules.ValidateConditions(p.Filter, "sla"); err != nil {
		if inv, ok := err.(*errs.Invalid); ok {
			for _, ds := range inv.Details {
				for _, d := range ds {
					v.Add("filter", d.Error, d.Description)
				}
			}
		} else {
			v.Addf("filter", "InvalidValue", "Filter: %v", err)
		}
	}
	seen := map[[2]string]bool{}
	for i, m := range p.Metrics {
		where := fmt.Sprintf("Policy metrics[%d]", i)
		if !slices.Contains(Priorities, m.Priority) {
			v.Addf("policy_metrics", "InvalidValue", "%s: priority %q must be one of low, normal, high, urgent / 優先度が正しくありません", where, m.Priority)
		}
		if !slices.Contains(MetricNames, m.Metric) {
			v.Addf("policy_metrics", "InvalidValue", "%s: unknown metric %q / 指標 %q は使えません", where, m.Metric, m.Metric)
		}
		if m.SameDay {
			if m.Metric != FirstReply && m.Metric != NextReply || !m.BusinessHours {
				v.Addf("policy_metrics", "InvalidValue", "%s: same_day needs first_reply_time or next_reply_time in business hours / 当日中の目標は営業時間の初回・次回返信にのみ使えます", where)
			}
		} else if m.Target <= 0 || m.Target > MaxTargetMinutes {
			v.Addf("policy_metrics", "InvalidValue", "%s: target must be minutes between 1 and %d / 目標時間（分）が範囲外です", where, MaxTargetMinutes)
		}
		k := [2]string{m.Priority, m.Metric}
		if seen[k] {
			v.Addf("policy_metrics", "DuplicateValue", "%s: %s for %s is given twice / 同じ優先度と指標が重複しています", where, m.Metric, m.Priority)
		}
		seen[k] = true
	}
	return v.OrNil()
}

// activePolicies returns all policies in match order for the ticket-write
// hook, loaded once per change of the configuration: the caller must not
// modify them.
func activePolicies(tx *store.Tx) ([]*Policy, error) {
	v, err := tx.ConfigCached("sla.policies", func() (any, error) { return Policies(tx) })
	if err != nil {
		return nil, err
	}
	return v.([]*Policy), nil
}

// Policies loads all policies in match order.
func Policies(tx *store.Tx) ([]*Policy, error) {
	rows, err := tx.SLAPolicies()
	if err != nil {
		return nil, err
	}
	out := make([]*Policy, len(rows))
	for i, r := range rows {
		out[i] = FromStored(r)
	}
	return out, nil
}
