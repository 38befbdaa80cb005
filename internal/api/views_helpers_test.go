package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// vwWorld is a small desk for view tests: two groups (the agent is in
// 配送チーム only), an organization, a custom text field and a checkbox,
// and tickets with distinct properties.
type vwWorld struct {
	d                    *apptest.Desk
	g1, g2, org          int64
	field, check         int64
	customer2            int64
	a, b, c, solved      int64 // tickets
	snoozed, woken, risk int64
}

func vwTicket(t *testing.T, d *apptest.Desk, as *apptest.User, fields map[string]any) int64 {
	t.Helper()
	tk := map[string]any{"subject": "配送状況を教えてください", "comment": map[string]any{"body": "注文番号 ①-12345 の荷物が届きません。"}}
	for k, v := range fields {
		tk[k] = v
	}
	return d.Must(201, as, "POST", "/api/v2/tickets.json", map[string]any{"ticket": tk}).Int("ticket.id")
}

func newVWWorld(t *testing.T, d *apptest.Desk) *vwWorld {
	t.Helper()
	w := &vwWorld{d: d}
	w.g1 = d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "配送チーム"}}).Int("group.id")
	w.g2 = d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "経理チーム"}}).Int("group.id")
	d.Must(201, d.Admin, "POST", "/api/v2/group_memberships.json", map[string]any{"group_membership": map[string]any{"user_id": d.Agent.ID, "group_id": w.g1}})
	w.org = d.Must(201, d.Admin, "POST", "/api/v2/organizations.json", map[string]any{"organization": map[string]any{"name": "㈱髙島屋"}}).Int("organization.id")
	w.field = d.Must(201, d.Admin, "POST", "/api/v2/ticket_fields.json", map[string]any{"ticket_field": map[string]any{"type": "text", "title": "注文番号"}}).Int("ticket_field.id")
	w.check = d.Must(201, d.Admin, "POST", "/api/v2/ticket_fields.json", map[string]any{"ticket_field": map[string]any{"type": "checkbox", "title": "至急"}}).Int("ticket_field.id")
	w.customer2 = d.Must(201, d.Admin, "POST", "/api/v2/users.json", map[string]any{"user": map[string]any{"name": "髙橋 一郎", "email": "takahashi@example.co.jp"}}).Int("user.id")

	// Ticket a was opened 50 hours ago.
	svc := d.App.Tickets
	realNow := svc.Now
	svc.Now = func() time.Time { return realNow().Add(-50 * time.Hour) }
	w.a = vwTicket(t, d, d.Agent, map[string]any{"status": "open", "priority": "high", "type": "incident", "group_id": w.g1,
		"assignee_id": d.Agent.ID, "requester_id": d.Customer.ID, "organization_id": w.org, "tags": []string{"配送", "urgent"},
		"custom_fields": []map[string]any{{"id": w.field, "value": "①番"}, {"id": w.check, "value": true}}})
	svc.Now = realNow
	w.b = vwTicket(t, d, d.Agent, map[string]any{"subject": "返金してください ｶﾀｶﾅ", "status": "pending", "priority": "low", "type": "question",
		"group_id": w.g2, "requester_id": w.customer2, "tags": []string{"返金"}, "custom_fields": []map[string]any{{"id": w.field, "value": "ｶﾀｶﾅ"}}})
	w.c = vwTicket(t, d, d.Customer, map[string]any{"subject": "ログインできません"})
	w.solved = vwTicket(t, d, d.Agent, map[string]any{"status": "solved", "assignee_id": d.Admin.ID, "requester_id": d.Customer.ID})
	w.snoozed = vwTicket(t, d, d.Agent, map[string]any{"subject": "来週また連絡します", "status": "open", "requester_id": w.customer2})
	w.woken = vwTicket(t, d, d.Agent, map[string]any{"subject": "スヌーズ明け", "status": "open", "requester_id": w.customer2})
	w.risk = vwTicket(t, d, d.Agent, map[string]any{"subject": "至急の対応をお願いします", "status": "open", "assignee_id": d.Agent.ID, "requester_id": d.Customer.ID})
	now := time.Now().UTC()
	err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error {
		if err := tx.SaveSnooze(&store.Snooze{TicketID: w.snoozed, Until: now.Add(3 * time.Hour), Reason: "お客様の返事待ち", CreatedBy: d.Agent.ID, CreatedAt: now}); err != nil {
			return err
		}
		// A snooze whose time has passed but that no round has woken yet.
		if err := tx.SaveSnooze(&store.Snooze{TicketID: w.woken, Until: now.Add(-time.Minute), CreatedBy: d.Agent.ID, CreatedAt: now.Add(-time.Hour)}); err != nil {
			return err
		}
		// risk: first reply due in 30 minutes; a: a target due in 5 hours,
		// not at risk yet; b: a breached target that was fulfilled since.
		for _, st := range []store.SLATarget{
			{TicketID: w.risk, Metric: "first_reply_time", PolicyID: 1, StartedAt: now, DueAt: now.Add(30 * time.Minute), TargetMinutes: 60},
			{TicketID: w.a, Metric: "first_reply_time", PolicyID: 1, StartedAt: now, DueAt: now.Add(5 * time.Hour), TargetMinutes: 600},
			{TicketID: w.b, Metric: "first_reply_time", PolicyID: 1, StartedAt: now, DueAt: now.Add(-time.Hour), BreachedAt: now.Add(-time.Hour), FulfilledAt: now, TargetMinutes: 60},
		} {
			if err := tx.SaveSLATarget(&st); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return w
}

func vwService(d *apptest.Desk) *views.Service { return app.Lookup[*views.Service](d.App) }

// rowIDs returns the ticket ids of an execute answer's rows, in order.
func rowIDs(r *apptest.Response) []int64 {
	var out []int64
	for i := 0; i < r.Len("rows"); i++ {
		out = append(out, r.Int(fmt.Sprintf("rows.%d.ticket.id", i)))
	}
	return out
}

func sortedIDs(ids []int64) []int64 {
	out := slices.Clone(ids)
	slices.Sort(out)
	return out
}

func sameIDs(t *testing.T, what string, got, want []int64) {
	t.Helper()
	if !slices.Equal(sortedIDs(got), sortedIDs(want)) {
		t.Errorf("%s: got tickets %v, want %v", what, sortedIDs(got), sortedIDs(want))
	}
}

// defaultViews maps the shipped views' raw titles to their ids.
func defaultViews(t *testing.T, d *apptest.Desk) map[string]int64 {
	t.Helper()
	r := d.Must(200, d.Admin, "GET", "/api/v2/views.json", nil)
	out := map[string]int64{}
	for i := 0; i < r.Len("views"); i++ {
		if r.Get(fmt.Sprintf("views.%d.default", i)) == true {
			out[r.Str(fmt.Sprintf("views.%d.raw_title", i))] = r.Int(fmt.Sprintf("views.%d.id", i))
		}
	}
	return out
}

// vwDetail joins every problem reported for field in a 422 body.
func vwDetail(r *apptest.Response, field string) string {
	details, _ := r.Get("details").(map[string]any)
	list, _ := details[field].([]any)
	var out []string
	for _, x := range list {
		m, _ := x.(map[string]any)
		s, _ := m["description"].(string)
		out = append(out, s)
	}
	return strings.Join(out, " | ")
}
