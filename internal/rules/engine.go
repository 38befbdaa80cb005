package rules

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// WebhookQueue queues a webhook call durably in the caller's transaction
// (internal/webhooks implements it).
type WebhookQueue interface {
	Enqueue(tx *store.Tx, webhookID int64, body []byte, ticketID int64, source string) error
}

// Engine sends what rules ask for. Every field is optional; a
// notification whose channel is missing is an error, never dropped.
type Engine struct {
	Outbox   *outbound.Outbox // notification mail
	Webhooks WebhookQueue     // webhooks and Slack
	BaseURL  string           // for {{ticket.url}}
	// BusinessHours reports whether t is within the desk's business hours
	// (bizhours.Default); nil means always open.
	BusinessHours func(tx *store.Tx, t time.Time) bool
	// OfferSatisfaction offers the CSAT survey (satisfaction_score action).
	OfferSatisfaction func(tx *store.Tx, s *Subject) error
	// Facts supplies facts other areas compute for a ticket at now (the
	// SLA's "sla_next_breach_hours"), named in FactFields; AddFacts puts
	// them in Subject.Extra. Wired by the app, so rules imports no area.
	Facts      func(tx *store.Tx, tk *model.Ticket, now time.Time) (map[string]any, error)
	FactFields []string
	Now        func() time.Time
}

// NeedsFacts reports whether c has a condition on a field the Facts hook
// supplies: only then is it worth a query per ticket.
func (e *Engine) NeedsFacts(c Conditions) bool {
	if e == nil || e.Facts == nil {
		return false
	}
	for _, cd := range append(slices.Clone(c.All), c.Any...) {
		if slices.Contains(e.FactFields, canonicalField(cd.Field)) {
			return true
		}
	}
	return false
}

// AddFacts puts the Facts hook's facts for s.Ticket at s.Now (the
// engine's clock when unset) into s.Extra.
func (e *Engine) AddFacts(tx *store.Tx, s *Subject) error {
	if e == nil || e.Facts == nil || s.Ticket == nil || s.Ticket.ID == 0 {
		return nil
	}
	now := s.Now
	if now.IsZero() {
		now = e.now()
	}
	f, err := e.Facts(tx, s.Ticket, now)
	if err != nil || len(f) == 0 {
		return err
	}
	if s.Extra == nil {
		s.Extra = map[string]any{}
	}
	maps.Copy(s.Extra, f)
	return nil
}

// Subject builds the subject of a ticket write: it loads the requester
// and organization and wires business hours and the base URL.
func (e *Engine) Subject(tx *store.Tx, event string, old, tk *model.Ticket, c *model.Comment, actor *model.User) (*Subject, error) {
	return e.SubjectFor(tx, event, old, tk, c, actor, true, true)
}

// SubjectFor is Subject loading the requester and the organization only
// when asked (see UsesPeople): a write checked against hundreds of rules
// skips two reads when no rule looks at them.
func (e *Engine) SubjectFor(tx *store.Tx, event string, old, tk *model.Ticket, c *model.Comment, actor *model.User, requester, org bool) (*Subject, error) {
	s := &Subject{Event: event, Old: old, Ticket: tk, Comment: c, Actor: actor, BaseURL: e.BaseURL, Now: e.now()}
	if requester && tk.RequesterID != 0 {
		if actor != nil && actor.ID == tk.RequesterID {
			s.Requester = actor
		} else if u, err := tx.User(tk.RequesterID); err == nil {
			s.Requester = u
		} else if !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
	}
	if org && tk.OrganizationID != 0 {
		o, err := tx.Organization(tk.OrganizationID)
		if err != nil && !errors.Is(err, store.ErrNotFound) {
			return nil, err
		}
		s.Org = o
	}
	if e.BusinessHours != nil {
		var known, open bool // asked at most once per write
		s.BusinessHours = func(t time.Time) bool {
			if !known {
				open, known = e.BusinessHours(tx, t), true
			}
			return open
		}
	}
	return s, nil
}

func (e *Engine) now() time.Time {
	if e.Now != nil {
		return e.Now().UTC()
	}
	return time.Now().UTC()
}

// Notify renders and queues notes in tx: mail through the outbox, webhook
// and Slack calls through the webhook queue. Queued in the ticket's
// transaction, they go out exactly when the change commits.
func (e *Engine) Notify(tx *store.Tx, notes []Notification, s *Subject) error {
	if s.BaseURL == "" {
		s.BaseURL = e.BaseURL
	}
	for _, n := range notes {
		if err := e.notify(tx, n, s); err != nil {
			return fmt.Errorf("%s: %w", n.Source, err)
		}
	}
	return nil
}

func (e *Engine) notify(tx *store.Tx, n Notification, s *Subject) error {
	var ticketID int64
	if s.Ticket != nil {
		ticketID = s.Ticket.ID
	}
	switch n.Kind {
	case NotifyEmail:
		to, err := e.recipients(tx, n, s)
		if err != nil || len(to) == 0 {
			return err // nobody with an address: nothing to send
		}
		if e.Outbox == nil {
			return errors.New("rules: no outbox for notification mail")
		}
		subject, err := render(tx, n.Subject, s, false)
		if err != nil {
			return err
		}
		body, err := render(tx, n.Body, s, false)
		if err != nil {
			return err
		}
		var inbox int64
		if s.Ticket != nil {
			inbox = s.Ticket.InboxID
		}
		return e.Outbox.EnqueueNotice(tx, outbound.Notice{TicketID: ticketID, InboxID: inbox, To: to, Subject: subject, Body: body, Kind: "trigger"})
	case NotifyWebhook, NotifySlack:
		if e.Webhooks == nil {
			return errors.New("rules: no webhook queue")
		}
		var body []byte
		if n.Kind == NotifySlack {
			text, err := render(tx, n.Body, s, false)
			if err != nil {
				return err
			}
			body, _ = json.Marshal(map[string]string{"text": text})
		} else {
			text, err := render(tx, n.Body, s, true)
			if err != nil {
				return err
			}
			body = []byte(text)
		}
		return e.Webhooks.Enqueue(tx, n.WebhookID, body, ticketID, n.Source)
	case NotifySatisfaction:
		if e.OfferSatisfaction == nil {
			return nil // CSAT is not set up on this desk: nothing to offer
		}
		return e.OfferSatisfaction(tx, s)
	}
	return fmt.Errorf("rules: unknown notification kind %q", n.Kind)
}

// recipients resolves a mail notification to addresses.
func (e *Engine) recipients(tx *store.Tx, n Notification, s *Subject) ([]string, error) {
	var ids []int64
	tk := s.Ticket
	if tk == nil {
		tk = &model.Ticket{}
	}
	groupID := n.GroupID
	switch n.Recipient {
	case "":
	case "requester_id":
		ids = append(ids, tk.RequesterID)
	case "requester_and_ccs":
		ids = append(append(ids, tk.RequesterID), tk.CollaboratorIDs...)
	case "assignee_id":
		ids = append(ids, tk.AssigneeID)
	case "current_user":
		if s.Actor != nil {
			ids = append(ids, s.Actor.ID)
		}
	case "group_id":
		groupID = tk.GroupID
	case "all_agents":
		us, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleAgent, model.RoleAdmin}}, 0, 0, 1000, false)
		if err != nil {
			return nil, err
		}
		return addresses(us, true), nil
	default:
		id, err := strconv.ParseInt(n.Recipient, 10, 64)
		if err != nil {
			return nil, fmt.Errorf("rules: bad recipient %q", n.Recipient)
		}
		ids = append(ids, id)
	}
	var us []*model.User
	if groupID != 0 {
		members, err := tx.ListUsers(store.UserFilter{GroupIDs: []int64{groupID}, Roles: []string{model.RoleAgent, model.RoleAdmin, model.RoleLightAgent}}, 0, 0, 1000, false)
		if err != nil {
			return nil, err
		}
		us = append(us, members...)
	}
	ids = slices.DeleteFunc(ids, func(id int64) bool { return id == 0 })
	if len(ids) > 0 {
		found, err := tx.UsersByID(ids)
		if err != nil {
			return nil, err
		}
		us = append(us, found...)
	}
	return addresses(us, groupID != 0), nil
}

// addresses lists the users' emails once each; group mail skips
// suspended and inactive agents.
func addresses(us []*model.User, staffOnly bool) []string {
	var out []string
	for _, u := range us {
		if u.Email == "" || u.Suspended || (staffOnly && !u.IsStaff()) || slices.Contains(out, u.Email) {
			continue
		}
		out = append(out, u.Email)
	}
	return out
}
