package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestReplyLock: while one agent holds a public reply, another's public
// reply is refused (409) unless they take over; notes always go through;
// the mark clears when the holder sends or stops.
func TestReplyLock(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		id := newTicket(t, d, "返品の送料について", "返品の送料はどちらの負担ですか？")
		path := fmt.Sprintf("/tickets/%d", id)
		a := newBrowser(t, d, "ja")
		a.login(d.Agent.Email, "password-agent", false)
		b := newBrowser(t, d, "en")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		at, bt := a.do("GET", path, nil).csrf(t), b.do("GET", path, nil).csrf(t)

		if p := a.do("POST", path+"/presence", url.Values{"csrf": {at}, "state": {"typing"}}); p.status != 400 {
			t.Errorf("unknown state: %d", p.status)
		}
		if p := a.do("POST", path+"/presence", url.Values{"state": {"replying"}}); p.status != http.StatusForbidden {
			t.Errorf("presence without token: %d", p.status)
		}
		if p := a.do("POST", "/tickets/99999/presence", url.Values{"csrf": {at}, "state": {"replying"}}); p.status != 404 {
			t.Errorf("presence on a missing ticket: %d", p.status)
		}
		if p := a.do("POST", path+"/presence", url.Values{"csrf": {at}, "state": {"replying"}}); p.status != http.StatusNoContent {
			t.Fatalf("presence: %d", p.status)
		}
		reply := url.Values{"csrf": {bt}, "mode": {"public"}, "body": {"We will pay for the return."}}
		p := b.do("POST", path, reply)
		if p.status != http.StatusConflict || !strings.Contains(p.body, "山田 太郎 が返信を書いています") || !strings.Contains(p.body, `id="take-over"`) {
			t.Fatalf("second reply: %d\n%s", p.status, p.body[strings.Index(p.body, "<main"):][:1500])
		}
		// The holder's own reply is not blocked by their own mark.
		note := url.Values{"csrf": {bt}, "mode": {"note"}, "body": {"社内メモ: 送料は当社負担"}}
		if p := b.do("POST", path, note); p.status != http.StatusSeeOther {
			t.Errorf("a note during someone's reply: %d", p.status)
		}
		reply.Set("takeover", "1")
		if p := b.do("POST", path, reply); p.status != http.StatusSeeOther {
			t.Errorf("take over: %d", p.status)
		}
		if p := a.do("POST", path, url.Values{"csrf": {at}, "mode": {"public"}, "body": {"送料は弊社で負担いたします。"}}); p.status != http.StatusSeeOther {
			t.Errorf("the holder's own reply: %d", p.status)
		}
		// Sending cleared 山田's mark: the admin replies freely again.
		reply.Del("takeover")
		if p := b.do("POST", path, reply); p.status != http.StatusSeeOther {
			t.Errorf("reply after the holder sent: %d", p.status)
		}
		if n := commentCount(t, d, id); n != 5 {
			t.Errorf("comments: %d, want 5", n)
		}
	})
}
