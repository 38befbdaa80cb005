package automations

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// ReminderTag marks a pending ticket whose requester was reminded.
const ReminderTag = "reminder_sent"

const reminderSubject = `ご返信のお願い / Reminder: {{ticket.title}}`

const reminderBody = `{{ticket.requester.name}} 様

お問い合わせ「{{ticket.title}}」（#{{ticket.id}}）について、3日前にご確認をお願いしておりましたが、まだご返信をいただいておりません。
お手数ですが、このメールにご返信ください。ご返信をいただき次第、対応を再開いたします。

Dear {{ticket.requester.name}},

Three days ago we asked you about your request "{{ticket.title}}" (#{{ticket.id}}) and are still waiting for your answer.
Please reply to this email and we will pick it up again right away.`

// defaults are the automations a new desk starts with, as Zendesk ships
// its own; Key keeps them from being made twice.
var defaults = []struct {
	Key, Title string
	Conds      rules.Conditions
	Actions    []rules.Action
}{
	{
		Key:   "close_solved_96h",
		Title: "解決済みチケットを4日後に終了 / Close ticket 4 days after status is set to solved",
		Conds: rules.Conditions{All: []rules.Condition{
			{Field: "status", Operator: "is", Value: "solved"},
			{Field: "SOLVED", Operator: "greater_than", Value: "96"},
		}},
		Actions: []rules.Action{{Field: "status", Value: "closed"}},
	},
	{
		Key:   "pending_reminder_72h",
		Title: "保留中のお客様へリマインド / Pending reminder after 3 days",
		Conds: rules.Conditions{All: []rules.Condition{
			{Field: "status", Operator: "is", Value: "pending"},
			{Field: "PENDING", Operator: "greater_than", Value: "72"},
			{Field: "current_tags", Operator: "not_includes", Value: ReminderTag},
		}},
		Actions: []rules.Action{
			{Field: "notification_user", Value: []any{"requester_id", reminderSubject, reminderBody}},
			{Field: "current_tags", Value: ReminderTag},
		},
	},
}

// EnsureDefaults creates the shipped automations on a desk's first start.
// It is idempotent, and one an admin deleted does not come back.
func EnsureDefaults(tx *store.Tx, now time.Time) error {
	done, err := tx.AutomationSetting("defaults_created")
	if err != nil || done != "" {
		return err
	}
	for i, d := range defaults {
		if err := Validate(d.Title, d.Conds, d.Actions); err != nil {
			return err // a broken default is a bug: fail the start loudly
		}
		cj, _ := json.Marshal(d.Conds)
		aj, _ := json.Marshal(d.Actions)
		row := &store.Automation{Title: d.Title, Active: true, Position: int64(i + 1), Conditions: string(cj), Actions: string(aj),
			Default: true, DefaultKey: d.Key, CreatedAt: now, UpdatedAt: now}
		if err := tx.Savepoint(func() error { return tx.InsertAutomation(row) }); err != nil && !isConflict(err) {
			return err
		}
	}
	return tx.SetAutomationSetting("defaults_created", now.UTC().Format(time.RFC3339))
}

func isConflict(err error) bool { return errors.Is(err, store.ErrConflict) }
