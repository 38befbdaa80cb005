package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/triggers"
)

// adminBrowser signs the desk's admin in (Japanese).
func adminBrowser(t *testing.T, d *apptest.Desk) *browser {
	t.Helper()
	b := newBrowser(t, d, "ja")
	b.login(d.Admin.Email, "管理者のパスワード", false)
	return b
}

// form posts f (with the page's CSRF token) to path.
func (b *browser) postFrom(path string, from *page, f url.Values) *page {
	b.t.Helper()
	f.Set("csrf", from.csrf(b.t))
	return b.do("POST", path, f)
}

// createTicket writes a ticket through tickets.Service: the customer's,
// filed by the agent (end users cannot tag).
func createTicket(t *testing.T, d *apptest.Desk, subject string, tags ...string) *model.Ticket {
	t.Helper()
	body := subject + "の件でご連絡しました。"
	ch := tickets.Change{Subject: &subject, Comment: &tickets.CommentInput{Body: body}, Via: "web", RequesterID: &d.Customer.ID}
	if tags != nil {
		ch.Tags = &tags
	}
	res, err := d.App.Tickets.Create(context.Background(), d.Agent.User, ch)
	if err != nil {
		t.Fatalf("create ticket %q: %v", subject, err)
	}
	// Triggers write their changes as the rules' own update in the same
	// transaction: read the ticket as it was committed.
	var tk *model.Ticket
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		tk, err = tx.Ticket(res.Ticket.ID)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return tk
}

func listTriggers(t *testing.T, d *apptest.Desk) []*triggers.Trigger {
	t.Helper()
	var out []*triggers.Trigger
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		out, _, err = triggers.List(tx, store.TriggerFilter{}, "position", false, 0, 1000)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func count(body, s string) int { return strings.Count(body, s) }

func TestRuleSettingsTriggers(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := adminBrowser(t, d)
		g := d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "VIPサポート"}})
		gid := int64(g.Get("group.id").(float64))
		before := len(listTriggers(t, d)) // the shipped default triggers
		form := b.do("GET", "/settings/triggers/new", nil)
		if form.status != 200 || count(form.body, `name="all_field"`) != 2 || count(form.body, `name="act_field"`) != 2 {
			t.Fatalf("new trigger form: %d, %d condition rows\n%.2000s", form.status, count(form.body, `name="all_field"`), form.body)
		}
		// The field list comes from the rules engine: trigger-only fields
		// and the "changed" operators are offered here.
		// Groups and agents are offered by name, not only by id.
		for _, want := range []string{`value="comment_includes_word"`, `value="value_previous"`, `value="notification_webhook"`, "件名の語句", "タグを追加",
			fmt.Sprintf(`<option value="%d">VIPサポート</option>`, gid), fmt.Sprintf(`<option value="%d">山田 太郎</option>`, d.Agent.ID)} {
			if !strings.Contains(form.body, want) {
				t.Errorf("trigger form lacks %s", want)
			}
		}

		// "Add row" without JavaScript: the form comes back with one more
		// row and what was typed, nothing saved.
		f := url.Values{"title": {"トリガー「VIP顧客を優先」"}, "active": {"1"},
			"all_field": {"subject_includes_word", ""}, "all_op": {"includes", "is"}, "all_value": {"至急", ""},
			"act_field": {"priority", ""}, "act_value": {"urgent", ""}, "add_row": {"all"}}
		p := b.postFrom("/settings/triggers/new", form, f)
		if p.status != 200 || count(p.body, `name="all_field"`) != 3 || !strings.Contains(p.body, `value="至急"`) {
			t.Fatalf("add row: %d, %d rows", p.status, count(p.body, `name="all_field"`))
		}
		if n := len(listTriggers(t, d)); n != before {
			t.Fatalf("add row saved a trigger")
		}

		// Validation errors come back in Japanese, with the row named.
		bad := url.Values{"title": {"  "}, "all_field": {"status"}, "all_op": {"includes"}, "all_value": {"open"},
			"act_field": {"priority"}, "act_value": {"とても高い"}}
		p = b.postFrom("/settings/triggers/new", form, bad)
		for _, want := range []string{"保存できませんでした", "タイトルを入力してください", "「すべて」の1行目: 演算子", "アクションの1行目: 優先度 &#34;とても高い&#34; は不明です"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("validation page lacks %q\n%s", want, p.body[strings.Index(p.body, "form-errors"):][:800])
			}
		}
		if p.status != http.StatusUnprocessableEntity || strings.Contains(p.body, "cannot be blank") {
			t.Errorf("validation: status %d or English text in the Japanese page", p.status)
		}

		// Saved: it really fires on a ticket written through tickets.Service.
		f.Del("add_row")
		f["act_field"] = []string{"priority", "current_tags"}
		f["act_value"] = []string{"urgent", "vip優先"}
		p = b.postFrom("/settings/triggers/new", form, f)
		if p.status != http.StatusSeeOther || p.loc != "/settings/triggers?done=saved" {
			t.Fatalf("create: %d %q\n%s", p.status, p.loc, p.body)
		}
		list := b.do("GET", p.loc, nil)
		if !strings.Contains(list.body, "トリガー「VIP顧客を優先」") || !strings.Contains(list.body, "保存しました。") {
			t.Fatalf("list after create lacks the trigger")
		}
		all := listTriggers(t, d)
		vip := all[len(all)-1]
		if vip.Title != "トリガー「VIP顧客を優先」" || len(vip.Conditions.All) != 1 || len(vip.Actions) != 2 {
			t.Fatalf("stored trigger: %+v", vip)
		}
		tk := createTicket(t, d, "至急: 注文した商品が届きません")
		if tk.Priority != "urgent" || !slices.Contains(tk.Tags, "vip優先") {
			t.Errorf("the trigger did not act: priority %q tags %v", tk.Priority, tk.Tags)
		}
		if other := createTicket(t, d, "請求書の再発行"); other.Priority == "urgent" {
			t.Errorf("the trigger acted on a ticket that does not match")
		}

		// Edit: the form shows the rows; a new title is saved.
		ep := b.do("GET", fmt.Sprintf("/settings/triggers/%d", vip.ID), nil)
		if !strings.Contains(ep.body, `value="至急"`) || !strings.Contains(ep.body, `<option value="subject_includes_word" data-ops`) {
			t.Fatalf("edit form does not show the stored rows")
		}
		f.Set("title", "VIP顧客を最優先")
		if p := b.postFrom(fmt.Sprintf("/settings/triggers/%d", vip.ID), ep, f); p.status != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", p.status, p.body)
		}

		// Reorder: a second trigger comes after it; move ours down.
		d.Must(201, d.Admin, "POST", "/api/v2/triggers.json", map[string]any{"trigger": map[string]any{
			"title": "返金の問い合わせ", "conditions": map[string]any{"all": []map[string]any{{"field": "subject_includes_word", "operator": "includes", "value": "返金"}}},
			"actions": []map[string]any{{"field": "current_tags", "value": "返金"}}}})
		lp := b.do("GET", "/settings/triggers", nil)
		order := func() []int64 {
			var ids []int64
			for _, tr := range listTriggers(t, d) {
				ids = append(ids, tr.ID)
			}
			return ids
		}
		was := order()
		if i := slices.Index(was, vip.ID); i != len(was)-2 {
			t.Fatalf("before moving: order %v", was)
		}
		if p := b.postFrom(fmt.Sprintf("/settings/triggers/%d/move", vip.ID), lp, url.Values{"dir": {"down"}}); p.status != http.StatusSeeOther {
			t.Fatalf("move: %d", p.status)
		}
		now := order()
		if i := slices.Index(now, vip.ID); i != len(was)-1 {
			t.Errorf("after moving down: order %v (was %v)", now, was)
		}
		lp = b.do("GET", "/settings/triggers?done=moved", nil)
		rows := regexp.MustCompile(`data-rule="(\d+)"`).FindAllStringSubmatch(lp.body, -1)
		if len(rows) != len(now) || rows[len(rows)-1][1] != fmt.Sprint(vip.ID) || !strings.Contains(lp.body, "順序を変更しました") {
			t.Errorf("the list is not in firing order")
		}

		// Deactivated, it no longer fires.
		if p := b.postFrom(fmt.Sprintf("/settings/triggers/%d/active", vip.ID), lp, url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", p.status)
		}
		if tk := createTicket(t, d, "至急: 返金してください"); tk.Priority == "urgent" {
			t.Errorf("an inactive trigger acted")
		}

		// Agents read the list but cannot change anything.
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		al := agent.do("GET", "/settings/triggers", nil)
		if al.status != 200 || !strings.Contains(al.body, "VIP顧客を最優先") || !strings.Contains(al.body, `id="read-only"`) || strings.Contains(al.body, "/settings/triggers/new") {
			t.Errorf("agent's list: %d", al.status)
		}
		if p := agent.do("GET", "/settings/triggers/new", nil); p.status != http.StatusForbidden {
			t.Errorf("agent's new form: %d", p.status)
		}
		for _, path := range []string{"/settings/triggers/new", fmt.Sprintf("/settings/triggers/%d/delete", vip.ID), fmt.Sprintf("/settings/triggers/%d/move", vip.ID)} {
			if p := agent.postFrom(path, al, url.Values{"title": {"乗っ取り"}, "dir": {"up"}}); p.status != http.StatusForbidden {
				t.Errorf("agent POST %s: %d", path, p.status)
			}
		}
		// No CSRF token, no write, even for the admin.
		if p := b.do("POST", fmt.Sprintf("/settings/triggers/%d/delete", vip.ID), url.Values{}); p.status != http.StatusForbidden {
			t.Errorf("delete without token: %d", p.status)
		}
		if p := b.postFrom(fmt.Sprintf("/settings/triggers/%d/delete", vip.ID), lp, url.Values{}); p.status != http.StatusSeeOther {
			t.Errorf("delete: %d", p.status)
		}
		if slices.Contains(order(), vip.ID) {
			t.Errorf("trigger not deleted")
		}
	})
}

func TestRuleSettingsAutomations(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := newBrowser(t, d, "en-US")
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Admin.ID), map[string]any{"user": map[string]any{"locale": "ja"}})
		b.login(d.Admin.Email, "管理者のパスワード", false)
		form := b.do("GET", "/settings/automations/new", nil)
		if !strings.Contains(form.body, `value="SOLVED"`) || strings.Contains(form.body, `<option value="value_previous"`) {
			t.Errorf("automation form: time fields missing or trigger-only operators offered")
		}
		// No time condition, and nothing undoes the conditions: both of
		// the engine's rules are explained in Japanese.
		f := url.Values{"title": {"解決後4日でクローズ"}, "active": {"1"},
			"all_field": {"status"}, "all_op": {"is"}, "all_value": {"solved"},
			"act_field": {"priority"}, "act_value": {"low"}}
		p := b.postFrom("/settings/automations/new", form, f)
		if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, "時間の条件が少なくとも1つ必要です") || !strings.Contains(p.body, "条件のいずれかを打ち消すアクション") {
			t.Fatalf("automation validation: %d\n%s", p.status, p.body)
		}
		f["all_field"] = []string{"status", "SOLVED"}
		f["all_op"] = []string{"is", "greater_than"}
		f["all_value"] = []string{"solved", "96"}
		f["act_field"] = []string{"status"}
		f["act_value"] = []string{"closed"}
		if p := b.postFrom("/settings/automations/new", form, f); p.status != http.StatusSeeOther {
			t.Fatalf("create automation: %d\n%s", p.status, p.body)
		}
		f2 := url.Values{"title": {"保留3日でリマインド"}, "active": {"1"},
			"all_field": {"PENDING", "current_tags"}, "all_op": {"greater_than", "not_includes"}, "all_value": {"72", "リマインド済み"},
			"act_field": {"current_tags"}, "act_value": {"リマインド済み"}}
		if p := b.postFrom("/settings/automations/new", form, f2); p.status != http.StatusSeeOther {
			t.Fatalf("create second automation: %d\n%s", p.status, p.body)
		}
		var list []*automations.Automation
		read := func() {
			list = nil
			if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
				rows, err := tx.ListAutomations(store.AutomationFilter{})
				for _, r := range rows {
					a, _ := automations.Parse(r)
					list = append(list, a)
				}
				return err
			}); err != nil {
				t.Fatal(err)
			}
		}
		read()
		last := list[len(list)-1]
		if last.Title != "保留3日でリマインド" || last.Conds.All[0].Field != "PENDING" {
			t.Fatalf("stored automation: %+v", last.Automation)
		}
		lp := b.do("GET", "/settings/automations", nil)
		if p := b.postFrom(fmt.Sprintf("/settings/automations/%d/move", last.ID), lp, url.Values{"dir": {"up"}}); p.status != http.StatusSeeOther {
			t.Fatalf("move: %d", p.status)
		}
		read()
		if list[len(list)-2].ID != last.ID {
			t.Errorf("automation not moved up")
		}
		if p := b.postFrom(fmt.Sprintf("/settings/automations/%d/active", last.ID), lp, url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("deactivate: %d", p.status)
		}
		read()
		for _, a := range list {
			if a.ID == last.ID && a.Active {
				t.Errorf("automation still active")
			}
		}
		light := newBrowser(t, d, "ja")
		light.login(d.Light.Email, "password-light-agent", false)
		if p := light.do("GET", fmt.Sprintf("/settings/automations/%d", last.ID), nil); p.status != http.StatusForbidden {
			t.Errorf("light agent's edit form: %d", p.status)
		}
	})
}

// TestRuleSettingsEnglish: an English-speaking admin gets the pages and
// the engine's messages in English (the domain's "English / 日本語" split).
func TestRuleSettingsEnglish(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Admin.ID), map[string]any{"user": map[string]any{"locale": "en-US"}})
		b := newBrowser(t, d, "ja")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		form := b.do("GET", "/settings/triggers/new", nil)
		if !strings.Contains(form.body, "Meet ALL of these conditions") || !strings.Contains(form.body, ">Subject text<") || !strings.Contains(form.body, ">changed to<") {
			t.Errorf("English trigger form")
		}
		p := b.postFrom("/settings/triggers/new", form, url.Values{"title": {""}, "all_field": {"status"}, "all_op": {"includes"}, "all_value": {"open"},
			"act_field": {"status"}, "act_value": {"new"}})
		for _, want := range []string{"Not saved.", "Title: cannot be blank", "ALL conditions, row 1: the operator &#34;includes&#34; does not apply to &#34;status&#34;",
			"Actions, row 1: &#34;new&#34; is not a status a rule can set"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("English validation lacks %q", want)
			}
		}
		if strings.Contains(p.body, "タイトルを入力してください") {
			t.Errorf("Japanese half on an English page")
		}
	})
}
