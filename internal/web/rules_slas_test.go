package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/bizhours"
	"github.com/kizuna-desk/kizuna/internal/sla"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func slaPolicies(t *testing.T, d *apptest.Desk) []*sla.Policy {
	t.Helper()
	return readStore(t, d, sla.Policies)
}

func TestRuleSettingsSLAs(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := adminBrowser(t, d)
		form := b.do("GET", "/settings/slas/new", nil)
		if form.status != 200 || !strings.Contains(form.body, `name="m_urgent_first_reply_time"`) || !strings.Contains(form.body, "初回返信時間") {
			t.Fatalf("new SLA form: %d", form.status)
		}
		f := url.Values{"title": {"VIP顧客のSLA"}, "description": {"VIPタグの付いたチケット"},
			"all_field": {"current_tags", ""}, "all_op": {"includes", "is"}, "all_value": {"vip", ""},
			"m_urgent_first_reply_time": {"六十"}, "b_urgent_first_reply_time": {"business"}}
		p := b.postFrom("/settings/slas/new", form, f)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "目標の1番目: 目標時間（分）が範囲外です") {
			t.Fatalf("SLA validation: %d\n%s", p.status, p.body)
		}
		if !strings.Contains(p.body, `value="六十"`) || !strings.Contains(p.body, `value="vip"`) {
			t.Errorf("the form lost what was typed")
		}
		f.Set("m_urgent_first_reply_time", "60")
		f.Set("m_urgent_requester_wait_time", "480")
		f.Set("b_urgent_requester_wait_time", "calendar")
		if p := b.postFrom("/settings/slas/new", form, f); p.status != http.StatusSeeOther {
			t.Fatalf("create SLA: %d\n%s", p.status, p.body)
		}
		d.Must(201, d.Admin, "POST", "/api/v2/slas/policies.json", map[string]any{"sla_policy": map[string]any{
			"title": "標準", "filter": map[string]any{"all": []any{}, "any": []any{}},
			"policy_metrics": []map[string]any{{"priority": "normal", "metric": "first_reply_time", "target": 480, "business_hours": true}}}})
		ps := slaPolicies(t, d)
		if len(ps) != 2 || ps[0].Title != "VIP顧客のSLA" {
			t.Fatalf("policies: %d", len(ps))
		}
		vip := ps[0]
		if m, ok := vip.For("urgent", "first_reply_time"); !ok || m.Target != 60 || !m.BusinessHours {
			t.Errorf("first reply target: %+v", m)
		}
		if m, ok := vip.For("urgent", "requester_wait_time"); !ok || m.Target != 480 || m.BusinessHours {
			t.Errorf("requester wait target: %+v", m)
		}
		// Edit shows the grid; reorder puts 標準 first.
		ep := b.do("GET", fmt.Sprintf("/settings/slas/%d", vip.ID), nil)
		if !strings.Contains(ep.body, `name="m_urgent_first_reply_time" id="m_urgent_first_reply_time" value="60"`) {
			t.Errorf("edit form lacks the stored target")
		}
		lp := b.do("GET", "/settings/slas", nil)
		if p := b.postFrom(fmt.Sprintf("/settings/slas/%d/move", vip.ID), lp, url.Values{"dir": {"down"}}); p.status != http.StatusSeeOther {
			t.Fatalf("move: %d", p.status)
		}
		if ps := slaPolicies(t, d); ps[0].Title != "標準" || ps[1].ID != vip.ID {
			t.Errorf("order after move: %s, %s", ps[0].Title, ps[1].Title)
		}
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		if p := agent.do("GET", "/settings/slas", nil); p.status != 200 || !strings.Contains(p.body, "VIP顧客のSLA") {
			t.Errorf("agent's SLA list: %d", p.status)
		}
		if p := agent.postFrom(fmt.Sprintf("/settings/slas/%d/delete", vip.ID), lp, url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("agent delete: %d", p.status)
		}
		if p := b.postFrom(fmt.Sprintf("/settings/slas/%d/delete", vip.ID), lp, url.Values{}); p.status != http.StatusSeeOther || len(slaPolicies(t, d)) != 1 {
			t.Errorf("delete: %d", p.status)
		}
	})
}

func TestRuleSettingsBusinessHours(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := adminBrowser(t, d)
		lp := b.do("GET", "/settings/business-hours", nil)
		p := b.postFrom("/settings/business-hours/new", lp, url.Values{"name": {"東京サポート"}, "time_zone": {"Asia/Tokio"}, "national_holidays": {"1"}})
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "タイムゾーン &#34;Asia/Tokio&#34; は使えません") {
			t.Fatalf("bad zone: %d", p.status)
		}
		p = b.postFrom("/settings/business-hours/new", lp, url.Values{"name": {"東京サポート"}, "time_zone": {"Asia/Tokyo"}, "national_holidays": {"1"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("create schedule: %d\n%s", p.status, p.body)
		}
		ep := b.do("GET", p.loc, nil)
		if !strings.Contains(ep.body, `name="d1_0_start" id="d1_0_start" value="09:00"`) {
			t.Fatalf("a new schedule is not Monday–Friday 9–18")
		}
		var id int64
		fmt.Sscanf(strings.TrimPrefix(p.loc, "/settings/business-hours/"), "%d", &id)
		week := url.Values{"name": {"東京サポート（昼休みあり）"}, "time_zone": {"Asia/Tokyo"}, "national_holidays": {"1"},
			"d1_0_start": {"09:00"}, "d1_0_end": {"12:00"}, "d1_1_start": {"13:00"}, "d1_1_end": {"18:00"},
			"d6_0_start": {"10:00"}, "d6_0_end": {"9時"}}
		p = b.postFrom(fmt.Sprintf("/settings/business-hours/%d", id), ep, week)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "土曜日: 時刻は") {
			t.Fatalf("bad time: %d", p.status)
		}
		week.Set("d6_0_end", "15:00")
		if p := b.postFrom(fmt.Sprintf("/settings/business-hours/%d", id), ep, week); p.status != http.StatusSeeOther {
			t.Fatalf("save week: %d\n%s", p.status, p.body)
		}
		var sc *store.BusinessSchedule
		load := func() *bizhours.Schedule {
			var out *bizhours.Schedule
			if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
				var err error
				if sc, err = tx.Schedule(id); err != nil {
					return err
				}
				out, err = bizhours.Load(tx, id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		load()
		want := []store.BusinessInterval{{Start: 1440 + 540, End: 1440 + 720}, {Start: 1440 + 780, End: 1440 + 1080}, {Start: 6*1440 + 600, End: 6*1440 + 900}}
		if fmt.Sprint(sc.Intervals) != fmt.Sprint(want) || sc.Name != "東京サポート（昼休みあり）" || sc.NationalHolidays != "JP" {
			t.Errorf("stored schedule: %s %v %q", sc.Name, sc.Intervals, sc.NationalHolidays)
		}

		// Holidays: one added by hand (with a bad date first), then 2026's
		// national holidays imported.
		hp := b.postFrom(fmt.Sprintf("/settings/business-hours/%d/holidays", id), ep, url.Values{"name": {"年末年始"}, "start_date": {"12/29"}})
		if hp.status != http.StatusUnprocessableEntity || !strings.Contains(hp.body, "日付の形式が正しくありません") {
			t.Errorf("bad holiday date: %d", hp.status)
		}
		if p := b.postFrom(fmt.Sprintf("/settings/business-hours/%d/holidays", id), ep, url.Values{"name": {"年末年始"}, "start_date": {"2026-12-29"}, "end_date": {"2027-01-03"}}); p.status != http.StatusSeeOther {
			t.Fatalf("add holiday: %d\n%s", p.status, p.body)
		}
		if p := b.postFrom(fmt.Sprintf("/settings/business-hours/%d/holidays/import", id), ep, url.Values{"year": {"2026"}}); p.status != http.StatusSeeOther {
			t.Fatalf("import: %d", p.status)
		}
		ep = b.do("GET", fmt.Sprintf("/settings/business-hours/%d?done=imported", id), nil)
		for _, want := range []string{"年末年始", "元日", "2026-05-05", "こどもの日", "祝日を取り込みました"} {
			if !strings.Contains(ep.body, want) {
				t.Errorf("schedule page lacks %q", want)
			}
		}
		s := load()
		if len(s.Holidays) < 16 {
			t.Errorf("holidays: %d", len(s.Holidays))
		}
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		al := agent.do("GET", "/settings/business-hours", nil)
		if al.status != 200 || !strings.Contains(al.body, "東京サポート（昼休みあり）") || strings.Contains(al.body, `id="schedule-new"`) {
			t.Errorf("agent's schedule list: %d", al.status)
		}
		if p := agent.postFrom(fmt.Sprintf("/settings/business-hours/%d/holidays/import", id), al, url.Values{"year": {"2027"}}); p.status != http.StatusForbidden {
			t.Errorf("agent import: %d", p.status)
		}
	})
}
