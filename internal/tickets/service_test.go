package tickets_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

func ptr[T any](v T) *T { return &v }

type fixture struct {
	svc                      *tickets.Service
	db                       *store.DB
	admin, agent, light, cus *model.User
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{svc: tickets.New(db), db: db}
	now := time.Now()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		mk := func(name, email, role string) *model.User {
			u := &model.User{Name: name, Email: email, Role: role}
			if err := users.Create(tx, u, now); err != nil {
				t.Fatal(err)
			}
			return u
		}
		f.admin = mk("管理者 花子", "admin@example.jp", model.RoleAdmin)
		f.agent = mk("山田 太郎", "yamada@example.jp", model.RoleAgent)
		f.light = mk("営業 次郎", "sales@example.jp", model.RoleLightAgent)
		f.cus = mk("顧客 一郎", "ichiro@customer.co.jp", model.RoleEndUser)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return f
}

func TestTicketLifecycle(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		res, err := f.svc.Create(ctx, f.cus, tickets.Change{
			Subject: ptr("配送状況を教えてください"),
			Comment: &tickets.CommentInput{Body: "注文番号 12345 の配送状況が分かりません。①髙橋様宛です。"},
			Via:     "web",
		})
		if err != nil {
			t.Fatal(err)
		}
		tk := res.Ticket
		if tk.Status != model.StatusNew || tk.RequesterID != f.cus.ID || tk.Description == "" {
			t.Fatalf("new ticket = %+v", tk)
		}
		if res.Comment == nil || !res.Comment.Public || res.Comment.Body != "注文番号 12345 の配送状況が分かりません。①髙橋様宛です。" {
			t.Fatalf("comment = %+v", res.Comment)
		}
		// Solving without an assignee is refused.
		_, err = f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{Status: ptr(model.StatusSolved)})
		var inv *errs.Invalid
		if !errors.As(err, &inv) || inv.Details["assignee_id"] == nil {
			t.Fatalf("solve without assignee: err = %v", err)
		}
		// Assigning a new ticket opens it.
		res, err = f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{AssigneeID: &f.agent.ID, AddTags: []string{"配送", "VIP"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Ticket.Status != model.StatusOpen || res.Ticket.AssigneeID != f.agent.ID {
			t.Fatalf("after assign: %+v", res.Ticket)
		}
		if got := res.Ticket.Tags; len(got) != 2 || got[0] != "配送" || got[1] != "vip" {
			t.Fatalf("tags = %q", got)
		}
		// Never back to new.
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{Status: ptr(model.StatusNew)}); !errors.As(err, &inv) {
			t.Fatalf("back to new: err = %v", err)
		}
		// Pending, then the customer writes: open again.
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{Status: ptr(model.StatusPending),
			Comment: &tickets.CommentInput{Body: "確認いたします。"}}); err != nil {
			t.Fatal(err)
		}
		res, err = f.svc.Update(ctx, f.cus, tk.ID, tickets.Change{Comment: &tickets.CommentInput{Body: "よろしくお願いします"}})
		if err != nil {
			t.Fatal(err)
		}
		if res.Ticket.Status != model.StatusOpen {
			t.Fatalf("customer reply left status %s", res.Ticket.Status)
		}
		// Customers may not change fields; light agents may only add notes.
		if _, err := f.svc.Update(ctx, f.cus, tk.ID, tickets.Change{Priority: ptr("urgent")}); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("customer priority: err = %v", err)
		}
		if _, err := f.svc.Update(ctx, f.light, tk.ID, tickets.Change{Comment: &tickets.CommentInput{Body: "営業より", Public: ptr(true)}}); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("light agent public reply: err = %v", err)
		}
		res, err = f.svc.Update(ctx, f.light, tk.ID, tickets.Change{Comment: &tickets.CommentInput{Body: "解約リスクあり、営業で対応します"}})
		if err != nil || res.Comment.Public {
			t.Fatalf("light agent note: %v %+v", err, res.Comment)
		}
		// Solve, then close: closed is read-only except tags.
		res, err = f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{Status: ptr(model.StatusSolved)})
		if err != nil || res.Ticket.SolvedAt.IsZero() {
			t.Fatalf("solve: %v %+v", err, res)
		}
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{Status: ptr(model.StatusClosed)}); err != nil {
			t.Fatal(err)
		}
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{Subject: ptr("変更")}); !errors.As(err, &inv) {
			t.Fatalf("closed update: err = %v", err)
		}
		if _, err := f.svc.Update(ctx, f.agent, tk.ID, tickets.Change{AddTags: []string{"後処理"}}); err != nil {
			t.Fatalf("closed tag: %v", err)
		}
		// The audit trail has every step, oldest first, with old → new values.
		var audits []*model.Audit
		var comments []*model.Comment
		err = db.Read(ctx, func(tx *store.Tx) error {
			var err error
			if audits, err = tx.Audits(tk.ID, 0, 100, false); err != nil {
				return err
			}
			comments, err = tx.Comments(tk.ID, false, 0, 100, false)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if len(comments) != 4 {
			t.Fatalf("comments = %d, want 4", len(comments))
		}
		var statuses []string
		for _, a := range audits {
			for _, e := range a.Events {
				if e.FieldName == "status" {
					statuses = append(statuses, e.Type+":"+str(e.PreviousValue)+"→"+str(e.Value))
				}
			}
		}
		want := []string{"Create:→new", "Change:new→open", "Change:open→pending", "Change:pending→open", "Change:open→solved", "Change:solved→closed"}
		if len(statuses) != len(want) {
			t.Fatalf("status trail = %q, want %q", statuses, want)
		}
		for i := range want {
			if statuses[i] != want[i] {
				t.Fatalf("status trail = %q, want %q", statuses, want)
			}
		}
		// Searchable the moment the write committed.
		q, err := search.Parse("配送")
		if err != nil {
			t.Fatal(err)
		}
		var found []*model.Ticket
		err = db.Read(ctx, func(tx *store.Tx) error {
			var err error
			found, err = tx.ListTickets(store.TicketFilter{Text: search.ParseText(q.Terms)}, store.TicketOrder{Field: "relevance"}, store.Page{Limit: 10})
			return err
		})
		if err != nil || len(found) != 1 || found[0].ID != tk.ID {
			t.Fatalf("search 配送: %v %d", err, len(found))
		}
	})
}

func str(v any) string {
	if v == nil {
		return ""
	}
	if s, ok := v.(string); ok {
		return s
	}
	return "?"
}
