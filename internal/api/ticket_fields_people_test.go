package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

func TestTicketFields(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		// Fields get ids 1.. in creation order on a fresh desk.
		const dropdown, checkbox, multi, text = 1, 2, 3, 4
		field := func(id int) string { return fmt.Sprintf("/api/v2/ticket_fields/%d", id) }
		mk := func(f map[string]any) map[string]any { return map[string]any{"ticket_field": f} }
		var optionIDs []int64
		runSteps(t, d, []step{
			{name: "drop-down", as: "admin", method: "POST", path: "/api/v2/ticket_fields.json", status: 201,
				body: mk(map[string]any{"type": "tagger", "title": "問い合わせ種別", "description": "お問い合わせの種類", "visible_in_portal": true,
					"editable_in_portal": true, "title_in_portal": "ご用件", "custom_field_options": []map[string]any{
						{"name": "配送について", "value": "shipping"}, {"name": "返金について", "value": "refund"}}}),
				want: map[string]any{"ticket_field.id": dropdown, "ticket_field.type": "tagger", "ticket_field.title": "問い合わせ種別",
					"ticket_field.raw_title": "問い合わせ種別", "ticket_field.title_in_portal": "ご用件", "ticket_field.visible_in_portal": true,
					"ticket_field.active": true, "ticket_field.removable": true, "ticket_field.custom_field_options.1.value": "refund",
					"ticket_field.regexp_for_validation": nil, "ticket_field.tag": nil, "ticket_field.position": 0},
				check: func(t *testing.T, r *apptest.Response) {
					optionIDs = idsAt(r, "ticket_field.custom_field_options")
					if len(optionIDs) != 2 || optionIDs[0] == 0 || optionIDs[0] == optionIDs[1] {
						t.Errorf("option ids %v", optionIDs)
					}
				}},
			{name: "checkbox", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 201,
				body: mk(map[string]any{"type": "checkbox", "title": "解約リスク", "tag": "churn_risk"}),
				want: map[string]any{"ticket_field.id": checkbox, "ticket_field.tag": "churn_risk", "ticket_field.position": 1,
					"ticket_field.visible_in_portal": false}},
			{name: "multi-select", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 201,
				body: mk(map[string]any{"type": "multiselect", "title": "対象サービス", "custom_field_options": []map[string]any{
					{"name": "カート", "value": "cart"}, {"name": "決済", "value": "payment"}, {"name": "配送", "value": "delivery"}}}),
				check: func(t *testing.T, r *apptest.Response) {
					for _, id := range idsAt(r, "ticket_field.custom_field_options") {
						for _, prev := range optionIDs {
							if id == prev {
								t.Errorf("option id %d reused across fields", id)
							}
						}
					}
				}},
			{name: "text", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 201,
				body: mk(map[string]any{"type": "text", "title": "注文番号", "key": "order_no"}), want: map[string]any{"ticket_field.key": "order_no"}},
			{name: "title required", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body: mk(map[string]any{"type": "text"}), check: wantDetail("title", "BlankValue")},
			{name: "unknown type", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body: mk(map[string]any{"type": "spreadsheet", "title": "表"}), check: wantDetail("type", "InvalidValue")},
			{name: "drop-down without options", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body: mk(map[string]any{"type": "dropdown", "title": "空"}), check: wantDetail("custom_field_options", "BlankValue")},
			{name: "duplicate option values", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body: mk(map[string]any{"type": "tagger", "title": "重複", "custom_field_options": []map[string]any{
					{"name": "A", "value": "same"}, {"name": "B", "value": "same"}}}), check: wantDetail("custom_field_options", "DuplicateValue")},
			{name: "option without a name", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body:  mk(map[string]any{"type": "tagger", "title": "名無し", "custom_field_options": []map[string]any{{"value": "v"}}}),
				check: wantDetail("custom_field_options", "BlankValue")},
			{name: "regexp needs a pattern", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body: mk(map[string]any{"type": "regexp", "title": "会員番号"}), check: wantDetail("regexp_for_validation", "BlankValue")},
			{name: "regexp must compile", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body: mk(map[string]any{"type": "regexp", "title": "会員番号", "regexp_for_validation": "[0-9"}), check: wantDetail("regexp_for_validation", "InvalidValue")},
			{name: "key taken", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 422,
				body: mk(map[string]any{"type": "text", "title": "別の注文番号", "key": "order_no"}), check: wantDetail("key", "DuplicateValue")},
			{name: "agents cannot create", as: "agent", method: "POST", path: "/api/v2/ticket_fields", status: 403,
				body: mk(map[string]any{"type": "text", "title": "勝手"})},
			{name: "no envelope", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 400, body: map[string]any{"type": "text"}},
			{name: "type cannot change", as: "admin", method: "PUT", path: field(text), status: 422,
				body: mk(map[string]any{"type": "integer"}), check: wantDetail("type", "InvalidValue")},
			{name: "staff list all", as: "light", method: "GET", path: "/api/v2/ticket_fields", status: 200, want: map[string]any{"count": 4}},
			{name: "customers list portal fields", as: "customer", method: "GET", path: "/api/v2/ticket_fields.json", status: 200,
				want: map[string]any{"count": 1, "ticket_fields.0.id": dropdown}},
			{name: "customers cannot see hidden ones", as: "customer", method: "GET", path: field(checkbox), status: 404},
			{name: "show", as: "agent", method: "GET", path: field(multi) + ".json", status: 200, want: map[string]any{"ticket_field.custom_field_options.0.name": "カート"}},
			{name: "missing", as: "agent", method: "GET", path: field(999), status: 404},
		})

		// Updating options keeps the ids of options sent back by value.
		r := d.Must(200, d.Admin, "PUT", field(dropdown), map[string]any{"ticket_field": map[string]any{"custom_field_options": []map[string]any{
			{"name": "返金・キャンセル", "value": "refund"}, {"name": "その他", "value": "other"}}}})
		ids := idsAt(r, "ticket_field.custom_field_options")
		if len(ids) != 2 || ids[0] != optionIDs[1] || ids[1] == optionIDs[0] || r.Str("ticket_field.custom_field_options.0.name") != "返金・キャンセル" {
			t.Errorf("options after update: %s", r.Raw)
		}

		// Values on tickets come back in Zendesk's shapes.
		tk := d.Must(201, d.Agent, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{
			"subject": "返金申請について", "comment": map[string]any{"body": "二重に請求されました"}, "requester_id": d.Customer.ID,
			"custom_fields": []map[string]any{{"id": dropdown, "value": "refund"}, {"id": checkbox, "value": true},
				{"id": multi, "value": []string{"cart", "payment"}}}}})
		got := map[int64]any{}
		for i := 0; i < tk.Len("ticket.custom_fields"); i++ {
			got[tk.Int(fmt.Sprintf("ticket.custom_fields.%d.id", i))] = tk.Get(fmt.Sprintf("ticket.custom_fields.%d.value", i))
		}
		want := map[int64]string{dropdown: "refund", checkbox: "true", multi: "[cart payment]", text: "<nil>"}
		for id, w := range want {
			v, ok := got[id]
			if !ok || fmt.Sprint(v) != w {
				t.Errorf("field %d = %#v, want %s\n%s", id, v, w, tk.Raw)
			}
		}
		if _, isBool := got[checkbox].(bool); !isBool {
			t.Errorf("checkbox value is %T, want a boolean", got[checkbox])
		}
		id := tk.Int("ticket.id")
		runSteps(t, d, []step{
			{name: "read back", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/tickets/%d", id), status: 200,
				want: map[string]any{"ticket.custom_fields.0.value": "refund", "ticket.custom_fields.2.value": []string{"cart", "payment"},
					"ticket.custom_fields.3.value": nil}},
			{name: "an option that does not exist", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d", id), status: 422,
				body:  map[string]any{"ticket": map[string]any{"custom_fields": []map[string]any{{"id": dropdown, "value": "shipping"}}}},
				check: wantDetail(fmt.Sprintf("custom_fields.%d", dropdown), "InvalidValue")},
			{name: "a multi-select option that does not exist", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d", id), status: 422,
				body:  map[string]any{"ticket": map[string]any{"custom_fields": []map[string]any{{"id": multi, "value": []string{"cart", "冷蔵庫"}}}}},
				check: wantDetail(fmt.Sprintf("custom_fields.%d", multi), "InvalidValue")},
			{name: "clear with null", as: "agent", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d", id), status: 200,
				body: map[string]any{"ticket": map[string]any{"custom_fields": []map[string]any{{"id": dropdown, "value": nil}}}},
				want: map[string]any{"ticket.custom_fields.0.value": nil}},
			{name: "agents cannot delete fields", as: "agent", method: "DELETE", path: field(text), status: 403},
			{name: "admin deletes", as: "admin", method: "DELETE", path: field(text), status: 204},
			{name: "gone", as: "admin", method: "GET", path: field(text), status: 404},
			{name: "its key is free again", as: "admin", method: "POST", path: "/api/v2/ticket_fields", status: 201,
				body: mk(map[string]any{"type": "integer", "title": "注文番号(数字)", "key": "order_no"})},
			{name: "tickets no longer show it", as: "agent", method: "GET", path: fmt.Sprintf("/api/v2/tickets/%d", id), status: 200,
				check: func(t *testing.T, r *apptest.Response) { hasID("ticket.custom_fields", text, false)(t, r) }},
		})
	})
}
