package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/snooze"
)

func TestSnoozeAndOwn(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		id := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "返品の送料について", "requester_id": d.Customer.ID, "comment": map[string]any{"body": "送料はどちらの負担ですか？"}}}).Int("ticket.id")
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		path := fmt.Sprintf("/tickets/%d", id)
		p := b.do("GET", path, nil)
		if !strings.Contains(p.body, `id="snooze-until"`) || !strings.Contains(p.body, `id="own-on"`) {
			t.Fatalf("snooze/own controls missing")
		}
		token := p.csrf(t)
		sn := app.Lookup[*snooze.Service](d.App)

		// Bad input and CSRF.
		if p := b.do("POST", path+"/snooze", url.Values{"until": {"2099-01-01T09:00"}}); p.status != http.StatusForbidden {
			t.Errorf("snooze without csrf: %d", p.status)
		}
		for _, bad := range []struct{ until, want string }{{"明日", "再開日時を正しく入力してください。"}, {"2020-01-01T09:00", "再開日時は未来の日時にしてください"}} {
			if p := b.do("POST", path+"/snooze", url.Values{"csrf": {token}, "until": {bad.until}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, bad.want) {
				t.Errorf("snooze until %q: %d", bad.until, p.status)
			}
		}
		// Snooze until tomorrow 09:00 Tokyo time (the agent's zone).
		tomorrow := time.Now().In(time.FixedZone("JST", 9*3600)).AddDate(0, 0, 1).Format("2006-01-02") + "T09:00"
		p = b.do("POST", path+"/snooze", url.Values{"csrf": {token}, "until": {tomorrow}, "reason": {"倉庫の回答待ち"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("snooze: %d\n%s", p.status, p.body)
		}
		got, err := sn.Get(t.Context(), d.Agent.User, id)
		if err != nil || got == nil || got.Reason != "倉庫の回答待ち" ||
			got.Until.In(time.FixedZone("JST", 9*3600)).Format("2006-01-02T15:04") != tomorrow {
			t.Fatalf("snooze stored: %+v %v", got, err)
		}
		p = b.do("GET", p.loc, nil)
		if !strings.Contains(p.body, "スヌーズしました。") || !strings.Contains(p.body, `id="snoozed"`) || !strings.Contains(p.body, "倉庫の回答待ち") {
			t.Errorf("page after snooze")
		}
		if p := b.do("POST", path+"/unsnooze", url.Values{"csrf": {token}}); p.status != http.StatusSeeOther {
			t.Errorf("unsnooze: %d", p.status)
		}
		if got, _ := sn.Get(t.Context(), d.Agent.User, id); got != nil {
			t.Errorf("still snoozed after wake")
		}

		// Own to the end: takes the unassigned ticket and sets the flag.
		as := app.Lookup[*assign.Service](d.App)
		if p := b.do("POST", path+"/own", url.Values{"csrf": {token}, "own": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("own: %d\n%s", p.status, p.body)
		}
		o, err := as.Ownership(t.Context(), d.Agent.User, id)
		if err != nil || !o.OwnToEnd || o.AssigneeID != d.Agent.ID {
			t.Fatalf("ownership: %+v %v", o, err)
		}
		p = b.do("GET", path, nil)
		if !strings.Contains(p.body, `id="own-off"`) || !strings.Contains(p.body, "最後まで担当中") {
			t.Errorf("page after own")
		}
		// The history tells it in words.
		for _, want := range []string{"スヌーズ: ", "スヌーズ解除", "最後まで担当: いいえ → はい"} {
			if !strings.Contains(p.body, want) {
				t.Errorf("history lacks %q", want)
			}
		}
		// A light agent is refused with the domain's reason.
		other := newBrowser(t, d, "en")
		other.login(d.Light.Email, "password-light-agent", false)
		if p := other.do("POST", path+"/own", url.Values{"csrf": {other.do("GET", path, nil).csrf(t)}, "own": {"0"}}); p.status != http.StatusUnprocessableEntity {
			t.Errorf("light agent own: %d", p.status)
		}
		if o, _ := as.Ownership(t.Context(), d.Agent.User, id); !o.OwnToEnd {
			t.Errorf("light agent cleared the flag")
		}
		if p := b.do("POST", path+"/own", url.Values{"csrf": {token}, "own": {"0"}}); p.status != http.StatusSeeOther {
			t.Errorf("own off: %d", p.status)
		}
		if o, _ := as.Ownership(t.Context(), d.Agent.User, id); o.OwnToEnd {
			t.Errorf("flag still set")
		}
	})
}
