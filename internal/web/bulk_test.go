package web_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

func TestBulkEdit(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		demo, err := webdemo.Seed(t.Context(), d.App)
		if err != nil {
			t.Fatal(err)
		}
		tk := demo.Tickets
		suzuki := demo.Agents[0]
		ticket := func(id int64) *model.Ticket {
			var out *model.Ticket
			if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
				var err error
				out, err = tx.Ticket(id)
				return err
			}); err != nil {
				t.Fatal(err)
			}
			return out
		}
		b := newBrowser(t, d, "ja")
		q := b.login(suzuki.Email, webdemo.Password, false)
		if !strings.Contains(q.body, `id="bulk"`) || !strings.Contains(q.body, `id="pick-all"`) || !strings.Contains(q.body, `class="pick-row"`) {
			t.Fatalf("bulk bar or checkboxes missing")
		}
		token := q.csrf(t)
		post := func(f url.Values, ids ...int64) *page {
			f.Set("csrf", token)
			f.Set("back", "/tickets?view=unsolved")
			for _, id := range ids {
				f.Add("id", fmt.Sprint(id))
			}
			return b.do("POST", "/tickets/bulk", f)
		}
		// Without the token nothing happens.
		if p := b.do("POST", "/tickets/bulk", url.Values{"id": {fmt.Sprint(tk[1])}, "assignee": {"me"}}); p.status != 403 {
			t.Errorf("bulk without csrf: %d", p.status)
		}
		// Assign three tickets to me and tag them 要確認.
		p := post(url.Values{"assignee": {"me"}, "add_tags": {"要確認"}}, tk[1], tk[2], tk[6])
		if p.status != 200 || !strings.Contains(p.body, "3件更新") || strings.Contains(p.body, "失敗") {
			t.Fatalf("bulk assign: %d\n%s", p.status, p.body)
		}
		for _, id := range []int64{tk[1], tk[2], tk[6]} {
			got := ticket(id)
			if got.AssigneeID != suzuki.ID || !slices.Contains(got.Tags, "要確認") {
				t.Errorf("#%d after bulk: assignee %d tags %v", id, got.AssigneeID, got.Tags)
			}
		}
		if got := sidebarCount(p, "mine"); got != "5" {
			t.Errorf("mine after bulk assign = %s, want 5", got)
		}
		waitCount(t, b, "tag:要確認", "3")

		// Partial failure: solving needs an assignee; the mail ticket has none.
		p = post(url.Values{"status": {"solved"}}, tk[0], demo.MailTicket)
		want := fmt.Sprintf("1件更新、1件失敗（#%d: 解決済みには担当者が必要です）", demo.MailTicket)
		if p.status != 200 || !strings.Contains(p.body, want) {
			t.Errorf("partial failure: %d, want %q in\n%.3000s", p.status, want, p.body)
		}
		if ticket(tk[0]).Status != model.StatusSolved || ticket(demo.MailTicket).Status == model.StatusSolved {
			t.Errorf("partial failure changed the wrong tickets")
		}
		// In English the same summary is English.
		en := newBrowser(t, d, "en")
		ep := en.login(demo.Agents[3].Email, webdemo.Password, false)
		f := url.Values{"csrf": {ep.csrf(t)}, "status": {"solved"}, "assignee": {"none"}, "id": {fmt.Sprint(tk[4])}}
		if p := en.do("POST", "/tickets/bulk", f); p.status != 422 || !strings.Contains(p.body, "0 updated, 1 failed") || !strings.Contains(p.body, "a solved ticket needs an assignee") {
			t.Errorf("english failure: %d", p.status)
		}
		// A light agent sees no bulk bar, and a crafted post changes nothing:
		// the service refuses each ticket.
		lb := newBrowser(t, d, "ja")
		lp := lb.login(d.Light.Email, "password-light-agent", false)
		if strings.Contains(lp.body, `id="bulk"`) || strings.Contains(lp.body, `class="pick-row"`) {
			t.Errorf("light agent got the bulk bar")
		}
		lf := url.Values{"csrf": {lp.csrf(t)}, "status": {"hold"}, "id": {fmt.Sprint(tk[6])}}
		if p := lb.do("POST", "/tickets/bulk", lf); p.status != 422 || !strings.Contains(p.body, "0件更新、1件失敗") || ticket(tk[6]).Status == model.StatusHold {
			t.Errorf("light agent bulk: %d %.2000s", p.status, p.body)
		}
		// Nothing chosen, nothing selected, a bad value: a message, not a 500.
		for _, c := range []struct {
			f    url.Values
			ids  []int64
			want string
		}{
			{url.Values{}, []int64{tk[1]}, "変更する項目を選んでください"},
			{url.Values{"assignee": {"me"}}, nil, "チケットが選択されていません"},
			{url.Values{"status": {"閉鎖"}}, []int64{tk[1]}, "選んだ値が正しくありません"},
		} {
			if p := post(c.f, c.ids...); p.status != 422 || !strings.Contains(p.body, c.want) {
				t.Errorf("bulk %v: %d, want %q", c.f, p.status, c.want)
			}
		}
		// Group, inbox and tag removal in one go.
		grp := d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "二次対応"}}).Int("group.id")
		d.Must(201, d.Admin, "POST", "/api/v2/group_memberships.json", map[string]any{"group_membership": map[string]any{"user_id": suzuki.ID, "group_id": grp}})
		inbox := ticket(demo.MailTicket).InboxID
		p = post(url.Values{"group": {fmt.Sprint(grp)}, "inbox": {fmt.Sprint(inbox)}, "remove_tags": {"要確認"}}, tk[1], tk[2])
		if !strings.Contains(p.body, "2件更新") {
			t.Errorf("group/inbox/tags: %.2000s", p.body)
		}
		for _, id := range []int64{tk[1], tk[2]} {
			got := ticket(id)
			if got.GroupID != grp || got.InboxID != inbox || slices.Contains(got.Tags, "要確認") {
				t.Errorf("#%d: group %d inbox %d tags %v", id, got.GroupID, got.InboxID, got.Tags)
			}
		}
		// A macro on two tickets: its comment and status land on both.
		var macroID int64
		d.App.Store.Read(t.Context(), func(tx *store.Tx) error {
			ms, err := tx.Macros(store.MacroFilter{})
			for _, m := range ms {
				if strings.Contains(m.Title, "配送遅延") {
					macroID = m.ID
				}
			}
			return err
		})
		p = post(url.Values{"macro": {fmt.Sprint(macroID)}}, tk[1], tk[2])
		if !strings.Contains(p.body, "2件更新") {
			t.Errorf("macro: %.2000s", p.body)
		}
		for _, id := range []int64{tk[1], tk[2]} {
			if got := ticket(id); got.Status != model.StatusPending {
				t.Errorf("#%d after macro: %s", id, got.Status)
			}
			if n := commentCount(t, d, id); n != 2 {
				t.Errorf("#%d comments after macro: %d", id, n)
			}
		}
		// Merge: the others into one of them.
		p = post(url.Values{"op": {"merge"}, "merge_target": {fmt.Sprint(tk[1])}}, tk[1], tk[2])
		if !strings.Contains(p.body, fmt.Sprintf("1件をチケット #%d に統合しました", tk[1])) {
			t.Errorf("merge: %.2000s", p.body)
		}
		if ticket(tk[2]).Status != model.StatusClosed {
			t.Errorf("merged source not closed")
		}
		// A closed ticket takes tags only: the summary says so.
		p = post(url.Values{"status": {"open"}}, tk[2], tk[6])
		if !strings.Contains(p.body, fmt.Sprintf("1件更新、1件失敗（#%d: クローズ済みのチケットはタグ以外変更できません）", tk[2])) {
			t.Errorf("closed ticket: %.3000s", p.body)
		}
		if p := post(url.Values{"op": {"merge"}, "merge_target": {"＃"}}, tk[6]); p.status != 422 || !strings.Contains(p.body, "統合先のチケット番号を入力してください") {
			t.Errorf("merge without target: %d", p.status)
		}
	})
}
