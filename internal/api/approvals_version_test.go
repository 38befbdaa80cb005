package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// TestDraftVersionConflict: a draft's "version" is in every draft object;
// an approver who sends back the version they read after the author has
// resubmitted is refused with 409 DraftChanged (Zendesk's error shape, a
// ja/en description) on PUT, send (with or without an edit), approve and
// return, and nothing reaches the customer. Without a version nothing is
// checked; with the current one the send goes through.
func TestDraftVersionConflict(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee, tk := traineeAndTicket(t, d, "請求書の再発行", "11月分の請求書を再発行してください。")
		dr := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{
			"body": "佐藤様\n請求書を再発行いたします。"}})
		id := dr.Int("draft.id")

		// The approver reads the draft; then the trainee resubmits.
		seen := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/drafts/%d", id), nil).Int("draft.version")
		if seen == 0 || seen != dr.Int("draft.version") {
			t.Fatalf("version: %d, submit said %d: %s", seen, dr.Int("draft.version"), dr.Raw)
		}
		revised := "佐藤様\n11月分の請求書を本日再発行いたしました。"
		re := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": revised}})
		cur := re.Int("draft.version")
		if cur <= seen {
			t.Fatalf("version after resubmit: %d (was %d)", cur, seen)
		}

		path := fmt.Sprintf("/api/v2/drafts/%d", id)
		for _, c := range []struct {
			method, path string
			body         map[string]any
		}{
			{"PUT", path, map[string]any{"draft": map[string]any{"body": "古い内容", "version": seen}}},
			{"POST", path + "/send", map[string]any{"version": seen}},
			{"POST", path + "/send", map[string]any{"draft": map[string]any{"version": seen}}},
			{"POST", path + "/send.json", map[string]any{"draft": map[string]any{"body": "古い内容", "version": seen}}},
			{"POST", path + "/approve", map[string]any{"version": seen, "comment": "良いと思います"}},
			{"POST", path + "/return", map[string]any{"version": seen, "comment": "敬語を直してください。"}},
		} {
			r := d.Must(409, d.Agent, c.method, c.path, c.body)
			if r.Str("error") != "DraftChanged" || !strings.Contains(r.Str("description"), "この下書きは更新されました") ||
				!strings.Contains(r.Str("description"), "updated") {
				t.Errorf("%s %s %v: %s", c.method, c.path, c.body, r.Raw)
			}
		}
		if bodies, _ := publicAgentComments(d, tk, d.Customer.ID); len(bodies) != 0 {
			t.Fatalf("a stale send reached the customer: %q", bodies)
		}
		got := d.Must(200, d.Agent, "GET", path, nil)
		if got.Str("draft.state") != "pending" || got.Str("draft.body") != revised || got.Int("draft.version") != cur {
			t.Fatalf("draft after refused decisions: %s", got.Raw)
		}

		// The current version sends; a late copy of it then meets the state.
		sent := d.Must(200, d.Agent, "POST", path+"/send", map[string]any{"version": cur})
		if sent.Str("draft.state") != "sent" || sent.Int("draft.version") <= cur {
			t.Fatalf("send: %s", sent.Raw)
		}
		if r := d.Must(409, d.Admin, "POST", path+"/approve", map[string]any{"version": cur}); r.Str("error") != "DraftStateConflict" {
			t.Errorf("late approve: %s", r.Raw)
		}
		if bodies, authors := publicAgentComments(d, tk, d.Customer.ID); len(bodies) != 1 || bodies[0] != revised || authors[0] != trainee.ID {
			t.Fatalf("public comments: %q %v", bodies, authors)
		}
	})
}

// TestTraineeCreatesTicket: POST /api/v2/tickets by a trainee
// (approval_required) with a public first message answers 201 with the
// ticket and its "draft" (pending): no comment exists and no mail is
// queued until an approver sends the draft, which then is the trainee's
// public comment, mailed once, and the ticket's description. A first
// message written as an internal note is created as usual; create_many
// names the held draft.
func TestTraineeCreatesTicket(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := d.AddUser("shinjin@example.jp", "新人 次郎", model.RoleAgent)
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", trainee.ID), map[string]any{"user": map[string]any{"approval_required": true}})
		inbox := addInbox(t, d, "サポート窓口", "support@example.jp")
		first := "佐藤様\nお世話になっております。ご注文 12345 の発送が完了しました。"
		r := d.Must(201, trainee, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "発送完了のお知らせ", "inbox_id": inbox, "requester_id": d.Customer.ID,
			"comment": map[string]any{"body": first}}})
		tk, draft := r.Int("ticket.id"), r.Int("draft.id")
		if tk == 0 || draft == 0 || r.Str("draft.state") != "pending" || r.Int("draft.ticket_id") != tk || r.Str("draft.body") != first ||
			r.Str("ticket.description") != "" || r.Str("ticket.subject") != "発送完了のお知らせ" {
			t.Fatalf("create: %s", r.Raw)
		}
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
		if c := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", tk), nil); c.Len("comments") != 0 {
			t.Fatalf("the held message is a comment: %s", c.Raw)
		}
		if n := outgoing(); n != 0 {
			t.Fatalf("the held message was mailed: %d", n)
		}
		if got := d.Must(200, d.Agent, "GET", "/api/v2/drafts", nil); got.Int("count") != 1 || got.Int("drafts.0.id") != draft {
			t.Fatalf("pending: %s", got.Raw)
		}
		d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/drafts/%d/send", draft), map[string]any{"version": r.Int("draft.version")})
		bodies, authors := publicAgentComments(d, tk, d.Customer.ID)
		if len(bodies) != 1 || bodies[0] != first || authors[0] != trainee.ID {
			t.Fatalf("after send: %q %v", bodies, authors)
		}
		if n := outgoing(); n != 1 {
			t.Fatalf("outgoing mails after send: %d", n)
		}
		if got := d.Must(200, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d", tk), nil); got.Str("ticket.description") != first {
			t.Errorf("description after send: %s", got.Raw)
		}

		// A note as the first comment: created as usual.
		n := d.Must(201, trainee, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "社内確認", "comment": map[string]any{"body": "在庫を確認しています。", "public": false}}})
		if n.Get("draft") != nil || n.Str("ticket.description") != "在庫を確認しています。" {
			t.Errorf("note create: %s", n.Raw)
		}
		// create_many: the job's result names the draft.
		job := d.Must(200, trainee, "POST", "/api/v2/tickets/create_many.json", map[string]any{"tickets": []map[string]any{{
			"subject": "一括作成", "requester_id": d.Customer.ID, "comment": map[string]any{"body": "佐藤様\nご連絡です。"}}}})
		if job.Int("job_status.results.0.draft_id") == 0 || job.Get("job_status.results.0.success") != true {
			t.Errorf("create_many: %s", job.Raw)
		}
	})
}
