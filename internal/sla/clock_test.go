package sla_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
)

var tokyo, _ = time.LoadLocation("Asia/Tokyo")

func jst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, tokyo)
	if err != nil {
		panic(err)
	}
	return t
}

// clock is a fixed clock the test moves; atomic because the server reads
// it on its own goroutines.
type clock struct{ ms atomic.Int64 }

func (c *clock) Now() time.Time      { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) Set(t time.Time)     { c.ms.Store(t.UnixMilli()) }
func (c *clock) Add(d time.Duration) { c.ms.Add(d.Milliseconds()) }

// desk starts a desk on a fixed clock with the Tokyo schedule (9:00–18:00
// Mon–Fri, national holidays, 年末年始 12/29–1/3 every year) and policies.
func desk(t *testing.T, d *apptest.Desk, start time.Time, metrics []map[string]any) *clock {
	c := &clock{}
	c.Set(start)
	d.App.Tickets.Now = c.Now
	d.App.API.Now = c.Now
	sc := d.Must(201, d.Admin, "POST", "/api/v2/business_hours/schedules.json", map[string]any{"schedule": map[string]any{
		"name": "東京サポート窓口", "time_zone": "Tokyo", "national_holidays": "JP"}})
	id := sc.Int("schedule.id")
	d.Must(201, d.Admin, "POST", fmt.Sprintf("/api/v2/business_hours/schedules/%d/holidays.json", id), map[string]any{"holiday": map[string]any{
		"name": "年末年始", "start_date": "2026-12-29", "end_date": "2027-01-03", "recurring": true}})
	d.Must(201, d.Admin, "POST", "/api/v2/slas/policies.json", map[string]any{"sla_policy": map[string]any{
		"title": "標準SLA", "filter": map[string]any{"all": []any{}, "any": []any{}}, "policy_metrics": metrics}})
	return c
}

func customerTicket(t *testing.T, d *apptest.Desk, priority string) int64 {
	r := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
		"subject": "配送状況を教えてください", "priority": priority,
		"comment": map[string]any{"body": "注文番号①の配送状況を教えてください。㈱髙島屋 ｶﾀｶﾅ"}}})
	return r.Int("ticket.id")
}

func targets(t *testing.T, d *apptest.Desk, id int64) map[string]*store.SLATarget {
	out := map[string]*store.SLATarget{}
	err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		ts, err := tx.SLATargets(id)
		for _, x := range ts {
			out[x.Metric] = x
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

func TestFirstReplyAcrossWeekendHolidayAndNewYear(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		c := desk(t, d, jst("2026-12-25 17:30"), []map[string]any{
			{"priority": "high", "metric": "first_reply_time", "target": 480, "business_hours": true},
			{"priority": "urgent", "metric": "first_reply_time", "target": 960, "business_hours": true},
			{"priority": "low", "metric": "first_reply_time", "target": 480, "business_hours": false},
		})
		cases := []struct {
			name, created, priority, due string
		}{
			// Fri 17:30–18:00, weekend, Mon 12/28 9:00–16:30.
			{"週末をまたぐ", "2026-12-25 17:30", "high", "2026-12-28 16:30"},
			// … and on through 年末年始 12/29–1/3 to Mon 1/4.
			{"週末と年末年始をまたぐ", "2026-12-25 17:30", "urgent", "2027-01-04 15:30"},
			// Fri 1/8 15:00–18:00, weekend, 成人の日 Mon 1/11, Tue 1/12 9:00–14:00.
			{"成人の日をまたぐ", "2027-01-08 15:00", "high", "2027-01-12 14:00"},
			// Calendar hours ignore all of that.
			{"暦時間", "2026-12-25 17:30", "low", "2026-12-26 01:30"},
		}
		for _, cs := range cases {
			c.Set(jst(cs.created))
			id := customerTicket(t, d, cs.priority)
			r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json?include=slas", id), nil)
			want := jst(cs.due).UTC().Format(time.RFC3339)
			if got := r.Str("ticket.slas.policy_metrics.0.breach_at"); got != want {
				t.Errorf("%s: breach_at %s, want %s (%s JST)", cs.name, got, want, cs.due)
			}
			if r.Str("ticket.slas.policy_metrics.0.stage") != "active" || r.Str("ticket.slas.policy_metrics.0.metric") != "first_reply_time" {
				t.Errorf("%s: %s", cs.name, r.Raw)
			}
			if r.Str("ticket.subject") != "配送状況を教えてください" {
				t.Errorf("%s: ticket lost its fields: %s", cs.name, r.Raw)
			}
		}
		// Customers never see SLA data.
		c.Set(jst("2027-01-08 15:00"))
		id := customerTicket(t, d, "high")
		if r := d.Must(200, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d.json?include=slas", id), nil); r.Get("ticket.slas") != nil {
			t.Errorf("customer sees slas: %s", r.Raw)
		}
		d.Must(403, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/slas.json", id), nil)
		// The first public agent reply achieves the target.
		c.Set(jst("2027-01-12 10:00"))
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "佐藤様、お問い合わせありがとうございます。", "public": true}}})
		r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/slas.json", id), nil)
		if r.Str("slas.0.stage") != "achieved" || r.Get("slas.0.breached") != false || r.Str("slas.0.fulfilled_at") != "2027-01-12T01:00:00Z" {
			t.Errorf("after reply: %s", r.Raw)
		}
		// used 3h on Friday + 1h on Tuesday: 4h of the 8h left.
		if r.Int("slas.0.time_left_seconds") != 4*3600 {
			t.Errorf("time left: %s", r.Raw)
		}
	})
}

func TestPauseNextReplyReopen(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		t0 := jst("2027-02-01 10:00") // a Monday
		c := desk(t, d, t0, []map[string]any{
			{"priority": "normal", "metric": "first_reply_time", "target": 120, "business_hours": false},
			{"priority": "normal", "metric": "next_reply_time", "target": 60, "business_hours": false},
			{"priority": "normal", "metric": "requester_wait_time", "target": 240, "business_hours": false},
			{"priority": "normal", "metric": "agent_work_time", "target": 300, "business_hours": true},
		})
		id := customerTicket(t, d, "normal")
		path := fmt.Sprintf("/api/v2/tickets/%d.json", id)
		ts := targets(t, d, id)
		if len(ts) != 3 || ts["next_reply_time"] != nil {
			t.Fatalf("on create want first reply, requester wait, agent work; got %v", ts)
		}
		if !ts["requester_wait_time"].DueAt.Equal(t0.Add(4 * time.Hour)) {
			t.Errorf("requester wait due %v", ts["requester_wait_time"].DueAt)
		}

		// +1h: the agent answers and sets pending: first reply achieved,
		// requester wait and agent work pause.
		c.Add(time.Hour)
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"status": "pending", "assignee_id": d.Agent.ID,
			"comment": map[string]any{"body": "確認いたします。少々お待ちください。", "public": true}}})
		ts = targets(t, d, id)
		if !ts["first_reply_time"].FulfilledAt.Equal(c.Now()) {
			t.Errorf("first reply not achieved: %+v", ts["first_reply_time"])
		}
		for _, m := range []string{"requester_wait_time", "agent_work_time"} {
			if x := ts[m]; !x.DueAt.IsZero() || x.UsedMS != time.Hour.Milliseconds() || !x.FulfilledAt.IsZero() {
				t.Errorf("%s not paused after 1h: %+v", m, x)
			}
		}
		r := d.Must(200, d.Agent, "GET", path+"?include=slas", nil)
		if r.Str("ticket.slas.policy_metrics.2.stage") != "paused" || r.Get("ticket.slas.policy_metrics.2.breach_at") != nil {
			t.Errorf("paused stage: %s", r.Raw)
		}

		// +4h pending, then the customer writes: the ticket reopens, next
		// reply starts, requester wait resumes with 3h left.
		c.Add(4 * time.Hour)
		d.Must(200, d.Customer, "PUT", path, map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "まだ届いていません。"}}})
		ts = targets(t, d, id)
		if x := ts["next_reply_time"]; x == nil || !x.DueAt.Equal(c.Now().Add(time.Hour)) {
			t.Fatalf("next reply: %+v", x)
		}
		if x := ts["requester_wait_time"]; !x.DueAt.Equal(c.Now().Add(3 * time.Hour)) {
			t.Errorf("requester wait resumed due %v", x.DueAt)
		}
		// Agent work runs in business hours: 15:00 Mon, 4h left → 19:00 is
		// after closing, so Tue 10:00.
		if x := ts["agent_work_time"]; !x.DueAt.Equal(jst("2027-02-02 10:00")) {
			t.Errorf("agent work resumed due %v", x.DueAt.In(tokyo))
		}

		// On hold: requester wait keeps running, agent work pauses.
		c.Add(30 * time.Minute)
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"status": "hold",
			"comment": map[string]any{"body": "倉庫に確認中です。", "public": true}}})
		ts = targets(t, d, id)
		if x := ts["next_reply_time"]; !x.FulfilledAt.Equal(c.Now()) {
			t.Errorf("next reply not achieved: %+v", x)
		}
		if x := ts["requester_wait_time"]; x.DueAt.IsZero() || !x.RunningSince.Before(c.Now()) {
			t.Errorf("requester wait paused on hold: %+v", x)
		}
		if x := ts["agent_work_time"]; !x.DueAt.IsZero() || x.UsedMS != (90*time.Minute).Milliseconds() {
			t.Errorf("agent work on hold: %+v", x)
		}

		// Solved: everything stops.
		c.Add(30 * time.Minute)
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"status": "solved"}})
		for m, x := range targets(t, d, id) {
			if x.FulfilledAt.IsZero() || !x.DueAt.IsZero() {
				t.Errorf("%s still active after solve: %+v", m, x)
			}
		}
		rw := targets(t, d, id)["requester_wait_time"].UsedMS
		if rw != (2 * time.Hour).Milliseconds() { // 1h before pending + 1h after
			t.Errorf("requester wait used %v", time.Duration(rw)*time.Millisecond)
		}

		// The customer reopens it: next reply restarts, requester wait
		// carries on from 2h used.
		c.Add(24 * time.Hour)
		d.Must(200, d.Customer, "PUT", path, map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "やはり届いていません。"}}})
		ts = targets(t, d, id)
		if x := ts["next_reply_time"]; !x.FulfilledAt.IsZero() || !x.StartedAt.Equal(c.Now()) || !x.DueAt.Equal(c.Now().Add(time.Hour)) {
			t.Errorf("next reply after reopen: %+v", x)
		}
		if x := ts["requester_wait_time"]; !x.FulfilledAt.IsZero() || !x.DueAt.Equal(c.Now().Add(2*time.Hour)) {
			t.Errorf("requester wait after reopen: %+v", x)
		}
		if x := ts["first_reply_time"]; x.FulfilledAt.IsZero() {
			t.Errorf("first reply restarted: %+v", x)
		}
	})
}

func TestBreachMarkedOnceAndWarning(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		t0 := jst("2027-03-01 10:00")
		c := desk(t, d, t0, []map[string]any{
			{"priority": "urgent", "metric": "first_reply_time", "target": 60, "business_hours": false},
			{"priority": "urgent", "metric": "agent_work_time", "target": 600, "business_hours": false},
		})
		svc := app.Lookup[*sla.Service](d.App)
		if svc == nil {
			t.Fatal("sla service not provided")
		}
		id := customerTicket(t, d, "urgent")
		ctx := context.Background()

		facts := func(now time.Time) map[string]any {
			var f map[string]any
			if err := d.App.Store.Read(ctx, func(tx *store.Tx) (err error) { f, err = sla.Facts(tx, id, now); return err }); err != nil {
				t.Fatal(err)
			}
			return f
		}
		if h := facts(t0.Add(30 * time.Minute))["sla_next_breach_hours"]; h != 0.5 {
			t.Errorf("sla_next_breach_hours = %v, want 0.5", h)
		}

		// 30 minutes before the breach: warned, not breached.
		if err := svc.Round(ctx, t0.Add(30*time.Minute)); err != nil {
			t.Fatal(err)
		}
		x := targets(t, d, id)["first_reply_time"]
		if !x.WarnedAt.Equal(t0.Add(30*time.Minute)) || !x.BreachedAt.IsZero() {
			t.Errorf("after warning round: %+v", x)
		}
		if !targets(t, d, id)["agent_work_time"].WarnedAt.IsZero() {
			t.Error("agent work warned 9h early")
		}
		// Two rounds after the due time, as two nodes or a retried round
		// would: one breach, one audit event.
		for _, at := range []time.Time{t0.Add(61 * time.Minute), t0.Add(62 * time.Minute)} {
			if err := svc.Round(ctx, at); err != nil {
				t.Fatal(err)
			}
		}
		x = targets(t, d, id)["first_reply_time"]
		if !x.BreachedAt.Equal(t0.Add(time.Hour)) || !x.FulfilledAt.IsZero() {
			t.Errorf("after breach rounds: %+v", x)
		}
		audits := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil)
		breaches := 0
		for i := 0; i < audits.Len("audits"); i++ {
			for j := 0; j < audits.Len(fmt.Sprintf("audits.%d.events", i)); j++ {
				if audits.Str(fmt.Sprintf("audits.%d.events.%d.type", i, j)) == "SlaBreach" {
					breaches++
					if audits.Str(fmt.Sprintf("audits.%d.via.channel", i)) != "rule" && audits.Str(fmt.Sprintf("audits.%d.via", i)) != "rule" {
						t.Errorf("breach audit via: %s", audits.Raw)
					}
				}
			}
		}
		if breaches != 1 {
			t.Errorf("%d SlaBreach events, want 1: %s", breaches, audits.Raw)
		}
		if h := facts(t0.Add(90 * time.Minute))["sla_next_breach_hours"]; h != -0.5 {
			t.Errorf("sla_next_breach_hours after breach = %v, want -0.5", h)
		}
		c.Set(t0.Add(90 * time.Minute))
		r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/slas.json", id), nil)
		if r.Int("breaches") != 1 || r.Get("slas.0.breached") != true || r.Int("slas.0.time_left_seconds") != -1800 ||
			r.Str("slas.0.breached_at") != t0.Add(time.Hour).UTC().Format(time.RFC3339) || r.Str("slas.0.warned_at") == "" || r.Get("slas.1.breached") != false {
			t.Errorf("ticket slas: %s", r.Raw)
		}
		if r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json?include=slas", id), nil); r.Int("ticket.slas.policy_metrics.0.minutes") != -30 || r.Int("ticket.slas.policy_metrics.1.hours") != 8 {
			t.Errorf("include=slas minutes: %s", r.Raw)
		}
		// A late reply achieves the target but it stays breached.
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "遅くなり申し訳ございません。", "public": true}}})
		x = targets(t, d, id)["first_reply_time"]
		if x.FulfilledAt.IsZero() || !x.BreachedAt.Equal(t0.Add(time.Hour)) {
			t.Errorf("late reply: %+v", x)
		}
	})
}

// 「当日に割り振られた問い合わせは当日中に返信」: same_day reply targets are
// due at the close of the business day they start on.
func TestSameDayReply(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		c := desk(t, d, jst("2026-12-24 10:00"), []map[string]any{
			{"priority": "normal", "metric": "first_reply_time", "same_day": true, "business_hours": true},
			{"priority": "normal", "metric": "next_reply_time", "same_day": true, "business_hours": true},
		})
		cases := []struct{ created, due string }{
			{"2026-12-24 10:00", "2026-12-24 18:00"},
			{"2026-12-25 18:30", "2026-12-28 18:00"},
			{"2026-12-28 19:00", "2027-01-04 18:00"},
		}
		for _, cs := range cases {
			c.Set(jst(cs.created))
			id := customerTicket(t, d, "normal")
			x := targets(t, d, id)["first_reply_time"]
			if x == nil || !x.DueAt.Equal(jst(cs.due)) || !x.SameDay {
				t.Errorf("created %s: %+v, want due %s", cs.created, x, cs.due)
			}
		}
		c.Set(jst("2027-01-08 10:00"))
		id := customerTicket(t, d, "normal")
		path := fmt.Sprintf("/api/v2/tickets/%d.json", id)
		c.Set(jst("2027-01-08 11:00"))
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "承知しました。", "public": true}}})
		if x := targets(t, d, id)["first_reply_time"]; x.FulfilledAt.IsZero() || x.TargetMinutes != 8*60 {
			t.Errorf("same-day first reply: %+v", x)
		}
		// Friday 18:30, after hours: the next business day is Tue 1/12
		// (1/11 is 成人の日).
		c.Set(jst("2027-01-08 18:30"))
		d.Must(200, d.Customer, "PUT", path, map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "追加の質問です。"}}})
		if x := targets(t, d, id)["next_reply_time"]; x == nil || !x.DueAt.Equal(jst("2027-01-12 18:00")) {
			t.Errorf("same-day next reply: %+v", x)
		}
	})
}

// A policy that starts to apply late (triage sets the priority) counts the
// time before it exactly, replaying pauses from the audit trail.
func TestPolicyAppliesLate(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		t0 := jst("2027-04-05 10:00")
		c := desk(t, d, t0, []map[string]any{
			{"priority": "normal", "metric": "first_reply_time", "target": 120, "business_hours": false},
			{"priority": "normal", "metric": "requester_wait_time", "target": 600, "business_hours": false},
			{"priority": "normal", "metric": "agent_work_time", "target": 600, "business_hours": false},
		})
		id := customerTicket(t, d, "")
		path := fmt.Sprintf("/api/v2/tickets/%d.json", id)
		if ts := targets(t, d, id); len(ts) != 0 {
			t.Fatalf("targets without a priority: %v", ts)
		}
		steps := []struct {
			after time.Duration
			as    *apptest.User
			body  map[string]any
		}{
			{time.Hour, d.Agent, map[string]any{"status": "pending", "assignee_id": d.Agent.ID, "comment": map[string]any{"body": "ご確認ください。"}}},
			{2 * time.Hour, d.Customer, map[string]any{"comment": map[string]any{"body": "確認しました。"}}},
			{30 * time.Minute, d.Agent, map[string]any{"status": "hold"}},
			{30 * time.Minute, d.Agent, map[string]any{"priority": "normal"}},
		}
		for _, s := range steps {
			c.Add(s.after)
			d.Must(200, s.as, "PUT", path, map[string]any{"ticket": s.body})
		}
		now := c.Now()
		ts := targets(t, d, id)
		if x := ts["first_reply_time"]; x == nil || !x.FulfilledAt.Equal(t0.Add(time.Hour)) || x.UsedMS != time.Hour.Milliseconds() {
			t.Errorf("first reply: %+v", x)
		}
		// new 1h + open 30m + hold 30m; pending does not count.
		if x := ts["requester_wait_time"]; x == nil || x.UsedMS != (2*time.Hour).Milliseconds() || !x.DueAt.Equal(now.Add(8*time.Hour)) {
			t.Errorf("requester wait: %+v", x)
		}
		// new 1h + open 30m; pending and hold do not count, and it is on hold now.
		if x := ts["agent_work_time"]; x == nil || x.UsedMS != (90*time.Minute).Milliseconds() || !x.DueAt.IsZero() {
			t.Errorf("agent work: %+v", x)
		}
		if ts["next_reply_time"] != nil {
			t.Error("next reply without a policy metric")
		}
	})
}
