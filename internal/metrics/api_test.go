package metrics_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// useClock makes the desk's ticket writes and API read the test's clock.
// The no-op write afterwards orders these assignments before any request
// the server handles (every write passes through the same writer).
func useClock(t *testing.T, d *apptest.Desk, c *clock) {
	d.App.Tickets.Now = c.Now
	d.App.API.Now = c.Now
	if err := d.App.Store.Write(context.Background(), func(*store.Tx) error { return nil }); err != nil {
		t.Fatal(err)
	}
}

// TestTicketMetricsAPI drives the scripted history of TestScriptedHistory
// through the HTTP API against a business-hours schedule made through the
// API, and checks Zendesk's JSON shape and figures, paging and access.
func TestTicketMetricsAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		clk := &clock{}
		clk.Set(jst(13, 9, 0))
		useClock(t, d, clk)
		var week []map[string]int
		for day := 1; day <= 5; day++ {
			week = append(week, map[string]int{"start_time": day*1440 + 9*60, "end_time": day*1440 + 18*60})
		}
		d.Must(201, d.Admin, "POST", "/api/v2/business_hours/schedules.json", map[string]any{"schedule": map[string]any{
			"name": "本社 営業時間", "time_zone": "Tokyo", "intervals": week, "national_holidays": "JP"}})
		groupID := d.Must(200, d.Admin, "GET", "/api/v2/groups.json", nil).Int("groups.0.id")

		clk.Set(jst(13, 17, 0))
		r := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "配送状況を教えてください", "comment": map[string]any{"body": "注文番号 ㈱-①-100 はいつ届きますか？"}}})
		id := r.Int("ticket.id")
		path := fmt.Sprintf("/api/v2/tickets/%d.json", id)
		steps := []struct {
			at   time.Time
			who  *apptest.User
			body map[string]any
		}{
			{jst(13, 18, 30), d.Agent, map[string]any{"status": "pending", "assignee_id": d.Agent.ID, "group_id": groupID,
				"comment": map[string]any{"body": "佐藤様、確認してご連絡します。", "public": true}}},
			{jst(16, 10, 0), d.Customer, map[string]any{"comment": map[string]any{"body": "週末も届きませんでした。"}}},
			{jst(16, 11, 0), d.Agent, map[string]any{"status": "hold", "comment": map[string]any{"body": "倉庫に確認中", "public": false}}},
			{jst(16, 15, 0), d.Agent, map[string]any{"status": "solved", "comment": map[string]any{"body": "本日発送いたしました。", "public": true}}},
			{jst(17, 9, 30), d.Customer, map[string]any{"comment": map[string]any{"body": "届いた商品が違いました。"}}},
			{jst(17, 10, 15), d.Agent, map[string]any{"status": "solved", "comment": map[string]any{"body": "正しい商品をお送りしました。", "public": true}}},
		}
		for _, s := range steps {
			clk.Set(s.at)
			d.Must(200, s.who, "PUT", path, map[string]any{"ticket": s.body})
		}

		for _, p := range []string{fmt.Sprintf("/api/v2/tickets/%d/metrics.json", id), fmt.Sprintf("/api/v2/ticket_metrics/%d.json", id)} {
			m := d.Must(200, d.Agent, "GET", p, nil)
			want := map[string]int64{
				"ticket_metric.reply_time_in_minutes.calendar": 90, "ticket_metric.reply_time_in_minutes.business": 60,
				"ticket_metric.reply_time_in_seconds.calendar":            5400,
				"ticket_metric.first_resolution_time_in_minutes.calendar": 4200, "ticket_metric.first_resolution_time_in_minutes.business": 420,
				"ticket_metric.full_resolution_time_in_minutes.calendar": 5355, "ticket_metric.full_resolution_time_in_minutes.business": 675,
				"ticket_metric.agent_wait_time_in_minutes.calendar": 3810, "ticket_metric.agent_wait_time_in_minutes.business": 60,
				"ticket_metric.requester_wait_time_in_minutes.calendar": 435, "ticket_metric.requester_wait_time_in_minutes.business": 405,
				"ticket_metric.on_hold_time_in_minutes.calendar": 240, "ticket_metric.on_hold_time_in_minutes.business": 240,
				"ticket_metric.replies": 3, "ticket_metric.reopens": 1, "ticket_metric.assignee_stations": 1, "ticket_metric.group_stations": 1,
				"ticket_metric.ticket_id": id, "ticket_metric.id": id,
			}
			for k, v := range want {
				if got, ok := m.Get(k).(float64); !ok || int64(got) != v {
					t.Errorf("%s: %s = %v, want %d", p, k, m.Get(k), v)
				}
			}
			times := map[string]time.Time{"created_at": jst(13, 17, 0), "updated_at": jst(17, 10, 15), "initially_assigned_at": jst(13, 18, 30),
				"assigned_at": jst(13, 18, 30), "solved_at": jst(17, 10, 15), "status_updated_at": jst(17, 10, 15),
				"latest_comment_added_at": jst(17, 10, 15), "requester_updated_at": jst(17, 9, 30), "assignee_updated_at": jst(17, 10, 15)}
			for k, v := range times {
				if got := m.Str("ticket_metric." + k); got != v.UTC().Format(time.RFC3339) {
					t.Errorf("%s: %s = %q, want %s", p, k, got, v.UTC().Format(time.RFC3339))
				}
			}
			if m.Str("ticket_metric.url") != fmt.Sprintf("%s/api/v2/ticket_metrics/%d.json", d.URL, id) {
				t.Errorf("url = %q", m.Str("ticket_metric.url"))
			}
		}

		// A ticket nobody answered yet: reply and resolution are null.
		clk.Set(jst(17, 11, 0))
		open := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "ﾛｸﾞｲﾝできません", "comment": map[string]any{"body": "パスワードを忘れました"}}}).Int("ticket.id")
		m := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/metrics.json", open), nil)
		for _, k := range []string{"reply_time_in_minutes.calendar", "reply_time_in_seconds.calendar", "first_resolution_time_in_minutes.business", "solved_at", "assigned_at"} {
			if v := m.Get("ticket_metric." + k); v != nil {
				t.Errorf("unanswered ticket: %s = %v, want null", k, v)
			}
		}
		if m.Int("ticket_metric.requester_wait_time_in_minutes.calendar") != 0 || m.Get("ticket_metric.agent_wait_time_in_minutes.business") == nil {
			t.Errorf("wait times of a new ticket: %s", m.Raw)
		}

		// Lists, both paging styles; access is for staff.
		l := d.Must(200, d.Agent, "GET", "/api/v2/ticket_metrics.json?per_page=1", nil)
		if l.Len("ticket_metrics") != 1 || l.Int("count") != 2 || l.Str("next_page") == "" || l.Int("ticket_metrics.0.ticket_id") != id {
			t.Errorf("offset page: %s", l.Raw)
		}
		c := d.Must(200, d.Agent, "GET", "/api/v2/ticket_metrics.json?page[size]=1", nil)
		if c.Get("meta.has_more") != true || c.Int("ticket_metrics.0.ticket_id") != id {
			t.Errorf("cursor page 1: %s", c.Raw)
		}
		c2 := d.Must(200, d.Agent, "GET", c.Str("links.next"), nil)
		if c2.Get("meta.has_more") != false || c2.Int("ticket_metrics.0.ticket_id") != open {
			t.Errorf("cursor page 2: %s", c2.Raw)
		}
		d.Must(403, d.Customer, "GET", "/api/v2/ticket_metrics.json", nil)
		d.Must(403, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/metrics.json", id), nil)
		d.Must(404, d.Agent, "GET", "/api/v2/ticket_metrics/999999.json", nil)
		d.Must(404, d.Agent, "GET", "/api/v2/ticket_metrics/abc.json", nil)
		d.Must(400, d.Agent, "GET", "/api/v2/ticket_metrics.json?page[size]=1&page[after]=x!y", nil)
	})
}
