package api_test

import (
	"context"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func statusMacro(title string, restriction any) map[string]any {
	m := map[string]any{"title": title, "actions": []any{map[string]any{"field": "status", "value": "pending"}}}
	if restriction != "unset" {
		m["restriction"] = restriction
	}
	return macroBody(m)
}

func TestMacrosVisibility(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		group, other, ticket := setupMacroDesk(t, d)
		shared := d.Must(201, d.Admin, "POST", "/api/v2/macros", statusMacro("共通::返金のご案内", nil)).Int("macro.id")
		grp := d.Must(201, d.Admin, "POST", "/api/v2/macros", statusMacro("配送::配送チーム用", map[string]any{"type": "Group", "id": group})).Int("macro.id")
		// An agent's macro without a restriction is personal.
		mine := d.Must(201, d.Agent, "POST", "/api/v2/macros", statusMacro("自分用::下書き", "unset"))
		if mine.Str("macro.restriction.type") != "User" || mine.Int("macro.restriction.id") != d.Agent.ID {
			t.Fatalf("personal macro: %s", mine.Raw)
		}
		personal := mine.Int("macro.id")

		list := func(u *apptest.User, path string) []int64 {
			t.Helper()
			return idsAt(d.Must(200, u, "GET", path, nil), "macros")
		}
		if got := list(d.Agent, "/api/v2/macros"); !slices.Equal(got, []int64{shared, grp, personal}) {
			t.Errorf("agent (member) sees %v", got)
		}
		if got := list(other, "/api/v2/macros"); !slices.Equal(got, []int64{shared}) {
			t.Errorf("agent outside the group sees %v", got)
		}
		// Admins see every macro, but only_viewable keeps those they can apply.
		if got := list(d.Admin, "/api/v2/macros"); !slices.Equal(got, []int64{shared, grp, personal}) {
			t.Errorf("admin sees %v", got)
		}
		if got := list(d.Admin, "/api/v2/macros?only_viewable=true"); !slices.Equal(got, []int64{shared, grp}) {
			t.Errorf("admin only_viewable %v", got)
		}
		if got := list(d.Agent, "/api/v2/macros?access=personal"); !slices.Equal(got, []int64{personal}) {
			t.Errorf("access=personal %v", got)
		}
		if got := list(d.Agent, "/api/v2/macros?access=shared"); !slices.Equal(got, []int64{shared}) {
			t.Errorf("access=shared %v", got)
		}
		if got := list(d.Agent, fmt.Sprintf("/api/v2/macros?group_id=%d", group)); !slices.Equal(got, []int64{grp}) {
			t.Errorf("group_id %v", got)
		}
		if got := list(d.Agent, "/api/v2/macros?category=配送"); !slices.Equal(got, []int64{grp}) {
			t.Errorf("category %v", got)
		}
		d.Must(404, other, "GET", fmt.Sprintf("/api/v2/macros/%d", personal), nil)
		d.Must(404, other, "GET", fmt.Sprintf("/api/v2/macros/%d", grp), nil)
		d.Must(404, other, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, grp), nil)
		d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, grp), nil)
		cats := d.Must(200, d.Agent, "GET", "/api/v2/macros/categories", nil)
		if got := strList(cats, "categories"); !slices.Equal(got, []string{"共通", "自分用", "配送"}) {
			t.Errorf("categories %v", got)
		}
		if got := strList(d.Must(200, other, "GET", "/api/v2/macros/categories", nil), "categories"); !slices.Equal(got, []string{"共通"}) {
			t.Errorf("other's categories %v", got)
		}

		// Managing: agents change their own macros only; admins the shared ones.
		d.Must(403, d.Agent, "PUT", fmt.Sprintf("/api/v2/macros/%d", shared), macroBody(map[string]any{"title": "乗っ取り"}))
		d.Must(403, d.Agent, "POST", "/api/v2/macros", statusMacro("共有したい", nil))
		d.Must(403, d.Agent, "DELETE", fmt.Sprintf("/api/v2/macros/%d", grp), nil)
		d.Must(404, other, "DELETE", fmt.Sprintf("/api/v2/macros/%d", personal), nil)
		d.Must(403, d.Light, "POST", "/api/v2/macros", statusMacro("ライト", "unset"))
		up := d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/macros/%d", personal), macroBody(map[string]any{"title": "自分用::下書き②", "active": false}))
		if up.Str("macro.title") != "自分用::下書き②" || up.Get("macro.active") != false || up.Int("macro.restriction.id") != d.Agent.ID {
			t.Fatalf("update: %s", up.Raw)
		}
		if got := list(d.Agent, "/api/v2/macros/active"); !slices.Equal(got, []int64{shared, grp}) {
			t.Errorf("active %v", got)
		}
		if got := list(d.Agent, "/api/v2/macros?active=false"); !slices.Equal(got, []int64{personal}) {
			t.Errorf("inactive %v", got)
		}

		// update_many reorders; destroy_many is all or nothing.
		many := d.Must(200, d.Admin, "PUT", "/api/v2/macros/update_many", map[string]any{"macros": []any{
			map[string]any{"id": shared, "position": 9}, map[string]any{"id": grp, "position": 1}}})
		if many.Len("macros") != 2 || many.Int("macros.0.position") != 9 {
			t.Fatalf("update_many: %s", many.Raw)
		}
		if got := list(d.Agent, "/api/v2/macros/active"); !slices.Equal(got, []int64{grp, shared}) {
			t.Errorf("after reorder %v", got)
		}
		d.Must(403, d.Agent, "PUT", "/api/v2/macros/update_many", map[string]any{"macros": []any{map[string]any{"id": shared, "active": false}}})
		d.Must(403, d.Agent, "DELETE", fmt.Sprintf("/api/v2/macros/destroy_many?ids=%d,%d", personal, shared), nil)
		d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/macros/%d", personal), nil) // still there
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/macros/destroy_many?ids=%d,%d", personal, shared), nil)
		d.Must(404, d.Admin, "GET", fmt.Sprintf("/api/v2/macros/%d", shared), nil)
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/macros/%d", grp), nil)
		if r := d.Must(200, d.Admin, "GET", "/api/v2/macros", nil); r.Len("macros") != 0 || r.Int("count") != 0 {
			t.Fatalf("after delete: %s", r.Raw)
		}
	})
}

func TestMacrosUsageSort(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		_, _, ticket := setupMacroDesk(t, d)
		var ids []int64
		for _, title := range []string{"あいさつ", "返金のご案内", "配送遅延のお詫び"} {
			ids = append(ids, d.Must(201, d.Admin, "POST", "/api/v2/macros", statusMacro(title, nil)).Int("macro.id"))
		}
		uses := map[int64]int{ids[0]: 1, ids[1]: 0, ids[2]: 3}
		for id, n := range uses {
			for range n {
				d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/macros/%d/apply", ticket, id), nil)
			}
		}
		r := d.Must(200, d.Agent, "GET", "/api/v2/macros?sort_by=usage_7d&include=usage_7d,usage_1h", nil)
		if got := idsAt(r, "macros"); !slices.Equal(got, []int64{ids[2], ids[0], ids[1]}) {
			t.Fatalf("usage_7d order %v\n%s", got, r.Raw)
		}
		if r.Int("macros.0.usage_7d") != 3 || r.Int("macros.0.usage_1h") != 3 || r.Int("macros.2.usage_7d") != 0 || r.Get("macros.0.usage_30d") != nil {
			t.Fatalf("usage counts: %s", r.Raw)
		}
		asc := d.Must(200, d.Agent, "GET", "/api/v2/macros?sort_by=usage_30d&sort_order=asc", nil)
		if got := idsAt(asc, "macros"); !slices.Equal(got, []int64{ids[1], ids[0], ids[2]}) {
			t.Fatalf("usage_30d asc %v", got)
		}
		alpha := d.Must(200, d.Agent, "GET", "/api/v2/macros?sort_by=alphabetical", nil)
		if got := idsAt(alpha, "macros"); !slices.Equal(got, []int64{ids[0], ids[1], ids[2]}) {
			t.Fatalf("alphabetical %v", got)
		}
		// Old uses leave the short windows but stay in 30 days.
		err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error {
			for range 5 {
				if err := tx.RecordMacroUse(ids[1], time.Now().Add(-10*24*time.Hour)); err != nil {
					return err
				}
			}
			return tx.RecordMacroUse(ids[1], time.Now().Add(-40*24*time.Hour))
		})
		if err != nil {
			t.Fatal(err)
		}
		r = d.Must(200, d.Agent, "GET", "/api/v2/macros?sort_by=usage_30d&include=usage_24h,usage_7d,usage_30d", nil)
		if got := idsAt(r, "macros"); got[0] != ids[1] || r.Int("macros.0.usage_30d") != 5 || r.Int("macros.0.usage_7d") != 0 || r.Int("macros.0.usage_24h") != 0 {
			t.Fatalf("30 day window: %s", r.Raw)
		}
		if got := idsAt(d.Must(200, d.Agent, "GET", "/api/v2/macros?sort_by=usage_7d", nil), "macros"); got[0] != ids[2] {
			t.Fatalf("usage_7d after old uses %v", got)
		}
	})
}

func TestMacrosSearchHundreds(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		ctx := context.Background()
		now := time.Now()
		err := d.App.Store.Write(ctx, func(tx *store.Tx) error {
			for i := range 300 {
				title := fmt.Sprintf("カテゴリ%d::テンプレート%03d のご案内", i%7, i)
				switch i {
				case 150:
					title = "請求::返金のご案内"
				case 151:
					title = "配送::カタカナ表記のお知らせ"
				}
				m := &store.Macro{Title: title, Active: true, Position: int64(i),
					Actions:    []store.MacroAction{{Field: "comment_value", Value: "{{ticket.requester.name}} 様"}},
					SearchText: macros.SearchText(title, ""), CreatedAt: now, UpdatedAt: now}
				if err := tx.InsertMacro(m); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		r := d.Must(200, d.Agent, "GET", "/api/v2/macros/search?query=返金", nil)
		if r.Int("count") != 1 || r.Str("macros.0.title") != "請求::返金のご案内" {
			t.Fatalf("返金: %s", r.Raw)
		}
		// Half-width katakana and full-width letters find their normal forms.
		if r := d.Must(200, d.Agent, "GET", "/api/v2/macros/search?query=ｶﾀｶﾅ", nil); r.Int("count") != 1 {
			t.Fatalf("ｶﾀｶﾅ: %s", r.Raw)
		}
		if r := d.Must(200, d.Agent, "GET", "/api/v2/macros/search?query=テンプレート１２３", nil); r.Int("count") != 1 {
			t.Fatalf("full-width digits: %s", r.Raw)
		}
		// Several words must all match.
		if r := d.Must(200, d.Agent, "GET", "/api/v2/macros/search?query=カテゴリ3%20ご案内", nil); r.Int("count") != 42 {
			t.Fatalf("two words: count %d", r.Int("count"))
		}
		// Offset pages over 299 matches.
		page := d.Must(200, d.Agent, "GET", "/api/v2/macros/search?query=ご案内&per_page=100&page=3", nil)
		if page.Int("count") != 299 || page.Len("macros") != 99 || page.Get("next_page") != nil || page.Str("previous_page") == "" {
			t.Fatalf("page 3: count %d len %d next %v", page.Int("count"), page.Len("macros"), page.Get("next_page"))
		}
		// Cursor pages walk the whole list once.
		seen := map[int64]bool{}
		next := "/api/v2/macros/search?query=ご案内&page[size]=100"
		for next != "" {
			p := d.Must(200, d.Agent, "GET", next, nil)
			for _, id := range idsAt(p, "macros") {
				if seen[id] {
					t.Fatalf("macro %d twice", id)
				}
				seen[id] = true
			}
			next = p.Str("links.next")
			if p.Get("meta.has_more") != (next != "") {
				t.Fatalf("has_more and links.next disagree: %s", p.Raw)
			}
		}
		if len(seen) != 299 {
			t.Fatalf("cursor walk saw %d", len(seen))
		}
	})
}
