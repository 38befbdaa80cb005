package finder_test

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/finder"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

type people struct {
	agent, hanako, other *model.User
	group, org, brand    int64
}

func seed(t *testing.T, db *store.DB) people {
	t.Helper()
	var p people
	now := time.Date(2026, 1, 10, 0, 0, 0, 0, time.UTC)
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		o := &model.Organization{Name: "㈱髙島屋", CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertOrganization(o); err != nil {
			return err
		}
		p.org = o.ID
		mk := func(name, email, role string) (*model.User, error) {
			u := &model.User{Name: name, Email: email, Role: role, TimeZone: "Asia/Tokyo", Active: true, CreatedAt: now, UpdatedAt: now}
			return u, tx.InsertUser(u)
		}
		var err error
		if p.agent, err = mk("山田 太郎", "yamada@example.jp", model.RoleAgent); err != nil {
			return err
		}
		if p.hanako, err = mk("佐藤 花子", "hanako@customer.co.jp", model.RoleEndUser); err != nil {
			return err
		}
		if p.other, err = mk("佐藤 一郎", "ichiro@customer.co.jp", model.RoleEndUser); err != nil {
			return err
		}
		g := &model.Group{Name: "サポート", CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertGroup(g); err != nil {
			return err
		}
		if err := tx.InsertGroup(&model.Group{Name: "サポート二次対応", CreatedAt: now, UpdatedAt: now}); err != nil {
			return err
		}
		p.group = g.ID
		b := &model.Brand{Name: "きずな通販", Active: true, CreatedAt: now, UpdatedAt: now}
		if err := tx.InsertBrand(b); err != nil {
			return err
		}
		p.brand = b.ID
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func compile(t *testing.T, db *store.DB, actor *model.User, q string, now time.Time) (*finder.Plan, error) {
	t.Helper()
	parsed, err := search.Parse(q)
	if err != nil {
		t.Fatalf("parse %q: %v", q, err)
	}
	var plan *finder.Plan
	err = db.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		plan, err = finder.Compile(tx, actor, parsed, now)
		return err
	})
	return plan, err
}

func TestCompile(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		p := seed(t, db)
		now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
		jst := time.FixedZone("JST", 9*3600)
		tf := func(pl *finder.Plan) store.TicketFilter { return *pl.Tickets }
		cases := []struct {
			query string
			check func(pl *finder.Plan) string // "" when right
		}{
			{"status<solved", func(pl *finder.Plan) string { return same(tf(pl).Statuses, "new open pending hold") }},
			{"status<=pending", func(pl *finder.Plan) string { return same(tf(pl).Statuses, "new open pending") }},
			{"status>new status<solved", func(pl *finder.Plan) string { return same(tf(pl).Statuses, "open pending hold") }},
			{"status:open status:pending", func(pl *finder.Plan) string { return same(tf(pl).Statuses, "open pending") }},
			{"ｓｔａｔｕｓ：ｏｐｅｎ", func(pl *finder.Plan) string { return same(tf(pl).Statuses, "open") }},
			{"-status:closed -status:solved", func(pl *finder.Plan) string { return same(tf(pl).NotStatuses, "closed solved") }},
			{"-status>=solved", func(pl *finder.Plan) string { return same(tf(pl).NotStatuses, "solved closed") }},
			{"status<new", func(pl *finder.Plan) string { return nilTickets(pl) }},
			{"priority>=high", func(pl *finder.Plan) string { return same(tf(pl).Priorities, "high urgent") }},
			{"priority<normal", func(pl *finder.Plan) string { return same(tf(pl).Priorities, "low") }},
			{"ticket_type:incident type:problem", func(pl *finder.Plan) string { return same(tf(pl).Types, "incident problem") }},
			{"via:mail", func(pl *finder.Plan) string { return same(tf(pl).Vias, "email") }},
			{"tags:VIP tag:配送 -tags:spam", func(pl *finder.Plan) string {
				return same(tf(pl).Tags, "vip 配送") + same(tf(pl).NotTags, "spam")
			}},
			{"assignee:none", func(pl *finder.Plan) string { return ids(tf(pl).AssigneeIDs, 0) }},
			{"assignee:me", func(pl *finder.Plan) string { return ids(tf(pl).AssigneeIDs, p.agent.ID) }},
			{"assignee:山田", func(pl *finder.Plan) string { return ids(tf(pl).AssigneeIDs, p.agent.ID) }},
			{"-assignee:none", func(pl *finder.Plan) string { return ids(tf(pl).NotAssigneeIDs, 0) }},
			{`assignee:"no such person"`, func(pl *finder.Plan) string { return nilTickets(pl) }},
			{`assignee:"no such person" assignee:yamada@example.jp`, func(pl *finder.Plan) string { return ids(tf(pl).AssigneeIDs, p.agent.ID) }},
			{`-assignee:"no such person"`, func(pl *finder.Plan) string { return ids(tf(pl).NotAssigneeIDs) }},
			{"requester:HANAKO@customer.co.jp", func(pl *finder.Plan) string { return ids(tf(pl).RequesterIDs, p.hanako.ID) }},
			{"requester:佐藤", func(pl *finder.Plan) string { return ids(tf(pl).RequesterIDs, p.hanako.ID, p.other.ID) }},
			{`requester:"佐藤 花子"`, func(pl *finder.Plan) string { return ids(tf(pl).RequesterIDs, p.hanako.ID) }},
			{fmt.Sprintf("submitter:%d", p.other.ID), func(pl *finder.Plan) string { return ids(tf(pl).SubmitterIDs, p.other.ID) }},
			{"group:サポート", func(pl *finder.Plan) string { return ids(tf(pl).GroupIDs, p.group) }},
			{"group:none", func(pl *finder.Plan) string { return ids(tf(pl).GroupIDs, 0) }},
			{"organization:㈱髙島屋", func(pl *finder.Plan) string { return ids(tf(pl).OrganizationIDs, p.org) }},
			{"organization:存在しない会社", func(pl *finder.Plan) string { return nilTickets(pl) }},
			{"brand:きずな通販", func(pl *finder.Plan) string { return ids(tf(pl).BrandIDs, p.brand) }},
			{"created:2026-01-15", func(pl *finder.Plan) string {
				return rng(tf(pl).Created, time.Date(2026, 1, 15, 0, 0, 0, 0, jst), time.Date(2026, 1, 16, 0, 0, 0, 0, jst))
			}},
			{"created>2026-01-15", func(pl *finder.Plan) string {
				return rng(tf(pl).Created, time.Date(2026, 1, 16, 0, 0, 0, 0, jst), time.Time{})
			}},
			{"created>=2026-01-15 created<2026-02-01", func(pl *finder.Plan) string {
				return rng(tf(pl).Created, time.Date(2026, 1, 15, 0, 0, 0, 0, jst), time.Date(2026, 2, 1, 0, 0, 0, 0, jst))
			}},
			{"-created<2026-01-15", func(pl *finder.Plan) string {
				return rng(tf(pl).Created, time.Date(2026, 1, 15, 0, 0, 0, 0, jst), time.Time{})
			}},
			{"updated>4hours", func(pl *finder.Plan) string {
				return rng(tf(pl).Updated, now.Add(-4*time.Hour+time.Millisecond), time.Time{})
			}},
			{"solved<2days", func(pl *finder.Plan) string { return rng(tf(pl).Solved, time.Time{}, now.AddDate(0, 0, -2)) }},
			{"due_date:2026-03-02", func(pl *finder.Plan) string {
				return rng(tf(pl).Due, time.Date(2026, 3, 2, 0, 0, 0, 0, jst), time.Date(2026, 3, 3, 0, 0, 0, 0, jst))
			}},
			{"created>2026-02-01 created<2026-01-01", func(pl *finder.Plan) string { return nilTickets(pl) }},
			{`subject:"返金 申請" 配送`, func(pl *finder.Plan) string {
				if len(tf(pl).Text.Clauses) != 2 || pl.Users != nil {
					return fmt.Sprintf("text %+v, users %v", tf(pl).Text, pl.Users)
				}
				return ""
			}},
			{"配送", func(pl *finder.Plan) string {
				if pl.Tickets == nil || pl.Users == nil || pl.Orgs == nil || len(pl.Users.Text.Clauses) != 1 {
					return "plain text must search every type"
				}
				return ""
			}},
			{"-type:user -type:organization 配送", func(pl *finder.Plan) string {
				if pl.Tickets == nil || pl.Users != nil || pl.Orgs != nil {
					return "-type: must drop the type"
				}
				return ""
			}},
			{"role:admin", func(pl *finder.Plan) string {
				if pl.Tickets != nil || pl.Orgs != nil || pl.Users == nil {
					return "role: is for users only"
				}
				return same(pl.Users.Roles, "admin")
			}},
			{"type:user -role:end-user", func(pl *finder.Plan) string { return same(pl.Users.Roles, "admin agent light-agent") }},
			{"type:user organization:髙島屋 tags:VIP", func(pl *finder.Plan) string {
				return ids(pl.Users.OrganizationIDs, p.org) + same(pl.Users.Tags, "vip")
			}},
			{"name:花子", func(pl *finder.Plan) string {
				if pl.Tickets != nil || pl.Users == nil || pl.Orgs == nil || len(pl.Users.Text.Clauses) != 1 {
					return "name: searches users and organizations"
				}
				return ""
			}},
			{"-tags:spam", func(pl *finder.Plan) string {
				if pl.Tickets == nil || pl.Users != nil || pl.Orgs != nil {
					return "-tags on a mixed search keeps tickets only"
				}
				return ""
			}},
			{"type:ticket order_by:created_at sort:asc", func(pl *finder.Plan) string {
				if pl.Order != (store.TicketOrder{Field: "created_at"}) || !pl.OrderGiven {
					return fmt.Sprintf("order %+v", pl.Order)
				}
				return ""
			}},
			{"order_by:ticket_type", func(pl *finder.Plan) string {
				if pl.Order != (store.TicketOrder{Field: "type", Desc: true}) {
					return fmt.Sprintf("order %+v", pl.Order)
				}
				return ""
			}},
			{"!!! ？", func(pl *finder.Plan) string {
				if pl.Tickets != nil || pl.Users != nil || pl.Orgs != nil {
					return "words with nothing searchable must match nothing, not everything"
				}
				return ""
			}},
			{"配送 -!!!", func(pl *finder.Plan) string {
				if pl.Tickets == nil || len(pl.Tickets.Text.Clauses) != 1 {
					return "an empty negated word is ignored"
				}
				return ""
			}},
			{"返金", func(pl *finder.Plan) string {
				if pl.Order.Field != "relevance" || pl.OrderGiven {
					return "default order is relevance"
				}
				return ""
			}},
		}
		for _, c := range cases {
			pl, err := compile(t, db, p.agent, c.query, now)
			if err != nil {
				t.Errorf("%s: %v", c.query, err)
				continue
			}
			if msg := c.check(pl); msg != "" {
				t.Errorf("%s: %s", c.query, msg)
			}
		}

		bad := []struct{ query, want string }{
			{"foo:bar", "Unknown search field"},
			{"status:finished", "not one of"},
			{"ticket_type>question", "takes ticket_type:value only"},
			{"created:yesterday-ish", "not a date"},
			{"-created:2026-01-01", "cannot be negated"},
			{"has_attachment:true", "not supported"},
			{"custom_field_123:abc", "not supported"},
			{"type:user status:open", "cannot be used when searching users"},
			{"type:user -tags:spam", "cannot be negated"},
			{"-external_id:abc", "cannot be negated"},
			{"role:boss", "not one of"},
			{"order_by:nonsense", "Cannot sort"},
			{strings.Repeat("assignee:佐藤 ", 41), "at most 40"},
		}
		for _, c := range bad {
			_, err := compile(t, db, p.agent, c.query, now)
			if !errors.Is(err, finder.ErrInvalid) || !strings.Contains(err.Error(), c.want) {
				t.Errorf("%s: err = %v, want ErrInvalid mentioning %q", c.query, err, c.want)
			}
		}

		// End users find only their own tickets, never people.
		pl, err := compile(t, db, p.hanako, "配送", now)
		if err != nil {
			t.Fatal(err)
		}
		if pl.Tickets == nil || pl.Tickets.VisibleToRequester != p.hanako.ID || pl.Users != nil || pl.Orgs != nil {
			t.Errorf("end-user plan: %+v", pl)
		}
	})
}

func same(got []string, want string) string {
	if strings.Join(got, " ") != want {
		return fmt.Sprintf("got %q, want %q; ", strings.Join(got, " "), want)
	}
	return ""
}

func ids(got []int64, want ...int64) string {
	if fmt.Sprint(got) != fmt.Sprint(want) && !(len(got) == 0 && len(want) == 0) {
		return fmt.Sprintf("ids %v, want %v; ", got, want)
	}
	return ""
}

func rng(r store.TimeRange, from, to time.Time) string {
	if !r.From.Equal(from) || !r.To.Equal(to) {
		return fmt.Sprintf("range [%v, %v), want [%v, %v)", r.From, r.To, from, to)
	}
	return ""
}

func nilTickets(pl *finder.Plan) string {
	if pl.Tickets != nil {
		return fmt.Sprintf("tickets should match nothing, got filter %+v", *pl.Tickets)
	}
	return ""
}
