package triggers

import (
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Active returns the active triggers in firing order. The parsed list is
// cached and checked against the configuration stamp (store.TriggerStamp,
// read once per transaction), so a change made on another node is seen at
// the next write.
func (s *Service) Active(tx *store.Tx) ([]*Trigger, error) {
	stamp, err := tx.TriggerStamp()
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if stamp == s.stamp && s.active != nil {
		return s.active, nil
	}
	rows, err := tx.ActiveTriggers()
	if err != nil {
		return nil, err
	}
	list := make([]*Trigger, 0, len(rows))
	for _, r := range rows {
		t, err := fromRow(r)
		if err != nil {
			s.log().Error("triggers: skipping unreadable trigger", "trigger", r.ID, "err", err)
			continue
		}
		list = append(list, t)
	}
	s.stamp, s.active = stamp, list
	s.needRequester, s.needOrg, s.needFacts = false, false, false
	for _, t := range list {
		r, o := rules.UsesPeople(t.Conditions)
		s.needRequester, s.needOrg = s.needRequester || r, s.needOrg || o
		s.needFacts = s.needFacts || s.Engine.NeedsFacts(t.Conditions)
	}
	return list, nil
}

// fired is one trigger that fired in a pass and what it changed.
type fired struct {
	t      *Trigger
	fields []string
}

func (f fired) label() string { return fmt.Sprintf("trigger %d 「%s」", f.t.ID, f.t.Title) }

// BeforeCommit runs the active triggers on a ticket write, as Zendesk
// does: in position order; when one matches, its actions apply and the
// pass starts again from the top, skipping triggers that already fired.
// Each trigger fires at most once per write, so no loop is possible. All
// changes of the pass are written as ONE update by the rules (audit via
// "rule", RuleSource "trigger:<ids>"); notifications are queued in the
// same transaction. Writes made by rules themselves are skipped.
func (s *Service) BeforeCommit(tx *store.Tx, r tickets.Result) error {
	if r.Change != nil && r.Change.RuleSource != "" {
		return nil
	}
	if r.Ticket == nil || r.Audit == nil || r.Actor == nil || !r.Ticket.DeletedAt.IsZero() {
		return nil
	}
	list, err := s.Active(tx)
	if err != nil || len(list) == 0 {
		return err
	}
	event := "update"
	if r.Old == nil {
		event = "create"
	}
	s.mu.Lock()
	needRequester, needOrg, needFacts := s.needRequester, s.needOrg, s.needFacts
	s.mu.Unlock()
	subj, err := s.Engine.SubjectFor(tx, event, r.Old, r.Ticket, r.Comment, r.Actor, needRequester, needOrg)
	if err != nil {
		return err
	}
	if needFacts {
		// The SLA hook ran earlier in this write, so the facts are current.
		if err := s.Engine.AddFacts(tx, subj); err != nil {
			return err
		}
	}
	if r.Change != nil {
		subj.Via = r.Change.Via
	}
	cur := r.Ticket
	done := map[int64]bool{}
	var (
		pass     []fired
		notes    []rules.Notification
		comments []*tickets.CommentInput
	)
	for restart := true; restart; {
		restart = false
		for _, t := range list {
			if done[t.ID] {
				continue
			}
			subj.Ticket = cur
			ok, err := rules.Match(t.Conditions, subj)
			if err != nil {
				s.log().Warn("triggers: condition cannot be evaluated", "trigger", t.ID, "err", err)
				continue
			}
			if !ok {
				continue
			}
			done[t.ID] = true
			source := "trigger:" + strconv.FormatInt(t.ID, 10)
			subj.Source = source
			ch, ns, err := rules.ApplyActions(tx, t.Actions, subj, source)
			if err != nil {
				s.log().Warn("triggers: actions failed; trigger skipped", "trigger", t.ID, "ticket", cur.ID, "err", err)
				continue
			}
			next := rules.Simulate(cur, ch)
			pass = append(pass, fired{t: t, fields: changedFields(cur, next)})
			cur = next
			notes = append(notes, ns...)
			if ch.Comment != nil {
				comments = append(comments, ch.Comment)
			}
			restart = true
			break
		}
	}
	if len(pass) == 0 {
		return nil
	}
	return s.write(tx, r, subj, cur, pass, notes, comments)
}

// write applies the pass's net change with one UpdateTx, records in the
// audit which trigger did what, and queues the notifications.
func (s *Service) write(tx *store.Tx, r tickets.Result, subj *rules.Subject, cur *model.Ticket, pass []fired, notes []rules.Notification, comments []*tickets.CommentInput) error {
	ids := make([]string, len(pass))
	refs := make([]any, len(pass))
	for i, f := range pass {
		ids[i] = strconv.FormatInt(f.t.ID, 10)
		refs[i] = map[string]any{"id": f.t.ID, "title": f.t.Title}
	}
	source := "trigger:" + strings.Join(ids, ",")
	ch := rules.Diff(r.Ticket, cur)
	ch.RuleSource, ch.Via = source, "rule"
	ch.Metadata = map[string]any{"rule": map[string]any{"rel": "trigger", "triggers": refs},
		"via_source": map[string]any{"rel": "trigger", "from": refs[len(refs)-1]}}
	ticket, audit := r.Ticket, r.Audit
	if changes(ch) || len(comments) > 0 {
		actor, err := s.ruleActor(tx, r.Actor)
		if err != nil {
			return err
		}
		if len(comments) > 0 {
			ch.Comment = joinComments(comments, actor.ID)
		}
		var res *tickets.Result
		err = tx.Savepoint(func() error {
			var err error
			res, err = s.Tickets.UpdateTx(tx, actor, r.Ticket.ID, ch)
			return err
		})
		var inv *errs.Invalid
		switch {
		case errors.As(err, &inv) || errors.Is(err, errs.ErrForbidden) || errors.Is(err, store.ErrNotFound):
			// A rule that cannot apply (a deleted group, a closed ticket)
			// must not fail the person's own change.
			s.log().Warn("triggers: changes not applied", "ticket", r.Ticket.ID, "triggers", source, "err", err)
		case err != nil:
			return err
		case res.Audit != nil:
			ticket, audit = res.Ticket, res.Audit
		}
	}
	// Which trigger did what, in Zendesk's words, on the audit that shows it.
	byField := map[string]string{}
	for _, f := range pass {
		for _, fl := range f.fields {
			byField[fl] = f.label()
		}
	}
	for i, e := range audit.Events {
		if who, ok := byField[e.FieldName]; ok && e.Type == "Change" && audit != r.Audit {
			audit.Events[i].Reason = who
		}
	}
	for _, f := range pass {
		audit.Events = append(audit.Events, model.AuditEvent{Type: "Trigger", Value: f.t.ID, Reason: f.label() + " fired / が実行されました"})
	}
	subj.Ticket = ticket
	for _, n := range notes {
		label := n.Source
		err := tx.Savepoint(func() error { return s.Engine.Notify(tx, []rules.Notification{n}, subj) })
		if err != nil {
			s.log().Warn("triggers: notification not queued", "ticket", ticket.ID, "source", n.Source, "err", err)
			label += " failed: " + err.Error()
		}
		audit.Events = append(audit.Events, model.AuditEvent{Type: "Notification", Reason: describe(n) + " (" + label + ")"})
	}
	return tx.SetAuditEvents(audit)
}

// changes reports whether ch changes any ticket field.
func changes(ch tickets.Change) bool {
	return ch.Status != nil || ch.Priority != nil || ch.Type != nil || ch.GroupID != nil || ch.AssigneeID != nil ||
		ch.Tags != nil || len(ch.CustomFields) > 0
}

// changedFields names the audit fields that differ between a and b.
func changedFields(a, b *model.Ticket) []string {
	d := rules.Diff(a, b)
	var out []string
	if d.Status != nil {
		out = append(out, "status")
	}
	if d.Priority != nil {
		out = append(out, "priority")
	}
	if d.Type != nil {
		out = append(out, "type")
	}
	if d.GroupID != nil {
		out = append(out, "group_id")
	}
	if d.AssigneeID != nil {
		out = append(out, "assignee_id")
	}
	if d.Tags != nil {
		out = append(out, "tags")
	}
	for _, f := range d.CustomFields {
		out = append(out, strconv.FormatInt(f.ID, 10))
	}
	return out
}

// ruleActor is who writes a rule's change: the agent who made the update,
// or (for a customer's or light agent's update, who may not change these
// fields) the first admin; the audit says it was a rule.
func (s *Service) ruleActor(tx *store.Tx, actor *model.User) (*model.User, error) {
	if actor.IsAgent() {
		return actor, nil
	}
	admins, err := tx.ListUsers(store.UserFilter{Roles: []string{model.RoleAdmin}}, 0, 0, 1, false)
	if err != nil {
		return nil, err
	}
	if len(admins) == 0 {
		return nil, errors.New("triggers: no admin to apply a trigger's changes")
	}
	return admins[0], nil
}

// joinComments makes one comment of the pass's comments: public only when
// every one of them asked to be.
func joinComments(cs []*tickets.CommentInput, author int64) *tickets.CommentInput {
	public := true
	var bodies []string
	for _, c := range cs {
		bodies = append(bodies, c.Body)
		public = public && c.Public != nil && *c.Public
	}
	out := &tickets.CommentInput{Body: strings.Join(bodies, "\n\n"), Public: &public, AuthorID: author, Metadata: cs[0].Metadata}
	if len(cs) == 1 {
		out.HTMLBody = cs[0].HTMLBody
	}
	return out
}

func describe(n rules.Notification) string {
	switch n.Kind {
	case rules.NotifyEmail:
		to := n.Recipient
		if n.GroupID != 0 {
			to = "group " + strconv.FormatInt(n.GroupID, 10)
		}
		return "email to " + to + ": " + n.Subject
	case rules.NotifyWebhook:
		return "webhook " + strconv.FormatInt(n.WebhookID, 10)
	case rules.NotifySlack:
		return "Slack via webhook " + strconv.FormatInt(n.WebhookID, 10)
	}
	return n.Kind
}
