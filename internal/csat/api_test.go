package csat_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/csat"
)

// TestSatisfactionAPI covers the settings, the requester's rating endpoint,
// reasons and the list filters, with the errors each gives. Tickets here
// have no inbox, so solving them sends no reply mail.
func TestSatisfactionAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		clk := &clock{}
		clk.Set(jst(16, 9, 0))
		useClock(t, d, clk)
		svc := app.Lookup[*csat.Service](d.App)
		round := func(at time.Time) int {
			n, err := svc.Round(context.Background(), at)
			if err != nil {
				t.Fatal(err)
			}
			return n
		}
		other := d.AddUser("ken@example.co.jp", "ｻﾄｳ ｹﾝ", "end-user")
		mk := func(subject string) int64 {
			return d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
				"subject": subject, "comment": map[string]any{"body": subject + "について"}, "requester_id": d.Customer.ID,
				"type": "question", "tags": []string{"請求"}}}).Int("ticket.id")
		}
		solve := func(id int64) {
			d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
				"status": "solved", "assignee_id": d.Agent.ID, "comment": map[string]any{"body": "ご確認ください。", "public": true}}})
		}
		rating := func(id int64) any {
			return d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil).Get("ticket.satisfaction_rating")
		}
		set := func(body map[string]any) map[string]any { return map[string]any{"satisfaction_setting": body} }

		// Settings: the account default, a brand switched off, validation.
		s := d.Must(200, d.Agent, "GET", "/api/v2/satisfaction_settings.json", nil)
		if s.Str("satisfaction_settings.0.scope") != "account" || s.Get("satisfaction_settings.0.enabled") != true ||
			s.Int("satisfaction_settings.0.delay_minutes") != 1440 {
			t.Fatalf("default settings: %s", s.Raw)
		}
		for _, c := range []struct {
			name   string
			who    *apptest.User
			body   any
			status int
		}{
			{"agents cannot change settings", d.Agent, set(map[string]any{"enabled": false}), 403},
			{"unknown scope", d.Admin, set(map[string]any{"scope": "planet", "scope_id": 1}), 422},
			{"unknown brand", d.Admin, set(map[string]any{"scope": "brand", "scope_id": 999}), 422},
			{"negative delay", d.Admin, set(map[string]any{"delay_minutes": -5}), 422},
			{"delay over 30 days", d.Admin, set(map[string]any{"delay_minutes": 30*24*60 + 1}), 422},
			{"delay as a string", d.Admin, set(map[string]any{"delay_minutes": "60"}), 400},
			{"no envelope", d.Admin, map[string]any{"enabled": true}, 422},
			{"not JSON", d.Admin, "{", 400},
			{"brand 1 off", d.Admin, set(map[string]any{"scope": "brand", "scope_id": 1, "enabled": false}), 200},
		} {
			if r := d.Do(c.who, "PUT", "/api/v2/satisfaction_settings.json", c.body); r.Status != c.status {
				t.Errorf("%s: status %d, want %d\n%s", c.name, r.Status, c.status, r.Raw)
			}
		}
		off := mk("請求書の再発行")
		solve(off)
		if r := rating(off); r != nil {
			t.Errorf("surveys are off for the brand, yet the ticket has %v", r)
		}
		d.Must(204, d.Admin, "DELETE", "/api/v2/satisfaction_settings/brand/1.json", nil)
		d.Must(404, d.Admin, "DELETE", "/api/v2/satisfaction_settings/brand/1.json", nil)
		d.Must(422, d.Admin, "DELETE", "/api/v2/satisfaction_settings/account/1.json", nil)
		r := d.Must(200, d.Admin, "PUT", "/api/v2/satisfaction_settings.json", set(map[string]any{"delay_minutes": 60}))
		if r.Get("satisfaction_setting.enabled") != true || r.Int("satisfaction_setting.delay_minutes") != 60 {
			t.Errorf("account delay: %s", r.Raw)
		}

		// A one-hour delay: nothing at 59 minutes, the offer at 60.
		id := mk("ログインできません")
		clk.Set(jst(16, 10, 0))
		solve(id)
		if r := rating(id).(map[string]any); r["score"] != "unoffered" {
			t.Errorf("after the solve: %v", r)
		}
		if n := round(jst(16, 10, 59)); n != 0 {
			t.Errorf("sent %d surveys before the delay", n)
		}
		if n := round(jst(16, 11, 0)); n != 1 {
			t.Errorf("sent %d surveys after the delay, want 1", n)
		}
		if r := rating(id).(map[string]any); r["score"] != "offered" {
			t.Errorf("after the round: %v", r)
		}

		// The requester rates through the API (Zendesk's endpoint).
		path := fmt.Sprintf("/api/v2/tickets/%d/satisfaction_rating.json", id)
		open := mk("未解決の問い合わせ")
		body := func(v map[string]any) map[string]any { return map[string]any{"satisfaction_rating": v} }
		for _, c := range []struct {
			name   string
			who    *apptest.User
			path   string
			body   any
			status int
		}{
			{"an agent cannot rate", d.Agent, path, body(map[string]any{"score": "good"}), 403},
			{"another customer cannot see it", other, path, body(map[string]any{"score": "good"}), 404},
			{"unknown ticket", d.Customer, "/api/v2/tickets/99999/satisfaction_rating.json", body(map[string]any{"score": "good"}), 404},
			{"score must be good or bad", d.Customer, path, body(map[string]any{"score": "great"}), 422},
			{"reason code unknown", d.Customer, path, body(map[string]any{"score": "bad", "reason_code": 999}), 422},
			{"comment too long", d.Customer, path, body(map[string]any{"score": "good", "comment": strings.Repeat("髙", 2001)}), 422},
			{"score as a number", d.Customer, path, body(map[string]any{"score": 1}), 400},
			{"invalid UTF-8", d.Customer, path, []byte("{\"satisfaction_rating\":{\"score\":\"good\",\"comment\":\"\xff\"}}"), 400},
			{"no envelope", d.Customer, path, map[string]any{"score": "good"}, 422},
			{"an unsolved ticket", d.Customer, fmt.Sprintf("/api/v2/tickets/%d/satisfaction_rating.json", open), body(map[string]any{"score": "good"}), 422},
		} {
			if r := d.Do(c.who, "POST", c.path, c.body); r.Status != c.status {
				t.Errorf("%s: status %d, want %d\n%s", c.name, r.Status, c.status, r.Raw)
			}
		}
		clk.Set(jst(16, 12, 0))
		r = d.Must(200, d.Customer, "POST", path, body(map[string]any{"score": "bad", "reason_code": 7, "comment": "説明が分かりにくかったです"}))
		if r.Str("satisfaction_rating.score") != "bad" || r.Int("satisfaction_rating.reason_code") != 7 ||
			r.Str("satisfaction_rating.reason") != "担当者の知識が不十分だった" || r.Int("satisfaction_rating.assignee_id") != d.Agent.ID ||
			r.Str("satisfaction_rating.ticket_type") != "question" || r.Str("satisfaction_rating.tags.0") != "請求" {
			t.Errorf("bad rating: %s", r.Raw)
		}
		// Changing one's mind updates the same rating.
		r2 := d.Must(200, d.Customer, "POST", path, body(map[string]any{"score": "good", "reason_code": 7, "comment": "やはり満足です"}))
		if r2.Int("satisfaction_rating.id") != r.Int("satisfaction_rating.id") || r2.Get("satisfaction_rating.reason_code") != nil {
			t.Errorf("changed rating: %s", r2.Raw)
		}

		// Reasons.
		rs := d.Must(200, d.Admin, "GET", "/api/v2/satisfaction_reasons.json", nil)
		if rs.Len("reasons") != 6 || rs.Int("reasons.1.reason_code") != 5 || rs.Str("reasons.1.raw_value") != "The issue took too long to resolve" {
			t.Errorf("reasons: %s", rs.Raw)
		}
		d.Must(200, d.Admin, "GET", "/api/v2/satisfaction_reasons/1005.json", nil)
		d.Must(404, d.Admin, "GET", "/api/v2/satisfaction_reasons/1.json", nil)
		d.Must(403, d.Customer, "GET", "/api/v2/satisfaction_reasons.json", nil)

		// Lists and filters.
		since := fmt.Sprint(jst(16, 11, 30).Unix())
		for _, c := range []struct {
			query  string
			status int
			count  int64
		}{
			{"", 200, 1},
			{"?score=good", 200, 1},
			{"?score=good_without_comment", 200, 0},
			{"?score=received_with_comment", 200, 1},
			{"?score=bad", 200, 0},
			{"?score=unoffered", 200, 0},
			{"?start_time=" + since, 200, 1},
			{"?end_time=" + since, 200, 0},
			{"?score=excellent", 400, 0},
			{"?start_time=yesterday", 400, 0},
		} {
			r := d.Do(d.Admin, "GET", "/api/v2/satisfaction_ratings.json"+c.query, nil)
			if r.Status != c.status || (c.status == 200 && (r.Int("count") != c.count || int64(r.Len("satisfaction_ratings")) != c.count)) {
				t.Errorf("list%s: %d %s", c.query, r.Status, r.Raw)
			}
		}
		if c := d.Must(200, d.Admin, "GET", "/api/v2/satisfaction_ratings/count.json?score=received", nil); c.Int("count.value") != 1 {
			t.Errorf("count: %s", c.Raw)
		}
		d.Must(403, d.Agent, "GET", "/api/v2/satisfaction_ratings.json", nil)
		d.Must(404, d.Admin, "GET", "/api/v2/satisfaction_ratings/99999.json", nil)

		// An unknown survey token is a plain 404 page, in both languages.
		code, html, _ := page(t, "GET", d.URL+"/csat/"+strings.Repeat("A", 43)+"?lang=en", nil)
		if code != 404 || !strings.Contains(html, "Survey not found") {
			t.Errorf("unknown token: %d %s", code, html)
		}
		code, html, _ = page(t, "GET", d.URL+"/csat/short", nil)
		if code != 404 || !strings.Contains(html, "アンケートが見つかりません") {
			t.Errorf("short token: %d %s", code, html)
		}
	})
}
