package assign

import (
	"errors"
	"fmt"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// BeforeCommit is the tickets hook. Inside the write's transaction it
// assigns a ticket created in (or moved into) a group or inbox without an
// assignee, sends a ticket back to its pool when the customer replies and
// the rule says so, keeps follow-ups with an owner-to-the-end, and clears
// that flag when the assignee changes.
func (s *Service) BeforeCommit(tx *store.Tx, r tickets.Result) error {
	if r.Change != nil && r.Change.RuleSource == RuleSource {
		return nil // our own write
	}
	tk := r.Ticket
	if tk == nil || !tk.DeletedAt.IsZero() || tk.Status == model.StatusSolved || tk.Status == model.StatusClosed {
		return nil
	}
	if r.Old != nil && r.Old.AssigneeID != tk.AssigneeID && r.Audit != nil {
		if err := dropOwnership(tx, tk.ID, r.Audit); err != nil {
			return err
		}
	}
	if r.Old == nil && tk.ViaFollowupSourceID != 0 && tk.AssigneeID == 0 {
		if done, err := s.followOwner(tx, tk); err != nil || done {
			return err
		}
	}
	var back *model.AuditEvent
	if r.Old != nil && r.Comment != nil && tk.AssigneeID != 0 && r.Old.AssigneeID == tk.AssigneeID {
		var err error
		if back, err = s.returnOnReply(tx, tk, r.Comment); err != nil {
			return err
		}
	}
	entered := tk.AssigneeID == 0 && (r.Old == nil || r.Old.GroupID != tk.GroupID || r.Old.InboxID != tk.InboxID)
	if back == nil && !entered {
		return nil
	}
	_, err := s.assignTx(tx, tk, back, 0)
	return err
}

// assignTx runs tk's rule: after an optional return-to-pool event, it picks
// an agent (automatic modes) and writes one audit with the reasons. tk is
// updated in place so the caller's answer and later hooks see the result.
// It returns the new assignee (0: none).
func (s *Service) assignTx(tx *store.Tx, tk *model.Ticket, back *model.AuditEvent, exclude int64) (int64, error) {
	rule, err := ruleFor(tx, tk)
	if err != nil {
		return 0, err
	}
	if rule == nil && back == nil {
		return 0, nil
	}
	var events []model.AuditEvent
	ch := tickets.Change{RuleSource: RuleSource, Via: "rule"}
	if back != nil {
		events = append(events, *back)
		none := int64(0)
		ch.AssigneeID = &none
	}
	md := map[string]any{}
	if rule != nil {
		md["assignment"] = map[string]any{"rule_id": rule.ID, "mode": rule.Mode}
		if automatic(rule.Mode) {
			d, err := s.decide(tx, rule, tk, exclude)
			if err != nil {
				return 0, err
			}
			ev := model.AuditEvent{Type: "Assignment", FieldName: "assignee_id", Reason: d.reason}
			if d.agent != nil {
				ev.Value = d.agent.ID
				ch.AssigneeID = &d.agent.ID
				if d.group != 0 {
					ch.GroupID = &d.group
				}
			}
			events = append(events, ev)
		}
	}
	if len(events) == 0 {
		return 0, nil // manual or claim: the ticket waits in its group's queue
	}
	ch.Metadata = md
	res, err := s.Tickets.UpdateTx(tx, System, tk.ID, ch)
	if err != nil {
		return 0, err
	}
	audit := res.Audit
	if audit == nil {
		// Nothing changed on the ticket (no one free, or the same agent
		// drawn again): the decision still belongs in the trail.
		audit = &model.Audit{TicketID: tk.ID, AuthorID: System.ID, Via: "rule", Metadata: md, CreatedAt: s.now(), Events: events}
		if err := tx.InsertAudit(audit); err != nil {
			return 0, err
		}
	} else {
		audit.Events = append(audit.Events, events...)
		if err := tx.SetAuditEvents(audit); err != nil {
			return 0, err
		}
	}
	*tk = *res.Ticket
	return tk.AssigneeID, nil
}

// returnOnReply decides whether a customer's reply sends tk back to its
// pool; it returns the audit event saying why, or nil to keep the assignee.
func (s *Service) returnOnReply(tx *store.Tx, tk *model.Ticket, c *model.Comment) (*model.AuditEvent, error) {
	author, err := tx.User(c.AuthorID)
	if err != nil || author.Role != model.RoleEndUser {
		return nil, ignoreNotFound(err)
	}
	rule, err := ruleFor(tx, tk)
	if err != nil || rule == nil || rule.ReturnOnReply == ReturnNever {
		return nil, err
	}
	if own, _, err := tx.OwnToEnd(tk.ID); err != nil || own {
		return nil, err
	}
	assignee, err := tx.User(tk.AssigneeID)
	if err != nil {
		return nil, ignoreNotFound(err)
	}
	var reason string
	if rule.ReturnOnReply == ReturnAlways {
		reason = fmt.Sprintf("customer replied: back to the pool from %s (this team shares every reply) / お客様の返信によりプールに戻しました", assignee.Name)
	} else {
		st, err := tx.AgentStatuses([]int64{assignee.ID})
		if err != nil {
			return nil, err
		}
		av := statusOf(st, assignee.ID).Availability
		if av == Online {
			return nil, nil
		}
		reason = fmt.Sprintf("customer replied while %s is %s: back to the pool / 担当者が不在(%s)のためプールに戻しました", assignee.Name, av, jaAvailability(av))
	}
	return &model.AuditEvent{Type: "Assignment", FieldName: "assignee_id", Value: nil, Reason: reason}, nil
}

// followOwner gives a follow-up ticket to the owner-to-the-end of the
// closed ticket it follows; done is false when that does not apply.
func (s *Service) followOwner(tx *store.Tx, tk *model.Ticket) (done bool, err error) {
	src, err := tx.Ticket(tk.ViaFollowupSourceID)
	if err != nil {
		return false, ignoreNotFound(err)
	}
	own, _, err := tx.OwnToEnd(src.ID)
	if err != nil || !own || src.AssigneeID == 0 {
		return false, err
	}
	owner, err := tx.User(src.AssigneeID)
	if err != nil || !owner.IsAgent() || !owner.Active || owner.Suspended {
		return false, ignoreNotFound(err)
	}
	res, err := s.Tickets.UpdateTx(tx, System, tk.ID, tickets.Change{AssigneeID: &owner.ID, RuleSource: RuleSource, Via: "rule",
		Metadata: map[string]any{"assignment": map[string]any{"followup_of": src.ID}}})
	if err != nil {
		return false, err
	}
	if res.Audit != nil {
		res.Audit.Events = append(res.Audit.Events, model.AuditEvent{Type: "Assignment", FieldName: "assignee_id", Value: owner.ID,
			Reason: fmt.Sprintf("follow-up of #%d, which %s owns to the end / #%dを最後まで担当する%sに割り当てました", src.ID, owner.Name, src.ID, owner.Name)})
		if err := tx.SetAuditEvents(res.Audit); err != nil {
			return false, err
		}
	}
	if err := tx.SetOwnToEnd(tk.ID, true, s.now()); err != nil {
		return false, err
	}
	*tk = *res.Ticket
	return true, nil
}

// dropOwnership clears own-to-the-end when the assignee changes: the flag
// is a promise by the person, not by whoever holds the ticket next.
func dropOwnership(tx *store.Tx, ticketID int64, audit *model.Audit) error {
	own, _, err := tx.OwnToEnd(ticketID)
	if err != nil || !own {
		return err
	}
	if err := tx.SetOwnToEnd(ticketID, false, audit.CreatedAt); err != nil {
		return err
	}
	audit.Events = append(audit.Events, model.AuditEvent{Type: "Change", FieldName: "own_to_end", Value: false, PreviousValue: true})
	return tx.SetAuditEvents(audit)
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

func jaAvailability(av string) string {
	switch av {
	case Online:
		return "オンライン"
	case Away:
		return "離席中"
	}
	return "オフライン"
}
