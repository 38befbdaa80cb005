package api_test

import (
	"fmt"
	"net/url"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestMacrosDerivedAndActions(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		group, _, ticket := setupMacroDesk(t, d)
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", ticket), map[string]any{"ticket": map[string]any{
			"status": "pending", "priority": "urgent", "group_id": group, "tags": []string{"配送", "至急"}}})
		shared := d.Must(201, d.Admin, "POST", "/api/v2/macros", statusMacro("共通::返金のご案内", nil)).Int("macro.id")

		fromTicket := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/macros/new?ticket_id=%d", ticket), nil)
		if fromTicket.Get("macro.id") != nil || fromTicket.Str("macro.title") != "配送状況を教えてください" ||
			fromTicket.Str("macro.restriction.type") != "User" || fromTicket.Str("macro.actions.0.field") != "status" ||
			fromTicket.Str("macro.actions.0.value") != "pending" {
			t.Fatalf("derived from ticket: %s", fromTicket.Raw)
		}
		found := map[string]any{}
		for i := 0; i < fromTicket.Len("macro.actions"); i++ {
			found[fromTicket.Str(fmt.Sprintf("macro.actions.%d.field", i))] = fromTicket.Get(fmt.Sprintf("macro.actions.%d.value", i))
		}
		if found["priority"] != "urgent" || fmt.Sprint(found["group_id"]) != fmt.Sprint(group) || found["set_tags"] != "配送 至急" {
			t.Fatalf("derived actions %v", found)
		}
		attrs := url.QueryEscape(`{"title": "返金::コピー", "active": false}`)
		fromMacro := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/macros/new?macro_id=%d&macro_attributes=%s", shared, attrs), nil)
		if fromMacro.Str("macro.title") != "返金::コピー" || fromMacro.Get("macro.active") != false || fromMacro.Str("macro.actions.0.value") != "pending" ||
			fromMacro.Get("macro.restriction") != nil || fromMacro.Get("macro.url") != nil {
			t.Fatalf("derived from macro: %s", fromMacro.Raw)
		}
		// Nothing was saved.
		if r := d.Must(200, d.Admin, "GET", "/api/v2/macros", nil); r.Int("count") != 1 {
			t.Fatalf("derived macros were saved: %s", r.Raw)
		}
		d.Must(400, d.Agent, "GET", "/api/v2/macros/new?macro_attributes=%7Bnope", nil)
		d.Must(422, d.Agent, "GET", "/api/v2/macros/new?macro_attributes="+url.QueryEscape(`{"title": "x", "actions": [{"field": "status", "value": "finished"}]}`), nil)
		d.Must(404, d.Agent, "GET", "/api/v2/macros/new?macro_id=9999", nil)

		// Action definitions list the desk's groups, agents and fields, in Japanese for a ja user.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", d.Agent.ID), map[string]any{"user": map[string]any{"locale": "ja"}})
		defs := d.Must(200, d.Agent, "GET", "/api/v2/macros/actions", nil)
		bySubject := map[string]int{}
		for i := 0; i < defs.Len("actions"); i++ {
			bySubject[defs.Str(fmt.Sprintf("actions.%d.subject", i))] = i
		}
		st, ok := bySubject["status"]
		if !ok || defs.Str(fmt.Sprintf("actions.%d.title", st)) != "ステータス" {
			t.Fatalf("status action: %s", defs.Raw)
		}
		g := bySubject["group_id"]
		hasGroup := false
		for i := 0; i < defs.Len(fmt.Sprintf("actions.%d.values", g)); i++ {
			hasGroup = hasGroup || defs.Str(fmt.Sprintf("actions.%d.values.%d.title", g, i)) == "配送チーム"
		}
		if !hasGroup {
			t.Fatalf("groups missing: %s", defs.Raw)
		}
		if _, ok := bySubject["comment_value"]; !ok {
			t.Fatal("comment_value missing")
		}
		if r := d.Must(200, d.Agent, "GET", "/api/v2/macros/definitions", nil); r.Len("definitions.actions") != defs.Len("actions") {
			t.Fatalf("definitions: %s", r.Raw)
		}
		d.Must(403, d.Customer, "GET", "/api/v2/macros/actions", nil)
	})
}
