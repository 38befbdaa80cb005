package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// readStore reads something from the desk's store.
func readStore[T any](t *testing.T, d *apptest.Desk, read func(tx *store.Tx) (T, error)) T {
	t.Helper()
	var out T
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		out, err = read(tx)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// TestRuleRowButtons: every row button of the rule settings (delete,
// activate/deactivate, move; rules_writes.go) keeps its route: an agent
// is refused with the 403 page and a malformed id is a 404, before
// anything is written. The business-hours buttons, which the pages'
// own tests leave out, delete a holiday (back to its schedule with
// 削除しました) and a schedule (back to the list), and a view's
// (de)activate button switches it.
func TestRuleRowButtons(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		routes := []string{
			"/settings/triggers/%s/delete", "/settings/triggers/%s/active", "/settings/triggers/%s/move",
			"/settings/automations/%s/delete", "/settings/automations/%s/active", "/settings/automations/%s/move",
			"/settings/macros/%s/delete", "/settings/macros/%s/active",
			"/settings/slas/%s/delete", "/settings/slas/%s/move",
			"/settings/business-hours/%s/delete", "/settings/business-hours/%s/holidays/1/delete",
			"/settings/business-hours/%s/holidays", "/settings/business-hours/%s/holidays/import",
			"/settings/views/%s/delete", "/settings/views/%s/active", "/settings/views/%s/move",
		}
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		al := agent.do("GET", "/settings/macros", nil)
		b := adminBrowser(t, d)
		lp := b.do("GET", "/settings/business-hours", nil)
		for _, r := range routes {
			if p := agent.postFrom(fmt.Sprintf(r, "1"), al, url.Values{"active": {"1"}, "dir": {"up"}}); p.status != http.StatusForbidden {
				t.Errorf("agent POST %s: %d", fmt.Sprintf(r, "1"), p.status)
			}
			if p := b.postFrom(fmt.Sprintf(r, "一"), lp, url.Values{}); p.status != http.StatusNotFound {
				t.Errorf("admin POST %s: %d", fmt.Sprintf(r, "一"), p.status)
			}
		}

		// A schedule with a holiday: delete the holiday, then the schedule.
		p := b.postFrom("/settings/business-hours/new", lp, url.Values{"name": {"大阪サポート"}, "time_zone": {"Asia/Tokyo"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("create schedule: %d", p.status)
		}
		sched, _, _ := strings.Cut(p.loc, "?")
		ep := b.do("GET", sched, nil)
		if p := b.postFrom(sched+"/holidays", ep, url.Values{"name": {"創立記念日"}, "start_date": {"2026-10-01"}}); p.status != http.StatusSeeOther {
			t.Fatalf("add holiday: %d", p.status)
		}
		var sid, hid int64
		fmt.Sscanf(strings.TrimPrefix(sched, "/settings/business-hours/"), "%d", &sid)
		holidays := func() []*store.BusinessHoliday {
			return readStore(t, d, func(tx *store.Tx) ([]*store.BusinessHoliday, error) { return tx.Holidays(sid) })
		}
		hs := holidays()
		if len(hs) != 1 || hs[0].Name != "創立記念日" {
			t.Fatalf("holidays: %+v", hs)
		}
		hid = hs[0].ID
		p = b.postFrom(fmt.Sprintf("%s/holidays/%d/delete", sched, hid), ep, url.Values{})
		if p.status != http.StatusSeeOther || p.loc != sched+"?done=deleted" {
			t.Fatalf("delete holiday: %d %q", p.status, p.loc)
		}
		if hs := holidays(); len(hs) != 0 {
			t.Fatalf("holiday not deleted: %+v", hs)
		}
		if page := b.do("GET", p.loc, nil); !strings.Contains(page.body, "削除しました") {
			t.Errorf("no notice after deleting a holiday")
		}
		p = b.postFrom(sched+"/delete", ep, url.Values{})
		if p.status != http.StatusSeeOther || p.loc != "/settings/business-hours?done=deleted" {
			t.Fatalf("delete schedule: %d %q", p.status, p.loc)
		}
		if page := b.do("GET", "/settings/business-hours", nil); strings.Contains(page.body, "大阪サポート") {
			t.Errorf("schedule still listed")
		}

		// A view switched off and on again.
		vid := d.Must(201, d.Admin, "POST", "/api/v2/views.json", map[string]any{"view": map[string]any{
			"title": "未割り当ての至急", "all": []map[string]any{{"field": "status", "operator": "less_than", "value": "solved"}}}}).Int("view.id")
		active := func() bool {
			return d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/views/%d.json", vid), nil).Get("view.active") == true
		}
		vp := b.do("GET", "/settings/views", nil)
		for _, on := range []string{"", "1"} {
			p := b.postFrom(fmt.Sprintf("/settings/views/%d/active", vid), vp, url.Values{"active": {on}})
			if p.status != http.StatusSeeOther || p.loc != "/settings/views?done=active" || active() != (on == "1") {
				t.Fatalf("view active=%q: %d %q, active %v", on, p.status, p.loc, active())
			}
		}
	})
}
