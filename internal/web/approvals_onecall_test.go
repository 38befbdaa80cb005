package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

var (
	decideVersionRe = regexp.MustCompile(`id="decide-\d+"[^>]*>\s*<input type="hidden" name="csrf" value="[^"]*">\s*<input type="hidden" name="version" value="(\d+)">`)
	sendVersionRe   = regexp.MustCompile(`<input type="hidden" name="version" value="(\d+)">\s*<button type="submit" name="action" value="send_approved"`)
)

// draftHistory reads a draft's state, body and history actions through the API.
func draftHistory(t *testing.T, d *apptest.Desk, ticket int64) (state, body, history string) {
	t.Helper()
	r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d/drafts.json", ticket), nil)
	if r.Len("drafts") != 1 {
		t.Fatalf("drafts: %d", r.Len("drafts"))
	}
	var h []string
	for i := 0; i < r.Len("drafts.0.history"); i++ {
		h = append(h, r.Str(fmt.Sprintf("drafts.0.history.%d.action", i)))
	}
	return r.Str("drafts.0.state"), r.Str("drafts.0.body"), strings.Join(h, ",")
}

// TestApprovalApproveWithEditOneCall: on the ticket page an approver's
// "approve" with an edited text is one domain call: a form shown before
// the author resubmitted is refused (409) without saving the edit; the
// current form approves the edited text with the history "edited,
// approved". The author's send button carries the version it showed: a
// page left open while the draft was revised and approved again is
// refused (409, nothing sent), the reloaded page sends the approved text.
func TestApprovalApproveWithEditOneCall(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := addTrainee(t, d)
		id := newTicket(t, d, "交換について", "色違いに交換できますか。")
		path := fmt.Sprintf("/tickets/%d", id)
		sub := d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts.json", id), map[string]any{"draft": map[string]any{"body": "鈴木様\n交換を承ります。"}})
		draft := fmt.Sprintf("/approvals/%d", sub.Int("draft.id"))

		ab := newBrowser(t, d, "ja")
		ab.login(d.Agent.Email, "password-agent", false)
		p := ab.do("GET", path, nil)
		acsrf := p.csrf(t)
		seen := decideVersionRe.FindStringSubmatch(p.body)
		if seen == nil {
			t.Fatalf("no version in the approver's form:\n%s", p.body)
		}
		// The author resubmits after the approver's page was rendered.
		d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts.json", id), map[string]any{"draft": map[string]any{"body": "鈴木様\n交換を承ります。送料は弊社負担です。"}})
		r := ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"approve"}, "version": {seen[1]}, "body": {"鈴木様\n古い内容に手を入れました。"}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "この下書きは、あなたが開いた後に変更されました") {
			t.Fatalf("stale approve+edit: %d", r.status)
		}
		if st, body, h := draftHistory(t, d, id); st != "pending" || body != "鈴木様\n交換を承ります。送料は弊社負担です。" || h != "submitted,resubmitted" {
			t.Fatalf("after a stale approve+edit: %s %q %s", st, body, h)
		}

		// The current form: edit and approve together.
		p = ab.do("GET", path, nil)
		cur := decideVersionRe.FindStringSubmatch(p.body)
		edited := "鈴木様\n交換を承ります。送料は弊社が負担いたします。"
		r = ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"approve"}, "version": {cur[1]}, "body": {edited}, "comment": {"敬語を直しました。"}})
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "approval=approved") {
			t.Fatalf("approve+edit: %d %q\n%s", r.status, r.loc, r.body)
		}
		if st, body, h := draftHistory(t, d, id); st != "approved" || body != edited || h != "submitted,resubmitted,edited,approved" {
			t.Fatalf("after approve+edit: %s %q %s", st, body, h)
		}
		if got := agentReplies(t, d, id); len(got) != 0 {
			t.Fatalf("approve sent a reply: %q", got)
		}

		// The author's page, left open on the approved draft.
		tb := newBrowser(t, d, "ja")
		tb.login(trainee.Email, "password-agent", false)
		p = tb.do("GET", path, nil)
		tcsrf := p.csrf(t)
		shown := sendVersionRe.FindStringSubmatch(p.body)
		if shown == nil {
			t.Fatalf("no version on the author's send button:\n%s", p.body)
		}
		// Revised in another tab and approved again with another text.
		d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts.json", id), map[string]any{"draft": map[string]any{"body": "鈴木様\n交換を承ります。"}})
		p = ab.do("GET", path, nil)
		final := "鈴木様\n交換を承ります。新しい商品は明日発送いたします。"
		if r := ab.do("POST", draft, url.Values{"csrf": {acsrf}, "action": {"approve"}, "version": {decideVersionRe.FindStringSubmatch(p.body)[1]}, "body": {final}}); r.status != http.StatusSeeOther {
			t.Fatalf("approve again: %d", r.status)
		}
		r = tb.do("POST", draft, url.Values{"csrf": {tcsrf}, "action": {"send_approved"}, "version": {shown[1]}})
		if r.status != http.StatusConflict || !strings.Contains(r.body, "この下書きは、あなたが開いた後に変更されました") {
			t.Fatalf("stale author send: %d", r.status)
		}
		if got := agentReplies(t, d, id); len(got) != 0 {
			t.Fatalf("a stale send reached the customer: %q", got)
		}
		// The page that said so shows the current approved draft and its version.
		now := sendVersionRe.FindStringSubmatch(r.body)
		if now == nil || now[1] == shown[1] || !strings.Contains(r.body, "新しい商品は明日発送いたします。") {
			t.Fatalf("after a stale send the page is not the current draft:\n%s", r.body)
		}
		r = tb.do("POST", draft, url.Values{"csrf": {tcsrf}, "action": {"send_approved"}, "version": {now[1]}})
		if r.status != http.StatusSeeOther || !strings.Contains(r.loc, "approval=sent") {
			t.Fatalf("author send: %d %q", r.status, r.loc)
		}
		if got := agentReplies(t, d, id); len(got) != 1 || got[0] != final {
			t.Fatalf("customer sees %q", got)
		}
	})
}
