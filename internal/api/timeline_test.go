package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// entryKeys names each timeline entry as "type:id" in list order.
func entryKeys(r *apptest.Response) []string {
	var out []string
	for i := 0; i < r.Len("timeline"); i++ {
		out = append(out, fmt.Sprintf("%s:%d", r.Str(fmt.Sprintf("timeline.%d.type", i)), r.Int(fmt.Sprintf("timeline.%d.id", i))))
	}
	return out
}

func testTimeline(t *testing.T, d *apptest.Desk) {
	sales := addInbox(t, d, "営業窓口", "sales@example.jp")
	support := addInbox(t, d, "サポート窓口", "support@example.jp")
	org := d.Must(201, d.Admin, "POST", "/api/v2/organizations.json", map[string]any{"organization": map[string]any{"name": "㈱髙島屋"}}).Int("organization.id")
	cust := d.AddUser("hanako@takashimaya.example.jp", "佐藤 花子", model.RoleEndUser)
	colleague := d.AddUser("jiro@takashimaya.example.jp", "髙島 次郎", model.RoleEndUser)
	stranger := d.AddUser("ichiro@other.example.jp", "ｽｽﾞｷ ｲﾁﾛｳ", model.RoleEndUser)
	for _, u := range []*apptest.User{cust, colleague} {
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d", u.ID), map[string]any{"user": map[string]any{"organization_id": org}})
	}

	a := mailTicket(t, d, cust, sales, "見積もりの依頼", "㈱髙島屋として①の見積もりをお願いします。", nil)
	b := mailTicket(t, d, cust, support, "ログインできません", "パスワードを忘れました。ｶﾀｶﾅの名前で登録しています。", nil)
	c := mailTicket(t, d, colleague, sales, "請求書について", "同じ会社の髙島です。", nil)
	dd := mailTicket(t, d, stranger, support, "無関係", "別の会社です。", nil)
	// Entries of one millisecond have no order the test could expect:
	// each mail comes strictly after the tickets and the mail before it.
	time.Sleep(2 * time.Millisecond)
	in := addMail(t, d, model.MailMessage{InboxID: sales, Direction: model.MailIn, MessageID: "tl-1@takashimaya.example.jp",
		Subject: "見積もりの依頼", MailFrom: "hanako@takashimaya.example.jp", TicketID: a, Source: "smtp"})
	time.Sleep(2 * time.Millisecond)
	out := addMail(t, d, model.MailMessage{InboxID: support, Direction: model.MailOut, MessageID: "tl-2@example.jp", State: model.MailSent,
		Subject: "Re: ログインできません", MailFrom: "support@example.jp", RcptTo: []string{"hanako@takashimaya.example.jp"}, TicketID: b, Source: "api"})
	time.Sleep(2 * time.Millisecond)
	addMail(t, d, model.MailMessage{InboxID: support, Direction: model.MailIn, MessageID: "tl-3@other.example.jp",
		Subject: "無関係", MailFrom: "ichiro@other.example.jp", TicketID: dd, Source: "smtp"})
	time.Sleep(5 * time.Millisecond) // the note is the newest activity, strictly
	// An internal note: a public reply would also queue an outgoing mail,
	// which is the outbox's business, not this test's.
	d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", a), map[string]any{"ticket": map[string]any{
		"comment": map[string]any{"body": "お見積もり①を添付いたします。\nご確認ください。", "public": false}}})
	acr, _ := commentBodies(d, a)
	reply := idsAt(acr, "comments")[1]

	path := fmt.Sprintf("/api/v2/users/%d/timeline.json", cust.ID)
	r := d.Must(200, d.Agent, "GET", path, nil)
	keys := entryKeys(r)
	// A's latest activity is the reply: the ticket entry (with the reply
	// as its excerpt) and then the reply itself come first.
	if len(keys) < 2 || keys[0] != fmt.Sprintf("ticket:%d", a) || keys[1] != fmt.Sprintf("comment:%d", reply) {
		t.Fatalf("timeline head = %v\n%s", keys, r.Raw)
	}
	if r.Str("timeline.0.latest_comment.excerpt") != "お見積もり①を添付いたします。 ご確認ください。" || r.Int("timeline.0.inbox_id") != sales ||
		r.Str("timeline.0.channel") != "email" || r.Str("timeline.0.status") != "new" || r.Str("timeline.0.subject") != "見積もりの依頼" {
		t.Errorf("ticket entry: %s", r.Raw)
	}
	var tickets, inboxes []int64
	var mails []string
	seen := map[int64]bool{}
	for i := 0; i < r.Len("timeline"); i++ {
		e := func(f string) string { return fmt.Sprintf("timeline.%d.%s", i, f) }
		seen[r.Int(e("ticket_id"))] = true
		if i > 0 && r.Str(e("at")) > r.Str(fmt.Sprintf("timeline.%d.at", i-1)) {
			t.Errorf("entry %d is newer than the one before it: %v", i, keys)
		}
		switch r.Str(e("type")) {
		case "ticket":
			tickets = append(tickets, r.Int(e("id")))
			inboxes = append(inboxes, r.Int(e("inbox_id")))
		case "mail":
			mails = append(mails, fmt.Sprintf("%d %s %s %s", r.Int(e("id")), r.Str(e("direction")), r.Str(e("state")), r.Str(e("subject"))))
		}
	}
	if !slices.Equal(tickets, []int64{a, b}) || !slices.Equal(inboxes, []int64{sales, support}) {
		t.Errorf("tickets %v in inboxes %v, want [%d %d] in [%d %d]", tickets, inboxes, a, b, sales, support)
	}
	if want := []string{fmt.Sprintf("%d out sent Re: ログインできません", out), fmt.Sprintf("%d in processed 見積もりの依頼", in)}; !slices.Equal(mails, want) {
		t.Errorf("mails = %q, want %q", mails, want)
	}
	if seen[c] || seen[dd] || len(keys) != 7 { // 2 tickets, 3 comments, 2 mails
		t.Errorf("timeline holds other customers' entries or misses some: %v", keys)
	}
	if r.Get("meta.has_more") != false || r.Get("links.next") != nil {
		t.Errorf("single page meta: %s", r.Raw)
	}

	// Walking small pages gives the same list, in the same order.
	for _, size := range []int{1, 2, 3} {
		var walked []string
		next := fmt.Sprintf("%s?page[size]=%d", path, size)
		for pages := 0; next != ""; pages++ {
			if pages > 20 {
				t.Fatalf("page[size]=%d does not end: %v", size, walked)
			}
			pr := d.Must(200, d.Light, "GET", next, nil)
			if pr.Len("timeline") > size {
				t.Fatalf("page of %d entries for page[size]=%d", pr.Len("timeline"), size)
			}
			walked = append(walked, entryKeys(pr)...)
			next = pr.Str("links.next")
			if (next != "") != (pr.Get("meta.has_more") == true) {
				t.Fatalf("links.next and has_more disagree: %s", pr.Raw)
			}
		}
		if !slices.Equal(walked, keys) {
			t.Errorf("page[size]=%d walked %v, want %v", size, walked, keys)
		}
	}

	// With the organization, the colleague's ticket joins; the stranger's never does.
	or := d.Must(200, d.Agent, "GET", path+"?include=organization", nil)
	orgKeys := entryKeys(or)
	for _, k := range append(slices.Clone(keys), fmt.Sprintf("ticket:%d", c)) {
		if !slices.Contains(orgKeys, k) {
			t.Errorf("include=organization lacks %s: %v", k, orgKeys)
		}
	}
	for i := 0; i < or.Len("timeline"); i++ {
		if id := or.Int(fmt.Sprintf("timeline.%d.ticket_id", i)); id != a && id != b && id != c {
			t.Errorf("include=organization shows ticket %d: %v", id, orgKeys)
		}
	}

	runSteps(t, d, []step{
		{name: "customers cannot read timelines", as: "customer", method: "GET", path: path, status: 403},
		{name: "unknown user", as: "agent", method: "GET", path: "/api/v2/users/999999/timeline", status: 404},
		{name: "bad cursor", as: "agent", method: "GET", path: path + "?page[after]=" + url.QueryEscape("!!"), status: 400},
		{name: "bad page size", as: "agent", method: "GET", path: path + "?page[size]=0", status: 400},
		{name: "stranger's own timeline", as: "admin", method: "GET", path: fmt.Sprintf("/api/v2/users/%d/timeline?page[size]=1", stranger.ID), status: 200,
			want: map[string]any{"timeline.0.type": "mail", "timeline.0.ticket_id": dd, "timeline.0.direction": "in", "meta.has_more": true}},
	})
}
