package web_test

import (
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestTicketProps: type, inbox (move) and every kind of custom field are
// one form away on the ticket page; the domain's validation reaches the
// agent, and a form sent back unchanged writes nothing.
func TestTicketProps(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		field := func(body map[string]any) int64 {
			return d.Must(201, d.Admin, "POST", "/api/v2/ticket_fields.json", map[string]any{"ticket_field": body}).Int("ticket_field.id")
		}
		kind := field(map[string]any{"type": "tagger", "title": "問い合わせ区分", "custom_field_options": []map[string]any{
			{"name": "配送について", "value": "shipping"}, {"name": "返金について", "value": "refund"}}})
		vip := field(map[string]any{"type": "checkbox", "title": "VIP対応"})
		products := field(map[string]any{"type": "multiselect", "title": "対象製品", "custom_field_options": []map[string]any{
			{"name": "クラウド会計", "value": "kaikei"}, {"name": "勤怠管理", "value": "kintai"}, {"name": "給与計算", "value": "kyuyo"}}})
		renewal := field(map[string]any{"type": "date", "title": "契約更新日"})
		count := field(map[string]any{"type": "integer", "title": "注文数"})
		inbox := d.Must(201, d.Admin, "POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{
			"name": "請求窓口", "addresses": []string{"billing@example.jp"}}}).Int("inbox.id")
		id := newTicket(t, d, "請求書の宛名を変更したい", "宛名を㈱キズナに変更してください。")
		path := fmt.Sprintf("/tickets/%d", id)

		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		p := b.do("GET", path, nil)
		for _, want := range []string{`name="type"`, ">インシデント<", `name="inbox_id"`, ">請求窓口<", "問い合わせ区分", ">返金について<",
			fmt.Sprintf(`name="cf_%d" value="true"`, vip), fmt.Sprintf(`id="cf-%d" name="cf_%d" form="ticket-form" multiple`, products, products),
			fmt.Sprintf(`name="cf_%d" type="date"`, renewal), fmt.Sprintf(`name="cf_%d" type="number"`, count)} {
			if !strings.Contains(p.body, want) {
				t.Errorf("ticket page lacks %q", want)
			}
		}
		cf := func(id int64) string { return fmt.Sprintf("cf_%d", id) }
		form := url.Values{"csrf": {p.csrf(t)}, "type": {"incident"}, "inbox_id": {fmt.Sprint(inbox)},
			cf(kind): {"refund"}, cf(vip): {"false", "true"}, cf(products): {"", "kaikei", "kyuyo"},
			cf(renewal): {"2027-04-01"}, cf(count): {"12"}}
		if r := b.do("POST", path, form); r.status != 303 {
			t.Fatalf("save: %d\n%s", r.status, r.body)
		}
		got := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		if got.Str("ticket.type") != "incident" || got.Int("ticket.inbox_id") != inbox {
			t.Errorf("type %q, inbox %d", got.Str("ticket.type"), got.Int("ticket.inbox_id"))
		}
		values := map[int64]string{}
		for _, f := range got.Get("ticket.custom_fields").([]any) {
			m := f.(map[string]any)
			values[int64(m["id"].(float64))] = fmt.Sprint(m["value"])
		}
		for id, want := range map[int64]string{kind: "refund", vip: "true", products: "[kaikei kyuyo]", renewal: "2027-04-01", count: "12"} {
			if values[id] != want {
				t.Errorf("field %d = %q, want %q", id, values[id], want)
			}
		}
		// The page shows what is stored.
		p = b.do("GET", path, nil)
		if !strings.Contains(p.body, `<option value="refund" selected>`) || !strings.Contains(p.body, `<option value="kyuyo" selected>`) ||
			!strings.Contains(p.body, fmt.Sprintf(`name="cf_%d" value="true" form="ticket-form" checked`, vip)) || !strings.Contains(p.body, `value="2027-04-01"`) {
			t.Errorf("stored values not shown")
		}
		audits := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil).Len("audits")
		// Unchanged: no audit. Unticking and clearing: recorded.
		form.Set("csrf", p.csrf(t))
		if r := b.do("POST", path, form); r.status != 303 {
			t.Fatalf("resave: %d", r.status)
		}
		if n := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil).Len("audits"); n != audits {
			t.Errorf("an unchanged form wrote %d audits", n-audits)
		}
		form[cf(vip)] = []string{"false"}
		form[cf(products)] = []string{""}
		if r := b.do("POST", path, form); r.status != 303 {
			t.Fatalf("clear: %d", r.status)
		}
		got = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		for _, f := range got.Get("ticket.custom_fields").([]any) {
			m := f.(map[string]any)
			switch int64(m["id"].(float64)) {
			case vip:
				if m["value"] != false {
					t.Errorf("VIP対応 still %v", m["value"])
				}
			case products:
				if l, _ := m["value"].([]any); len(l) != 0 {
					t.Errorf("対象製品 still %v", m["value"])
				}
			}
		}
		// A value the field does not take: the domain's message, nothing saved.
		form.Set(cf(count), "十二")
		form.Set("type", "task")
		r := b.do("POST", path, form)
		if r.status != 422 || !strings.Contains(r.body, "注文数") {
			t.Errorf("bad number: %d", r.status)
		}
		if got := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil); got.Str("ticket.type") != "incident" {
			t.Errorf("a refused form changed the type to %q", got.Str("ticket.type"))
		}
	})
}

// TestMacroSetsProps: a macro that changes the subject, the type and a
// custom field shows them in the form; saving applies them.
func TestMacroSetsProps(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		kind := d.Must(201, d.Admin, "POST", "/api/v2/ticket_fields.json", map[string]any{"ticket_field": map[string]any{
			"type": "tagger", "title": "問い合わせ区分", "custom_field_options": []map[string]any{
				{"name": "配送について", "value": "shipping"}, {"name": "返金について", "value": "refund"}}}}).Int("ticket_field.id")
		mid := d.Must(201, d.Admin, "POST", "/api/v2/macros.json", map[string]any{"macro": map[string]any{
			"title": "返金::返金手続きのご案内", "actions": []map[string]any{
				{"field": "subject", "value": "【返金】{{ticket.title}}"},
				{"field": "type", "value": "task"},
				{"field": fmt.Sprintf("custom_fields_%d", kind), "value": "refund"}}}}).Int("macro.id")
		id := newTicket(t, d, "返金してほしい", "二重に請求されています。")
		path := fmt.Sprintf("/tickets/%d", id)
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		p := b.do("POST", path+"/macro", url.Values{"csrf": {b.do("GET", path, nil).csrf(t)}, "macro": {fmt.Sprint(mid)}})
		if p.status != 200 || !strings.Contains(p.body, `name="subject" value="【返金】返金してほしい"`) ||
			!strings.Contains(p.body, `<option value="task" selected>`) || !strings.Contains(p.body, `<option value="refund" selected>`) {
			t.Fatalf("macro preview: %d", p.status)
		}
		form := url.Values{"csrf": {p.csrf(t)}, "subject": {"【返金】返金してほしい"}, "type": {"task"}, fmt.Sprintf("cf_%d", kind): {"refund"}}
		if r := b.do("POST", path, form); r.status != 303 {
			t.Fatalf("save: %d", r.status)
		}
		got := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		if got.Str("ticket.subject") != "【返金】返金してほしい" || got.Str("ticket.type") != "task" {
			t.Errorf("saved: %q, %q", got.Str("ticket.subject"), got.Str("ticket.type"))
		}
	})
}
