package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/views"
)

func viewsByPosition(t *testing.T, d *apptest.Desk) []*store.View {
	t.Helper()
	return readStore(t, d, func(tx *store.Tx) ([]*store.View, error) { return tx.Views() })
}

func TestRuleSettingsViews(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := adminBrowser(t, d)
		vipOpen := createTicket(t, d, "VIP: 請求書について", "vip")
		plain := createTicket(t, d, "一般: 請求書について")
		vipSolved := createTicket(t, d, "VIP: 解決済みの件", "vip")
		solved := "solved"
		if _, err := d.App.Tickets.Update(context.Background(), d.Admin.User, vipSolved.ID, tickets.Change{Status: &solved, AssigneeID: &d.Agent.ID}); err != nil {
			t.Fatal(err)
		}

		form := b.do("GET", "/settings/views/new", nil)
		if form.status != 200 || !strings.Contains(form.body, `value="sla_at_risk"`) || !strings.Contains(form.body, `name="columns" value="subject"`) {
			t.Fatalf("new view form: %d", form.status)
		}
		// Only a tag condition: Zendesk's rule (and ours) wants one of
		// status, type, group, assignee or requester under "all".
		f := url.Values{"title": {"VIP未解決"}, "active": {"1"}, "visibility": {"shared"},
			"all_field": {"current_tags", ""}, "all_op": {"includes", "is"}, "all_value": {"vip", ""},
			"columns": {"nice_id", "subject", "status"}, "sort_by": {"updated"}, "sort_order": {"desc"}}
		p := b.postFrom("/settings/views/new", form, f)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "ビューの「すべて」の条件に、ステータス・タイプ・グループ・担当者・依頼者のいずれかが必要です") {
			t.Fatalf("view validation: %d", p.status)
		}
		f["all_field"] = []string{"current_tags", "status"}
		f["all_op"] = []string{"includes", "less_than"}
		f["all_value"] = []string{"vip", "solved"}
		if p := b.postFrom("/settings/views/new", form, f); p.status != http.StatusSeeOther {
			t.Fatalf("create view: %d\n%s", p.status, p.body)
		}
		all := viewsByPosition(t, d)
		i := slices.IndexFunc(all, func(v *store.View) bool { return v.Title == "VIP未解決" })
		if i < 0 {
			t.Fatal("view not stored")
		}
		vw := all[i]
		if vw.Execution.SortBy != "updated" || !slices.Equal(vw.Execution.Columns, []string{"nice_id", "subject", "status"}) || !vw.Active {
			t.Errorf("stored view: %+v", vw.Execution)
		}
		// The view lists the right tickets: the open VIP one only.
		ep := b.do("GET", fmt.Sprintf("/settings/views/%d", vw.ID), nil)
		if !strings.Contains(ep.body, fmt.Sprintf(`data-ticket-id="%d"`, vipOpen.ID)) || strings.Contains(ep.body, fmt.Sprintf(`data-ticket-id="%d"`, plain.ID)) ||
			strings.Contains(ep.body, fmt.Sprintf(`data-ticket-id="%d"`, vipSolved.ID)) || !strings.Contains(ep.body, "このビューのチケット（1件）") {
			t.Errorf("the view's tickets are wrong\n%s", ep.body[strings.Index(ep.body, "view-tickets"):])
		}
		// The view's columns come first, in its order, then the others.
		idx := func(c string) int { return strings.Index(ep.body, `name="columns" value="`+c+`"`) }
		if !(idx("nice_id") < idx("subject") && idx("subject") < idx("status") && idx("status") < idx("requester")) {
			t.Errorf("column order on the edit form")
		}
		// Active and shared: in every agent's sidebar, and its queue page
		// lists the same tickets.
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		q := agent.do("GET", "/tickets", nil)
		key := fmt.Sprintf("v:%d", vw.ID)
		if !strings.Contains(q.body, `data-view="`+key+`"`) || !strings.Contains(q.body, "VIP未解決") {
			t.Errorf("the queue's sidebar lacks the new view")
		}
		q = agent.do("GET", "/tickets?view="+key, nil)
		if q.status != 200 || !strings.Contains(q.body, `<h1 id="list-title">VIP未解決</h1>`) || !strings.Contains(q.body, "VIP: 請求書について") ||
			strings.Contains(q.body, "一般: 請求書について") || strings.Contains(q.body, "VIP: 解決済みの件") {
			t.Errorf("the view's queue page: %d", q.status)
		}
		if p := agent.do("GET", "/tickets?view=v:999999", nil); p.status != http.StatusNotFound {
			t.Errorf("unknown stored view: %d", p.status)
		}
		// Edit: personal and hidden from the sidebar.
		f.Set("visibility", fmt.Sprintf("user:%d", d.Admin.ID))
		f.Del("active")
		if p := b.postFrom(fmt.Sprintf("/settings/views/%d", vw.ID), ep, f); p.status != http.StatusSeeOther {
			t.Fatalf("update view: %d\n%s", p.status, p.body)
		}
		vw2, err := views.New(d.App.Store, nil).Get(context.Background(), d.Admin.User, vw.ID)
		if err != nil || vw2.Active || vw2.RestrictionType != views.RestrictUser {
			t.Fatalf("updated view: %+v %v", vw2, err)
		}
		// Reorder: up one place.
		before := viewsByPosition(t, d)
		lp := b.do("GET", "/settings/views", nil)
		if p := b.postFrom(fmt.Sprintf("/settings/views/%d/move", vw.ID), lp, url.Values{"dir": {"up"}}); p.status != http.StatusSeeOther {
			t.Fatalf("move: %d", p.status)
		}
		after := viewsByPosition(t, d)
		bi := slices.IndexFunc(before, func(v *store.View) bool { return v.ID == vw.ID })
		ai := slices.IndexFunc(after, func(v *store.View) bool { return v.ID == vw.ID })
		if bi == 0 || ai != bi-1 {
			t.Errorf("view moved from %d to %d", bi, ai)
		}
		// Agents: the admin's personal view is not theirs to see; writes refused.
		if q := agent.do("GET", "/tickets", nil); strings.Contains(q.body, "VIP未解決") {
			t.Errorf("a hidden personal view is in another agent's sidebar")
		}
		if p := agent.do("GET", "/tickets?view="+key, nil); p.status != http.StatusNotFound {
			t.Errorf("another's personal view: %d", p.status)
		}
		al := agent.do("GET", "/settings/views", nil)
		if al.status != 200 || strings.Contains(al.body, "VIP未解決") {
			t.Errorf("agent's view list: %d", al.status)
		}
		if p := agent.do("GET", fmt.Sprintf("/settings/views/%d", vw.ID), nil); p.status != http.StatusForbidden {
			t.Errorf("agent's edit form: %d", p.status)
		}
		if p := b.postFrom(fmt.Sprintf("/settings/views/%d/delete", vw.ID), lp, url.Values{}); p.status != http.StatusSeeOther {
			t.Errorf("delete: %d", p.status)
		}
	})
}
