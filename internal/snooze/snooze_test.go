package snooze_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/schedule"
	"github.com/kizuna-desk/kizuna/internal/snooze"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// desk is a running desk whose snooze service reads a fixed clock t0,
// taken just after the test's tickets exist so wake-ups are in their future.
type desk struct {
	*apptest.Desk
	sn *snooze.Service
	t0 time.Time
}

func start(t *testing.T, d *apptest.Desk) *desk {
	sd := &desk{Desk: d, sn: app.Lookup[*snooze.Service](d.App)}
	sd.t0 = time.Now().UTC().Add(time.Minute).Truncate(time.Second)
	sd.sn.Now = func() time.Time { return sd.t0 }
	return sd
}

func (d *desk) ticket(t *testing.T, subject string) int64 {
	t.Helper()
	return d.Must(201, d.Agent, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{"subject": subject,
		"comment": map[string]any{"body": subject + "。"}, "requester_id": d.Customer.ID, "assignee_id": d.Agent.ID}}).Int("ticket.id")
}

func (d *desk) snooze(t *testing.T, want int, id int64, body map[string]any) *apptest.Response {
	t.Helper()
	return d.Must(want, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d/snooze", id), map[string]any{"snooze": body})
}

func (d *desk) audits(t *testing.T, id int64, typ string) []map[string]any {
	t.Helper()
	r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits", id), nil)
	var out []map[string]any
	for i := range r.Len("audits") {
		evs, _ := r.Get(fmt.Sprintf("audits.%d.events", i)).([]any)
		for _, e := range evs {
			if m, _ := e.(map[string]any); m["type"] == typ {
				out = append(out, m)
			}
		}
	}
	return out
}

func (d *desk) updatedAt(t *testing.T, id int64) time.Time {
	t.Helper()
	ts, err := time.Parse(time.RFC3339, d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d", id), nil).Str("ticket.updated_at"))
	if err != nil {
		t.Fatal(err)
	}
	return ts
}

func TestSnoozeAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, ad *apptest.Desk) {
		d := start(t, ad)
		id := d.ticket(t, "配送状況を教えてください")
		path := fmt.Sprintf("/api/v2/tickets/%d/snooze", id)
		until := d.t0.Add(3 * time.Hour).In(time.FixedZone("JST", 9*3600)).Format(time.RFC3339)
		cases := []struct {
			name   string
			user   *apptest.User
			method string
			body   any
			status int
		}{
			{"awake: null", d.Agent, "GET", nil, 200},
			{"customers cannot see it", d.Customer, "GET", nil, 404},
			{"light agents cannot snooze", d.Light, "PUT", map[string]any{"snooze": map[string]any{"until": until}}, 403},
			{"not a time", d.Agent, "PUT", map[string]any{"snooze": map[string]any{"until": "明日の朝"}}, 400},
			{"wrong type", d.Agent, "PUT", map[string]any{"snooze": map[string]any{"until": 12}}, 400},
			{"no envelope", d.Agent, "PUT", map[string]any{"until": until}, 400},
			{"in the past", d.Agent, "PUT", map[string]any{"snooze": map[string]any{"until": d.t0.Add(-time.Hour).Format(time.RFC3339)}}, 422},
			{"too far", d.Agent, "PUT", map[string]any{"snooze": map[string]any{"until": d.t0.AddDate(2, 0, 0).Format(time.RFC3339)}}, 422},
			{"notify a customer", d.Agent, "PUT", map[string]any{"snooze": map[string]any{"until": until, "notify_user_id": d.Customer.ID}}, 422},
			{"unknown ticket", d.Agent, "PUT", map[string]any{"snooze": map[string]any{"until": until}}, 404},
			{"not snoozed: delete is 404", d.Agent, "DELETE", nil, 404},
		}
		for _, c := range cases {
			p := path
			if c.name == "unknown ticket" {
				p = "/api/v2/tickets/999999/snooze"
			}
			if r := d.Do(c.user, c.method, p, c.body); r.Status != c.status {
				t.Errorf("%s: status %d, want %d: %s", c.name, r.Status, c.status, r.Raw)
			} else if c.name == "awake: null" && (r.JSON == nil || r.Get("snooze") != nil) {
				t.Errorf("awake ticket: %s", r.Raw)
			}
		}

		r := d.snooze(t, 200, id, map[string]any{"until": until, "reason": "お客様の返答待ち", "notify_user_id": d.Admin.ID})
		if r.Str("snooze.until") != d.t0.Add(3*time.Hour).Format(time.RFC3339) || r.Str("snooze.reason") != "お客様の返答待ち" ||
			r.Int("snooze.notify_user_id") != d.Admin.ID || r.Int("snooze.created_by_id") != d.Agent.ID {
			t.Errorf("snooze answer %s", r.Raw)
		}
		if got := d.Must(200, d.Agent, "GET", path, nil).Str("snooze.reason"); got != "お客様の返答待ち" {
			t.Errorf("GET reason %q", got)
		}
		evs := d.audits(t, id, "Snooze")
		if len(evs) != 1 || !strings.Contains(evs[0]["reason"].(string), "お客様の返答待ち") || evs[0]["value"] != r.Str("snooze.until") {
			t.Errorf("snooze audit %v", evs)
		}
		d.Must(204, d.Agent, "DELETE", path, nil)
		if d.Must(200, d.Agent, "GET", path, nil).Get("snooze") != nil {
			t.Error("still snoozed after DELETE")
		}
		wake := d.audits(t, id, "Unsnooze")
		if len(wake) != 1 || !strings.Contains(wake[0]["reason"].(string), "unsnoozed by "+d.Agent.Name) {
			t.Errorf("unsnooze audit %v", wake)
		}
	})
}

func TestWakeByTime(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, ad *apptest.Desk) {
		d := start(t, ad)
		ctx := context.Background()
		noted := d.ticket(t, "請求書の再発行")
		mailed := d.ticket(t, "返品の受付")
		later := d.ticket(t, "来月のご案内")
		until := d.t0.Add(2 * time.Hour)
		d.snooze(t, 200, noted, map[string]any{"until": until.Format(time.RFC3339), "reason": "経理の確認待ち"})
		d.snooze(t, 200, later, map[string]any{"until": until.Add(24 * time.Hour).Format(time.RFC3339)})
		before := d.updatedAt(t, noted)

		// Not yet due: nothing wakes.
		if n, err := d.sn.WakeDue(ctx, until.Add(-time.Second)); err != nil || n != 0 {
			t.Fatalf("before the time: woke %d, %v", n, err)
		}
		// With no inbox address the notice is an internal note.
		if n, err := d.sn.WakeDue(ctx, until.Add(time.Second)); err != nil || n != 1 {
			t.Fatalf("at the time: woke %d, %v", n, err)
		}
		if n, _ := d.sn.WakeDue(ctx, until.Add(2*time.Second)); n != 0 {
			t.Fatalf("a repeated round woke %d again", n)
		}
		if d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/snooze", noted), nil).Get("snooze") != nil {
			t.Error("still snoozed")
		}
		if d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/snooze", later), nil).Get("snooze") == nil {
			t.Error("the later snooze woke early")
		}
		if after := d.updatedAt(t, noted); !after.After(before) {
			t.Errorf("updated_at %v not bumped past %v: the ticket must come back to the top", after, before)
		}
		wake := d.audits(t, noted, "Unsnooze")
		if len(wake) != 1 || !strings.Contains(wake[0]["reason"].(string), "経理の確認待ち") {
			t.Errorf("wake audit %v", wake)
		}
		c := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments", noted), nil)
		last := c.Len("comments") - 1
		if c.Get(fmt.Sprintf("comments.%d.public", last)) != false || !strings.Contains(c.Str(fmt.Sprintf("comments.%d.body", last)), "スヌーズが終了しました") {
			t.Errorf("no internal note for the wake-up: %s", c.Raw)
		}

		// With an inbox address the notice is a mail to the person to notify,
		// and the round runs once across two nodes (leases).
		d.Must(201, d.Admin, "POST", "/api/v2/inboxes", map[string]any{"inbox": map[string]any{"name": "サポート窓口", "addresses": []string{"support@example.jp"}}})
		d.snooze(t, 200, mailed, map[string]any{"until": until.Format(time.RFC3339), "reason": "倉庫の返答待ち", "notify_user_id": d.Admin.ID})
		job := schedule.Job{Name: "snooze", Interval: time.Minute, Run: func(ctx context.Context, now time.Time) error { _, err := d.sn.WakeDue(ctx, now); return err }}
		at := func() time.Time { return until.Add(time.Minute) }
		ran := 0
		for _, holder := range []string{"node-a", "node-b"} {
			ok, err := (&schedule.Runner{Store: d.App.Store, Now: at, Holder: holder}).RunOnce(ctx, job)
			if err != nil {
				t.Fatal(err)
			}
			if ok {
				ran++
			}
		}
		if ran != 1 {
			t.Errorf("round ran on %d nodes, want 1", ran)
		}
		var notices []*model.MailMessage
		if err := d.App.Store.Read(ctx, func(tx *store.Tx) error {
			// A notice to an agent is not part of the ticket's mail thread.
			all, err := tx.MailMessagesInState(model.MailQueued, until.Add(time.Hour).UnixMilli(), 100)
			for _, m := range all {
				if m.Direction == model.MailOut && strings.Contains(m.Subject, "スヌーズ終了") && strings.Contains(m.Subject, "返品の受付") {
					notices = append(notices, m)
				}
			}
			return err
		}); err != nil {
			t.Fatal(err)
		}
		if len(notices) != 1 || fmt.Sprint(notices[0].RcptTo) != "[admin@example.jp]" {
			t.Errorf("want one notice mail to the admin, got %d: %+v", len(notices), notices)
		}
	})
}

func TestWakeByCustomerReply(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, ad *apptest.Desk) {
		d := start(t, ad)
		id := d.ticket(t, "ｶﾀｶﾅの注文について")
		d.snooze(t, 200, id, map[string]any{"until": d.t0.Add(48 * time.Hour).Format(time.RFC3339), "reason": "お客様の返答待ち"})
		path := fmt.Sprintf("/api/v2/tickets/%d/snooze", id)

		// The agent's own note does not wake it.
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "メモ", "public": false}}})
		if d.Must(200, d.Agent, "GET", path, nil).Get("snooze") == nil {
			t.Fatal("an agent's note woke the ticket")
		}
		d.Must(200, d.Customer, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "お返事です。①②③"}}})
		if d.Must(200, d.Agent, "GET", path, nil).Get("snooze") != nil {
			t.Fatal("the customer's reply did not wake the ticket")
		}
		wake := d.audits(t, id, "Unsnooze")
		if len(wake) != 1 || !strings.Contains(wake[0]["reason"].(string), d.Customer.Name+" replied") {
			t.Errorf("wake audit %v", wake)
		}
		if n, _ := d.sn.WakeDue(context.Background(), d.t0.Add(72*time.Hour)); n != 0 {
			t.Errorf("the round woke %d tickets already awake", n)
		}
	})
}
