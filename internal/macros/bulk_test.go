package macros_test

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// bulkDesk is a desk with two agents, a customer, three open tickets, one
// closed ticket and a shared macro.
type bulkDesk struct {
	db                     *store.DB
	svc                    *tickets.Service
	agent, other, customer *model.User
	open                   []int64
	closed                 int64
	macro, personal        *store.Macro
}

func newBulkDesk(t *testing.T, db *store.DB) *bulkDesk {
	t.Helper()
	ctx := context.Background()
	b := &bulkDesk{db: db, svc: tickets.New(db)}
	now := time.Now()
	err := db.Write(ctx, func(tx *store.Tx) error {
		for _, u := range []**model.User{&b.agent, &b.other, &b.customer} {
			*u = &model.User{}
		}
		*b.agent = model.User{Name: "山田 太郎", Email: "yamada@example.jp", Role: model.RoleAgent}
		*b.other = model.User{Name: "鈴木 花子", Email: "suzuki@example.jp", Role: model.RoleAgent}
		*b.customer = model.User{Name: "佐藤 一郎", Email: "ichiro@customer.co.jp", Role: model.RoleEndUser}
		for _, u := range []*model.User{b.agent, b.other, b.customer} {
			if err := users.Create(tx, u, now); err != nil {
				return err
			}
		}
		b.macro = &store.Macro{Title: "配送::遅延のお詫び", Active: true, CreatedAt: now, UpdatedAt: now, Actions: []store.MacroAction{
			{Field: "status", Value: "pending"},
			{Field: "current_tags", Value: "配送遅延"},
			{Field: "comment_value", Value: "{{ticket.requester.name}} 様\n配送が遅れており申し訳ございません。"},
			{Field: "comment_mode_is_public", Value: true},
		}}
		if err := tx.InsertMacro(b.macro); err != nil {
			return err
		}
		b.personal = &store.Macro{Title: "鈴木の個人用", Active: true, RestrictionType: macros.User, RestrictionIDs: []int64{b.other.ID},
			CreatedAt: now, UpdatedAt: now, Actions: []store.MacroAction{{Field: "status", Value: "solved"}}}
		return tx.InsertMacro(b.personal)
	})
	if err != nil {
		t.Fatal(err)
	}
	for _, subject := range []string{"注文 1001 が届きません", "注文 1002 の配送状況", "注文 1003 の到着日", "注文 999 の返品（完了）"} {
		res, err := b.svc.Create(ctx, b.customer, tickets.Change{Subject: &subject, Comment: &tickets.CommentInput{Body: subject + "。確認をお願いします。"}, Via: "web"})
		if err != nil {
			t.Fatal(err)
		}
		b.open = append(b.open, res.Ticket.ID)
	}
	b.closed, b.open = b.open[3], b.open[:3]
	closed, me := model.StatusClosed, b.agent.ID
	if _, err := b.svc.Update(ctx, b.agent, b.closed, tickets.Change{Status: &closed, AssigneeID: &me}); err != nil {
		t.Fatal(err)
	}
	return b
}

func (b *bulkDesk) ticket(t *testing.T, id int64) (*model.Ticket, []*model.Comment) {
	t.Helper()
	var (
		tk   *model.Ticket
		list []*model.Comment
	)
	err := b.db.Read(context.Background(), func(tx *store.Tx) (err error) {
		if tk, err = tx.Ticket(id); err != nil {
			return err
		}
		list, err = tx.Comments(id, false, 0, 100, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return tk, list
}

func (b *bulkDesk) uses(t *testing.T, id int64) int64 {
	t.Helper()
	var n int64
	err := b.db.Read(context.Background(), func(tx *store.Tx) error {
		u, err := tx.MacroUsages(time.Now())
		n = u[id].H24
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

// bulk runs macros.Bulk in one write, as the web's bulk edit does.
func (b *bulkDesk) bulk(ids []int64, ch tickets.Change, macroID int64) (updated int, failed []macros.BulkFailure, err error) {
	err = b.db.Write(context.Background(), func(tx *store.Tx) error {
		var err error
		updated, failed, err = macros.Bulk(tx, b.svc, b.agent, ids, ch, macroID, "https://desk.example.jp", time.Now())
		return err
	})
	return updated, failed, err
}

// TestBulk: macros.Bulk on several tickets, on both databases. A closed
// ticket and a missing one are refused alone (errs.Refused, each in
// failed with its id) while the others get the macro (its Liquid comment
// with the customer's name, its tag) and the caller's own change, which
// wins over the macro's status; the macro's use is recorded once. A macro
// the agent may not use changes nothing. A system failure in the middle
// (a BeforeCommit hook's error, standing in for the database) aborts the
// whole bulk edit: no ticket changes, no use is recorded. A refusal after
// a ticket's rows were written (a BeforeCommit hook's errs.Invalid) rolls
// back that ticket alone.
func TestBulk(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		b := newBulkDesk(t, db)
		_, closedBefore := b.ticket(t, b.closed)

		open := model.StatusOpen
		ids := []int64{b.open[0], b.closed, b.open[1], 999999}
		updated, failed, err := b.bulk(ids, tickets.Change{Status: &open, AddTags: []string{"一括対応"}, Via: "web"}, b.macro.ID)
		if err != nil {
			t.Fatalf("bulk: %v", err)
		}
		if updated != 2 || len(failed) != 2 || failed[0].TicketID != b.closed || failed[1].TicketID != 999999 {
			t.Fatalf("updated %d, failed %+v", updated, failed)
		}
		var inv *errs.Invalid
		if !errs.Refused(failed[0].Err) || !errors.As(failed[0].Err, &inv) || !errors.Is(failed[1].Err, errs.ErrNotFound) {
			t.Fatalf("failures: %v / %v", failed[0].Err, failed[1].Err)
		}
		for _, id := range b.open[:2] {
			tk, comments := b.ticket(t, id)
			last := comments[len(comments)-1]
			if tk.Status != model.StatusOpen || !slices.Contains(tk.Tags, "配送遅延") || !slices.Contains(tk.Tags, "一括対応") {
				t.Errorf("#%d: status %s tags %v", id, tk.Status, tk.Tags)
			}
			if len(comments) != 2 || last.AuthorID != b.agent.ID || !last.Public || !strings.HasPrefix(last.Body, "佐藤 一郎 様\n配送が遅れており") {
				t.Errorf("#%d: comments %d, last %+v", id, len(comments), last)
			}
		}
		// The refused ticket rolled back alone: as it was.
		tk, comments := b.ticket(t, b.closed)
		if tk.Status != model.StatusClosed || slices.Contains(tk.Tags, "一括対応") || slices.Contains(tk.Tags, "配送遅延") || len(comments) != len(closedBefore) {
			t.Errorf("closed ticket changed: %+v, %d comments", tk, len(comments))
		}
		// The ticket not in the list is untouched.
		if tk, comments := b.ticket(t, b.open[2]); tk.Status != model.StatusNew || len(tk.Tags) != 0 || len(comments) != 1 {
			t.Errorf("#%d changed: %+v", b.open[2], tk)
		}
		if n := b.uses(t, b.macro.ID); n != 1 {
			t.Errorf("macro uses after one bulk edit = %d, want 1", n)
		}

		// Everything refused: nothing changes, no use recorded.
		if updated, failed, err := b.bulk([]int64{b.closed}, tickets.Change{AddTags: []string{"x"}}, b.macro.ID); err != nil || updated != 0 || len(failed) != 1 {
			t.Fatalf("all refused: %d %+v %v", updated, failed, err)
		}
		if n := b.uses(t, b.macro.ID); n != 1 {
			t.Errorf("macro uses after a refused bulk edit = %d, want 1", n)
		}
		// Someone else's personal macro: refused as a whole.
		if _, _, err := b.bulk([]int64{b.open[2]}, tickets.Change{}, b.personal.ID); !errors.Is(err, macros.ErrUnusable) {
			t.Fatalf("someone else's macro: %v", err)
		}
		if tk, _ := b.ticket(t, b.open[2]); tk.Status != model.StatusNew {
			t.Errorf("unusable macro changed #%d: %s", b.open[2], tk.Status)
		}

		// A refusal that comes after the ticket, its comment and its audit
		// were written (a BeforeCommit hook says no) rolls that ticket back
		// alone through its savepoint; the others commit.
		boom := errors.New("disk full")
		refuse, fail := int64(0), int64(0)
		b.svc.BeforeCommit = append(b.svc.BeforeCommit, func(tx *store.Tx, r tickets.Result) error {
			switch r.Ticket.ID {
			case refuse:
				return errs.Invalidf("status", "InvalidValue", "トリガーにより拒否されました")
			case fail:
				return boom
			}
			return nil
		})
		refuse = b.open[2]
		updated, failed, err = b.bulk([]int64{b.open[2], b.open[0]}, tickets.Change{AddTags: []string{"後から拒否"}}, b.macro.ID)
		if err != nil || updated != 1 || len(failed) != 1 || failed[0].TicketID != b.open[2] {
			t.Fatalf("late refusal: %d %+v %v", updated, failed, err)
		}
		if tk, comments := b.ticket(t, b.open[2]); tk.Status != model.StatusNew || len(tk.Tags) != 0 || len(comments) != 1 {
			t.Errorf("#%d kept part of a refused change: %s %v, %d comments", b.open[2], tk.Status, tk.Tags, len(comments))
		}
		if tk, _ := b.ticket(t, b.open[0]); !slices.Contains(tk.Tags, "後から拒否") {
			t.Errorf("#%d not changed beside a refused ticket: %v", b.open[0], tk.Tags)
		}
		if n := b.uses(t, b.macro.ID); n != 2 {
			t.Errorf("macro uses = %d, want 2", n)
		}

		// A system failure on the second ticket aborts all of them.
		refuse, fail = 0, b.open[1]
		updated, failed, err = b.bulk([]int64{b.open[2], b.open[1]}, tickets.Change{AddTags: []string{"障害時"}}, b.macro.ID)
		if !errors.Is(err, boom) || errs.Refused(err) || len(failed) != 0 {
			t.Fatalf("system failure: %d %+v %v", updated, failed, err)
		}
		for _, id := range b.open[1:] {
			if tk, _ := b.ticket(t, id); slices.Contains(tk.Tags, "障害時") {
				t.Errorf("#%d changed although the bulk edit failed: %v", id, tk.Tags)
			}
		}
		if tk, comments := b.ticket(t, b.open[2]); tk.Status != model.StatusNew || len(comments) != 1 {
			t.Errorf("#%d changed although the bulk edit failed: %s, %d comments", b.open[2], tk.Status, len(comments))
		}
		if n := b.uses(t, b.macro.ID); n != 2 {
			t.Errorf("macro uses after a failed bulk edit = %d, want 2", n)
		}
	})
}
