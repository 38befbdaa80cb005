package views

import (
	"context"
	"errors"

	"github.com/kizuna-desk/kizuna/internal/store"
)

type defaultView struct {
	key, title, raw string
	all             []store.ViewCondition
	exec            store.ViewExecution
}

func cond(field, op string, v any) store.ViewCondition {
	return store.ViewCondition{Field: field, Operator: op, Value: v}
}

var (
	unsolved   = cond("status", "less_than", "solved")
	notSnoozed = cond("snoozed", "is", false)
	queueExec  = store.ViewExecution{Columns: DefaultColumns, SortBy: "updated", SortOrder: "desc"}
)

// Defaults are the shipped queues. A snoozed ticket stays out of every
// queue but the snoozed one until it wakes (its snooze row is gone or past
// its time); queues sort by last update so a woken ticket comes back on top.
var Defaults = []defaultView{
	{"unassigned", "未割り当て / Unassigned tickets", "{{zd.unassigned_tickets}}",
		[]store.ViewCondition{unsolved, cond("assignee_id", "is", ""), notSnoozed}, queueExec},
	{"mine", "自分のチケット / Your unsolved tickets", "{{zd.your_unsolved_tickets}}",
		[]store.ViewCondition{unsolved, cond("assignee_id", "is", "current_user"), notSnoozed}, queueExec},
	{"all_unsolved", "すべての未解決 / All unsolved tickets", "{{zd.all_unsolved_tickets}}",
		[]store.ViewCondition{unsolved, notSnoozed}, queueExec},
	{"pending", "保留中 / Pending tickets", "{{zd.pending_tickets}}",
		[]store.ViewCondition{cond("status", "is", "pending"), notSnoozed}, queueExec},
	{"snoozed", "スヌーズ中 / Snoozed tickets", "{{kz.snoozed_tickets}}",
		[]store.ViewCondition{unsolved, cond("snoozed", "is", true)}, queueExec},
	{"recently_solved", "最近解決 / Recently solved tickets", "{{zd.recently_solved_tickets}}",
		[]store.ViewCondition{cond("status", "greater_than", "hold"), cond("SOLVED", "less_than", 168)},
		store.ViewExecution{Columns: []string{"subject", "requester", "solved", "assignee", "group"}, SortBy: "solved", SortOrder: "desc"}},
	{"sla_at_risk", "SLA超過リスク / SLA at risk", "{{kz.sla_at_risk}}",
		[]store.ViewCondition{unsolved, cond("sla_at_risk", "is", true), notSnoozed},
		store.ViewExecution{Columns: []string{"status", "priority", "subject", "requester", "assignee", "group", "updated"}, SortBy: "priority", SortOrder: "desc"}},
}

// EnsureDefaults creates the shipped views on a desk's first start. A desk
// that has any of them already is left alone, so an admin who deleted or
// renamed one keeps it that way; two nodes starting together create them
// once (the default_key is unique).
func (s *Service) EnsureDefaults(ctx context.Context) error {
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		all, err := tx.Views()
		if err != nil {
			return err
		}
		for _, v := range all {
			if v.DefaultKey != "" {
				return nil
			}
		}
		pos, err := tx.MaxViewPosition()
		if err != nil {
			return err
		}
		now := s.Now()
		for i, d := range Defaults {
			v := &store.View{Title: d.title, RawTitle: d.raw, Active: true, Position: pos + i + 1,
				Conditions: store.ViewConditions{All: d.all, Any: []store.ViewCondition{}}, Execution: d.exec,
				DefaultKey: d.key, CreatedAt: now, UpdatedAt: now}
			if err := tx.CheckViewConditions(v.Conditions); err != nil {
				return err
			}
			if err := tx.InsertView(v); err != nil {
				return err
			}
		}
		return nil
	})
	if errors.Is(err, store.ErrConflict) {
		return nil // another node created them first
	}
	return err
}
