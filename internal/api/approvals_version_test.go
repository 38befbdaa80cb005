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
		trainee := d.AddUser("shinjin@example.jp", "新人 次郎", model.RoleAgent)
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", trainee.ID), map[string]any{"user": map[string]any{"approval_required": true}})
		tk := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "請求書の再発行", "comment": map[string]any{"body": "11月分の請求書を再発行してください。"}}}).Int("ticket.id")
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
