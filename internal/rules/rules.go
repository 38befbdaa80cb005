// Package rules is the business-rule engine shared by triggers, automations,
// SLA policies and views: Zendesk's conditions ({"all": […], "any": […]}),
// their evaluation against a ticket and what happened to it, and actions
// that change the ticket or send notifications (mail, Slack, webhooks).
// It never writes a ticket itself: ApplyActions returns a tickets.Change
// the caller writes with one UpdateTx, and Engine.Notify queues the
// notifications durably in the caller's transaction.
package rules

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Condition is one test, in Zendesk's shape
// {"field": "status", "operator": "is", "value": "open"}.
type Condition struct {
	Field    string `json:"field"`
	Operator string `json:"operator"`
	Value    any    `json:"value"`
}

// Conditions hold when every condition of All holds and, if Any is not
// empty, at least one of Any does.
type Conditions struct {
	All []Condition `json:"all"`
	Any []Condition `json:"any"`
}

// MarshalJSON always writes both arrays, as Zendesk does.
func (c Conditions) MarshalJSON() ([]byte, error) {
	type plain struct {
		All []Condition `json:"all"`
		Any []Condition `json:"any"`
	}
	p := plain{All: c.All, Any: c.Any}
	if p.All == nil {
		p.All = []Condition{}
	}
	if p.Any == nil {
		p.Any = []Condition{}
	}
	return json.Marshal(p)
}

// Empty reports whether there is no condition at all.
func (c Conditions) Empty() bool { return len(c.All) == 0 && len(c.Any) == 0 }

// Action is one thing to do, in Zendesk's shape {"field": "status",
// "value": "open"}; notifications take an array value.
type Action struct {
	Field string `json:"field"`
	Value any    `json:"value"`
}

// Subject is what conditions are tested against: the ticket as it is now
// (Ticket), as it was before this write (Old, nil on create), the comment
// of this write, who made it (Actor) and the requester and organization.
type Subject struct {
	Event     string // "create", "update" or "automation"
	Old       *model.Ticket
	Ticket    *model.Ticket
	Comment   *model.Comment
	Actor     *model.User
	Requester *model.User
	Org       *model.Organization
	Now       time.Time
	// Extra holds facts other areas compute, by condition field name:
	// numbers ("hours_since_created": 50.0, "sla_next_breach_hours": 1.5),
	// times, strings or bools.
	Extra map[string]any

	// Via is the channel of this write ("web", "email", "api", …); empty
	// means the comment's, else the ticket's.
	Via string
	// BaseURL makes {{ticket.url}} absolute; Engine.BaseURL when empty.
	BaseURL string
	// BusinessHours answers "within business hours" at Now; Engine.Subject
	// sets it from Engine.BusinessHours. Nil means always open.
	BusinessHours func(t time.Time) bool
	// Source names the rule whose actions are applied ("trigger:12"); it
	// ends up on the notifications and the ticket change.
	Source string

	normSubject, normComment *string // normalised once, see text
	data                     map[string]any
	dataFor                  *model.Ticket
}

// currentVia is the channel of this write.
func (s *Subject) currentVia() string {
	switch {
	case s.Via != "":
		return s.Via
	case s.Comment != nil && s.Comment.Via != "":
		return s.Comment.Via
	case s.Ticket != nil:
		return s.Ticket.Via
	}
	return ""
}

// Notification kinds.
const (
	NotifyEmail        = "email"        // to users (Recipients) or a group's agents
	NotifyWebhook      = "webhook"      // Body is sent to webhook WebhookID
	NotifySlack        = "slack"        // Body is the message text, sent as {"text": …}
	NotifySatisfaction = "satisfaction" // offer the CSAT survey to the requester
)

// Notification is a mail, webhook call or Slack message a rule asked for.
// Subject and Body are templates (Liquid with the ticket's placeholders),
// rendered by Engine.Notify once the ticket is written.
type Notification struct {
	Kind string `json:"kind"`
	// Email: Recipient is "requester_id", "assignee_id", "current_user" or
	// a user id; GroupID (or "group_id" in Recipient for the ticket's group)
	// mails every agent of the group.
	Recipient string `json:"recipient,omitempty"`
	GroupID   int64  `json:"group_id,omitempty"`
	WebhookID int64  `json:"webhook_id,omitempty"`
	Subject   string `json:"subject,omitempty"`
	Body      string `json:"body,omitempty"`
	Source    string `json:"source,omitempty"` // "trigger:12"
}

// String renders any condition or action value as the text Zendesk's UI
// shows for it: numbers without exponent, bools as true/false.
func valueString(v any) string {
	switch x := v.(type) {
	case nil:
		return ""
	case string:
		return x
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64)
	case json.Number:
		return x.String()
	case int:
		return strconv.Itoa(x)
	case int64:
		return strconv.FormatInt(x, 10)
	case bool:
		return strconv.FormatBool(x)
	case []any:
		parts := make([]string, len(x))
		for i, e := range x {
			parts[i] = valueString(e)
		}
		return strings.Join(parts, " ")
	case []string:
		return strings.Join(x, " ")
	}
	return fmt.Sprint(v)
}

// valueList reads an array value (notification actions); a lone string is
// a one-element list.
func valueList(v any) []string {
	switch x := v.(type) {
	case []any:
		out := make([]string, len(x))
		for i, e := range x {
			out[i] = valueString(e)
		}
		return out
	case []string:
		return x
	case nil:
		return nil
	}
	return []string{valueString(v)}
}

// valueNumber reads a number written as a number or as text.
func valueNumber(v any) (float64, bool) {
	switch x := v.(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	case int64:
		return float64(x), true
	case json.Number:
		f, err := x.Float64()
		return f, err == nil
	case string:
		f, err := strconv.ParseFloat(strings.TrimSpace(x), 64)
		return f, err == nil
	}
	return 0, false
}

// valueID reads an id; "" and null are 0 (none).
func valueID(v any) (int64, bool) {
	s := strings.TrimSpace(valueString(v))
	if s == "" {
		return 0, true
	}
	id, err := strconv.ParseInt(s, 10, 64)
	return id, err == nil && id >= 0
}
