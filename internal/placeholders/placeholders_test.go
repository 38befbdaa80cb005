package placeholders_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/liquid"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/placeholders"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func TestForTicket(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Date(2026, 4, 1, 15, 0, 0, 0, time.UTC)
		var (
			org      = &model.Organization{Name: "㈱キズナ商事", ExternalID: "C-001", CreatedAt: now, UpdatedAt: now}
			customer = &model.User{Name: "佐藤　花子", Email: "hanako@customer.co.jp", Role: model.RoleEndUser, Phone: "03-1234-5678", ExternalID: "u-7", Active: true, CreatedAt: now, UpdatedAt: now}
			agent    = &model.User{Name: "髙橋 一郎", Email: "takahashi@example.jp", Role: model.RoleAgent, Signature: "㈱キズナ サポート窓口\n髙橋", Active: true, CreatedAt: now, UpdatedAt: now}
			group    = &model.Group{Name: "配送チーム", CreatedAt: now, UpdatedAt: now}
			brand    = &model.Brand{Name: "キズナ通販", Subdomain: "kizuna-shop", Active: true, CreatedAt: now, UpdatedAt: now}
			field    = &model.TicketField{Type: "tagger", Title: "配送方法", Active: true, Options: []model.FieldOption{{ID: 1, Name: "ﾒｰﾙ便", Value: "mail"}}, CreatedAt: now, UpdatedAt: now}
			number   = &model.TicketField{Type: "integer", Title: "注文数", Active: true, CreatedAt: now, UpdatedAt: now}
		)
		err := db.Write(ctx, func(tx *store.Tx) error {
			for _, f := range []func() error{
				func() error { return tx.InsertOrganization(org) },
				func() error { customer.OrganizationID = org.ID; return tx.InsertUser(customer) },
				func() error { return tx.InsertUser(agent) },
				func() error { return tx.InsertGroup(group) },
				func() error { return tx.InsertBrand(brand) },
				func() error { return tx.InsertTicketField(field) },
				func() error { return tx.InsertTicketField(number) },
			} {
				if err := f(); err != nil {
					return err
				}
			}
			in := &model.Inbox{Name: "サポート窓口", BrandID: brand.ID, Addresses: []string{"support@kizuna.example.jp"}, Active: true, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertInbox(in); err != nil {
				return err
			}
			tk := &model.Ticket{ID: 42, Subject: "配送状況を教えてください", Description: "まだ届きません", Status: "open", Priority: "high", Type: "question",
				RequesterID: customer.ID, AssigneeID: agent.ID, GroupID: group.ID, BrandID: brand.ID, OrganizationID: org.ID, InboxID: in.ID,
				Via: "email", Tags: []string{"配送", "vip"}, CreatedAt: now,
				CustomFields: []model.FieldValue{{ID: field.ID, Value: "mail"}, {ID: number.ID, Value: float64(3)}}}
			data, err := placeholders.ForTicket(tx, tk, agent, "https://desk.example.jp/")
			if err != nil {
				return err
			}
			cases := map[string]string{
				"{{ticket.id}} {{ticket.title}} {{ticket.status}} {{ticket.priority}} {{ticket.type}} {{ticket.via}}": "42 配送状況を教えてください open high question email",
				"{{ticket.url}}":                   "https://desk.example.jp/agent/tickets/42",
				"{{ticket.description}}":           "まだ届きません",
				"{{ticket.tags | join: ','}}":      "配送,vip",
				"{{ticket.requester.name}} 様":      "佐藤　花子 様",
				"{{ticket.requester.first_name}}様": "佐藤様",
				"{{ticket.requester.last_name}}":   "花子",
				"{{ticket.requester.email}} {{ticket.requester.phone}} {{ticket.requester.external_id}}": "hanako@customer.co.jp 03-1234-5678 u-7",
				"{{ticket.assignee.name}} <{{ticket.assignee.email}}>":                                   "髙橋 一郎 <takahashi@example.jp>",
				"{{ticket.group.name}}/{{ticket.brand.name}}/{{ticket.organization.name}}":               "配送チーム/キズナ通販/㈱キズナ商事",
				"{{ticket.inbox.name}} {{ticket.inbox.address}}":                                         "サポート窓口 support@kizuna.example.jp",
				fmt.Sprintf("{{ticket.ticket_field_%d}}", field.ID):                                      "mail",
				fmt.Sprintf("{{ticket.ticket_field_option_title_%d}}", field.ID):                         "ﾒｰﾙ便",
				fmt.Sprintf("{%% if ticket.ticket_field_%d > 2 %%}多い{%% endif %%}", number.ID):           "多い",
				"{{current_user.name}} / {{current_user.first_name}} / {{current_user.email}}":           "髙橋 一郎 / 髙橋 / takahashi@example.jp",
				"{{current_user.signature}}":                                                             "㈱キズナ サポート窓口\n髙橋",
				`{{ticket.created_at | date: "%Y年%m月%d日"}}`:                                              "2026年04月02日",
				"{{satisfaction.rating_url}}":                                                            "",
			}
			for src, want := range cases {
				got, err := liquid.Render(src, data)
				if err != nil || got != want {
					t.Errorf("%s = %q, %v; want %q", src, got, err, want)
				}
			}

			// Absent people and records render empty and test false.
			bare := &model.Ticket{ID: 7, Status: "new", RequesterID: 99999}
			data, err = placeholders.ForTicket(tx, bare, nil, "")
			if err != nil {
				return err
			}
			got, err := liquid.Render("[{{ticket.requester.name}}][{{ticket.assignee.name}}][{{current_user.name}}]{% if ticket.assignee %}x{% else %}未割り当て{% endif %}", data)
			if err != nil || got != "[][][]未割り当て" {
				t.Errorf("bare ticket: %q %v", got, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
