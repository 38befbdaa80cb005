package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// addTrainee adds an agent whose public replies need approval (set by an
// admin through the API, as the desk's admins would).
func addTrainee(t *testing.T, d *apptest.Desk) *apptest.User {
	t.Helper()
	u := d.AddUser("shinjin@example.jp", "新人 次郎", model.RoleAgent)
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", u.ID), map[string]any{"user": map[string]any{"approval_required": true}})
	return u
}

// agentReplies lists the public comments of a ticket not written by the
// customer, as the customer would see them.
func agentReplies(t *testing.T, d *apptest.Desk, id int64) []string {
	t.Helper()
	r := d.Must(200, d.Customer, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
	var out []string
	for i := 0; i < r.Len("comments"); i++ {
		if r.Int(fmt.Sprintf("comments.%d.author_id", i)) != d.Customer.ID {
			out = append(out, r.Str(fmt.Sprintf("comments.%d.body", i)))
		}
	}
	return out
}

var draftIDRe = regexp.MustCompile(`id="draft-(\d+)" data-draft`)

func TestApprovalPages(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := addTrainee(t, d)
		id := newTicket(t, d, "返品について", "サイズが合わないので返品したいです。")
		path := fmt.Sprintf("/tickets/%d", id)

		tb := newBrowser(t, d, "ja")
		tb.login(trainee.Email, "password-agent", false)
		p := tb.do("GET", path, nil)
		if strings.Contains(p.body, `id="mode-public"`) || !strings.Contains(p.body, `id="request-approval"`) || !strings.Contains(p.body, `id="approval-trainee"`) {
			t.Fatalf("trainee's composer:\n%s", p.body)
		}
		csrf := p.csrf(t)
		// A public reply posted anyway is refused with the reason, the text kept.
		r := tb.do("POST", path, url.Values{"csrf": {csrf}, "mode": {"public"}, "body": {"返品を承ります。"}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "公開返信には承認が必要です") || !strings.Contains(r.body, "返品を承ります。") {
			t.Fatalf("direct reply: %d\n%s", r.status, r.body)
		}
		// A note is fine.
		if r := tb.do("POST", path, url.Values{"csrf": {csrf}, "mode": {"note"}, "body": {"先輩に確認します。"}}); r.status != http.StatusSeeOther {
			t.Fatalf("note: %d", r.status)
		}
		// Request approval: blank is refused, then the draft is pending.
		if r := tb.do("POST", path+"/approvals", url.Values{"csrf": {csrf}, "body": {"  "}}); r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "返信の本文を入力してください") {
			t.Fatalf("blank request: %d", r.status)
		}
		r = tb.do("POST", path+"/approvals", url.Values{"csrf": {csrf}, "mode": {"note"}, "body": {"佐藤様\r\n返品を承ります。"}})
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "approval=submitted") {
			t.Fatalf("request: %d %q", r.status, r.loc)
		}
		p = tb.do("GET", r.loc, nil)
		m := draftIDRe.FindStringSubmatch(p.body)
		if m == nil || !strings.Contains(p.body, `data-state="pending"`) || !strings.Contains(p.body, "承認を依頼しました。") || strings.Contains(p.body, `id="decide-`) {
			t.Fatalf("trainee's panel:\n%s", p.body)
		}
		draft := "/approvals/" + m[1]

		// The approver (English UI) sees it in the queue and the nav count.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", d.Agent.ID), map[string]any{"user": map[string]any{"locale": "en-US"}})
		ab := newBrowser(t, d, "en")
		ab.login(d.Agent.Email, "password-agent", false)
		q := ab.do("GET", "/approvals", nil)
		if q.status != 200 || !strings.Contains(q.body, fmt.Sprintf(`href="/tickets/%d#draft-%s"`, id, m[1])) || !strings.Contains(q.body, "新人 次郎") || !strings.Contains(q.body, "Pending approval") {
			t.Fatalf("queue:\n%s", q.body)
		}
		if c := ab.do("GET", "/approvals/count", nil); !strings.Contains(c.body, `"pending":1`) {
			t.Errorf("count: %s", c.body)
		}
		p = ab.do("GET", path, nil)
		if !strings.Contains(p.body, `id="decide-`+m[1]+`"`) {
			t.Fatalf("approver's panel:\n%s", p.body)
		}
		acsrf := p.csrf(t)
		seen := regexp.MustCompile(`name="version" value="(\d+)"`).FindStringSubmatch(p.body)
		if seen == nil {
			t.Fatal("no version in the approver's form")
		}
		// Returning needs a comment.
		r = ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"return"}, "body": {"佐藤様\n返品を承ります。"}, "comment": {""}})
		if r.status != http.StatusUnprocessableEntity || !strings.Contains(r.body, "Write in the comment what should change.") {
			t.Fatalf("return without comment: %d", r.status)
		}
		r = ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"return"}, "comment": {"返送先の住所を書いてください。"}})
		if r.status != http.StatusSeeOther {
			t.Fatalf("return: %d\n%s", r.status, r.body)
		}
		// A second decision on the returned draft is refused (409), plainly.
		r = ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"approve"}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "This draft is already “Returned”") {
			t.Fatalf("late approve: %d", r.status)
		}

		// The trainee sees the comment and resubmits.
		p = tb.do("GET", path, nil)
		if !strings.Contains(p.body, "返送先の住所を書いてください。") || !strings.Contains(p.body, `data-state="returned"`) {
			t.Fatalf("returned panel:\n%s", p.body)
		}
		r = tb.do("POST", draft, url.Values{"csrf": {csrf}, "action": {"resubmit"}, "body": {"佐藤様\n返品を承ります。返送先: 東京都千代田区1-1"}})
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "approval=resubmitted") {
			t.Fatalf("resubmit: %d %q", r.status, r.loc)
		}
		// The trainee cannot decide on it.
		if r := tb.do("POST", draft, url.Values{"csrf": {csrf}, "action": {"send"}}); r.status != http.StatusForbidden {
			t.Fatalf("trainee sends: %d", r.status)
		}

		// A form shown before the resubmission does not overwrite it.
		r = ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"send"}, "version": {seen[1]}, "body": {"佐藤様\n返品を承ります。"}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "This draft changed after you opened it") {
			t.Fatalf("stale send: %d", r.status)
		}
		// The page shows the resubmitted text (not the stale one) with its new version.
		if !strings.Contains(r.body, "返送先: 東京都千代田区1-1</textarea>") || strings.Contains(r.body, `name="version" value="`+seen[1]+`"`) {
			t.Fatalf("after a stale send the form is not the current draft:\n%s", r.body)
		}
		if got := agentReplies(t, d, id); len(got) != 0 {
			t.Fatalf("a stale send reached the customer: %q", got)
		}
		// The approver edits and sends on behalf.
		final := "佐藤様\n返品を承ります。返送先は東京都千代田区1-1です。"
		r = ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"send"}, "body": {final}, "comment": {""}})
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "approval=sent_on_behalf") {
			t.Fatalf("send: %d\n%s", r.status, r.body)
		}
		if got := agentReplies(t, d, id); len(got) != 1 || got[0] != final {
			t.Fatalf("customer sees %q", got)
		}
		if r := ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"send"}, "body": {final}}); r.status != http.StatusConflict {
			t.Fatalf("second send: %d", r.status)
		}
		p = ab.do("GET", path, nil)
		for _, want := range []string{"Approval history", "sent on the author&#39;s behalf", "returned: 「返送先の住所を書いてください。」", "Sent drafts (1)"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("approver's page lacks %q", want)
			}
		}
		if q := ab.do("GET", "/approvals", nil); !strings.Contains(q.body, `id="approvals-empty"`) {
			t.Errorf("queue not empty after sending")
		}
		if got := agentReplies(t, d, id); len(got) != 1 {
			t.Fatalf("customer sees %q", got)
		}
	})
}
