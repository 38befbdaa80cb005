package web_test

import (
	"net/url"
	"regexp"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/web/webdemo"
)

// section returns the part of a search page for one kind of result.
func section(p *page, id string) string {
	i := strings.Index(p.body, `<section id="`+id+`"`)
	if i < 0 {
		return ""
	}
	s := p.body[i:]
	return s[:strings.Index(s, "</section>")]
}

func tabCount(p *page, kind string) string {
	m := regexp.MustCompile(`data-n="` + kind + `">([^<]+)<`).FindStringSubmatch(p.body)
	if m == nil {
		return ""
	}
	return m[1]
}

func TestSearchAcrossTypes(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		if _, err := webdemo.Seed(t.Context(), d.App); err != nil {
			t.Fatal(err)
		}
		b := newBrowser(t, d, "ja")
		b.login("suzuki@kizuna.example.jp", webdemo.Password, false)
		search := func(q string) *page {
			t.Helper()
			p := b.do("GET", "/search?q="+url.QueryEscape(q), nil)
			if p.status != 200 {
				t.Fatalf("search %q: %d", q, p.status)
			}
			return p
		}
		// 配送: the ticket, and the agent's reply that mentions 配送業者.
		p := search("配送")
		if !strings.Contains(section(p, "res-tickets"), "配送状況を教えてください") || tabCount(p, "tickets") != "1" {
			t.Errorf("配送 tickets: %q", tabCount(p, "tickets"))
		}
		if c := section(p, "res-comments"); !strings.Contains(c, "配送業者に確認いたします") || !strings.Contains(c, "鈴木 一郎") {
			t.Errorf("配送 comments:\n%s", c)
		}
		// Half-width katakana finds full-width text, in tickets and comments.
		d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "ポイントが付与されません", "comment": map[string]any{"body": "先月の購入分のポイントが反映されていません。"}}})
		p = search("ﾎﾟｲﾝﾄ")
		if !strings.Contains(section(p, "res-tickets"), "ポイントが付与されません") || !strings.Contains(section(p, "res-comments"), "購入分のポイントが反映") {
			t.Errorf("ﾎﾟｲﾝﾄ:\n%s\n%s", section(p, "res-tickets"), section(p, "res-comments"))
		}
		// Customers by Japanese name, by email, by half-width katakana.
		for q, want := range map[string]string{
			"山本":                     "yamamoto@sakura-market.example.jp",
			"type:user 髙橋":           "satoshi@example.net",
			"ｻﾄｼ":                    "satoshi@example.net",
			"サトシ":                    "satoshi@example.net",
			"email:john@example.org": "John Miller",
		} {
			p := search(q)
			if u := section(p, "res-users"); !strings.Contains(u, want) || !strings.Contains(u, `class="user-hit"`) {
				t.Errorf("users for %q lack %q:\n%s", q, want, u)
			}
		}
		if p := search("山本"); tabCount(p, "users") != "1" || !strings.Contains(section(p, "res-users"), "顧客") {
			t.Errorf("山本: users count %q", tabCount(p, "users"))
		}
		// Organizations by Japanese name (㈱ and (株) fold together) and domain.
		for _, q := range []string{"さくらマーケット", "type:organization (株)さくら"} {
			if o := section(search(q), "res-orgs"); !strings.Contains(o, "㈱さくらマーケット") || !strings.Contains(o, "sakura-market.example.jp") {
				t.Errorf("orgs for %q:\n%s", q, o)
			}
		}
		// type: narrows to one kind: no tickets section then.
		if p := search("type:user 山本"); section(p, "res-tickets") != "" || section(p, "res-orgs") != "" || !strings.Contains(section(p, "res-users"), "山本 由美") {
			t.Errorf("type:user showed other kinds")
		}
		// The instant-results fragment is the results alone.
		f := b.do("GET", "/search?partial=1&q="+url.QueryEscape("配送"), nil)
		if f.status != 200 || strings.Contains(f.body, "<html") || !strings.Contains(f.body, `id="res-users"`) || !strings.Contains(f.body, "配送状況を教えてください") {
			t.Errorf("partial: %d %.300s", f.status, f.body)
		}
		if f := b.do("GET", "/search?partial=1&q="+url.QueryEscape(`"閉じていない`), nil); f.status != 422 || !strings.Contains(f.body, `id="search-error"`) {
			t.Errorf("partial with a bad query: %d", f.status)
		}
	})
}
