package api_test

import (
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// TestTicketOperations covers the ticket operations mail work needs. The
// parts share one desk per database (starting one dominates the run time)
// and keep to their own inboxes, customers and words.
func TestTicketOperations(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		for _, part := range []struct {
			name string
			fn   func(*testing.T, *apptest.Desk)
		}{{"merge", testMerge}, {"split", testSplit}, {"move between inboxes", testMoveBetweenInboxes}, {"customer timeline", testTimeline}} {
			ok := t.Run(part.name, func(t *testing.T) {
				sub := *d // failures must stop the subtest, not its parent
				sub.T = t
				part.fn(t, &sub)
			})
			if !ok {
				t.FailNow()
			}
		}
	})
}

func testMerge(t *testing.T, d *apptest.Desk) {
	inbox := addInbox(t, d, "サポート窓口", "merge@example.jp")
	target := mailTicket(t, d, d.Customer, inbox, "㈱髙島屋の注文について", "注文①の配送日を教えてください。", map[string]any{"tags": []string{"注文"}})
	same := mailTicket(t, d, d.Customer, inbox, "配送状況を教えてください", "同じ注文①の件です。ｶﾀｶﾅ表記で失礼します。", nil)
	other := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", ticketBody("注文①の件（代理）", "髙橋様から電話で同じ問い合わせがありました。", map[string]any{
		"requester":     map[string]any{"name": "髙橋 一郎", "email": "takahashi@customer.co.jp"},
		"collaborators": []any{map[string]any{"name": "ｽｽﾞｷ ｼﾞﾛｳ", "email": "suzuki@customer.co.jp"}},
		"tags":          []string{"電話", "至急"}})).Int("ticket.id")
	otherTk := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", other), nil)
	takahashi, suzuki := otherTk.Int("ticket.requester_id"), otherTk.Int("ticket.collaborator_ids.0")
	if takahashi == 0 || suzuki == 0 {
		t.Fatalf("source requester/CC missing: %s", otherTk.Raw)
	}
	// The source was assigned already; its assignee is kept on closing.
	d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/tickets/%d", other), map[string]any{"ticket": map[string]any{"assignee_id": d.Admin.ID}})
	mail := addMail(t, d, model.MailMessage{InboxID: inbox, Direction: model.MailIn, MessageID: "merge-src-1@customer.co.jp",
		Subject: "配送状況を教えてください", MailFrom: "hanako@customer.co.jp", TicketID: same, Source: "smtp"})

	r := d.Must(200, d.Agent, "POST", fmt.Sprintf("/api/v2/tickets/%d/merge.json", target), map[string]any{
		"ids": []any{same, fmt.Sprint(other), same}, "source_comment_is_public": true})
	if r.Str("job_status.status") != "completed" || r.Len("job_status.results") != 2 || r.Get("job_status.results.1.success") != true ||
		r.Int("job_status.results.0.id") != min(same, other) || r.Int("job_status.results.0.target_id") != target {
		t.Fatalf("merge job: %s", r.Raw)
	}

	// Sources: closed, a public note linking to the target, the agent
	// (or the existing assignee) answering for them, a Merge audit.
	for src, assignee := range map[int64]int64{same: d.Agent.ID, other: d.Admin.ID} {
		tk := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", src), nil)
		if tk.Str("ticket.status") != "closed" || tk.Int("ticket.assignee_id") != assignee {
			t.Errorf("source %d after merge: %s", src, tk.Raw)
		}
		cr, bodies := commentBodies(d, src)
		last := len(bodies) - 1
		if len(bodies) != 2 || !strings.Contains(bodies[last], fmt.Sprintf("#%d", target)) || !strings.Contains(bodies[last], "統合されました") ||
			cr.Get(fmt.Sprintf("comments.%d.public", last)) != true {
			t.Errorf("source %d note: %q\n%s", src, bodies, cr.Raw)
		}
		if ev := auditEvent(d, src, "Merge", "target_ticket_id"); ev == nil || int64(ev["value"].(float64)) != target {
			t.Errorf("source %d has no Merge audit event: %v", src, ev)
		}
	}
	// The original words of the sources are untouched.
	if _, bodies := commentBodies(d, same); bodies[0] != "同じ注文①の件です。ｶﾀｶﾅ表記で失礼します。" {
		t.Errorf("source comment changed: %q", bodies[0])
	}

	// Target: an internal note naming both, the other requester and
	// their CC copied in, tags merged, status unchanged.
	tk := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d", target), nil)
	collabs := []int64{}
	for i := 0; i < tk.Len("ticket.collaborator_ids"); i++ {
		collabs = append(collabs, tk.Int(fmt.Sprintf("ticket.collaborator_ids.%d", i)))
	}
	slices.Sort(collabs)
	want := []int64{takahashi, suzuki}
	slices.Sort(want)
	if !slices.Equal(collabs, want) {
		t.Errorf("target collaborators = %v, want %v (requester %d must not be copied)", collabs, want, d.Customer.ID)
	}
	if tags := strList(tk, "ticket.tags"); !slices.Equal(tags, []string{"注文", "電話", "至急"}) {
		t.Errorf("target tags = %q", tags)
	}
	if tk.Str("ticket.status") != "new" {
		t.Errorf("target status = %s", tk.Str("ticket.status"))
	}
	cr, bodies := commentBodies(d, target)
	note := bodies[len(bodies)-1]
	if len(bodies) != 2 || !strings.Contains(note, fmt.Sprintf("#%d, #%d", min(same, other), max(same, other))) ||
		!strings.Contains(note, "配送状況を教えてください") || !strings.Contains(note, "統合しました") || cr.Get("comments.1.public") != false {
		t.Errorf("target note: %q\n%s", bodies, cr.Raw)
	}
	if ev := auditEvent(d, target, "Merge", "source_ticket_ids"); ev == nil || fmt.Sprint(ev["value"]) != fmt.Sprint([]float64{float64(same), float64(other)}) {
		t.Errorf("target Merge event: %v", ev)
	}

	// Mail threading follows the merge: a reply to the source's
	// Message-ID now lands on the target.
	if m := mailRow(t, d, mail); m.TicketID != target {
		t.Errorf("source mail still on ticket %d, want %d", m.TicketID, target)
	}
	if got := threadOf(t, d, "unknown@x", "merge-src-1@customer.co.jp"); got != target {
		t.Errorf("reply threads to %d, want %d", got, target)
	}

	fresh := mailTicket(t, d, d.Customer, inbox, "請求書の再発行", "請求書を再発行してください。", nil)
	mergePath := fmt.Sprintf("/api/v2/tickets/%d/merge", target)
	runSteps(t, d, []step{
		{name: "closed source refused", as: "agent", method: "POST", path: mergePath, body: map[string]any{"ids": []int64{same, fresh}}, status: 422,
			check: wantDetail("ids", "InvalidValue")},
		{name: "into a closed ticket refused", as: "agent", method: "POST", path: fmt.Sprintf("/api/v2/tickets/%d/merge", same),
			body: map[string]any{"ids": []int64{fresh}}, status: 422, check: wantDetail("target", "InvalidValue")},
		{name: "customer forbidden", as: "customer", method: "POST", path: mergePath, body: map[string]any{"ids": []int64{fresh}}, status: 403},
		{name: "light agent forbidden", as: "light", method: "POST", path: mergePath, body: map[string]any{"ids": []int64{fresh}}, status: 403},
		{name: "into itself refused", as: "agent", method: "POST", path: mergePath, body: map[string]any{"ids": []int64{target}}, status: 422,
			check: wantDetail("ids", "InvalidValue")},
		{name: "unknown source", as: "agent", method: "POST", path: mergePath, body: map[string]any{"ids": []int64{999999}}, status: 422,
			check: wantDetail("ids", "InvalidValue")},
		{name: "no ids", as: "agent", method: "POST", path: mergePath, body: map[string]any{"ids": []int64{}}, status: 422,
			check: wantDetail("ids", "BlankValue")},
		{name: "unknown target", as: "agent", method: "POST", path: "/api/v2/tickets/999999/merge", body: map[string]any{"ids": []int64{fresh}}, status: 404},
		{name: "ids of the wrong type", as: "agent", method: "POST", path: mergePath, body: `{"ids": ["abc"]}`, status: 400},
		{name: "flag of the wrong type", as: "agent", method: "POST", path: mergePath, body: `{"ids": [1], "target_comment_is_public": "yes"}`, status: 400},
		{name: "malformed JSON", as: "agent", method: "POST", path: mergePath, body: `{"ids": [`, status: 400},
		{name: "custom public note", as: "admin", method: "POST", path: mergePath, status: 200,
			body: map[string]any{"ids": []int64{fresh}, "target_comment": "請求書の件も①こちらで対応します", "target_comment_is_public": true},
			check: func(t *testing.T, r *apptest.Response) {
				cr, bodies := commentBodies(d, target)
				if bodies[len(bodies)-1] != "請求書の件も①こちらで対応します" || cr.Get(fmt.Sprintf("comments.%d.public", len(bodies)-1)) != true {
					t.Errorf("custom target note: %q", bodies)
				}
			}},
	})
	// Failed merges changed nothing: the fresh ticket was merged once.
	if _, bodies := commentBodies(d, fresh); len(bodies) != 2 {
		t.Errorf("fresh ticket comments: %q", bodies)
	}
}

func testSplit(t *testing.T, d *apptest.Desk) {
	inbox := addInbox(t, d, "請求窓口", "billing@example.jp")
	up := d.Must(201, d.Customer, "POST", "/api/v2/uploads.json?filename="+url.QueryEscape("請求書①.pdf"), []byte("%PDF-1.4 ㈱髙島屋 請求書"))
	src := mailTicket(t, d, d.Customer, inbox, "配送状況を教えてください", "注文番号 ①-12345 の配送状況を教えてください。", nil)
	put := func(as *apptest.User, comment map[string]any) {
		t.Helper()
		d.Must(200, as, "PUT", fmt.Sprintf("/api/v2/tickets/%d", src), map[string]any{"ticket": map[string]any{"comment": comment}})
	}
	put(d.Agent, map[string]any{"body": "確認いたします。少々お待ちください。"})
	put(d.Customer, map[string]any{"body": "別件ですが、㈱髙島屋宛の請求書を再発行してください。ｶﾀｶﾅの宛名でお願いします。", "uploads": []string{up.Str("upload.token")}})
	put(d.Agent, map[string]any{"body": "請求書の件は経理へ回します", "public": false})
	cr, before := commentBodies(d, src)
	if len(before) != 4 {
		t.Fatalf("setup comments: %q", before)
	}
	cid := idsAt(cr, "comments")
	mail := addMail(t, d, model.MailMessage{InboxID: inbox, Direction: model.MailIn, MessageID: "split-3@customer.co.jp",
		Subject: "Re: 配送状況を教えてください", MailFrom: "hanako@customer.co.jp", TicketID: src, CommentID: cid[2], Source: "imap"})
	stays := addMail(t, d, model.MailMessage{InboxID: inbox, Direction: model.MailIn, MessageID: "split-1@customer.co.jp",
		Subject: "配送状況を教えてください", MailFrom: "hanako@customer.co.jp", TicketID: src, CommentID: cid[0], Source: "imap"})

	splitPath := fmt.Sprintf("/api/v2/tickets/%d/split.json", src)
	r := d.Must(201, d.Agent, "POST", splitPath, map[string]any{"comment_ids": []any{cid[3], fmt.Sprint(cid[2])}, "subject": "請求書の再発行①"})
	nt := r.Int("ticket.id")
	if r.Str("ticket.subject") != "請求書の再発行①" || r.Int("ticket.requester_id") != d.Customer.ID || r.Int("ticket.inbox_id") != inbox ||
		r.Str("ticket.description") != before[2] || r.Str("ticket.status") != "new" || r.Str("ticket.via.source.rel") != "split" ||
		r.Header.Get("Location") != r.Str("ticket.url") {
		t.Fatalf("split ticket: %s", r.Raw)
	}

	// The new ticket holds the two moved comments, words and
	// attachment intact, then the "split from" note.
	ncr, moved := commentBodies(d, nt)
	if len(moved) != 3 || moved[0] != before[2] || moved[1] != before[3] || !strings.Contains(moved[2], fmt.Sprintf("#%d", src)) ||
		!strings.Contains(moved[2], "分割されました") {
		t.Fatalf("new ticket comments: %q", moved)
	}
	if got := idsAt(ncr, "comments")[:2]; !slices.Equal(got, cid[2:]) {
		t.Errorf("moved comment ids = %v, want %v", got, cid[2:])
	}
	if ncr.Str("comments.0.attachments.0.file_name") != "請求書①.pdf" || ncr.Get("comments.1.public") != false || ncr.Get("comments.2.public") != false {
		t.Errorf("moved comments lost attachment or privacy: %s", ncr.Raw)
	}
	// The source keeps its first two comments and gets a note.
	scr, left := commentBodies(d, src)
	if len(left) != 3 || left[0] != before[0] || left[1] != before[1] || !strings.Contains(left[2], fmt.Sprintf("#%d", nt)) ||
		scr.Get("comments.2.public") != false {
		t.Errorf("source comments after split: %q", left)
	}
	if ev := auditEvent(d, src, "Split", "split_ticket_id"); ev == nil || int64(ev["value"].(float64)) != nt {
		t.Errorf("source Split event: %v", ev)
	}
	if ev := auditEvent(d, src, "Split", "moved_comment_ids"); ev == nil || fmt.Sprint(ev["value"]) != fmt.Sprint([]float64{float64(cid[2]), float64(cid[3])}) {
		t.Errorf("source moved_comment_ids event: %v", ev)
	}
	if ev := auditEvent(d, nt, "Split", "source_ticket_id"); ev == nil || int64(ev["value"].(float64)) != src {
		t.Errorf("new ticket Split event: %v", ev)
	}
	if ev := auditEvent(d, nt, "Create", "subject"); ev == nil || ev["value"] != "請求書の再発行①" {
		t.Errorf("new ticket Create event: %v", ev)
	}
	// The audit list of the new ticket renders its moved comments.
	ar := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits", nt), nil)
	if ar.Len("audits") != 1 || ar.Str("audits.0.events.0.body") != before[2] {
		t.Errorf("new ticket audit: %s", ar.Raw)
	}
	// Mail follows the comments it belongs to; a reply to it threads to the new ticket.
	if mailRow(t, d, mail).TicketID != nt || mailRow(t, d, stays).TicketID != src {
		t.Errorf("mail rows: moved one on %d, kept one on %d", mailRow(t, d, mail).TicketID, mailRow(t, d, stays).TicketID)
	}
	if got := threadOf(t, d, "split-3@customer.co.jp"); got != nt {
		t.Errorf("reply threads to %d, want %d", got, nt)
	}
	// Search finds the moved words on the new ticket only (the notes name only the subject).
	sr := d.Must(200, d.Agent, "GET", "/api/v2/search.json?query="+url.QueryEscape("type:ticket 宛名"), nil)
	if got := idsAt(sr, "results"); !slices.Equal(got, []int64{nt}) {
		t.Errorf("search 宛名 = %v, want [%d]", got, nt)
	}

	other := d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", ticketBody("別のチケット", "関係のない問い合わせ", nil)).Int("ticket.id")
	ocr, _ := commentBodies(d, other)
	foreign := idsAt(ocr, "comments")[0]
	runSteps(t, d, []step{
		{name: "first comment stays", as: "agent", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{cid[0], cid[1]}}, status: 422,
			check: wantDetail("comment_ids", "InvalidValue")},
		{name: "comment of another ticket", as: "agent", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{foreign}}, status: 422,
			check: wantDetail("comment_ids", "InvalidValue")},
		{name: "already moved comment", as: "agent", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{cid[2]}}, status: 422,
			check: wantDetail("comment_ids", "InvalidValue")},
		{name: "no comments", as: "agent", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{}}, status: 422,
			check: wantDetail("comment_ids", "BlankValue")},
		{name: "subject too long", as: "agent", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{cid[1]}, "subject": strings.Repeat("長", 256)},
			status: 422, check: wantDetail("subject", "TooLong")},
		{name: "light agent forbidden", as: "light", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{cid[1]}}, status: 403},
		{name: "customer forbidden", as: "customer", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{cid[1]}}, status: 403},
		{name: "unknown ticket", as: "agent", method: "POST", path: "/api/v2/tickets/999999/split", body: map[string]any{"comment_ids": []int64{cid[1]}}, status: 404},
		{name: "wrong type", as: "agent", method: "POST", path: splitPath, body: `{"comment_ids": "1"}`, status: 400},
		{name: "subject derived from the moved comment", as: "admin", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{cid[1]}}, status: 201,
			want: map[string]any{"ticket.subject": "確認いたします。少々お待ちください。", "ticket.description": before[1]}},
		{name: "closed ticket cannot be split", as: "admin", method: "PUT", path: fmt.Sprintf("/api/v2/tickets/%d", src),
			body: map[string]any{"ticket": map[string]any{"status": "closed", "assignee_id": d.Admin.ID}}, status: 200},
		{name: "closed refused", as: "agent", method: "POST", path: splitPath, body: map[string]any{"comment_ids": []int64{cid[0]}}, status: 422,
			check: wantDetail("status", "InvalidValue")},
	})
}

// testMoveBetweenInboxes: moving a ticket to another inbox is an
// update; its comments stay and the audit trail records the move.
func testMoveBetweenInboxes(t *testing.T, d *apptest.Desk) {
	sales := addInbox(t, d, "営業窓口", "move-sales@example.jp")
	support := addInbox(t, d, "サポート窓口", "move-support@example.jp")
	id := mailTicket(t, d, d.Customer, sales, "ログインできません", "パスワード①を忘れました。㈱髙島屋の佐藤です。", nil)
	d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{
		"comment": map[string]any{"body": "サポート窓口へ回します", "public": false}, "assignee_id": d.Agent.ID}})
	_, before := commentBodies(d, id)
	auditsBefore := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits", id), nil).Int("count")

	r := d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{"inbox_id": support}})
	if r.Int("ticket.inbox_id") != support || r.Str("ticket.status") != "open" || r.Int("ticket.assignee_id") != d.Agent.ID {
		t.Fatalf("moved ticket: %s", r.Raw)
	}
	var ev map[string]any
	for _, e := range r.Get("audit.events").([]any) {
		if m := e.(map[string]any); m["field_name"] == "inbox_id" {
			ev = m
		}
	}
	if ev == nil || ev["type"] != "Change" || int64(ev["value"].(float64)) != support || int64(ev["previous_value"].(float64)) != sales {
		t.Fatalf("audit of the move: %s", r.Raw)
	}
	_, after := commentBodies(d, id)
	if !slices.Equal(before, after) || after[0] != "パスワード①を忘れました。㈱髙島屋の佐藤です。" {
		t.Errorf("comments changed by the move: %q -> %q", before, after)
	}
	ar := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits", id), nil)
	if ar.Int("count") != auditsBefore+1 || ar.Str("audits.0.events.0.body") != after[0] {
		t.Errorf("audit trail after move: %s", ar.Raw)
	}
	// The inbox filter sees it in its new inbox only.
	in := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets.json?inbox_id=%d", support), nil)
	out := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets.json?inbox_id=%d", sales), nil)
	if !slices.Contains(idsAt(in, "tickets"), id) || slices.Contains(idsAt(out, "tickets"), id) {
		t.Errorf("inbox filters: new %v, old %v", idsAt(in, "tickets"), idsAt(out, "tickets"))
	}
}
