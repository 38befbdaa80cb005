package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestHeldFirstMessagePage: a ticket a trainee created through the API,
// whose first message waits for approval, has no comment yet; its page
// opens for the trainee (draft pending, 承認待ち) and for the approver,
// who sends it from the panel — then it is the conversation's first
// message and the customer's.
func TestHeldFirstMessagePage(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee := addTrainee(t, d)
		first := "佐藤様\nご注文 12345 の発送が完了しました。"
		r := d.Must(201, trainee, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "発送完了のお知らせ", "requester_id": d.Customer.ID, "comment": map[string]any{"body": first}}})
		id, draft := r.Int("ticket.id"), r.Int("draft.id")
		path := fmt.Sprintf("/tickets/%d", id)

		tb := newBrowser(t, d, "ja")
		tb.login(trainee.Email, "password-agent", false)
		p := tb.do("GET", path, nil)
		if p.status != http.StatusOK {
			t.Fatalf("trainee's page: %d\n%s", p.status, p.body)
		}
		p.has(t, "trainee's page", "発送完了のお知らせ", fmt.Sprintf(`id="draft-%d"`, draft), `data-state="pending"`, "ご注文 12345 の発送が完了しました。")

		ab := newBrowser(t, d, "ja")
		ab.login(d.Agent.Email, "password-agent", false)
		p = ab.do("GET", path, nil)
		if p.status != http.StatusOK {
			t.Fatalf("approver's page: %d", p.status)
		}
		p.has(t, "approver's page", fmt.Sprintf(`id="decide-%d"`, draft))
		version := fmt.Sprint(r.Int("draft.version"))
		s := ab.do("POST", fmt.Sprintf("/approvals/%d", draft), url.Values{"csrf": {p.csrf(t)}, "action": {"send"}, "version": {version}, "body": {first}})
		if s.status != http.StatusSeeOther || !strings.Contains(s.loc, "approval=sent_on_behalf") {
			t.Fatalf("send: %d %q\n%s", s.status, s.loc, s.body)
		}
		if got := agentReplies(t, d, id); len(got) != 1 || got[0] != first {
			t.Fatalf("customer sees %q", got)
		}
	})
}
