package app_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/csat"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// The wiring of internal/app between the rules engine and other areas:
// SLA facts in triggers and automations, and the satisfaction_score
// action sending the CSAT survey.

type ruleClock struct{ ms atomic.Int64 }

func (c *ruleClock) now() time.Time               { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *ruleClock) set(t time.Time)              { c.ms.Store(t.UnixMilli()) }
func (c *ruleClock) at(d time.Duration) time.Time { return time.UnixMilli(c.ms.Load()).UTC().Add(d) }

type ruleDesk struct {
	*apptest.Desk
	t   *testing.T
	clk *ruleClock
	t0  time.Time
}

// newRuleDesk puts every area on one fixed clock starting at t0 (a Monday
// 10:00 in Tokyo) and adds an inbox to send from.
func newRuleDesk(t *testing.T, d *apptest.Desk) *ruleDesk {
	x := &ruleDesk{Desk: d, t: t, clk: &ruleClock{}, t0: time.Date(2026, 12, 7, 10, 0, 0, 0, time.FixedZone("JST", 9*3600))}
	x.clk.set(x.t0)
	d.App.Tickets.Now = x.clk.now
	d.App.API.Now = x.clk.now
	app.Lookup[*rules.Engine](d.App).Now = x.clk.now
	d.Must(201, d.Admin, "POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{
		"name": "サポート窓口", "addresses": []string{"support@example.jp"}}})
	return x
}

// slaPolicy sets a 4-hour (calendar) first reply target for normal tickets.
func (x *ruleDesk) slaPolicy() {
	x.Must(201, x.Admin, "POST", "/api/v2/slas/policies.json", map[string]any{"sla_policy": map[string]any{
		"title": "標準SLA（初回返信4時間）", "filter": map[string]any{"all": []any{}, "any": []any{}},
		"policy_metrics": []any{map[string]any{"priority": "normal", "metric": "first_reply_time", "target": 240, "business_hours": false}}}})
}

// customerTicket is a ticket the customer writes; the agent then takes it
// without replying, so the first reply clock keeps running.
func (x *ruleDesk) customerTicket(subject, priority string) int64 {
	x.t.Helper()
	id := x.Must(201, x.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
		"subject": subject, "priority": priority, "comment": map[string]any{"body": subject + "。㈱髙島屋 ｶﾀｶﾅ ①"}}}).Int("ticket.id")
	x.Must(200, x.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"assignee_id": x.Agent.ID}})
	return id
}

func (x *ruleDesk) tags(id int64) []string {
	x.t.Helper()
	r := x.Must(200, x.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
	var out []string
	for i := range r.Len("ticket.tags") {
		out = append(out, r.Str(fmt.Sprintf("ticket.tags.%d", i)))
	}
	return out
}

// mails lists a ticket's outgoing mail whose source or subject has word.
func (x *ruleDesk) mails(id int64, word string) []*model.MailMessage {
	x.t.Helper()
	var out []*model.MailMessage
	err := x.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		ms, err := tx.MailMessagesOfTicket(id)
		for _, m := range ms {
			if m.Direction == model.MailOut && (strings.Contains(m.Subject, word) || m.Source == word) {
				out = append(out, m)
			}
		}
		return err
	})
	if err != nil {
		x.t.Fatal(err)
	}
	return out
}

// notices lists queued mail whose subject has word, however addressed
// (a notice to an agent is not filed on the ticket).
func (x *ruleDesk) notices(word string) []*model.MailMessage {
	x.t.Helper()
	var out []*model.MailMessage
	err := x.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		ms, err := tx.MailMessagesInState(model.MailQueued, x.t0.Add(1000*time.Hour).UnixMilli(), 1000)
		for _, m := range ms {
			if m.Direction == model.MailOut && strings.Contains(m.Subject, word) {
				out = append(out, m)
			}
		}
		return err
	})
	if err != nil {
		x.t.Fatal(err)
	}
	return out
}

func (x *ruleDesk) automationRound(after time.Duration) automations.Stats {
	x.t.Helper()
	st, err := app.Lookup[*automations.Service](x.App).Round(context.Background(), x.t0.Add(after))
	if err != nil {
		x.t.Fatalf("round at +%s: %v", after, err)
	}
	return st
}

// An automation on sla_next_breach_hours warns the assignee once when the
// ticket comes within an hour of its first reply breach.
func TestSLAWarningAutomation(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		x := newRuleDesk(t, d)
		x.slaPolicy()
		// Without a time condition of any kind an automation is refused;
		// the SLA fact counts as one.
		x.Must(422, x.Admin, "POST", "/api/v2/automations.json", map[string]any{"automation": map[string]any{
			"title": "時間条件なし", "conditions": map[string]any{"all": []any{
				map[string]any{"field": "current_tags", "operator": "not_includes", "value": "sla_warning"}}},
			"actions": []any{map[string]any{"field": "current_tags", "value": "sla_warning"}}}})
		x.Must(201, x.Admin, "POST", "/api/v2/automations.json", map[string]any{"automation": map[string]any{
			"title": "SLA違反1時間前の警告",
			"conditions": map[string]any{"all": []any{
				map[string]any{"field": "sla_next_breach_hours", "operator": "less_than", "value": "1"},
				map[string]any{"field": "status", "operator": "less_than", "value": "solved"},
				map[string]any{"field": "current_tags", "operator": "not_includes", "value": "sla_warning"}}},
			"actions": []any{
				map[string]any{"field": "current_tags", "value": "sla_warning"},
				map[string]any{"field": "notification_user", "value": []any{"assignee_id",
					"【SLA警告】{{ticket.title}}", "初回返信の期限まで1時間を切りました。至急ご対応ください。"}}}}})
		id := x.customerTicket("配送状況を教えてください", "normal")
		calm := x.customerTicket("㈱髙島屋の請求書について", "low") // no target for low: no fact

		for _, step := range []struct {
			after     time.Duration
			fired     int
			tagged    bool
			mailCount int
		}{
			{2 * time.Hour, 0, false, 0},
			{3*time.Hour + 30*time.Minute, 1, true, 1},
			{3*time.Hour + 31*time.Minute, 0, true, 1},
			{5 * time.Hour, 0, true, 1}, // breached by now: still only the one warning
		} {
			st := x.automationRound(step.after)
			if st.Fired != step.fired {
				t.Fatalf("+%s: fired %d, want %d (%+v)", step.after, st.Fired, step.fired, st)
			}
			if got := slices.Contains(x.tags(id), "sla_warning"); got != step.tagged {
				t.Fatalf("+%s: tagged sla_warning = %v, want %v (tags %v)", step.after, got, step.tagged, x.tags(id))
			}
			ms := x.notices("【SLA警告】配送状況")
			if len(ms) != step.mailCount {
				t.Fatalf("+%s: %d warning mails, want %d", step.after, len(ms), step.mailCount)
			}
			if len(ms) == 1 && (len(ms[0].RcptTo) != 1 || ms[0].RcptTo[0] != x.Agent.Email) {
				t.Fatalf("warning mailed to %v, want the assignee %s", ms[0].RcptTo, x.Agent.Email)
			}
			if slices.Contains(x.tags(calm), "sla_warning") || len(x.notices("【SLA警告】㈱髙島屋")) != 0 {
				t.Fatalf("+%s: the ticket without an SLA target was warned", step.after)
			}
		}
	})
}

// A trigger condition on sla_next_breach_hours sees the value at the
// moment of each update.
func TestSLAFactInTriggers(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		x := newRuleDesk(t, d)
		x.slaPolicy()
		x.Must(201, x.Admin, "POST", "/api/v2/triggers.json", map[string]any{"trigger": map[string]any{
			"title": "SLA残り2時間未満で優先", "conditions": map[string]any{"all": []any{
				map[string]any{"field": "update_type", "operator": "is", "value": "Change"},
				map[string]any{"field": "sla_next_breach_hours", "operator": "less_than", "value": "2"}}},
			"actions": []any{map[string]any{"field": "current_tags", "value": "sla_至急"}}}})
		id := x.customerTicket("配送状況を教えてください", "normal")
		calm := x.customerTicket("ｶﾀｶﾅの請求書を再発行してください", "low")
		note := func(id int64, body string) {
			x.Must(200, x.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
				"comment": map[string]any{"body": body, "public": false}}})
		}
		for _, step := range []struct {
			after  time.Duration
			tagged bool
		}{
			{time.Hour, false},                   // 3h left
			{2*time.Hour + 30*time.Minute, true}, // 1h30 left
		} {
			x.clk.set(x.t0.Add(step.after))
			note(id, "倉庫に確認中です（社内メモ）")
			note(calm, "経理に確認中です（社内メモ）")
			if got := slices.Contains(x.tags(id), "sla_至急"); got != step.tagged {
				t.Fatalf("+%s: tagged = %v, want %v (tags %v)", step.after, got, step.tagged, x.tags(id))
			}
			if slices.Contains(x.tags(calm), "sla_至急") {
				t.Fatalf("+%s: the ticket without an SLA target was tagged", step.after)
			}
		}
	})
}

// The satisfaction_score action sends the survey through csat at once
// (not after the day's delay), once per solve, from a trigger and from an
// automation.
func TestSatisfactionOfferedByRules(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		x := newRuleDesk(t, d)
		svc := app.Lookup[*csat.Service](d.App)
		x.Must(201, x.Admin, "POST", "/api/v2/triggers.json", map[string]any{"trigger": map[string]any{
			"title": "解決したらすぐアンケート", "conditions": map[string]any{"all": []any{
				map[string]any{"field": "status", "operator": "is", "value": "solved"},
				map[string]any{"field": "current_tags", "operator": "includes", "value": "即時アンケート"}}},
			"actions": []any{map[string]any{"field": "satisfaction_score", "value": "offered_to_requester"}}}})
		x.Must(201, x.Admin, "POST", "/api/v2/automations.json", map[string]any{"automation": map[string]any{
			"title": "解決2時間後にアンケート", "conditions": map[string]any{"all": []any{
				map[string]any{"field": "SOLVED", "operator": "greater_than", "value": "2"},
				map[string]any{"field": "current_tags", "operator": "not_includes", "value": "アンケート済"}}},
			"actions": []any{
				map[string]any{"field": "satisfaction_score", "value": "offered_to_requester"},
				map[string]any{"field": "current_tags", "value": "アンケート済"}}}})
		solve := func(id int64, tags []string) {
			x.Must(200, x.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
				"status": "solved", "additional_tags": tags, "comment": map[string]any{"body": "発送いたしました。ご確認ください。", "public": true}}})
		}
		score := func(id int64) string {
			return x.Must(200, x.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil).Str("ticket.satisfaction_rating.score")
		}
		byTrigger := x.customerTicket("配送状況を教えてください", "normal")
		byAutomation := x.customerTicket("㈱髙島屋の請求書について", "normal")
		plain := x.customerTicket("ｶﾀｶﾅ表記の確認", "normal")
		x.clk.set(x.t0.Add(time.Hour))
		solve(byTrigger, []string{"即時アンケート"})
		solve(byAutomation, nil)
		solve(plain, []string{"アンケート済"}) // neither rule applies: the usual delay

		if n := len(x.mails(byTrigger, "notice:csat")); n != 1 || score(byTrigger) != csat.ScoreOffered {
			t.Fatalf("trigger: %d survey mails, score %q; want 1, offered", n, score(byTrigger))
		}
		if n := len(x.mails(byAutomation, "notice:csat")); n != 0 {
			t.Fatalf("survey mailed at solve without a rule (%d)", n)
		}
		// Another update of the solved ticket fires the trigger again: the
		// solve is already surveyed, nothing more is sent.
		x.Must(200, x.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", byTrigger), map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "社内メモ：発送済み", "public": false}}})
		if n := len(x.mails(byTrigger, "notice:csat")); n != 1 {
			t.Fatalf("trigger fired again: %d survey mails, want 1", n)
		}

		if st := x.automationRound(2*time.Hour + 30*time.Minute); st.Fired != 0 {
			t.Fatalf("automation fired %d at 1h30 after solving, want 0", st.Fired)
		}
		if st := x.automationRound(4*time.Hour + time.Minute); st.Fired != 2 { // byAutomation and byTrigger
			t.Fatalf("automation fired %d at 3h01 after solving, want 2 (%+v)", st.Fired, st)
		}
		if n := len(x.mails(byAutomation, "notice:csat")); n != 1 || score(byAutomation) != csat.ScoreOffered {
			t.Fatalf("automation: %d survey mails, score %q; want 1, offered", n, score(byAutomation))
		}
		if n := len(x.mails(byTrigger, "notice:csat")); n != 1 {
			t.Fatalf("automation surveyed an already surveyed solve again: %d mails", n)
		}
		if n := len(x.mails(plain, "notice:csat")); n != 0 {
			t.Fatalf("survey without a rule before the delay: %d mails", n)
		}
		// The day's delay then sends only the survey no rule offered.
		n, err := svc.Round(context.Background(), x.t0.Add(26*time.Hour))
		if err != nil || n != 1 {
			t.Fatalf("csat round sent %d (%v), want 1 (the plain ticket only)", n, err)
		}
		for _, id := range []int64{byTrigger, byAutomation, plain} {
			if n := len(x.mails(id, "notice:csat")); n != 1 {
				t.Fatalf("ticket %d: %d survey mails in the end, want 1", id, n)
			}
		}
	})
}
