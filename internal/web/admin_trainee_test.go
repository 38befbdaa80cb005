package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestAdminAgentTrainee: on /settings/agents an admin turns "承認が必要
// （研修中）" on and off for an agent (users.UpdateBy, the API's
// approval_required); the agent's composer follows; other roles and
// non-admins are refused.
func TestAdminAgentTrainee(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		id := newTicket(t, d, "配送状況を教えてください", "注文番号①の配送状況を教えてください。")
		agentID := d.Agent.ID
		box := fmt.Sprintf(`id="trainee-%d"`, agentID)
		action := fmt.Sprintf("/settings/agents/%d/approval", agentID)

		b := newBrowser(t, d, "ja")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		p := b.do("GET", "/settings/agents", nil)
		p.has(t, "agents page", "送信前の承認", "承認が必要（研修中）", box, `action="`+action+`"`)
		p.lacks(t, "agents page", box+" checked", fmt.Sprintf(`id="trainee-%d"`, d.Admin.ID))

		// On: stored, shown ticked, visible through the API, and the agent's
		// composer no longer offers a public reply.
		if p := b.post(action, url.Values{"approval_required": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("turn on: %d\n%.2000s", p.status, p.body)
		}
		if !userByEmail(t, d, d.Agent.Email).ApprovalRequired {
			t.Fatal("approval_required not stored")
		}
		b.do("GET", "/settings/agents?changed=1", nil).has(t, "after on", box+" checked", "保存しました")
		if r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/users/%d.json", agentID), nil); r.Get("user.approval_required") != true {
			t.Errorf("API approval_required: %v", r.Get("user.approval_required"))
		}
		ab := newBrowser(t, d, "ja")
		ab.login(d.Agent.Email, "password-agent", false)
		tp := ab.do("GET", fmt.Sprintf("/tickets/%d", id), nil)
		tp.lacks(t, "trainee's ticket page", `id="mode-public"`)
		tp.has(t, "trainee's ticket page", `id="request-approval"`)
		// The agent sees the team read-only, the flag as a tag, no form.
		ap := ab.do("GET", "/settings/agents", nil)
		ap.has(t, "agent's view", `<span class="tag">承認が必要（研修中）</span>`)
		ap.lacks(t, "agent's view", box)
		// Non-admins cannot change it.
		if p := ab.post(action, url.Values{"approval_required": {"0"}}); p.status != http.StatusForbidden {
			t.Errorf("agent changing the flag: %d", p.status)
		}
		if !userByEmail(t, d, d.Agent.Email).ApprovalRequired {
			t.Fatal("an agent turned the flag off")
		}

		// Off: the box left unticked.
		if p := b.post(action, url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("turn off: %d", p.status)
		}
		if userByEmail(t, d, d.Agent.Email).ApprovalRequired {
			t.Fatal("approval_required still on")
		}
		ab.do("GET", fmt.Sprintf("/tickets/%d", id), nil).has(t, "agent's ticket page", `id="mode-public"`)

		// Only agents can be trainees: the domain's message, not a 500.
		p = b.post(fmt.Sprintf("/settings/agents/%d/approval", d.Light.ID), url.Values{"approval_required": {"1"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("light agent: %d", p.status)
		}
		p.has(t, "light agent", "承認必須にできるのはエージェントのみです")
		if userByEmail(t, d, d.Light.Email).ApprovalRequired {
			t.Error("a light agent became a trainee")
		}

		// English.
		e := newBrowser(t, d, "en")
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Admin.ID), map[string]any{"user": map[string]any{"locale": "en"}})
		e.login(d.Admin.Email, "管理者のパスワード", false)
		ep := e.do("GET", "/settings/agents", nil)
		ep.has(t, "English", "Approval before sending", "Needs approval to send (trainee)")
		if strings.Contains(ep.body, "承認が必要") {
			t.Error("Japanese on the English page")
		}
	})
}
