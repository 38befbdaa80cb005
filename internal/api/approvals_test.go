package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// publicAgentComments returns the bodies and authors of a ticket's public
// comments not written by its requester.
func publicAgentComments(d *apptest.Desk, id, requester int64) (bodies []string, authors []int64) {
	r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
	for i := 0; i < r.Len("comments"); i++ {
		p := func(f string) string { return fmt.Sprintf("comments.%d.%s", i, f) }
		if r.Get(p("public")) == true && r.Int(p("author_id")) != requester {
			bodies = append(bodies, r.Str(p("body")))
			authors = append(authors, r.Int(p("author_id")))
		}
	}
	return bodies, authors
}

func TestApprovalDraftsAPI(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := d.AddUser("shinjin@example.jp", "新人 次郎", model.RoleAgent)
		// Only admins set the flag; it shows on the user.
		d.Must(403, d.Agent, "PUT", fmt.Sprintf("/api/v2/users/%d", trainee.ID), map[string]any{"user": map[string]any{"approval_required": true}})
		u := d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", trainee.ID), map[string]any{"user": map[string]any{"approval_required": true}})
		if u.Get("user.approval_required") != true {
			t.Fatalf("flag: %s", u.Raw)
		}
		d.Must(422, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", d.Customer.ID), map[string]any{"user": map[string]any{"approval_required": true}})

		tk := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "返品について", "comment": map[string]any{"body": "サイズが合わないので返品したいです。"}}}).Int("ticket.id")

		// The trainee cannot reply publicly: 403 with a clear reason; a note is fine.
		r := d.Must(403, trainee, "PUT", fmt.Sprintf("/api/v2/tickets/%d", tk), map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "返品を承ります。", "public": true}}})
		if r.Str("error") != "Forbidden" || r.Str("description") == "" {
			t.Errorf("refusal: %s", r.Raw)
		}
		d.Must(200, trainee, "PUT", fmt.Sprintf("/api/v2/tickets/%d", tk), map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "先輩に確認します。", "public": false}}})

		// Submit a draft.
		d.Must(422, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": " "}})
		d.Must(400, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"body": "包まれていない"})
		d.Must(403, d.Light, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": "x"}})
		dr := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts.json", tk), map[string]any{"draft": map[string]any{
			"body": "佐藤様\n返品を承ります。", "cc": []string{"manager@customer.co.jp"}}})
		id := dr.Int("draft.id")
		if dr.Str("draft.state") != "pending" || dr.Int("draft.author_id") != trainee.ID || dr.Str("draft.cc.0") != "manager@customer.co.jp" || dr.Header.Get("Location") == "" {
			t.Fatalf("draft: %s", dr.Raw)
		}
		// Customers never see drafts; the trainee cannot decide or send it.
		d.Must(403, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), nil)
		d.Must(403, trainee, "POST", fmt.Sprintf("/api/v2/drafts/%d/approve", id), nil)
		// Its author cannot send it before approval (409: it is pending).
		if r := d.Must(409, trainee, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id), nil); r.Str("error") != "DraftStateConflict" {
			t.Errorf("author sends a pending draft: %s", r.Raw)
		}
		if got := d.Must(200, d.Agent, "GET", "/api/v2/drafts", nil); got.Int("count") != 1 || got.Int("drafts.0.id") != id {
			t.Errorf("pending list: %s", got.Raw)
		}

		// Return needs a comment, then returns.
		d.Must(422, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/return", id), map[string]any{"comment": ""})
		ret := d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/return.json", id), map[string]any{"comment": "返送先の住所を添えてください。"})
		if ret.Str("draft.state") != "returned" || ret.Str("draft.approver_comment") != "返送先の住所を添えてください。" || ret.Int("draft.decided_by_id") != d.Agent.ID {
			t.Fatalf("return: %s", ret.Raw)
		}
		conflict := d.Must(409, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id), nil)
		if conflict.Str("error") != "DraftStateConflict" {
			t.Errorf("send a returned draft: %s", conflict.Raw)
		}

		// Revise and resubmit: the same draft, pending again.
		re := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{
			"body": "佐藤様\n返品を承ります。返送先: 東京都千代田区1-1"}})
		if re.Int("draft.id") != id || re.Str("draft.state") != "pending" {
			t.Fatalf("resubmit: %s", re.Raw)
		}
		// The approver edits, then sends on behalf (with one more edit).
		d.Must(403, trainee, "PUT", fmt.Sprintf("/api/v2/drafts/%d", id), map[string]any{"draft": map[string]any{"body": "自分で直す"}})
		ed := d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/drafts/%d", id), map[string]any{"draft": map[string]any{"body": "佐藤様\n返品を承ります。"}})
		if ed.Str("draft.body") != "佐藤様\n返品を承ります。" || ed.Str("draft.cc.0") != "manager@customer.co.jp" {
			t.Errorf("edit: %s", ed.Raw)
		}
		final := "佐藤様\n返品を承ります。返送先は東京都千代田区1-1です。"
		sent := d.Must(200, d.Admin, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id), map[string]any{"draft": map[string]any{"body": final}})
		if sent.Str("draft.state") != "sent" || sent.Int("draft.comment_id") == 0 || sent.Str("draft.sent_at") == "" {
			t.Fatalf("send: %s", sent.Raw)
		}
		d.Must(409, d.Admin, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id), nil)
		bodies, authors := publicAgentComments(d, tk, d.Customer.ID)
		if len(bodies) != 1 || bodies[0] != final || authors[0] != trainee.ID {
			t.Fatalf("public comments: %q %v", bodies, authors)
		}
		// The audit was written by the admin and names the approval.
		au := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits", tk), nil)
		found := false
		for i := 0; i < au.Len("audits"); i++ {
			if au.Get(fmt.Sprintf("audits.%d.metadata.approval", i)) != nil {
				found = true
				if au.Int(fmt.Sprintf("audits.%d.author_id", i)) != d.Admin.ID || au.Int(fmt.Sprintf("audits.%d.metadata.approval.author_id", i)) != trainee.ID {
					t.Errorf("audit: %s", au.Raw)
				}
			}
		}
		if !found {
			t.Errorf("no audit names the approval: %s", au.Raw)
		}
		list := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), nil)
		if list.Int("count") != 1 || list.Str("drafts.0.state") != "sent" || list.Len("drafts.0.history") != 5 ||
			list.Str("drafts.0.history.1.note") != "返送先の住所を添えてください。" {
			t.Errorf("ticket drafts: %s", list.Raw)
		}

		// Approve, then the author sends it unchanged with one call.
		id2 := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{
			"html_body": "<p>ラベルを<b>同封</b>しました。</p>"}}).Int("draft.id")
		if id2 == id {
			t.Fatal("a sent draft was reused")
		}
		d.Must(403, trainee, "POST", fmt.Sprintf("/api/v2/drafts/%d/approve", id2), map[string]any{"comment": "自分で承認"})
		d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/approve", id2), nil)
		d.Must(400, trainee, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id2), map[string]any{"draft": map[string]any{"body": "こっそり変更"}})
		d.Must(200, trainee, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id2), nil)
		bodies, authors = publicAgentComments(d, tk, d.Customer.ID)
		if len(bodies) != 2 || bodies[1] != "ラベルを同封しました。" || authors[1] != trainee.ID {
			t.Fatalf("after the author's send: %q %v", bodies, authors)
		}
		d.Must(404, d.Agent, "GET", "/api/v2/drafts/999999", nil)

		// A deleted ticket's pending draft leaves the queue.
		tk2 := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "削除されるチケット", "comment": map[string]any{"body": "テスト"}}}).Int("ticket.id")
		d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk2), map[string]any{"draft": map[string]any{"body": "返信案"}})
		if got := d.Must(200, d.Agent, "GET", "/api/v2/drafts", nil); got.Int("count") != 1 {
			t.Fatalf("pending: %s", got.Raw)
		}
		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/tickets/%d", tk2), nil)
		if got := d.Must(200, d.Agent, "GET", "/api/v2/drafts", nil); got.Int("count") != 0 {
			t.Fatalf("pending after delete: %s", got.Raw)
		}
	})
}

// TestApprovalMailOnce: on a mail ticket the approved reply is queued as
// mail exactly once, with the comment, in the same transaction.
func TestApprovalMailOnce(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := d.AddUser("shinjin@example.jp", "新人 次郎", model.RoleAgent)
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", trainee.ID), map[string]any{"user": map[string]any{"approval_required": true}})
		inbox := addInbox(t, d, "サポート窓口", "support@example.jp")
		tk := mailTicket(t, d, d.Customer, inbox, "配送について", "いつ届きますか？", nil)
		outgoing := func() int {
			r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/mail_messages", tk), nil)
			n := 0
			for i := 0; i < r.Len("mail_messages"); i++ {
				if r.Str(fmt.Sprintf("mail_messages.%d.direction", i)) == model.MailOut {
					n++
				}
			}
			return n
		}
		id := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": "明日お届けの予定です。"}}).Int("draft.id")
		if n := outgoing(); n != 0 {
			t.Fatalf("a draft was mailed: %d", n)
		}
		d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/approve", id), map[string]any{"comment": "OKです"})
		if n := outgoing(); n != 0 {
			t.Fatalf("an approval was mailed: %d", n)
		}
		d.Must(200, trainee, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id), nil)
		d.Must(409, trainee, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", id), nil)
		if n := outgoing(); n != 1 {
			t.Fatalf("outgoing mails after send: %d", n)
		}
	})
}
