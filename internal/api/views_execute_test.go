package api_test

import (
	"fmt"
	"slices"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestViewExecute: columns, sort, grouping and both pagination styles of
// execute and tickets.
func TestViewExecute(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		w := newVWWorld(t, d)
		v := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "未解決（ステータス別）", "output": map[string]any{
			"columns":  []any{"nice_id", "subject", "requester", "assignee", "group", "priority", w.field},
			"group_by": "status", "group_order": "asc", "sort_by": "created", "sort_order": "desc"}})
		id := v.Int("view.id")
		if v.Str("view.execution.group_by") != "status" || v.Str("view.execution.sort_by") != "created" || v.Str("view.execution.sort_order") != "desc" ||
			v.Len("view.execution.columns") != 7 || v.Int("view.execution.custom_fields.0.id") != w.field || v.Str("view.execution.columns.1.id") != "subject" ||
			v.Len("view.conditions.all") != 1 || v.Len("view.conditions.any") != 0 || v.Get("view.restriction") != nil {
			t.Fatalf("created view: %s", v.Raw)
		}
		r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", id), nil)
		// Grouped by status (new < open < pending), newest first inside a group.
		want := []int64{w.c, w.risk, w.woken, w.snoozed, w.a, w.b}
		if got := rowIDs(r); !slices.Equal(got, want) {
			t.Fatalf("rows %v, want %v\n%s", got, want, r.Raw)
		}
		if r.Len("columns") != 7 || r.Str("columns.1.title") != "Subject / 件名" || r.Str("columns.6.title") != "注文番号" || r.Int("view.id") != id {
			t.Errorf("columns: %s", r.Raw)
		}
		groups := map[string]int64{}
		for i := 0; i < r.Len("groups"); i++ {
			groups[r.Str(fmt.Sprintf("groups.%d.id", i))] = r.Int(fmt.Sprintf("groups.%d.count", i))
		}
		if len(groups) != 3 || groups["new"] != 1 || groups["open"] != 4 || groups["pending"] != 1 || r.Str("groups.0.id") != "new" {
			t.Errorf("groups: %v", groups)
		}
		// Row a (index 4) carries every column.
		row := "rows.4."
		if r.Int(row+"nice_id") != w.a || r.Str(row+"subject") != "配送状況を教えてください" || r.Str(row+"requester.name") != "佐藤 花子" ||
			r.Str(row+"assignee.name") != "山田 太郎" || r.Str(row+"group.name") != "配送チーム" || r.Str(row+"priority") != "high" ||
			r.Str(row+fmt.Sprint(w.field)) != "①番" || r.Str(row+"group_by_value") != "open" || r.Int(row+"requester_id") != d.Customer.ID {
			t.Errorf("row a: %v", r.Get("rows.4"))
		}
		if r.Int("count") != 6 || r.Get("next_page") != nil {
			t.Errorf("paging: count %d next %v", r.Int("count"), r.Get("next_page"))
		}

		// sort_by / sort_order on the request override the view's.
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json?sort_by=nice_id&sort_order=asc", id), nil)
		if got := rowIDs(r); !slices.Equal(got, []int64{w.c, w.a, w.snoozed, w.woken, w.risk, w.b}) {
			t.Errorf("sort_by=nice_id within groups: %v", got)
		}
		d.Must(400, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json?sort_by=colour", id), nil)

		// Offset pages of 4 and 2.
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json?per_page=4", id), nil)
		if !slices.Equal(rowIDs(r), want[:4]) || r.Str("next_page") == "" {
			t.Fatalf("page 1: %v %v", rowIDs(r), r.Get("next_page"))
		}
		r = d.Must(200, d.Agent, "GET", r.Str("next_page"), nil)
		if !slices.Equal(rowIDs(r), want[4:]) || r.Get("next_page") != nil || r.Str("previous_page") == "" {
			t.Fatalf("page 2: %v", rowIDs(r))
		}
		// Cursor pages, grouped order (by position) …
		var got []int64
		next := fmt.Sprintf("/api/v2/views/%d/execute.json?page[size]=4", id)
		for next != "" {
			r = d.Must(200, d.Agent, "GET", next, nil)
			got = append(got, rowIDs(r)...)
			next, _ = r.Get("links.next").(string)
		}
		if !slices.Equal(got, want) || r.Get("meta.has_more") != false {
			t.Errorf("cursor pages: %v", got)
		}

		// … and /tickets with a keyset order (updated, newest first).
		plain := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "更新順", "output": map[string]any{"sort_by": "updated", "sort_order": "desc"}}).Int("view.id")
		full := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/tickets.json", plain), nil)
		all := idsAt(full, "tickets")
		if len(all) != 6 || full.Int("count") != 6 || full.Str("tickets.0.subject") == "" {
			t.Fatalf("tickets: %s", full.Raw)
		}
		got = nil
		next = fmt.Sprintf("/api/v2/views/%d/tickets.json?page[size]=2", plain)
		for next != "" {
			r = d.Must(200, d.Agent, "GET", next, nil)
			got = append(got, idsAt(r, "tickets")...)
			next, _ = r.Get("links.next").(string)
		}
		if !slices.Equal(got, all) {
			t.Errorf("tickets by cursor %v, want %v", got, all)
		}
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/tickets.json?per_page=5&page=2", plain), nil)
		if !slices.Equal(idsAt(r, "tickets"), all[5:]) || r.Str("previous_page") == "" {
			t.Errorf("tickets page 2: %s", r.Raw)
		}

		// Grouping by assignee lists names; by created, UTC days.
		byAssignee := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "担当者別", "output": map[string]any{"group_by": "assignee", "group_order": "desc"}}).Int("view.id")
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", byAssignee), nil)
		names := map[string]int64{}
		for i := 0; i < r.Len("groups"); i++ {
			names[r.Str(fmt.Sprintf("groups.%d.name", i))] = r.Int(fmt.Sprintf("groups.%d.count", i))
		}
		if names["山田 太郎"] != 2 || names["-"] != 4 {
			t.Errorf("groups by assignee: %s", r.Raw)
		}
		byDay := vwCreate(t, d, d.Admin, 201, map[string]any{"title": "作成日別", "output": map[string]any{"group_by": "created"}}).Int("view.id")
		r = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/views/%d/execute.json", byDay), nil)
		if r.Len("groups") < 1 || len(r.Str("groups.0.id")) != len("2026-11-23") || r.Str("rows.0.group_by_value") != r.Str("groups.0.id") {
			t.Errorf("groups by day: %s", r.Raw)
		}
	})
}
