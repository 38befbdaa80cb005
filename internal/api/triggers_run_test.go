package api_test

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
)

func ticketTags(r *apptest.Response, path string) []string {
	var out []string
	l, _ := r.Get(path).([]any)
	for _, t := range l {
		out = append(out, t.(string))
	}
	return out
}

// auditReasons lists the reasons recorded on a ticket's audits.
func auditReasons(t *testing.T, d *apptest.Desk, id int64) string {
	t.Helper()
	r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil)
	var b strings.Builder
	for i := 0; i < r.Len("audits"); i++ {
		for j := 0; j < r.Len(fmt.Sprintf("audits.%d.events", i)); j++ {
			b.WriteString(r.Str(fmt.Sprintf("audits.%d.events.%d.type", i, j)) + ":" + r.Str(fmt.Sprintf("audits.%d.events.%d.reason", i, j)) + "\n")
		}
	}
	return b.String()
}

func TestTriggerScenarios(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		mk := func(body map[string]any) int64 {
			return d.Must(201, d.Admin, "POST", "/api/v2/triggers.json", body).Int("trigger.id")
		}
		ticket := func(as *apptest.User, subject, body string) *apptest.Response {
			tk := map[string]any{"subject": subject, "comment": map[string]any{"body": body}}
			if as != d.Customer {
				tk["requester_id"] = d.Customer.ID
			}
			return d.Must(201, as, "POST", "/api/v2/tickets.json", map[string]any{"ticket": tk})
		}

		// 1. A customer's words 「解約」 tag the ticket churn_risk; ｶﾀｶﾅ and
		// full-width forms match after NFKC.
		churn := mk(trig("チャーン兆候", all(cond("comment_includes_word", "includes", "解約 キャンセル")), []any{act("current_tags", "churn_risk")}))
		r := ticket(d.Customer, "契約について", "来月で解約を検討しています。")
		id := r.Int("ticket.id")
		show := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
		if !slices.Contains(ticketTags(show, "ticket.tags"), "churn_risk") {
			t.Fatalf("churn_risk not added: %s", show.Raw)
		}
		if reasons := auditReasons(t, d, id); !strings.Contains(reasons, fmt.Sprintf("trigger %d 「チャーン兆候」", churn)) {
			t.Fatalf("audit does not say which trigger: %s", reasons)
		}
		au := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil)
		if au.Str("audits.1.via.channel") != "rule" || au.Int("audits.1.metadata.rule.triggers.0.id") != churn ||
			au.Str("audits.1.via.source.rel") != "trigger" || au.Int("audits.1.via.source.from.id") != churn || au.Str("audits.1.via.source.from.title") != "チャーン兆候" {
			t.Fatalf("the rule's audit: %s", au.Raw)
		}
		r = ticket(d.Agent, "ｷｬﾝｾﾙ希望", "ｷｬﾝｾﾙしたい")
		if !slices.Contains(ticketTags(r, "ticket.tags"), "churn_risk") {
			// the response is the person's write; the rule's follows in the same transaction
			show := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", r.Int("ticket.id")), nil)
			if !slices.Contains(ticketTags(show, "ticket.tags"), "churn_risk") {
				t.Fatalf("half-width ｷｬﾝｾﾙ should match キャンセル: %s", show.Raw)
			}
		}
		r = ticket(d.Customer, "配送状況を教えてください", "注文①の配送状況を教えてください。")
		if show := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", r.Int("ticket.id")), nil); slices.Contains(ticketTags(show, "ticket.tags"), "churn_risk") {
			t.Fatalf("no 解約, no tag: %s", show.Raw)
		}
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/triggers/%d.json", churn), nil)

		// 2. "changed to solved" fires on the update that solves, not before
		// and not on later updates.
		solved := mk(trig("解決でタグ", all(cond("status", "changed_to", "solved")), []any{act("current_tags", "解決済み")}))
		id = ticket(d.Agent, "請求書の再発行", "請求書を再発行してください").Int("ticket.id")
		path := fmt.Sprintf("/api/v2/tickets/%d.json", id)
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"status": "pending", "assignee_id": d.Agent.ID}})
		if tags := ticketTags(d.Must(200, d.Agent, "GET", path, nil), "ticket.tags"); slices.Contains(tags, "解決済み") {
			t.Fatalf("fired before solved: %v", tags)
		}
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"status": "solved"}})
		if tags := ticketTags(d.Must(200, d.Agent, "GET", path, nil), "ticket.tags"); !slices.Contains(tags, "解決済み") {
			t.Fatalf("not fired on solve: %v", tags)
		}
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"remove_tags": []string{"解決済み"}}})
		if tags := ticketTags(d.Must(200, d.Agent, "GET", path, nil), "ticket.tags"); slices.Contains(tags, "解決済み") {
			t.Fatalf("fired again without a status change: %v", tags)
		}
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/triggers/%d.json", solved), nil)

		// 3. Two triggers that would re-fire each other fire once each.
		a := mk(trig("AからBへ", all(cond("current_tags", "includes", "ping")), []any{act("remove_tags", "ping"), act("current_tags", "pong"), act("priority", "high")}))
		b := mk(trig("BからAへ", all(cond("current_tags", "includes", "pong")), []any{act("remove_tags", "pong"), act("current_tags", "ping"), act("type", "incident")}))
		id = ticket(d.Agent, "ループ試験", "ループしないこと").Int("ticket.id")
		path = fmt.Sprintf("/api/v2/tickets/%d.json", id)
		d.Must(200, d.Agent, "PUT", path, map[string]any{"ticket": map[string]any{"additional_tags": []string{"ping"}}})
		show = d.Must(200, d.Agent, "GET", path, nil)
		if tags := ticketTags(show, "ticket.tags"); !slices.Contains(tags, "ping") || slices.Contains(tags, "pong") ||
			show.Str("ticket.priority") != "high" || show.Str("ticket.type") != "incident" {
			t.Fatalf("each fires once, in turn: %s", show.Raw)
		}
		reasons := auditReasons(t, d, id)
		if strings.Count(reasons, fmt.Sprintf("Trigger:trigger %d ", a)) != 1 || strings.Count(reasons, fmt.Sprintf("Trigger:trigger %d ", b)) != 1 {
			t.Fatalf("each trigger fires exactly once: %s", reasons)
		}
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/triggers/destroy_many.json?ids=%d,%d", a, b), nil)

		// 4. Position decides: both match, the later one has the last word.
		low := mk(trig("優先度を低に", all(cond("subject_includes_word", "includes", "順序")), []any{act("priority", "low")}))
		urgent := mk(trig("優先度を緊急に", all(cond("subject_includes_word", "includes", "順序")), []any{act("priority", "urgent")}))
		id = ticket(d.Agent, "順序の確認", "位置の順に実行").Int("ticket.id")
		if p := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil).Str("ticket.priority"); p != "urgent" {
			t.Fatalf("position 2 runs last: %s", p)
		}
		d.Must(200, d.Admin, "PUT", "/api/v2/triggers/reorder.json", map[string]any{"trigger_ids": []int64{urgent, low}})
		id = ticket(d.Agent, "順序の確認 2", "並べ替え後").Int("ticket.id")
		if p := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil).Str("ticket.priority"); p != "low" {
			t.Fatalf("after reorder: %s", p)
		}
		// Inactive triggers do not run.
		d.Must(200, d.Admin, "PUT", "/api/v2/triggers/update_many.json", map[string]any{"triggers": []any{
			map[string]any{"id": low, "active": false}, map[string]any{"id": urgent, "active": false}}})
		id = ticket(d.Agent, "順序の確認 3", "無効化後").Int("ticket.id")
		if p := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil).Str("ticket.priority"); p != "" {
			t.Fatalf("inactive triggers ran: %q", p)
		}

		// 5. Requester and organization properties: a VIP customer of ㈱髙橋商事.
		org := d.Must(201, d.Admin, "POST", "/api/v2/organizations.json", map[string]any{"organization": map[string]any{"name": "㈱髙橋商事", "tags": []string{"enterprise"}}}).Int("organization.id")
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Customer.ID), map[string]any{"user": map[string]any{"tags": []string{"vip"}, "organization_id": org}})
		mk(trig("VIP 法人は優先", all(cond("requester.tags", "includes", "vip"), cond("organization.tags", "includes", "enterprise"), cond("update_type", "is", "Create")),
			[]any{act("priority", "high"), act("current_tags", "法人vip")}))
		r = ticket(d.Customer, "請求について", "請求書の宛名を変更したいです")
		show = d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", r.Int("ticket.id")), nil)
		if show.Str("ticket.priority") != "high" || !slices.Contains(ticketTags(show, "ticket.tags"), "法人vip") {
			t.Fatalf("VIP of an enterprise organization: %s", show.Raw)
		}

		// 6. A rule that cannot apply (its group was deleted) does not fail
		// the person's own update.
		g := d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "営業部"}}).Int("group.id")
		mk(trig("営業部へ", all(cond("current_tags", "includes", "sales")), []any{act("group_id", fmt.Sprint(g))}))
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/groups/%d.json", g), nil)
		id = ticket(d.Agent, "見積もり依頼", "見積もりをお願いします").Int("ticket.id")
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"additional_tags": []string{"sales"}}})
	})
}

// Notification mail goes through the outbox, in the write's transaction.
func TestTriggerNotificationMail(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		inbox := d.Must(201, d.Admin, "POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{"name": "サポート", "addresses": []string{"support@example.jp"}}}).Int("inbox.id")
		g := d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "一次対応"}}).Int("group.id")
		d.Must(201, d.Admin, "POST", "/api/v2/group_memberships.json", map[string]any{"group_membership": map[string]any{"user_id": d.Agent.ID, "group_id": g}})
		d.Must(201, d.Admin, "POST", "/api/v2/triggers.json", trig("解決をお知らせ", all(cond("status", "changed_to", "solved")), []any{
			act("notification_user", []any{"requester_id", "【解決】{{ticket.title}}", "{{ticket.requester.name}} 様\nお問い合わせ #{{ticket.id}} は解決しました。"}),
			act("notification_group", []any{fmt.Sprint(g), "解決: {{ticket.title}}", "{{current_user.name}} が解決しました: {{ticket.url}}"}),
		}))
		r := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{"subject": "ログインできません",
			"comment": map[string]any{"body": "パスワードを忘れました", "public": false}, "requester_id": d.Customer.ID, "inbox_id": inbox}})
		id := r.Int("ticket.id")
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"status": "solved", "assignee_id": d.Agent.ID}})
		var toCustomer, toAgent int
		err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
			due, err := tx.OutgoingDue(1<<62, 100)
			for _, m := range due {
				if m.Source != "notice:trigger" {
					continue
				}
				switch {
				case slices.Equal(m.RcptTo, []string{"hanako@customer.co.jp"}) && strings.Contains(m.Subject, "【解決】ログインできません") && m.TicketID == id:
					toCustomer++
				case slices.Equal(m.RcptTo, []string{"yamada@example.jp"}) && strings.Contains(m.Subject, "解決: ログインできません") && m.TicketID == 0:
					toAgent++
				default:
					t.Errorf("unexpected notice %+v", m)
				}
			}
			return err
		})
		if err != nil || toCustomer != 1 || toAgent != 1 {
			t.Fatalf("notices to customer %d, to agent %d, err %v", toCustomer, toAgent, err)
		}
		if reasons := auditReasons(t, d, id); !strings.Contains(reasons, "Notification:email to requester_id") {
			t.Fatalf("audit lacks the notification: %s", reasons)
		}
	})
}
