package sla

import (
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// PolicyInput is a policy create or update; nil leaves a field as it is.
type PolicyInput struct {
	Title       *string
	Description *string
	Position    *int
	Filter      *rules.Conditions
	Metrics     *[]PolicyMetric
}

func (in PolicyInput) apply(p *Policy) error {
	if in.Title != nil {
		p.Title = *in.Title
	}
	if in.Description != nil {
		p.Description = *in.Description
	}
	if in.Filter != nil {
		p.Filter = *in.Filter
	}
	if in.Metrics != nil {
		p.Metrics = *in.Metrics
	}
	if p.Metrics == nil {
		p.Metrics = []PolicyMetric{}
	}
	if in.Position != nil {
		if *in.Position < 1 {
			return errs.Invalidf("position", "InvalidValue", "Position: must be 1 or more / 位置は 1 以上にしてください")
		}
		p.Position = *in.Position
	}
	return p.Validate()
}

// CreatePolicy stores a new policy, last unless a position is given.
func CreatePolicy(tx *store.Tx, in PolicyInput, now time.Time) (*Policy, error) {
	p := &Policy{CreatedAt: now, UpdatedAt: now}
	if in.Filter == nil {
		return nil, errs.Invalidf("filter", "BlankValue", `Filter: is required ({"all": [], "any": []}) / 条件を指定してください`)
	}
	if err := in.apply(p); err != nil {
		return nil, err
	}
	sp := p.Stored()
	if err := tx.InsertSLAPolicy(sp); err != nil {
		return nil, err
	}
	p.ID, p.Position = sp.ID, sp.Position
	return p, nil
}

// UpdatePolicy changes policy id. Tickets pick the change up on their next
// write.
func UpdatePolicy(tx *store.Tx, id int64, in PolicyInput, now time.Time) (*Policy, error) {
	sp, err := tx.SLAPolicy(id)
	if err != nil {
		return nil, err
	}
	p := FromStored(sp)
	if err := in.apply(p); err != nil {
		return nil, err
	}
	p.UpdatedAt = now
	return p, tx.UpdateSLAPolicy(p.Stored())
}

// Reorder puts the listed policies first, in the given order; the rest keep
// their relative order after them.
func Reorder(tx *store.Tx, ids []int64, now time.Time) error {
	all, err := tx.SLAPolicies()
	if err != nil {
		return err
	}
	known := map[int64]bool{}
	for _, p := range all {
		known[p.ID] = true
	}
	seen := map[int64]bool{}
	for _, id := range ids {
		if !known[id] {
			return errs.Invalidf("sla_policy_ids", "InvalidValue", "sla_policy_ids: no policy %d / SLAポリシー %d はありません", id, id)
		}
		if seen[id] {
			return errs.Invalidf("sla_policy_ids", "DuplicateValue", "sla_policy_ids: %d is listed twice / %d が重複しています", id, id)
		}
		seen[id] = true
	}
	order := slices.Clone(ids)
	for _, p := range all {
		if !seen[p.ID] {
			order = append(order, p.ID)
		}
	}
	for i, id := range order {
		if err := tx.SetSLAPolicyPosition(id, i+1, now); err != nil {
			return err
		}
	}
	return nil
}

// Definition is one filter field an SLA policy can use, in the shape of
// Zendesk's /slas/policies/definitions.
type Definition struct {
	Title      string     `json:"title"`
	Subject    string     `json:"subject"`
	Type       string     `json:"type"`
	Group      string     `json:"group"`
	Nullable   bool       `json:"nullable"`
	Repeatable bool       `json:"repeatable"`
	Operators  []Operator `json:"operators"`
	Values     []Value    `json:"values,omitempty"`
}

// Operator is a comparison a definition offers.
type Operator struct {
	Value    string `json:"value"`
	Title    string `json:"title"`
	Terminal bool   `json:"terminal"`
}

// Value is a choice of a list definition.
type Value struct {
	Value   string `json:"value"`
	Title   string `json:"title"`
	Enabled bool   `json:"enabled"`
}

var opTitles = map[string]string{
	"is": "Is / 等しい", "is_not": "Is not / 等しくない", "less_than": "Less than / より小さい",
	"greater_than": "Greater than / より大きい", "includes": "Contains at least one of the following / いずれかを含む",
	"not_includes": "Contains none of the following / いずれも含まない",
}

func ops(names ...string) []Operator {
	out := make([]Operator, len(names))
	for i, n := range names {
		out[i] = Operator{Value: n, Title: opTitles[n]}
	}
	return out
}

func listOf(vals []string, title func(string) string) []Value {
	out := make([]Value, 0, len(vals))
	for _, v := range vals {
		out = append(out, Value{Value: v, Title: title(v), Enabled: true})
	}
	return out
}

// Definitions lists the filter fields SLA policies can use, with the
// desk's groups and brands as choices.
func Definitions(tx *store.Tx) ([]Definition, error) {
	groups, err := tx.Groups(false)
	if err != nil {
		return nil, err
	}
	brands, err := tx.Brands()
	if err != nil {
		return nil, err
	}
	var gv, bv []Value
	for _, g := range groups {
		gv = append(gv, Value{Value: strconv.FormatInt(g.ID, 10), Title: g.Name, Enabled: true})
	}
	for _, b := range brands {
		bv = append(bv, Value{Value: strconv.FormatInt(b.ID, 10), Title: b.Name, Enabled: b.Active})
	}
	same := func(s string) string { return s }
	ordered := ops("is", "is_not", "less_than", "greater_than")
	defs := []Definition{
		{Title: "Status / ステータス", Subject: "status", Type: "list", Group: "ticket", Operators: ordered, Values: listOf(model.Statuses, same)},
		{Title: "Type / タイプ", Subject: "type", Type: "list", Group: "ticket", Nullable: true, Operators: ops("is", "is_not"), Values: listOf(model.TicketTypes, same)},
		{Title: "Group / グループ", Subject: "group_id", Type: "list", Group: "ticket", Nullable: true, Operators: ops("is", "is_not"), Values: gv},
		{Title: "Brand / ブランド", Subject: "brand_id", Type: "list", Group: "ticket", Operators: ops("is", "is_not"), Values: bv},
		{Title: "Assignee / 担当者", Subject: "assignee_id", Type: "autocomplete", Group: "ticket", Nullable: true, Operators: ops("is", "is_not")},
		{Title: "Organization / 組織", Subject: "organization_id", Type: "autocomplete", Group: "organization", Nullable: true, Operators: ops("is", "is_not")},
		{Title: "Inbox / 受信箱", Subject: "inbox_id", Type: "integer", Group: "ticket", Nullable: true, Operators: ops("is", "is_not")},
		{Title: "Channel / チャネル", Subject: "via_id", Type: "list", Group: "ticket", Operators: ops("is", "is_not"),
			Values: listOf([]string{"email", "web", "api", "mobile", "chat", "phone"}, same)},
		{Title: "Tags / タグ", Subject: "current_tags", Type: "text", Group: "ticket", Repeatable: true, Operators: ops("includes", "not_includes")},
		{Title: "Requester tags / 依頼者のタグ", Subject: "requester.tags", Type: "text", Group: "requester", Operators: ops("includes", "not_includes")},
		{Title: "Organization tags / 組織のタグ", Subject: "organization.tags", Type: "text", Group: "organization", Operators: ops("includes", "not_includes")},
		{Title: "Subject text / 件名のテキスト", Subject: "subject_includes_word", Type: "text", Group: "ticket", Operators: ops("includes", "not_includes", "is", "is_not")},
		{Title: "Requester language / 依頼者の言語", Subject: "requester.locale", Type: "text", Group: "requester", Operators: ops("is", "is_not")},
	}
	for i := range defs {
		if defs[i].Values == nil && defs[i].Type == "list" {
			defs[i].Values = []Value{}
		}
	}
	return defs, nil
}

// MetricTitle names a metric for people.
func MetricTitle(metric string) string {
	switch metric {
	case FirstReply:
		return "First reply time / 初回返信時間"
	case NextReply:
		return "Next reply time / 次回返信時間"
	case PeriodicUpdate:
		return "Periodic update / 定期更新"
	case RequesterWait:
		return "Requester wait time / 依頼者待ち時間"
	case AgentWork:
		return "Agent work time / エージェント作業時間"
	}
	return fmt.Sprint(metric)
}
