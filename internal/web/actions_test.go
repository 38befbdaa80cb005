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

func TestSplitAndMerge(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		newTicket := func(subject, body string) int64 {
			return d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
				"subject": subject, "requester_id": d.Customer.ID, "comment": map[string]any{"body": body}}}).Int("ticket.id")
		}
		src := newTicket("配送状況を教えてください", "注文①がまだ届きません。")
		d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", src), map[string]any{"ticket": map[string]any{
			"comment": map[string]any{"body": "ところで、請求書の宛名を㈱さくらに変えてください。", "public": true}}})
		audits := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", src), nil)
		second := int64(audits.Get("comments.1.id").(float64))
		first := int64(audits.Get("comments.0.id").(float64))

		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		path := fmt.Sprintf("/tickets/%d", src)
		p := b.do("GET", path, nil)
		// Only later comments can be split off; the description stays.
		if !strings.Contains(p.body, fmt.Sprintf(`id="split-%d"`, second)) || strings.Contains(p.body, fmt.Sprintf(`id="split-%d"`, first)) {
			t.Fatalf("split buttons wrong")
		}
		token := p.csrf(t)
		if p := b.do("POST", path+"/split", url.Values{"comment": {fmt.Sprint(second)}}); p.status != http.StatusForbidden {
			t.Errorf("split without csrf: %d", p.status)
		}
		// The description cannot be split off: the page says why.
		if p := b.do("POST", path+"/split", url.Values{"csrf": {token}, "comment": {fmt.Sprint(first)}}); p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, `id="form-errors"`) {
			t.Errorf("split of the description: %d", p.status)
		}
		p = b.do("POST", path+"/split", url.Values{"csrf": {token}, "comment": {fmt.Sprint(second)}, "subject": {"請求書の宛名変更"}})
		m := regexp.MustCompile(`^/tickets/(\d+)\?split_from=(\d+)$`).FindStringSubmatch(p.loc)
		if p.status != http.StatusSeeOther || m == nil || m[2] != fmt.Sprint(src) {
			t.Fatalf("split: %d %q\n%s", p.status, p.loc, p.body)
		}
		np := b.do("GET", p.loc, nil)
		if !strings.Contains(np.body, "請求書の宛名変更") || !strings.Contains(np.body, fmt.Sprintf("チケット #%d から分割しました。", src)) || !strings.Contains(np.body, "㈱さくら") {
			t.Errorf("new ticket page after split:\n%.2000s", np.body)
		}
		if body := fmt.Sprint(d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", src), nil).Get("comments")); strings.Contains(body, "ところで、請求書の宛名") || !strings.Contains(body, "注文①") {
			t.Errorf("source comments after split: %s", body)
		}

		// Merge: the target must exist; then this ticket is closed into it.
		target := newTicket("配送の件（再送）", "追加の問い合わせです。")
		for _, bad := range []struct{ target, want string }{{"", "統合先のチケット番号を入力してください。"}, {"999999", "統合先のチケット #999999 が見つかりません。"}, {fmt.Sprint(src), "自身に統合"}} {
			p := b.do("POST", path+"/merge", url.Values{"csrf": {token}, "target": {bad.target}})
			if p.status != http.StatusUnprocessableEntity || !strings.Contains(p.body, bad.want) {
				t.Errorf("merge into %q: %d, want %q", bad.target, p.status, bad.want)
			}
		}
		if p := b.do("POST", path+"/merge", url.Values{"target": {fmt.Sprint(target)}}); p.status != http.StatusForbidden {
			t.Errorf("merge without csrf: %d", p.status)
		}
		// A number typed with the IME (full-width digits) works.
		full := strings.Map(func(r rune) rune { return r - '0' + '０' }, fmt.Sprint(target))
		p = b.do("POST", path+"/merge", url.Values{"csrf": {token}, "target": {"#" + full}})
		if p.status != http.StatusSeeOther || p.loc != fmt.Sprintf("/tickets/%d?merged=%d", target, src) {
			t.Fatalf("merge: %d %q\n%s", p.status, p.loc, p.body)
		}
		if tp := b.do("GET", p.loc, nil); !strings.Contains(tp.body, fmt.Sprintf("チケット #%d をこのチケットに統合しました。", src)) {
			t.Errorf("target page lacks the merge notice")
		}
		if r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", src), nil); r.Str("ticket.status") != "closed" {
			t.Errorf("merged source status %s", r.Str("ticket.status"))
		}
		// A closed ticket offers no merge.
		if sp := b.do("GET", path, nil); strings.Contains(sp.body, `id="merge-confirm"`) {
			t.Errorf("closed ticket offers merge")
		}

		// Light agents see neither action and are refused.
		l := newBrowser(t, d, "en")
		l.login(d.Light.Email, "password-light-agent", false)
		lp := l.do("GET", fmt.Sprintf("/tickets/%d", target), nil)
		if strings.Contains(lp.body, `id="merge-confirm"`) || strings.Contains(lp.body, `id="split-`) {
			t.Errorf("light agent sees split/merge")
		}
		if p := l.do("POST", fmt.Sprintf("/tickets/%d/merge", target), url.Values{"csrf": {lp.csrf(t)}, "target": {fmt.Sprint(src)}}); p.status == http.StatusSeeOther {
			t.Errorf("light agent merged")
		}
	})
}
