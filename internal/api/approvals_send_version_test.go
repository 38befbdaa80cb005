package api_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// traineeAndTicket adds 新人 次郎, an agent whose replies need approval,
// and a customer's ticket.
func traineeAndTicket(t *testing.T, d *apptest.Desk, subject, body string) (*apptest.User, int64) {
	t.Helper()
	trainee := d.AddUser("shinjin@example.jp", "新人 次郎", model.RoleAgent)
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", trainee.ID), map[string]any{"user": map[string]any{"approval_required": true}})
	tk := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
		"subject": subject, "comment": map[string]any{"body": body}}}).Int("ticket.id")
	return trainee, tk
}

// TestDraftAuthorSendVersion: the author's POST /drafts/{id}/send of an
// approved draft checks an optional "version" (top level or in "draft")
// like the approver's endpoints: a version read before the draft was
// revised and approved again is refused with 409 DraftChanged and sends
// nothing; the current version sends; an edit in the author's send is
// still refused (400).
func TestDraftAuthorSendVersion(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		trainee, tk := traineeAndTicket(t, d, "領収書の宛名", "領収書の宛名を変更できますか。")
		submit := func(body string) int64 {
			return d.Must(201, trainee, "POST", fmt.Sprintf("/api/v2/tickets/%d/drafts", tk), map[string]any{"draft": map[string]any{"body": body}}).Int("draft.id")
		}
		id := submit("佐藤様\n宛名を変更いたします。")
		path := fmt.Sprintf("/api/v2/drafts/%d", id)
		v0 := d.Must(200, d.Agent, "GET", path, nil).Int("draft.version")
		read := d.Must(200, d.Agent, "POST", path+"/approve", map[string]any{"version": v0}).Int("draft.version") // what the author reads

		// Revised and approved again before the author sends what they read.
		submit("佐藤様\n宛名を「株式会社髙橋商事」に変更いたします。")
		v1 := d.Must(200, d.Agent, "GET", path, nil).Int("draft.version")
		cur := d.Must(200, d.Admin, "POST", path+"/approve", map[string]any{"version": v1}).Int("draft.version")
		if cur <= read {
			t.Fatalf("versions: read %d, current %d", read, cur)
		}
		for _, body := range []map[string]any{{"version": read}, {"draft": map[string]any{"version": read}}} {
			r := d.Must(409, trainee, "POST", path+"/send", body)
			if r.Str("error") != "DraftChanged" || !strings.Contains(r.Str("description"), "この下書きは更新されました") {
				t.Errorf("stale author send %v: %s", body, r.Raw)
			}
		}
		if bodies, _ := publicAgentComments(d, tk, d.Customer.ID); len(bodies) != 0 {
			t.Fatalf("a stale send reached the customer: %q", bodies)
		}
		if r := d.Must(400, trainee, "POST", path+"/send", map[string]any{"draft": map[string]any{"body": "書き換え", "version": cur}}); r.Str("error") != "InvalidValue" {
			t.Errorf("author send with an edit: %s", r.Raw)
		}
		sent := d.Must(200, trainee, "POST", path+"/send.json", map[string]any{"version": cur})
		if sent.Str("draft.state") != "sent" {
			t.Fatalf("send: %s", sent.Raw)
		}
		if bodies, authors := publicAgentComments(d, tk, d.Customer.ID); len(bodies) != 1 || bodies[0] != "佐藤様\n宛名を「株式会社髙橋商事」に変更いたします。" || authors[0] != trainee.ID {
			t.Fatalf("public comments: %q %v", bodies, authors)
		}
		// Without a version the author's send checks nothing (a second draft).
		id2 := submit("追伸：再発行は本日中です。")
		p2 := fmt.Sprintf("/api/v2/drafts/%d", id2)
		d.Must(200, d.Agent, "POST", p2+"/approve", nil)
		if s := d.Must(200, trainee, "POST", p2+"/send", nil); s.Str("draft.state") != "sent" {
			t.Fatalf("send without a version: %s", s.Raw)
		}
	})
}
