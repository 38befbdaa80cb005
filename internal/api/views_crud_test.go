package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func vwCreate(t *testing.T, d *apptest.Desk, as *apptest.User, status int, v map[string]any) *apptest.Response {
	t.Helper()
	if _, ok := v["all"]; !ok {
		v["all"] = []any{map[string]any{"field": "status", "operator": "less_than", "value": "solved"}}
	}
	return d.Must(status, as, "POST", "/api/v2/views.json", map[string]any{"view": v})
}

func listedIDs(t *testing.T, d *apptest.Desk, as *apptest.User, path string) []int64 {
	t.Helper()
	return idsAt(d.Must(200, as, "GET", path, nil), "views")
}

// TestViewRestrictions: shared, group and personal views as Zendesk has
// them; light agents see views but cannot create or change them.
func TestViewRestrictions(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		w := newVWWorld(t, d)
		shared := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "全員の未解決"}).Int("view.id")
		g1 := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "配送チームの担当", "restriction": map[string]any{"type": "Group", "id": w.g1}})
		if g1.Str("view.restriction.type") != "Group" || g1.Int("view.restriction.id") != w.g1 || g1.Len("view.restriction.ids") != 1 {
			t.Fatalf("group restriction: %s", g1.Raw)
		}
		g2 := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "経理チームの担当", "restriction": map[string]any{"type": "Group", "ids": []int64{w.g2}}}).Int("view.id")
		mine := vwCreate(t, d, d.Agent, 201, map[string]any{"title": "山田の個人ビュー", "restriction": map[string]any{"type": "User", "id": d.Agent.ID}})
		if mine.Str("view.restriction.type") != "User" || mine.Int("view.restriction.id") != d.Agent.ID || mine.Get("view.restriction.ids") != nil {
			t.Fatalf("personal restriction: %s", mine.Raw)
		}
		personal := mine.Int("view.id")

		// Agents make personal views only; light agents none.
		vwCreate(t, d, d.Agent, 403, map[string]any{"title": "共有したい"})
		vwCreate(t, d, d.Agent, 403, map[string]any{"title": "他人用", "restriction": map[string]any{"type": "User", "id": d.Admin.ID}})
		vwCreate(t, d, d.Light, 403, map[string]any{"title": "営業の個人ビュー", "restriction": map[string]any{"type": "User", "id": d.Light.ID}})
		d.Must(403, d.Agent, "PUT", fmt.Sprintf("/api/v2/views/%d.json", shared), map[string]any{"view": map[string]any{"title": "変更"}})
		d.Must(403, d.Agent, "PUT", fmt.Sprintf("/api/v2/views/%d.json", personal), map[string]any{"view": map[string]any{"restriction": nil}})
		d.Must(403, d.Light, "DELETE", fmt.Sprintf("/api/v2/views/%d.json", shared), nil)

		agentSees := listedIDs(t, d, d.Agent, "/api/v2/views.json")
		lightSees := listedIDs(t, d, d.Light, "/api/v2/views.json")
		adminSees := listedIDs(t, d, d.Admin, "/api/v2/views.json")
		for _, c := range []struct {
			who  string
			seen []int64
			id   int64
			want bool
		}{
			{"agent/shared", agentSees, shared, true}, {"agent/g1", agentSees, g1.Int("view.id"), true}, {"agent/g2", agentSees, g2, false}, {"agent/personal", agentSees, personal, true},
			{"light/shared", lightSees, shared, true}, {"light/g1", lightSees, g1.Int("view.id"), false}, {"light/personal", lightSees, personal, false},
			{"admin/g2", adminSees, g2, true}, {"admin/agent's personal", adminSees, personal, false},
		} {
			if slices.Contains(c.seen, c.id) != c.want {
				t.Errorf("%s: listed %v, want %v", c.who, !c.want, c.want)
			}
		}
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d.json", g2), nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/count.json", g2), nil)
		d.Must(404, d.Light, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", personal), nil)
		d.Must(200, d.Light, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", shared), nil)
		// count_many leaves out views the caller may not see.
		r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/count_many.json?ids=%d,%d,%d", shared, g2, personal), nil)
		if r.Len("view_counts") != 2 || r.Int("view_counts.0.view_id") != shared || r.Int("view_counts.1.view_id") != personal {
			t.Errorf("count_many visibility: %s", r.Raw)
		}

		// Filters: access, group_id, active, search.
		if got := listedIDs(t, d, d.Agent, "/api/v2/views.json?access=personal"); !slices.Equal(got, []int64{personal}) {
			t.Errorf("access=personal: %v", got)
		}
		if got := listedIDs(t, d, d.Admin, fmt.Sprintf("/api/v2/views.json?group_id=%d", w.g2)); !slices.Equal(got, []int64{g2}) {
			t.Errorf("group_id: %v", got)
		}
		if got := listedIDs(t, d, d.Agent, "/api/v2/views/search.json?query=個人"); !slices.Equal(got, []int64{personal}) {
			t.Errorf("search: %v", got)
		}
		d.Must(400, d.Agent, "GET", "/api/v2/views/search.json", nil)
		d.Must(400, d.Agent, "GET", "/api/v2/views.json?access=everyone", nil)

		// The owner edits a personal view; admins edit shared ones.
		up := d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/views/%d.json", personal), map[string]any{"view": map[string]any{"title": "山田の担当（更新）", "active": false}})
		if up.Str("view.title") != "山田の担当（更新）" || up.Get("view.active") != false {
			t.Errorf("update: %s", up.Raw)
		}
		if slices.Contains(listedIDs(t, d, d.Agent, "/api/v2/views/active.json"), personal) {
			t.Error("an inactive view is listed as active")
		}
		if !slices.Contains(listedIDs(t, d, d.Agent, "/api/v2/views.json?active=false"), personal) {
			t.Error("active=false does not list the inactive view")
		}
		c := d.Must(200, d.Agent, "GET", "/api/v2/views/compact.json", nil)
		if c.Len("views") == 0 || c.Get("views.0.conditions") != nil || c.Str("views.0.title") == "" {
			t.Errorf("compact: %s", c.Raw)
		}

		// update_many reorders; destroy_many deletes all or nothing.
		um := d.Must(200, d.Admin, "PUT", "/api/v2/views/update_many.json", map[string]any{"views": []any{
			map[string]any{"id": g2, "position": 0}, map[string]any{"id": shared, "position": 1}}})
		if um.Len("views") != 2 || listedIDs(t, d, d.Admin, "/api/v2/views.json")[0] != g2 {
			t.Errorf("update_many: %s", um.Raw)
		}
		d.Must(404, d.Admin, "DELETE", fmt.Sprintf("/api/v2/views/destroy_many.json?ids=%d,999999", shared), nil)
		d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/views/%d.json", shared), nil)
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/views/destroy_many.json?ids=%d,%d", shared, g2), nil)
		d.Must(404, d.Admin, "GET", fmt.Sprintf("/api/v2/views/%d.json", shared), nil)
		d.Must(204, d.Agent, "DELETE", fmt.Sprintf("/api/v2/views/%d.json", personal), nil)
		d.Must(404, d.Agent, "DELETE", fmt.Sprintf("/api/v2/views/%d.json", personal), nil)
	})
}

// TestViewCountsFresh: counts are served from the cache; a ticket write
// makes them stale (fresh false, old value) until the refresher recounts.
func TestViewCountsFresh(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		w := newVWWorld(t, d)
		id := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "配送タグ", "all": []any{
			map[string]any{"field": "status", "operator": "less_than", "value": "solved"},
			map[string]any{"field": "current_tags", "operator": "includes", "value": "配送"}}}).Int("view.id")
		path := fmt.Sprintf("/api/v2/views/count_many.json?ids=%d", id)
		r := d.Must(200, d.Agent, "GET", path, nil)
		if r.Int("view_counts.0.value") != 1 || r.Get("view_counts.0.fresh") != true {
			t.Fatalf("first count: %s", r.Raw)
		}
		vwTicket(t, d, d.Agent, map[string]any{"subject": "配送が遅れています", "tags": []string{"配送"}})
		r = d.Must(200, d.Agent, "GET", path, nil)
		if r.Int("view_counts.0.value") != 1 || r.Get("view_counts.0.fresh") != false {
			t.Fatalf("after a new ticket, before the refresh: %s", r.Raw)
		}
		if err := vwService(d).Counts.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/count.json", id), nil)
		if r.Int("view_count.value") != 2 || r.Get("view_count.fresh") != true || r.Str("view_count.pretty") != "2" {
			t.Fatalf("after the refresh: %s", r.Raw)
		}
		// Solving a ticket takes it out; changing the view drops its cache.
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", w.a), map[string]any{"ticket": map[string]any{"status": "solved"}})
		if err := vwService(d).Counts.Refresh(context.Background()); err != nil {
			t.Fatal(err)
		}
		if r = d.Must(200, d.Agent, "GET", path, nil); r.Int("view_counts.0.value") != 1 || r.Get("view_counts.0.fresh") != true {
			t.Fatalf("after solving: %s", r.Raw)
		}
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/views/%d.json", id), map[string]any{"view": map[string]any{"all": []any{
			map[string]any{"field": "status", "operator": "less_than", "value": "closed"}, map[string]any{"field": "current_tags", "operator": "includes", "value": "配送"}}}})
		if r = d.Must(200, d.Agent, "GET", path, nil); r.Int("view_counts.0.value") != 2 || r.Get("view_counts.0.fresh") != true {
			t.Fatalf("after changing the view: %s", r.Raw)
		}
	})
}

// TestViewCountsBackground: with the refresher running (as `kizuna serve`
// runs it), a new ticket shows in the counts about a second later without
// anyone driving it.
func TestViewCountsBackground(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan struct{})
		go func() { defer close(done); vwService(d).Counts.Loop(ctx) }()
		defer func() { cancel(); <-done }()
		id := defaultViews(t, d)["{{zd.unassigned_tickets}}"]
		path := fmt.Sprintf("/api/v2/views/%d/count.json", id)
		before := d.Must(200, d.Agent, "GET", path, nil).Int("view_count.value")
		vwTicket(t, d, d.Customer, map[string]any{"subject": "ｶﾀｶﾅの件名で問い合わせ"})
		deadline := time.Now().Add(5 * time.Second)
		for {
			r := d.Must(200, d.Agent, "GET", path, nil)
			if r.Int("view_count.value") == before+1 && r.Get("view_count.fresh") == true {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("count not refreshed in 5 s: %s", r.Raw)
			}
			time.Sleep(50 * time.Millisecond)
		}
	})
}
