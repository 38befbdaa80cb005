package automations_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Seven days after the sign-up date a customer's user field holds, one
// outbound task ticket is opened for them in the chosen group: not
// before, and never twice (repeated rounds, a changed date, a second
// runner).
func TestSignupFollowupOnce(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		f := newFixture(t, d, time.Date(2026, 12, 1, 12, 0, 0, 0, jst))
		g := d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "カスタマーサクセス"}})
		group := g.Int("group.id")
		bad := d.Do(d.Admin, "POST", "/api/v2/followups.json", map[string]any{"followup": map[string]any{
			"title": "", "user_field": "signup_date", "days": -1, "subject": "{% if %}", "body": "本文"}})
		if bad.Status != 422 || bad.Len("details.title") == 0 || bad.Len("details.days") == 0 || bad.Len("details.subject") == 0 {
			t.Fatalf("invalid follow-up: %d %s", bad.Status, bad.Raw)
		}
		d.Must(403, d.Agent, "GET", "/api/v2/followups.json", nil)
		c := d.Must(201, d.Admin, "POST", "/api/v2/followups.json", map[string]any{"followup": map[string]any{
			"title": "ご登録7日後のフォロー", "user_field": "signup_date", "days": 7, "group_id": group, "priority": "normal",
			"tags":    []string{"onboarding", "新規"},
			"subject": "{{user.name}} 様 ご登録から{{followup.days}}日のフォロー",
			"body":    "{{user.name}} 様（登録日 {{user.date}}）にご利用状況を伺ってください。"}})
		fid := c.Int("followup.id")
		if c.Str("followup.user_field") != "signup_date" || c.Int("followup.group_id") != group || c.Len("followup.tags") != 2 {
			t.Fatalf("created: %s", c.Raw)
		}
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Customer.ID), map[string]any{"user": map[string]any{
			"user_fields": map[string]any{"signup_date": "2026-12-01"}}})
		staff := d.AddUser("tanaka@example.jp", "田中 一郎", "agent") // agents are never followed up
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", staff.ID), map[string]any{"user": map[string]any{
			"user_fields": map[string]any{"signup_date": "2026-12-01"}}})

		f.clk.set(time.Date(2026, 12, 7, 23, 59, 0, 0, jst))
		if st := f.round(); st.Followups != 0 {
			t.Fatalf("opened %d follow-ups before the 7th day", st.Followups)
		}
		f.clk.set(time.Date(2026, 12, 8, 0, 0, 0, 0, jst))
		second := *f.svc
		st1 := f.round()
		st2, err := second.Round(context.Background(), f.clk.now())
		if err != nil {
			t.Fatal(err)
		}
		if st1.Followups+st2.Followups != 1 {
			t.Fatalf("follow-ups opened: %d + %d, want 1", st1.Followups, st2.Followups)
		}
		var due *store.FollowupDue
		if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) (err error) { due, err = tx.FollowupsOf(fid, d.Customer.ID); return }); err != nil {
			t.Fatal(err)
		}
		tk := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", due.TicketID), nil)
		if tk.Str("ticket.type") != "task" || tk.Str("ticket.via.channel") != "rule" || tk.Int("ticket.requester_id") != d.Customer.ID ||
			tk.Int("ticket.group_id") != group || tk.Str("ticket.subject") != "佐藤 花子 様 ご登録から7日のフォロー" || tk.Str("ticket.priority") != "normal" {
			t.Fatalf("follow-up ticket: %s", tk.Raw)
		}
		cm := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", due.TicketID), nil)
		if cm.Get("comments.0.public") != false || cm.Str("comments.0.body") != "佐藤 花子 様（登録日 2026-12-01）にご利用状況を伺ってください。" {
			t.Fatalf("follow-up note: %s", cm.Raw)
		}
		// A later change of the date does not open a second ticket.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Customer.ID), map[string]any{"user": map[string]any{
			"user_fields": map[string]any{"signup_date": "2026/11/20"}}})
		f.clk.add(24 * time.Hour)
		if st := f.round(); st.Followups != 0 {
			t.Fatalf("a second follow-up was opened (%d)", st.Followups)
		}
		all := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/users/%d/tickets/requested.json", d.Customer.ID), nil)
		if all.Int("count") != 1 {
			t.Fatalf("customer has %d tickets, want 1: %s", all.Int("count"), all.Raw)
		}
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/followups/%d.json", fid), nil)
		d.Must(404, d.Admin, "GET", fmt.Sprintf("/api/v2/followups/%d.json", fid), nil)
	})
}

func TestDueDate(t *testing.T) {
	cases := []struct {
		v    any
		days int64
		tz   string
		want time.Time
		ok   bool
	}{
		{"2026-12-01", 7, "Asia/Tokyo", time.Date(2026, 12, 8, 0, 0, 0, 0, jst), true},
		{"2026/12/1", 0, "", time.Date(2026, 12, 1, 0, 0, 0, 0, jst), true},
		{"2026-12-01T10:00:00+09:00", 1, "UTC", time.Date(2026, 12, 2, 10, 0, 0, 0, jst), true},
		{"2026-12-01", 1, "America/New_York", time.Date(2026, 12, 2, 5, 0, 0, 0, time.UTC), true},
		{"来月", 7, "Asia/Tokyo", time.Time{}, false},
		{20261201.0, 7, "Asia/Tokyo", time.Time{}, false},
		{nil, 7, "Asia/Tokyo", time.Time{}, false},
	}
	for _, c := range cases {
		got, ok := automations.DueDate(c.v, c.days, c.tz)
		if ok != c.ok || !got.Equal(c.want) {
			t.Errorf("DueDate(%v, %d, %s) = %v %v, want %v %v", c.v, c.days, c.tz, got, ok, c.want, c.ok)
		}
	}
}
