// Package webdemo fills an empty desk with a small, believable Japanese
// support team and its tickets, for the web UI's screenshots, browser tests
// and benchmarks. Everything goes through the domain (users, tickets, the
// mail spool and processor), so the pages show what a real desk would.
package webdemo

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/auth"
	"github.com/kizuna-desk/kizuna/internal/inboxes"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// Password is every demo agent's password.
const Password = "kizuna-demo-2026"

// Desk is what Seed made.
type Desk struct {
	Agents     []*model.User // 鈴木 一郎 (ja), 高橋 美咲, 田中 健, Emily Clark (en)
	Customers  []*model.User
	Tickets    []int64
	MailTicket int64 // a ticket that came by mail with an HTML body
	Busy       int64 // a ticket with a long conversation
}

// Seed adds the demo team and tickets to a's desk.
func Seed(ctx context.Context, a *app.App) (*Desk, error) {
	d := &Desk{}
	now := time.Now().UTC().Truncate(time.Millisecond)
	var inbox *model.Inbox
	err := a.Store.Write(ctx, func(tx *store.Tx) error {
		for _, p := range []struct{ name, email, role, locale string }{
			{"鈴木 一郎", "suzuki@kizuna.example.jp", model.RoleAgent, "ja"},
			{"高橋 美咲", "takahashi@kizuna.example.jp", model.RoleAgent, "ja"},
			{"田中 健", "tanaka@kizuna.example.jp", model.RoleAdmin, "ja"},
			{"Emily Clark", "emily@kizuna.example.jp", model.RoleAgent, "en"},
		} {
			u, err := newUser(tx, p.name, p.email, p.role, p.locale, now)
			if err != nil {
				return err
			}
			d.Agents = append(d.Agents, u)
		}
		org := &model.Organization{Name: "㈱さくらマーケット", DomainNames: []string{"sakura-market.example.jp"}, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertOrganization(org); err != nil {
			return err
		}
		for _, p := range []struct{ name, email string }{
			{"山本 由美", "yamamoto@sakura-market.example.jp"},
			{"中村 翔", "nakamura@example.com"},
			{"髙橋 ｻﾄｼ", "satoshi@example.net"},
			{"John Miller", "john@example.org"},
		} {
			u := &model.User{Name: p.name, Email: p.email, Role: model.RoleEndUser, Verified: true, Phone: "03-1234-5678"}
			if strings.HasSuffix(p.email, "sakura-market.example.jp") {
				u.OrganizationID = org.ID
			}
			if err := users.Create(tx, u, now); err != nil {
				return err
			}
			d.Customers = append(d.Customers, u)
		}
		name := "サポート窓口"
		addrs := []string{"support@kizuna.example.jp"}
		var err error
		inbox, err = inboxes.Create(tx, d.Agents[2], inboxes.Input{Name: &name, Addresses: &addrs}, a.Secrets, now)
		if err != nil {
			return err
		}
		return demoMacros(tx, d.Agents[2], now)
	})
	if err != nil {
		return nil, err
	}
	s, h, t, e := d.Agents[0], d.Agents[1], d.Agents[2], d.Agents[3]
	for i, tk := range []struct {
		who      int
		subject  string
		body     string
		status   string
		prio     string
		assignee *model.User
		tags     []string
	}{
		{0, "配送状況を教えてください", "注文番号 A-1024 の商品がまだ届きません。配送状況を教えてください。", "open", "high", s, []string{"配送"}},
		{1, "請求書の再発行について", "先月分の請求書を㈱宛てで再発行していただけますか。", "new", "", nil, []string{"請求"}},
		{2, "ログインできません", "パスワードを変更したところ、ログインできなくなりました。", "new", "urgent", nil, nil},
		{3, "Refund for order #5531", "I would like a refund for my last order, the box arrived damaged.", "open", "normal", e, []string{"refund"}},
		{0, "領収書の宛名変更", "領収書の宛名を「㈱さくらマーケット」に変更してください。", "pending", "low", h, nil},
		{1, "商品の色違いはありますか", "青色の在庫はありますか？", "solved", "", h, nil},
		{2, "解約の手続き", "来月で解約したいのですが、手続きを教えてください。", "open", "normal", t, []string{"解約"}},
		{0, "①番の部品が足りません", "組み立てに必要な①番の部品が入っていませんでした。", "open", "high", s, nil},
	} {
		id, err := create(ctx, a, d.Customers[tk.who], tk.subject, tk.body)
		if err != nil {
			return nil, err
		}
		d.Tickets = append(d.Tickets, id)
		ch := tickets.Change{Via: "web"}
		if tk.status != "new" {
			ch.Status = &tk.status
		}
		if tk.prio != "" {
			ch.Priority = &tk.prio
		}
		if tk.assignee != nil {
			ch.AssigneeID = &tk.assignee.ID
		}
		if tk.tags != nil {
			ch.Tags = &tk.tags
		}
		actor := t
		if tk.assignee != nil {
			actor = tk.assignee
		}
		if i == 0 {
			d.Busy = id
			reply(ctx, a, s, id, "山本様\n\nお問い合わせありがとうございます。配送業者に確認いたしますので、少々お待ちください。\n\n鈴木", true)
			reply(ctx, a, s, id, "ヤマト運輸に問い合わせ中。追跡番号 1234-5678-9012 は「持戻り」になっている。", false)
		}
		if _, err := a.Tickets.Update(ctx, actor, id, ch); err != nil {
			return nil, fmt.Errorf("demo ticket %q: %w", tk.subject, err)
		}
	}
	// A customer writes by mail, with HTML (a table and a quoted block).
	mailID, err := deliver(ctx, a, inbox)
	if err != nil {
		return nil, err
	}
	if err := a.MailProcessor.Process(ctx, mailID); err != nil {
		return nil, err
	}
	err = a.Store.Read(ctx, func(tx *store.Tx) error {
		m, err := tx.MailMessage(mailID)
		d.MailTicket = m.TicketID
		return err
	})
	if err == nil && d.MailTicket == 0 {
		err = fmt.Errorf("the demo mail did not become a ticket")
	}
	return d, err
}

// Extras gives the busy ticket and two new ones SLA timers (one achieved,
// one due soon, one breached) and the mail ticket a reply that went out
// (its delivery state shows "sent"): for the screenshots and the browser
// tests of the ticket page. Seed alone leaves SLAs to each test.
func Extras(ctx context.Context, a *app.App, d *Desk) error {
	now := time.Now().UTC().Truncate(time.Millisecond)
	public := true
	body := "山本様\n\n見積書の数量を修正いたしました（KZ-100 を 20 個、KZ-200 を 5 個）。ご確認ください。\n\n鈴木"
	res, err := a.Tickets.Update(ctx, d.Agents[0], d.MailTicket, tickets.Change{Via: "web", Comment: &tickets.CommentInput{Body: body, Public: &public}})
	if err != nil {
		return fmt.Errorf("demo reply by mail: %w", err)
	}
	return a.Store.Write(ctx, func(tx *store.Tx) error {
		list, err := tx.MailMessagesOfTicket(d.MailTicket)
		if err != nil {
			return err
		}
		for _, m := range list {
			if m.Direction == model.MailOut && res.Comment != nil && m.CommentID == res.Comment.ID {
				m.State, m.UpdatedAt = "sent", now
				if err := tx.UpdateMailMessage(m); err != nil {
					return err
				}
			}
		}
		min := func(n int) time.Duration { return time.Duration(n) * time.Minute }
		for _, tg := range []*store.SLATarget{
			// The busy ticket: the first reply was on time, the next one is due soon.
			{TicketID: d.Busy, Metric: "first_reply_time", StartedAt: now.Add(-min(300)), DueAt: now.Add(-min(180)), TargetMinutes: 120, FulfilledAt: now.Add(-min(250))},
			{TicketID: d.Busy, Metric: "next_reply_time", StartedAt: now.Add(-min(100)), DueAt: now.Add(min(20)), TargetMinutes: 120, RunningSince: now.Add(-min(100))},
			{TicketID: d.Busy, Metric: "requester_wait_time", StartedAt: now.Add(-min(300)), DueAt: now.Add(min(180)), TargetMinutes: 480, RunningSince: now.Add(-min(300))},
			// ログインできません: the first reply is overdue.
			{TicketID: d.Tickets[2], Metric: "first_reply_time", StartedAt: now.Add(-min(90)), DueAt: now.Add(-min(30)), BreachedAt: now.Add(-min(30)), TargetMinutes: 60, RunningSince: now.Add(-min(90))},
			// 請求書の再発行: due within the hour.
			{TicketID: d.Tickets[1], Metric: "first_reply_time", StartedAt: now.Add(-min(200)), DueAt: now.Add(min(40)), TargetMinutes: 240, RunningSince: now.Add(-min(200))},
		} {
			if err := tx.SaveSLATarget(tg); err != nil {
				return err
			}
		}
		return nil
	})
}

func newUser(tx *store.Tx, name, email, role, locale string, now time.Time) (*model.User, error) {
	hash, err := auth.HashPassword(Password)
	if err != nil {
		return nil, err
	}
	u := &model.User{Name: name, Email: email, Role: role, Locale: locale, TimeZone: "Asia/Tokyo", PasswordHash: hash, Verified: true}
	return u, users.Create(tx, u, now)
}

func create(ctx context.Context, a *app.App, customer *model.User, subject, body string) (int64, error) {
	res, err := a.Tickets.Create(ctx, customer, tickets.Change{Subject: &subject, Via: "web", Comment: &tickets.CommentInput{Body: body}})
	if err != nil {
		return 0, err
	}
	return res.Ticket.ID, nil
}

func reply(ctx context.Context, a *app.App, agent *model.User, id int64, body string, public bool) {
	_, _ = a.Tickets.Update(ctx, agent, id, tickets.Change{Via: "web", Comment: &tickets.CommentInput{Body: body, Public: &public}})
}

func deliver(ctx context.Context, a *app.App, inbox *model.Inbox) (int64, error) {
	raw := strings.ReplaceAll(`From: =?UTF-8?B?5bGx5pysIOeUsee+jg==?= <yamamoto@sakura-market.example.jp>
To: support@kizuna.example.jp
Subject: =?UTF-8?B?6KaL56mN5pu444Gu5L+u5q2j44KS44GK6aGY44GE44GX44G+44GZ?=
Message-ID: <demo-quote-1@sakura-market.example.jp>
Date: Mon, 23 Nov 2026 10:00:00 +0900
MIME-Version: 1.0
Content-Type: multipart/alternative; boundary="b1"

--b1
Content-Type: text/plain; charset=utf-8

お世話になっております。見積書の数量を修正してください。

--b1
Content-Type: text/html; charset=utf-8

<p>お世話になっております。㈱さくらマーケットの山本です。</p>
<p>見積書の数量を以下のとおり修正してください。</p>
<table><tr><th>品番</th><th>数量</th></tr><tr><td>KZ-100</td><td>20</td></tr><tr><td>KZ-200</td><td>5</td></tr></table>
<blockquote>前回のご回答: 在庫は十分にございます。</blockquote>
<script>alert("this never runs")</script>
<p>よろしくお願いいたします。</p>
--b1--
`, "\n", "\r\n")
	m, _, err := a.Spool.Receive(ctx, inbox, strings.NewReader(raw), 1<<20, "demo", "yamamoto@sakura-market.example.jp", []string{"support@kizuna.example.jp"})
	if err != nil {
		return 0, err
	}
	return m.ID, nil
}

// demoMacros gives the picker something to show: shared macros as a team
// would have them, with placeholders.
func demoMacros(tx *store.Tx, admin *model.User, now time.Time) error {
	for _, m := range []struct{ title, body, status string }{
		{"配送::配送遅延のお詫び", "{{ticket.requester.name}} 様\n\nお届けが遅れており、大変申し訳ございません。配送業者に確認のうえ、改めてご連絡いたします。\n\n{{current_user.name}}", "pending"},
		{"請求::請求書の再発行", "{{ticket.requester.name}} 様\n\n請求書を再発行いたしました。マイページからダウンロードいただけます。", "solved"},
		{"General::Thank you", "Hi {{ticket.requester.first_name}},\n\nThank you for contacting us. We are looking into it.", "open"},
	} {
		title, active := m.title, true
		actions := []store.MacroAction{{Field: "comment_value", Value: m.body}, {Field: "status", Value: m.status}}
		macro := &store.Macro{}
		if err := macros.Build(tx, admin, macro, macros.Input{Title: &title, Active: &active, Actions: &actions, RestrictionSet: true}, now); err != nil {
			return err
		}
		if err := tx.InsertMacro(macro); err != nil {
			return err
		}
	}
	return nil
}
