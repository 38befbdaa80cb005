package web_test

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/blob"
	"github.com/kizuna-desk/kizuna/internal/imappoll/imaptest"
	"github.com/kizuna-desk/kizuna/internal/inbound"
	"github.com/kizuna-desk/kizuna/internal/inboxes"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/smtpd"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/web"
)

// post sends a settings form with the session's CSRF token.
func (b *browser) post(path string, f url.Values) *page {
	b.t.Helper()
	if f.Get("csrf") == "" {
		f.Set("csrf", b.do("GET", "/settings", nil).csrf(b.t))
	}
	return b.do("POST", path, f)
}

func (p *page) has(t *testing.T, what string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(p.body, w) {
			t.Errorf("%s: page (status %d) lacks %q", what, p.status, w)
		}
	}
	if t.Failed() {
		t.Logf("%s body:\n%.3000s", what, p.body)
	}
}

func (p *page) lacks(t *testing.T, what string, nots ...string) {
	t.Helper()
	for _, n := range nots {
		if strings.Contains(p.body, n) {
			t.Errorf("%s: page has %q", what, n)
		}
	}
}

func inboxByName(t *testing.T, d *apptest.Desk, name string) *model.Inbox {
	t.Helper()
	var out *model.Inbox
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		list, err := tx.Inboxes()
		for _, ib := range list {
			if ib.Name == name {
				out = ib
			}
		}
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

func userByEmail(t *testing.T, d *apptest.Desk, email string) *model.User {
	t.Helper()
	var u *model.User
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		u, err = tx.UserByEmail(email)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return u
}

// startSMTP runs Kizuna's own SMTP listener for connection tests.
func startSMTP(t *testing.T, d *apptest.Desk) (host, port string) {
	t.Helper()
	blobs, err := blob.Open(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	srv, err := smtpd.New(smtpd.Config{Addr: "127.0.0.1:0"}, d.App.Store, &inbound.Spool{Store: d.App.Store, Blobs: blobs}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := srv.Start(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { srv.Close() })
	h, p, _ := strings.Cut(srv.Addr(), ":")
	return h, p
}

func TestAdminIndexAndPermissions(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		admin := newBrowser(t, d, "ja")
		admin.login(d.Admin.Email, "管理者のパスワード", false)
		p := admin.do("GET", "/settings", nil)
		if p.status != 200 {
			t.Fatalf("/settings: %d", p.status)
		}
		p.has(t, "admin index", `href="/settings"`, "設定", "アカウント", "メンバー", "メール", "チケット", "ルール",
			`href="/settings/sessions"`, `href="/settings/agents"`, `href="/settings/groups"`, `href="/settings/brands"`,
			`href="/settings/inboxes"`, `href="/settings/signatures"`, `href="/settings/fields"`, `href="/settings/csat"`,
			`href="/settings/macros"`, `href="/settings/triggers"`, `href="/settings/automations"`, `href="/settings/slas"`,
			`href="/settings/business-hours"`, `href="/settings/views"`, `href="/settings/customer-links"`)
		p.lacks(t, "admin index", "style=", "<script>")

		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		p = agent.do("GET", "/settings", nil)
		p.has(t, "agent index", `href="/settings/sessions"`, `href="/settings/signatures"`, `href="/settings/agents"`)
		p.lacks(t, "agent index", `href="/settings/inboxes"`, `href="/settings/brands"`, `href="/settings/fields"`, `href="/settings/macros"`, `href="/settings/customer-links"`)
		for _, path := range []string{"/settings/inboxes", "/settings/inboxes/new", "/settings/brands", "/settings/fields", "/settings/csat"} {
			if p := agent.do("GET", path, nil); p.status != http.StatusForbidden || !strings.Contains(p.body, "この操作は許可されていません") {
				t.Errorf("agent GET %s: %d", path, p.status)
			}
		}
		for path, f := range map[string]url.Values{
			"/settings/inboxes": {"name": {"サポート窓口"}, "addresses": {"support@example.jp"}},
			"/settings/brands":  {"name": {"通販"}, "subdomain": {"shop"}},
			"/settings/groups":  {"name": {"一次対応チーム"}},
			"/settings/agents":  {"name": {"鈴木 一郎"}, "email": {"suzuki@example.jp"}, "role": {"admin"}},
			"/settings/csat":    {"scope": {"account"}, "delay_minutes": {"0"}},
		} {
			if p := agent.post(path, f); p.status != http.StatusForbidden {
				t.Errorf("agent POST %s: %d", path, p.status)
			}
		}
		// Agents see the team read-only.
		p = agent.do("GET", "/settings/agents", nil)
		p.has(t, "agents read-only", `id="read-only"`, "山田 太郎")
		p.lacks(t, "agents read-only", `action="/settings/agents"`, "/role")
		p = agent.do("GET", "/settings/groups", nil)
		p.has(t, "groups read-only", `id="read-only"`)
		p.lacks(t, "groups read-only", `action="/settings/groups"`)

		// Every POST needs the token.
		if p := admin.do("POST", "/settings/brands", url.Values{"name": {"通販"}, "subdomain": {"shop"}}); p.status != http.StatusForbidden {
			t.Errorf("POST without token: %d", p.status)
		}
		// An inbox made elsewhere (seed, older version) without settings maps.
		now := time.Now().UTC()
		raw := &model.Inbox{Name: "古い受信箱", Addresses: []string{"old@example.jp"}, TicketToken: "subject", Active: true, CreatedAt: now, UpdatedAt: now}
		if err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertInbox(raw) }); err != nil {
			t.Fatal(err)
		}
		admin.do("GET", "/settings/inboxes", nil).has(t, "inbox without settings", "古い受信箱", "転送")
		if p := admin.do("GET", fmt.Sprintf("/settings/inboxes/%d", raw.ID), nil); p.status != 200 {
			t.Errorf("edit an inbox without settings: %d", p.status)
		}
		// Signed out: sent to sign in.
		if p := newBrowser(t, d, "ja").do("GET", "/settings/inboxes", nil); p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/login") {
			t.Errorf("signed out: %d %q", p.status, p.loc)
		}
	})
}

func TestAdminInboxes(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := newBrowser(t, d, "ja")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		if p := b.do("GET", "/settings/inboxes", nil); p.status != 200 || !strings.Contains(p.body, `id="no-inboxes"`) {
			t.Fatalf("empty list: %d", p.status)
		}
		form := url.Values{"name": {"サポート窓口"}, "addresses": {"Support@Example.jp\nsales@example.jp"}, "ticket_token": {"both"},
			"active": {"1"}, "signature": {"株式会社絆 サポート窓口"}, "auto_ack": {"1"}, "auto_ack_subject": {"お問い合わせを受け付けました"},
			"auto_ack_body": {"担当者よりご連絡いたします。"}, "legacy_charset": {"1"},
			"in_type": {"imap"}, "in_host": {"imap.example.jp"}, "in_port": {"993"}, "in_tls": {"tls"}, "in_user": {"support@example.jp"},
			"in_password": {"受信の秘密"}, "out_host": {"smtp.example.jp"}, "out_port": {"５８７"}, "out_tls": {"starttls"},
			"out_user": {"support@example.jp"}, "out_password": {"送信の秘密"}, "out_from_name": {"サポート窓口"}, "action": {"save"}}
		p := b.post("/settings/inboxes", form)
		if p.status != http.StatusSeeOther || !strings.HasPrefix(p.loc, "/settings/inboxes/") {
			t.Fatalf("create: %d %q\n%s", p.status, p.loc, p.body)
		}
		ib := inboxByName(t, d, "サポート窓口")
		if ib == nil || strings.Join(ib.Addresses, ",") != "support@example.jp,sales@example.jp" || ib.TicketToken != "both" || !ib.AutoAck ||
			ib.LegacyCharset != "iso-2022-jp" || inboxes.String(ib.Incoming, "type") != "imap" || inboxes.String(ib.Outgoing, "port") != "587" {
			t.Fatalf("stored inbox %+v", ib)
		}
		sealedIn := inboxes.String(ib.Incoming, inboxes.KeyPassword)
		if sealedIn == "" || strings.Contains(sealedIn, "受信の秘密") {
			t.Fatalf("incoming password stored as %q", sealedIn)
		}
		// The edit page never shows a password, only that one is set.
		ep := b.do("GET", p.loc, nil)
		ep.has(t, "edit page", `id="saved"`, "サポート窓口", "support@example.jp", "設定済みです", "support&#43;…@example.jp", "imap.example.jp", "株式会社絆 サポート窓口")
		ep.lacks(t, "edit page", "受信の秘密", "送信の秘密", sealedIn)

		// Saving with the password boxes empty keeps the passwords.
		form.Set("in_password", "")
		form.Set("out_password", "")
		form.Set("name", "サポート窓口（本社）")
		path := fmt.Sprintf("/settings/inboxes/%d", ib.ID)
		if p := b.post(path, form); p.status != http.StatusSeeOther {
			t.Fatalf("update: %d\n%s", p.status, p.body)
		}
		ib = inboxByName(t, d, "サポート窓口（本社）")
		if inboxes.String(ib.Incoming, inboxes.KeyPassword) != sealedIn || !inboxes.PasswordSet(ib.Outgoing) {
			t.Fatal("an empty password box changed the stored password")
		}
		// "Remove the stored password" removes it.
		form.Set("out_clear_password", "1")
		b.post(path, form)
		form.Del("out_clear_password")
		if ib = inboxByName(t, d, "サポート窓口（本社）"); inboxes.PasswordSet(ib.Outgoing) || !inboxes.PasswordSet(ib.Incoming) {
			t.Fatal("clearing the outgoing password")
		}

		// Validation: the domain's messages, in Japanese, the form kept.
		bad := url.Values{"name": {"  "}, "addresses": {"窓口@@example\nsupport+tag@example.jp\nsales@example.jp"}, "ticket_token": {"subject"},
			"in_type": {"imap"}, "in_port": {"九九三"}, "action": {"save"}}
		p = b.post("/settings/inboxes", bad)
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("invalid inbox: %d", p.status)
		}
		p.has(t, "invalid inbox", `id="form-errors"`, "保存できませんでした", "名前を入力してください", "「窓口@@example」: メールアドレスの形式が正しくありません",
			"「&#43;」を含むアドレスは使えません", "他の受信箱で使用中です", "ポート番号が正しくありません", "IMAP サーバーを指定してください", "support&#43;tag@example.jp")
		p.lacks(t, "invalid inbox", "Name: cannot be blank")
		if n := len(listInboxes(t, d)); n != 1 {
			t.Fatalf("an invalid inbox was stored (%d inboxes)", n)
		}
		// The same in English for an English browser.
		emily := d.AddUser("emily@example.jp", "Emily Clark", model.RoleAdmin)
		d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/users/%d.json", emily.ID), map[string]any{"user": map[string]any{"locale": "en"}})
		en := newBrowser(t, d, "en-US")
		en.login(emily.Email, "password-admin", false)
		p = en.post("/settings/inboxes", url.Values{"name": {""}, "addresses": {""}, "action": {"save"}})
		p.has(t, "English errors", "Not saved", "Name: cannot be blank", "Addresses: at least one address is needed")

		// Disable from the list; the list shows it; enable again.
		if p := b.post(path+"/active", url.Values{"active": {"0"}}); p.status != http.StatusSeeOther {
			t.Fatalf("disable: %d", p.status)
		}
		lp := b.do("GET", "/settings/inboxes", nil)
		lp.has(t, "list", "サポート窓口（本社）", "無効", "support@example.jp", "有効にする")
		if inboxByName(t, d, "サポート窓口（本社）").Active {
			t.Fatal("still active")
		}
		b.post(path+"/active", url.Values{"active": {"1"}})
		if !inboxByName(t, d, "サポート窓口（本社）").Active {
			t.Fatal("not active again")
		}
		if p := b.do("GET", "/settings/inboxes/999999", nil); p.status != http.StatusNotFound {
			t.Errorf("missing inbox: %d", p.status)
		}
	})
}

func listInboxes(t *testing.T, d *apptest.Desk) []*model.Inbox {
	t.Helper()
	var list []*model.Inbox
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error { var err error; list, err = tx.Inboxes(); return err }); err != nil {
		t.Fatal(err)
	}
	return list
}

var probeRe = regexp.MustCompile(`(?s)id="probe-result" data-ok="(true|false)">(.*?)</div>`)

func probeOf(t *testing.T, p *page) (bool, string) {
	t.Helper()
	m := probeRe.FindStringSubmatch(p.body)
	if m == nil {
		t.Fatalf("no probe result (status %d):\n%.2000s", p.status, p.body)
	}
	return m[1] == "true", m[2]
}

func TestAdminInboxConnectionTest(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		app.Lookup[*web.Server](d.App).ProbeTimeout = 5e9
		b := newBrowser(t, d, "ja")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		host, port := startSMTP(t, d)
		form := url.Values{"name": {"サポート窓口"}, "addresses": {"support@example.jp"}, "out_host": {host}, "out_port": {port}, "action": {"test_smtp"}}
		p := b.post("/settings/inboxes", form)
		ok, msg := probeOf(t, p)
		if p.status != 200 || !ok || !strings.Contains(msg, "成功しました") || !strings.Contains(msg, host+":"+port) {
			t.Fatalf("SMTP test against our listener: ok=%v %s", ok, msg)
		}
		if len(listInboxes(t, d)) != 0 {
			t.Fatal("a connection test saved the inbox")
		}
		// The typed values stay in the form.
		p.has(t, "after test", `value="サポート窓口"`, "support@example.jp")
		// STARTTLS demanded from a server without it: the step is named.
		form.Set("out_tls", "starttls")
		ok, msg = probeOf(t, b.post("/settings/inboxes", form))
		if ok || !strings.Contains(msg, "STARTTLS による暗号化ができません") {
			t.Errorf("STARTTLS test: ok=%v %s", ok, msg)
		}
		// Nobody listening.
		form.Set("out_tls", "")
		form.Set("out_port", "1")
		ok, msg = probeOf(t, b.post("/settings/inboxes", form))
		if ok || !strings.Contains(msg, "サーバーに接続できません") {
			t.Errorf("closed port: ok=%v %s", ok, msg)
		}
		form.Set("out_port", "ポート")
		if ok, msg = probeOf(t, b.post("/settings/inboxes", form)); ok || !strings.Contains(msg, "1〜65535") {
			t.Errorf("bad port: %s", msg)
		}

		// IMAP against Dovecot, with the password stored earlier (the box
		// left empty means "the stored one").
		dv := imaptest.Start(t)
		save := url.Values{"name": {"IMAP 窓口"}, "addresses": {"imap@example.jp"}, "active": {"1"}, "in_type": {"imap"}, "in_host": {dv.Host},
			"in_port": {strconv.Itoa(dv.Port)}, "in_tls": {"starttls"}, "in_insecure": {"1"}, "in_user": {dv.Username}, "in_password": {dv.Password}, "action": {"save"}}
		p = b.post("/settings/inboxes", save)
		if p.status != http.StatusSeeOther {
			m := regexp.MustCompile(`(?s)id="form-errors">.*?</div>`).FindString(p.body)
			t.Fatalf("save IMAP inbox: %d\n%s", p.status, m)
		}
		path := p.loc[:strings.Index(p.loc, "?")]
		save.Set("in_password", "")
		save.Set("action", "test_imap")
		ok, msg = probeOf(t, b.post(path, save))
		if !ok || !strings.Contains(msg, "暗号化あり") {
			t.Fatalf("IMAP test with the stored password: ok=%v %s", ok, msg)
		}
		save.Set("in_password", "違うパスワード")
		if ok, msg = probeOf(t, b.post(path, save)); ok || !strings.Contains(msg, "ログインできません") {
			t.Errorf("IMAP wrong password: %s", msg)
		}
		// The stored password is not sent to a server typed now.
		save.Set("in_password", "")
		save.Set("in_host", "localhost")
		if ok, msg = probeOf(t, b.post(path, save)); ok || !strings.Contains(msg, "パスワードも入力してください") {
			t.Errorf("stored password for another host: %s", msg)
		}
		save.Set("in_host", dv.Host)
		save.Set("in_mailbox", "存在しないフォルダ")
		if ok, msg = probeOf(t, b.post(path, save)); ok || !strings.Contains(msg, "フォルダを開けません") {
			t.Errorf("IMAP missing folder: %s", msg)
		}
		// A test never changes the stored inbox.
		if ib := inboxByName(t, d, "IMAP 窓口"); inboxes.String(ib.Incoming, inboxes.KeyMailbox) != "" {
			t.Error("a test saved the folder")
		}
	})
}

func TestAdminAgentsAndGroups(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := newBrowser(t, d, "ja")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		// A group first.
		if p := b.post("/settings/groups", url.Values{"name": {"一次対応チーム"}, "description": {"最初に対応するチーム"}}); p.status != http.StatusSeeOther {
			t.Fatalf("create group: %d\n%s", p.status, p.body)
		}
		p := b.post("/settings/groups", url.Values{"name": {"一次対応チーム"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("duplicate group: %d", p.status)
		}
		p.has(t, "duplicate group", "この名前のグループはすでにあります")
		var group *model.Group
		d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
			var err error
			group, err = tx.GroupByName("一次対応チーム")
			return err
		})
		if group == nil {
			t.Fatal("group not stored")
		}

		// Add an agent in that group.
		p = b.post("/settings/agents", url.Values{"name": {"鈴木 一郎"}, "email": {"suzuki@example.jp"}, "role": {"agent"}, "groups": {strconv.FormatInt(group.ID, 10)}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("create agent: %d\n%s", p.status, p.body)
		}
		lp := b.do("GET", p.loc, nil)
		lp.has(t, "agent list", "鈴木 一郎 を追加しました", "suzuki@example.jp", "一次対応チーム", `class="avatar av-`, "山田 太郎")
		suzuki := userByEmail(t, d, "suzuki@example.jp")
		if suzuki.Role != model.RoleAgent || suzuki.DefaultGroupID != group.ID {
			t.Fatalf("stored agent %+v", suzuki)
		}
		// Duplicate address and missing name: the domain's messages.
		p = b.post("/settings/agents", url.Values{"name": {""}, "email": {"SUZUKI@example.jp"}, "role": {"agent"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("duplicate agent: %d", p.status)
		}
		p.has(t, "duplicate agent", "このメールアドレスは使用中です", `value="SUZUKI@example.jp"`)
		// A role the page does not offer is refused outright.
		if p := b.post("/settings/agents", url.Values{"name": {"客"}, "email": {"x@example.jp"}, "role": {"end-user"}}); p.status != http.StatusBadRequest {
			t.Errorf("end-user role: %d", p.status)
		}
		// Change role, suspend, reactivate.
		sid := strconv.FormatInt(suzuki.ID, 10)
		if p := b.post("/settings/agents/"+sid+"/role", url.Values{"role": {"light-agent"}}); p.status != http.StatusSeeOther {
			t.Fatalf("role: %d\n%s", p.status, p.body)
		}
		if u := userByEmail(t, d, "suzuki@example.jp"); u.Role != model.RoleLightAgent {
			t.Fatalf("role now %s", u.Role)
		}
		b.post("/settings/agents/"+sid+"/role", url.Values{"role": {"agent"}})
		if u := userByEmail(t, d, "suzuki@example.jp"); u.Role != model.RoleAgent {
			t.Fatalf("light agent back to agent: %s", u.Role)
		}
		b.post("/settings/agents/"+sid+"/suspend", url.Values{"suspended": {"1"}})
		if !userByEmail(t, d, "suzuki@example.jp").Suspended {
			t.Fatal("not suspended")
		}
		b.do("GET", "/settings/agents", nil).has(t, "suspended", "利用停止中", "利用を再開")
		b.post("/settings/agents/"+sid+"/suspend", url.Values{"suspended": {"0"}})
		if userByEmail(t, d, "suzuki@example.jp").Suspended {
			t.Fatal("still suspended")
		}
		// An admin cannot suspend themselves.
		p = b.post(fmt.Sprintf("/settings/agents/%d/suspend", d.Admin.ID), url.Values{"suspended": {"1"}})
		if p.status != http.StatusUnprocessableEntity || userByEmail(t, d, d.Admin.Email).Suspended {
			t.Fatalf("self-suspend: %d", p.status)
		}
		p.has(t, "self-suspend", "この操作は許可されていません")

		// Memberships: 山田 joins, becomes default, leaves.
		gid := strconv.FormatInt(group.ID, 10)
		if p := b.post("/settings/groups/"+gid+"/members", url.Values{"user_id": {strconv.FormatInt(d.Agent.ID, 10)}}); p.status != http.StatusSeeOther {
			t.Fatalf("add member: %d\n%s", p.status, p.body)
		}
		gp := b.do("GET", "/settings/groups", nil)
		gp.has(t, "groups", "一次対応チーム", "最初に対応するチーム", "鈴木 一郎", "山田 太郎")
		var ms []*model.GroupMembership
		d.App.Store.Read(context.Background(), func(tx *store.Tx) error { var err error; ms, err = tx.Memberships(d.Agent.ID, group.ID); return err })
		if len(ms) != 1 {
			t.Fatalf("memberships %v", ms)
		}
		mid := strconv.FormatInt(ms[0].ID, 10)
		if p := b.post("/settings/groups/"+gid+"/members/"+mid+"/default", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("make default: %d", p.status)
		}
		if u := userByEmail(t, d, d.Agent.Email); u.DefaultGroupID != group.ID {
			t.Fatalf("default group %d", u.DefaultGroupID)
		}
		if p := b.post("/settings/groups/"+gid+"/members/"+mid+"/remove", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("remove member: %d", p.status)
		}
		d.App.Store.Read(context.Background(), func(tx *store.Tx) error { var err error; ms, err = tx.Memberships(d.Agent.ID, group.ID); return err })
		if len(ms) != 0 {
			t.Fatal("still a member")
		}
		// Rename; the default group cannot be deleted, this one can.
		if p := b.post("/settings/groups/"+gid, url.Values{"name": {"一次対応チーム（東京）"}}); p.status != http.StatusSeeOther {
			t.Fatalf("rename: %d", p.status)
		}
		if p := b.do("GET", "/settings/groups?edit="+gid, nil); !strings.Contains(p.body, `value="一次対応チーム（東京）"`) {
			t.Error("edit form not filled")
		}
		var def *model.Group
		d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
			gs, err := tx.Groups(false)
			for _, g := range gs {
				if g.Default {
					def = g
				}
			}
			return err
		})
		if def != nil {
			p = b.post(fmt.Sprintf("/settings/groups/%d/delete", def.ID), url.Values{})
			p.has(t, "delete default group", "既定のグループは削除できません")
		}
		if p := b.post("/settings/groups/"+gid+"/delete", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("delete: %d", p.status)
		}
		b.do("GET", "/settings/groups", nil).lacks(t, "after delete", "一次対応チーム（東京）")
	})
}

func TestAdminBrandsFieldsCSATSignatures(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		b := newBrowser(t, d, "ja")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		// Brands.
		if p := b.post("/settings/brands", url.Values{"name": {"通販ショップ"}, "subdomain": {"shop"}, "active": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("brand: %d\n%s", p.status, p.body)
		}
		p := b.post("/settings/brands", url.Values{"name": {"通販ショップ２"}, "subdomain": {"ショップ"}, "host_mapping": {"not a host"}, "active": {"1"}})
		if p.status != http.StatusUnprocessableEntity {
			t.Fatalf("bad brand: %d", p.status)
		}
		p.has(t, "bad brand", "サブドメインは英小文字・数字・ハイフンのみです", "ホスト名が正しくありません", `value="通販ショップ２"`)
		bp := b.do("GET", "/settings/brands", nil)
		bp.has(t, "brands", "通販ショップ", "shop")
		id := regexp.MustCompile(`data-brand="(\d+)">\s*<td>通販ショップ`).FindStringSubmatch(bp.body)
		if id == nil {
			t.Fatal("brand row missing")
		}
		if p := b.post("/settings/brands/"+id[1], url.Values{"name": {"通販ショップ"}, "subdomain": {"shop"}, "host_mapping": {"shop.example.co.jp"}}); p.status != http.StatusSeeOther {
			t.Fatalf("edit brand: %d\n%s", p.status, p.body)
		}
		b.do("GET", "/settings/brands", nil).has(t, "brand edited", "shop.example.co.jp", "無効")

		// Ticket fields.
		if p := b.post("/settings/fields", url.Values{"type": {"tagger"}, "title": {"問い合わせ種別"}, "options": {"配送について\n返品 | henpin"}, "required": {"1"}, "active": {"1"}}); p.status != http.StatusSeeOther {
			t.Fatalf("field: %d\n%s", p.status, p.body)
		}
		p = b.post("/settings/fields", url.Values{"type": {"tagger"}, "title": {"空のドロップダウン"}, "active": {"1"}})
		p.has(t, "dropdown without options", "選択肢を1つ以上指定してください")
		p = b.post("/settings/fields", url.Values{"type": {"text"}, "title": {""}})
		p.has(t, "blank title", "タイトルを入力してください")
		for _, ty := range []string{"integer", "date", "checkbox", "multiselect"} {
			f := url.Values{"type": {ty}, "title": {"項目 " + ty}, "active": {"1"}, "options": {"A\nB"}, "tag": {"要確認"}}
			if p := b.post("/settings/fields", f); p.status != http.StatusSeeOther {
				t.Fatalf("field %s: %d\n%s", ty, p.status, p.body)
			}
		}
		fp := b.do("GET", "/settings/fields", nil)
		fp.has(t, "fields", "問い合わせ種別", "配送について、返品", "ドロップダウン", "数値（整数）", "日付", "チェックボックス", "複数選択")
		fid := regexp.MustCompile(`data-field="(\d+)">\s*<td>\d+</td>\s*<td>問い合わせ種別`).FindStringSubmatch(fp.body)
		if fid == nil {
			t.Fatal("field row")
		}
		ep := b.do("GET", "/settings/fields?edit="+fid[1], nil)
		ep.has(t, "field edit", "配送について | 配送について", "返品 | henpin")
		if p := b.post("/settings/fields/"+fid[1], url.Values{"type": {"tagger"}, "title": {"問い合わせの種類"}, "options": {"配送について\n返品 | henpin\n請求書"}, "position": {"5"}}); p.status != http.StatusSeeOther {
			t.Fatalf("edit field: %d\n%s", p.status, p.body)
		}
		fp = b.do("GET", "/settings/fields", nil)
		fp.has(t, "field edited", "問い合わせの種類", "請求書", "無効")
		if p := b.post("/settings/fields/"+fid[1]+"/delete", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("delete field: %d", p.status)
		}
		b.do("GET", "/settings/fields", nil).lacks(t, "field deleted", "問い合わせの種類")

		// CSAT.
		if p := b.post("/settings/csat", url.Values{"scope": {"account"}, "delay_minutes": {"60"}}); p.status != http.StatusSeeOther {
			t.Fatalf("csat: %d\n%s", p.status, p.body)
		}
		cp := b.do("GET", "/settings/csat", nil)
		cp.has(t, "csat", `value="60"`)
		cp.lacks(t, "csat", `id="csat-enabled" checked`)
		p = b.post("/settings/csat", url.Values{"scope": {"account"}, "enabled": {"1"}, "delay_minutes": {"99999"}})
		p.has(t, "csat delay", "送信までの時間は 0〜43200 分で指定してください", `value="99999"`)
		p = b.post("/settings/csat", url.Values{"scope": {"account"}, "delay_minutes": {"一日"}})
		p.has(t, "csat words", "分単位の数字で入力してください")
		if p := b.post("/settings/csat", url.Values{"scope": {"brand:" + id[1]}, "enabled": {"1"}, "delay_minutes": {"120"}}); p.status != http.StatusSeeOther {
			t.Fatalf("csat brand: %d\n%s", p.status, p.body)
		}
		b.do("GET", "/settings/csat", nil).has(t, "csat override", "ブランド: 通販ショップ", "120")
		if p := b.post("/settings/csat/brand/"+id[1]+"/delete", url.Values{}); p.status != http.StatusSeeOther {
			t.Fatalf("csat delete: %d", p.status)
		}
		b.do("GET", "/settings/csat", nil).has(t, "csat override gone", "個別の設定はありません")

		// Signatures: an agent edits their own, with a preview.
		agent := newBrowser(t, d, "ja")
		agent.login(d.Agent.Email, "password-agent", false)
		sp := agent.post("/settings/signatures", url.Values{"signature": {"山田 太郎\n株式会社絆 サポート窓口"}, "action": {"preview"}})
		sp.has(t, "preview", "（返信の本文）\n\n山田 太郎\n株式会社絆 サポート窓口")
		if userByEmail(t, d, d.Agent.Email).Signature != "" {
			t.Fatal("preview saved the signature")
		}
		p = agent.post("/settings/signatures", url.Values{"signature": {"山田 太郎\r\n株式会社絆 サポート窓口"}, "action": {"save"}})
		if p.status != http.StatusSeeOther {
			t.Fatalf("save signature: %d", p.status)
		}
		if s := userByEmail(t, d, d.Agent.Email).Signature; s != "山田 太郎\n株式会社絆 サポート窓口" {
			t.Fatalf("signature %q", s)
		}
		sp = agent.do("GET", p.loc, nil)
		sp.has(t, "signature page", "山田 太郎\n株式会社絆 サポート窓口", `id="saved"`)
		sp.lacks(t, "signature page (agent)", "<h2>受信箱の共有署名</h2>")
		p = agent.post("/settings/signatures", url.Values{"signature": {strings.Repeat("署", 10001)}})
		p.has(t, "long signature", "署名が長すぎます")
		b.do("GET", "/settings/signatures", nil).has(t, "signature page (admin)", "<h2>受信箱の共有署名</h2>")
	})
}

// TestAdminInvite: a new agent gets a mail with a link to set their
// password, and signs in with it; without an inbox to send from the page
// says no mail went.
func TestAdminInvite(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		srv := app.Lookup[*web.Server](d.App)
		var mails []string
		srv.Mail = func(tx *store.Tx, to, subject, body string) error {
			mails = append(mails, to+"\n"+subject+"\n"+body)
			return nil
		}
		b := newBrowser(t, d, "ja")
		b.login(d.Admin.Email, "管理者のパスワード", false)
		p := b.post("/settings/agents", url.Values{"name": {"鈴木 一郎"}, "email": {"suzuki@example.jp"}, "role": {"agent"}, "invite": {"1"}})
		b.do("GET", p.loc, nil).has(t, "no inbox", "招待メールは送っていません")
		if len(mails) != 0 {
			t.Fatalf("mailed without an inbox: %q", mails)
		}
		b.post("/settings/inboxes", url.Values{"name": {"サポート窓口"}, "addresses": {"support@example.jp"}, "active": {"1"}, "action": {"save"}})
		p = b.post("/settings/agents", url.Values{"name": {"佐々木 花"}, "email": {"sasaki@example.jp"}, "role": {"light-agent"}, "invite": {"1"}})
		b.do("GET", p.loc, nil).has(t, "invited", "佐々木 花 を追加しました", "パスワード設定用のリンクをメールで送りました")
		if len(mails) != 1 || !strings.HasPrefix(mails[0], "sasaki@example.jp\n【Kizuna】アカウントが作成されました") || !strings.Contains(mails[0], "72 時間") {
			t.Fatalf("mails: %q", mails)
		}
		link := regexp.MustCompile(`http://[^\s]+/password/reset/[A-Za-z0-9_-]+`).FindString(mails[0])
		path := strings.TrimPrefix(link, d.URL)
		nb := newBrowser(t, d, "ja")
		rp := nb.do("GET", path, nil)
		if rp.status != 200 {
			t.Fatalf("invitation link: %d", rp.status)
		}
		pw := "はじめてのパスワード"
		if p := nb.do("POST", path, url.Values{"csrf": {rp.csrf(t)}, "password": {pw}, "password_again": {pw}}); p.status != http.StatusSeeOther {
			t.Fatalf("set password: %d", p.status)
		}
		if q := nb.login("sasaki@example.jp", pw, false); q.status != 200 {
			t.Fatalf("sign in with the new password: %d", q.status)
		}
		// Without the box ticked, no mail.
		b.post("/settings/agents", url.Values{"name": {"田中 三郎"}, "email": {"tanaka@example.jp"}, "role": {"agent"}})
		if len(mails) != 1 {
			t.Fatalf("mailed without invite: %d", len(mails))
		}
	})
}
