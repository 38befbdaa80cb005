package web_test

import (
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

var createdRe = regexp.MustCompile(`^/tickets/(\d+)\?done=(created|created_held)$`)

// created reads the new ticket's id from the create's redirect.
func created(t *testing.T, p *page, want string) int64 {
	t.Helper()
	m := createdRe.FindStringSubmatch(p.loc)
	if p.status != http.StatusSeeOther || m == nil || m[2] != want {
		t.Fatalf("create: status %d, location %q (want done=%s)\n%.3000s", p.status, p.loc, want, p.body)
	}
	id, _ := strconv.ParseInt(m[1], 10, 64)
	return id
}

// stored reads a ticket and its comments from the store.
func stored(t *testing.T, d *apptest.Desk, id int64) (*model.Ticket, []*model.Comment) {
	t.Helper()
	var tk *model.Ticket
	var cs []*model.Comment
	if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) (err error) {
		if tk, err = tx.Ticket(id); err != nil {
			return err
		}
		cs, err = tx.Comments(id, false, 0, 100, false)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return tk, cs
}

func ticketCount(t *testing.T, d *apptest.Desk) int64 {
	t.Helper()
	return d.Must(200, d.Admin, "GET", "/api/v2/tickets/count.json", nil).Int("count.value")
}

// newTicketForm opens the form and returns its page and a base form with
// the CSRF token.
func newTicketForm(t *testing.T, b *browser) (*page, url.Values) {
	t.Helper()
	p := b.do("GET", "/tickets/new", nil)
	if p.status != http.StatusOK {
		t.Fatalf("GET /tickets/new: %d\n%s", p.status, p.body)
	}
	return p, url.Values{"csrf": {p.csrf(t)}}
}

func with(base url.Values, kv ...string) url.Values {
	f := url.Values{}
	for k, v := range base {
		f[k] = slices.Clone(v)
	}
	for i := 0; i+1 < len(kv); i += 2 {
		f.Set(kv[i], kv[i+1])
	}
	return f
}

// TestNewTicketForm: an agent creates tickets from the browser for an
// existing customer (found by the lookup), for a new customer by email and
// for a caller with a phone number only; the form keeps its input on
// every problem; the nav and the customer panel lead to it.
func TestNewTicketForm(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		grp := d.Must(201, d.Admin, "POST", "/api/v2/groups.json", map[string]any{"group": map[string]any{"name": "電話窓口"}}).Int("group.id")
		b := newBrowser(t, d, "ja")
		q := b.login(d.Agent.Email, "password-agent", false)
		q.has(t, "queue nav", `href="/tickets/new" id="nav-new-ticket"`, "新規チケット")

		p, base := newTicketForm(t, b)
		p.has(t, "form", `id="newticket-form"`, `<option value="voice" selected>電話</option>`, `id="mode-note" checked`, `id="mode-public"`,
			fmt.Sprintf(`<option value="%d" selected>山田 太郎 (自分)</option>`, d.Agent.ID), "電話窓口")

		// The lookup finds the customer by name and keeps what was typed.
		p = b.do("POST", "/tickets/new", with(base, "action", "find", "requester_q", "佐藤", "subject", "ログインできない"))
		if p.status != http.StatusOK {
			t.Fatalf("find: %d\n%s", p.status, p.body)
		}
		p.has(t, "find by name", fmt.Sprintf(`id="nt-match-%d"`, d.Customer.ID), "佐藤 花子", `value="ログインできない"`)
		p = b.do("POST", "/tickets/new", with(base, "action", "find", "requester_q", d.Customer.Email))
		p.has(t, "find by email", fmt.Sprintf(`id="nt-match-%d"`, d.Customer.ID))
		p = b.do("POST", "/tickets/new", with(base, "action", "find", "requester_q", "存在しない名前"))
		p.has(t, "find nobody", `id="nt-no-match"`)

		// An existing customer on the phone: internal note, properties set.
		body := "お客様より電話。パスワードを再設定してもログインできないとのこと。至急確認してほしいとのご要望です。"
		r := b.do("POST", "/tickets/new", with(base, "requester_id", strconv.FormatInt(d.Customer.ID, 10), "via", "voice",
			"subject", "ログインできない", "body", body, "mode", "note", "priority", "high", "type", "incident",
			"group_id", strconv.FormatInt(grp, 10), "assignee_id", strconv.FormatInt(d.Agent.ID, 10), "tags", "電話 至急", "status", ""))
		id := created(t, r, "created")
		tk, cs := stored(t, d, id)
		if tk.RequesterID != d.Customer.ID || tk.SubmitterID != d.Agent.ID || tk.Via != "voice" || tk.Subject != "ログインできない" ||
			tk.Priority != "high" || tk.Type != "incident" || tk.GroupID != grp || tk.AssigneeID != d.Agent.ID {
			t.Errorf("ticket: %+v", tk)
		}
		if !slices.Equal(tk.Tags, []string{"至急", "電話"}) && !slices.Equal(tk.Tags, []string{"電話", "至急"}) {
			t.Errorf("tags: %q", tk.Tags)
		}
		if len(cs) != 1 || cs[0].Public || cs[0].Body != body || cs[0].AuthorID != d.Agent.ID {
			t.Fatalf("comments: %+v", cs)
		}
		tp := b.do("GET", r.loc, nil)
		tp.has(t, "ticket page after create", `id="action-done"`, "チケットを作成しました。", "ログインできない", "パスワードを再設定してもログインできない",
			fmt.Sprintf(`href="/tickets/new?requester_id=%d" id="new-ticket-for"`, d.Customer.ID))
		// The customer panel's link prefills the customer.
		p = b.do("GET", fmt.Sprintf("/tickets/new?requester_id=%d", d.Customer.ID), nil)
		p.has(t, "prefilled", `id="nt-chosen"`, "佐藤 花子", fmt.Sprintf(`name="requester_id" value="%d"`, d.Customer.ID))
		// "Choose another customer" drops the choice and keeps the rest.
		p = b.do("POST", "/tickets/new", with(base, "requester_id", strconv.FormatInt(d.Customer.ID, 10), "clear_requester", "1", "subject", "請求について"))
		if p.status != http.StatusOK {
			t.Fatalf("change customer: %d", p.status)
		}
		p.has(t, "customer cleared", `id="requester_q"`, `value="請求について"`, `id="nt-new"`)
		p.lacks(t, "customer cleared", `id="nt-chosen"`, `id="form-errors"`)

		// A new customer by email (web channel, public reply): created once.
		f := with(base, "new_name", "鈴木 一郎", "new_email", "Suzuki@Example.co.jp", "new_phone", "03-1234-5678", "via", "web",
			"subject", "請求書の再発行", "body", "鈴木様\n請求書を再発行いたしました。ご確認ください。", "mode", "public")
		id = created(t, b.do("POST", "/tickets/new", f), "created")
		suzuki := userByEmail(t, d, "suzuki@example.co.jp")
		tk, cs = stored(t, d, id)
		if suzuki.Role != model.RoleEndUser || suzuki.Name != "鈴木 一郎" || suzuki.Phone != "03-1234-5678" || tk.RequesterID != suzuki.ID || tk.Via != "web" {
			t.Errorf("new customer %+v, ticket requester %d via %q", suzuki, tk.RequesterID, tk.Via)
		}
		if len(cs) != 1 || !cs[0].Public {
			t.Errorf("first comment should be public: %+v", cs)
		}
		// Same email again: the same customer, no second user.
		f.Set("subject", "請求書の再発行（2回目）")
		id2 := created(t, b.do("POST", "/tickets/new", f), "created")
		if tk2, _ := stored(t, d, id2); tk2.RequesterID != suzuki.ID {
			t.Errorf("second create made another requester: %d != %d", tk2.RequesterID, suzuki.ID)
		}
		if n := d.Must(200, d.Admin, "GET", "/api/v2/users/search.json?query="+url.QueryEscape("suzuki@example.co.jp"), nil).Len("users"); n != 1 {
			t.Errorf("%d users with the email", n)
		}

		// A caller with a phone number only.
		id = created(t, b.do("POST", "/tickets/new", with(base, "new_name", "田中 三郎", "new_phone", "090-1234-5678", "via", "voice",
			"subject", "配送日の変更", "body", "配送日を来週に変更したいとのお電話。", "mode", "note")), "created")
		tk, _ = stored(t, d, id)
		var caller *model.User
		if err := d.App.Store.Read(t.Context(), func(tx *store.Tx) (err error) { caller, err = tx.User(tk.RequesterID); return err }); err != nil {
			t.Fatal(err)
		}
		if caller.Name != "田中 三郎" || caller.Phone != "090-1234-5678" || caller.Role != model.RoleEndUser || caller.Email != "" {
			t.Errorf("phone caller: %+v", caller)
		}
		// The next call: the lookup finds them by their number.
		p = b.do("POST", "/tickets/new", with(base, "action", "find", "requester_q", "090-1234-5678"))
		p.has(t, "find by phone", fmt.Sprintf(`id="nt-match-%d"`, caller.ID), "田中 三郎")
		// Entered again as a new caller with the same number: the same customer.
		id = created(t, b.do("POST", "/tickets/new", with(base, "new_name", "田中 三郎", "new_phone", "090-1234-5678",
			"subject", "配送日の変更（再度）", "body", "再度お電話。", "mode", "note")), "created")
		if tk2, _ := stored(t, d, id); tk2.RequesterID != caller.ID {
			t.Errorf("the same number made another customer: %d != %d", tk2.RequesterID, caller.ID)
		}

		// Problems re-render the form with the input kept, 422, no ticket.
		before := ticketCount(t, d)
		for name, c := range map[string]struct {
			form  url.Values
			wants []string
		}{
			"blank subject and message": {with(base, "requester_id", strconv.FormatInt(d.Customer.ID, 10), "tags", "要確認"),
				[]string{"件名を入力してください。", "最初のメッセージを入力してください。", `value="要確認"`, "佐藤 花子"}},
			"bad email": {with(base, "new_name", "高橋 四郎", "new_email", "takahashi@@example", "subject", "返品したい", "body", "返品の方法を知りたい。"),
				[]string{"メールアドレス「takahashi@@example」の形式が正しくありません。", `value="高橋 四郎"`, `value="返品したい"`, "返品の方法を知りたい。"}},
			"unknown requester": {with(base, "requester_id", "999999", "subject", "件名", "body", "本文"),
				[]string{"選ばれたお客様が見つかりません。"}},
			"no requester": {with(base, "subject", "件名だけ", "body", "本文だけ"),
				[]string{"お客様を検索して選ぶか", `value="件名だけ"`}},
			"name without contact": {with(base, "new_name", "連絡先 なし", "subject", "件名", "body", "本文"),
				[]string{"メールアドレスか電話番号を入力してください。"}},
		} {
			p := b.do("POST", "/tickets/new", c.form)
			if p.status != http.StatusUnprocessableEntity {
				t.Errorf("%s: status %d\n%.2000s", name, p.status, p.body)
				continue
			}
			p.has(t, name, append(c.wants, `id="form-errors"`)...)
		}
		// English.
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", d.Agent.ID), map[string]any{"user": map[string]any{"locale": "en-US"}})
		p = b.do("POST", "/tickets/new", with(base, "requester_id", strconv.FormatInt(d.Customer.ID, 10)))
		p.has(t, "English problems", "Enter a subject.", "Enter the first message.", "The ticket was not created.")
		if n := ticketCount(t, d); n != before {
			t.Errorf("refused forms created %d tickets", n-before)
		}
	})
}

// TestNewTicketRefusals: no CSRF token, signed out, an end user's old
// session, a light agent's public message and a trainee's held one.
func TestNewTicketRefusals(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		before := ticketCount(t, d)
		cust := strconv.FormatInt(d.Customer.ID, 10)

		// Signed out: sent to sign in; a post is refused.
		anon := newBrowser(t, d, "ja")
		if p := anon.do("GET", "/tickets/new", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/login?next=") {
			t.Errorf("signed out: %d %q", p.status, p.loc)
		}
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		_, base := newTicketForm(t, b)
		f := with(base, "requester_id", cust, "subject", "ログインできない", "body", "ログインできません。", "mode", "note")
		if p := anon.do("POST", "/tickets/new", f); p.status != http.StatusUnauthorized {
			t.Errorf("signed-out post: %d", p.status)
		}
		// No token, or a wrong one: refused.
		nf := with(f)
		nf.Del("csrf")
		if p := b.do("POST", "/tickets/new", nf); p.status != http.StatusForbidden || !strings.Contains(p.body, "セキュリティトークン") {
			t.Errorf("no token: %d", p.status)
		}
		if p := b.do("POST", "/tickets/new", with(f, "csrf", "x"+base.Get("csrf")[1:])); p.status != http.StatusForbidden {
			t.Errorf("wrong token: %d", p.status)
		}

		// Someone who became an end user never sees the form again.
		staff := d.AddUser("moto@example.jp", "元 社員", model.RoleAgent)
		sb := newBrowser(t, d, "ja")
		sb.login(staff.Email, "password-agent", false)
		_, sbase := newTicketForm(t, sb)
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", staff.ID), map[string]any{"user": map[string]any{"role": "end-user"}})
		if p := sb.do("GET", "/tickets/new", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/login") {
			t.Errorf("end user GET: %d %q", p.status, p.loc)
		}
		if p := sb.do("POST", "/tickets/new", with(f, "csrf", sbase.Get("csrf"))); p.status < 400 {
			t.Errorf("end user POST: %d", p.status)
		}
		if n := ticketCount(t, d); n != before {
			t.Fatalf("refused posts created %d tickets", n-before)
		}

		// A light agent: internal notes only.
		lb := newBrowser(t, d, "ja")
		lb.login(d.Light.Email, "password-light-agent", false)
		lp, lbase := newTicketForm(t, lb)
		lp.has(t, "light agent's form", `id="nt-light"`, `id="mode-note" checked`)
		lp.lacks(t, "light agent's form", `id="mode-public"`)
		lf := with(lbase, "requester_id", cust, "subject", "商品の在庫", "body", "在庫の問い合わせがありました。", "mode", "public", "assignee_id", "")
		if p := lb.do("POST", "/tickets/new", lf); p.status != http.StatusUnprocessableEntity ||
			!strings.Contains(p.body, "ライトエージェントは公開返信を送れません。") || !strings.Contains(p.body, "在庫の問い合わせがありました。") {
			t.Errorf("light agent public: %d\n%.2000s", p.status, p.body)
		}
		if n := ticketCount(t, d); n != before {
			t.Fatalf("light agent's public message created a ticket")
		}
		lf.Set("mode", "note")
		id := created(t, lb.do("POST", "/tickets/new", lf), "created")
		if _, cs := stored(t, d, id); len(cs) != 1 || cs[0].Public {
			t.Errorf("light agent's note: %+v", cs)
		}

		// A trainee's public first message waits for approval.
		trainee := addTrainee(t, d)
		tb := newBrowser(t, d, "ja")
		tb.login(trainee.Email, "password-agent", false)
		tp, tbase := newTicketForm(t, tb)
		tp.has(t, "trainee's form", `id="nt-trainee"`, "公開返信（承認後に送信）")
		first := "佐藤様\nお問い合わせいただいたログインの件、パスワード再設定の手順をご案内いたします。"
		r := tb.do("POST", "/tickets/new", with(tbase, "requester_id", cust, "via", "email", "subject", "ログイン手順のご案内", "body", first, "mode", "public"))
		id = created(t, r, "created_held")
		tk, cs := stored(t, d, id)
		if tk.Subject != "ログイン手順のご案内" || len(cs) != 0 {
			t.Errorf("held ticket %+v has comments %+v", tk, cs)
		}
		if got := agentReplies(t, d, id); len(got) != 0 {
			t.Errorf("the customer sees %q", got)
		}
		pg := tb.do("GET", r.loc, nil)
		pg.has(t, "trainee's ticket page", "最初のメッセージは承認待ちです", `data-state="pending"`, "パスワード再設定の手順をご案内いたします。")
	})
}

// TestNewTicketFilesAndFields: the form carries the desk's custom fields
// and the composer's files (multipart), and a problem keeps the fields'
// values.
func TestNewTicketFilesAndFields(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		field := func(body map[string]any) int64 {
			return d.Must(201, d.Admin, "POST", "/api/v2/ticket_fields.json", map[string]any{"ticket_field": body}).Int("ticket_field.id")
		}
		kind := field(map[string]any{"type": "tagger", "title": "問い合わせ区分", "custom_field_options": []map[string]any{
			{"name": "配送について", "value": "shipping"}, {"name": "ログインについて", "value": "login"}}})
		order := field(map[string]any{"type": "text", "title": "注文番号"})
		b := newBrowser(t, d, "ja")
		b.login(d.Agent.Email, "password-agent", false)
		p, base := newTicketForm(t, b)
		p.has(t, "fields on the form", "問い合わせ区分", "注文番号", fmt.Sprintf(`id="cf-%d" name="cf_%d"`, kind, kind))

		// A problem keeps the fields' values.
		p = b.do("POST", "/tickets/new", with(base, "requester_id", strconv.FormatInt(d.Customer.ID, 10),
			fmt.Sprintf("cf_%d", kind), "login", fmt.Sprintf("cf_%d", order), "A-12345"))
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("blank subject: %d", p.status)
		}
		p.has(t, "fields kept", `<option value="login" selected>`, `value="A-12345"`)

		fields := map[string]string{"csrf": base.Get("csrf"), "requester_id": strconv.FormatInt(d.Customer.ID, 10), "via": "email",
			"subject": "見積書の件", "body": "見積書を添付します。ご確認ください。", "mode": "public",
			fmt.Sprintf("cf_%d", kind): "shipping", fmt.Sprintf("cf_%d", order): "A-12345"}
		// Files chosen with a form that has a problem: the agent is told
		// to choose them again (nothing is kept).
		bad := map[string]string{}
		for k, v := range fields {
			bad[k] = v
		}
		bad["subject"] = ""
		p = b.postFiles("/tickets/new", bad, map[string]string{"見積書（12月分）.txt": "合計 12,000円"})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("files with a blank subject: %d", p.status)
		}
		p.has(t, "files again", "添付ファイルは保存されていません。もう一度選んでください。", "件名を入力してください。", "見積書を添付します。")
		r := b.postFiles("/tickets/new", fields, map[string]string{"見積書（12月分）.txt": "合計 12,000円"})
		id := created(t, r, "created")
		tk, _ := stored(t, d, id)
		got := map[int64]any{}
		for _, fv := range tk.CustomFields {
			got[fv.ID] = fv.Value
		}
		if got[kind] != "shipping" || got[order] != "A-12345" {
			t.Errorf("custom fields %v", tk.CustomFields)
		}
		c := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
		if c.Len("comments") != 1 || c.Str("comments.0.attachments.0.file_name") != "見積書（12月分）.txt" || c.Get("comments.0.public") != true {
			t.Errorf("comment with file: %s", c.Raw)
		}
	})
}
