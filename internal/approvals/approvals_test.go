package approvals_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

type fixture struct {
	db                                 *store.DB
	tk                                 *tickets.Service
	svc                                *approvals.Service
	admin, senior, trainee, light, cus *model.User
	ticket                             int64
	changes                            []approvals.Change
	mu                                 sync.Mutex
}

func setup(t *testing.T, db *store.DB) *fixture {
	t.Helper()
	f := &fixture{db: db, tk: tickets.New(db)}
	f.svc = approvals.New(db, f.tk)
	f.svc.OnChange = append(f.svc.OnChange, func(c approvals.Change) { f.mu.Lock(); f.changes = append(f.changes, c); f.mu.Unlock() })
	now := time.Now()
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		mk := func(name, email, role string, trainee bool) *model.User {
			u := &model.User{Name: name, Email: email, Role: role, ApprovalRequired: trainee}
			if err := users.Create(tx, u, now); err != nil {
				t.Fatal(err)
			}
			return u
		}
		f.admin = mk("管理者 花子", "admin@example.jp", model.RoleAdmin, false)
		f.senior = mk("先輩 太郎", "senpai@example.jp", model.RoleAgent, false)
		f.trainee = mk("新人 次郎", "shinjin@example.jp", model.RoleAgent, true)
		f.light = mk("営業 三郎", "sales@example.jp", model.RoleLightAgent, false)
		f.cus = mk("顧客 一郎", "ichiro@customer.co.jp", model.RoleEndUser, false)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	res, err := f.tk.Create(context.Background(), f.cus, tickets.Change{Comment: &tickets.CommentInput{Body: "注文 12345 が届きません。"}, Via: "web"})
	if err != nil {
		t.Fatal(err)
	}
	f.ticket = res.Ticket.ID
	return f
}

// publicComments are the ticket's public comments by staff.
func (f *fixture) publicComments(t *testing.T) []*model.Comment {
	t.Helper()
	var out []*model.Comment
	for _, c := range f.comments(t, f.ticket) {
		if c.Public && c.AuthorID != f.cus.ID {
			out = append(out, c)
		}
	}
	return out
}

func TestTraineeCannotReplyDirectly(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		pub := true
		_, err := f.tk.Update(ctx, f.trainee, f.ticket, tickets.Change{Comment: &tickets.CommentInput{Body: "お届けは明日です。", Public: &pub}})
		if !errors.Is(err, tickets.ErrApprovalRequired) || !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("trainee public reply: %v", err)
		}
		// A public comment "on behalf" of someone else is still the trainee's act.
		_, err = f.tk.Update(ctx, f.trainee, f.ticket, tickets.Change{Comment: &tickets.CommentInput{Body: "代理です", Public: &pub, AuthorID: f.senior.ID}})
		if !errors.Is(err, tickets.ErrApprovalRequired) {
			t.Fatalf("trainee on behalf: %v", err)
		}
		// Internal notes stay allowed.
		note := false
		if _, err := f.tk.Update(ctx, f.trainee, f.ticket, tickets.Change{Comment: &tickets.CommentInput{Body: "確認中のメモ", Public: &note}}); err != nil {
			t.Fatalf("trainee note: %v", err)
		}
		if n := len(f.publicComments(t)); n != 0 {
			t.Fatalf("public comments: %d", n)
		}
		// The flag is stored and read back.
		db.Read(ctx, func(tx *store.Tx) error {
			u, err := tx.User(f.trainee.ID)
			if err != nil || !u.ApprovalRequired {
				t.Errorf("flag not stored: %+v %v", u, err)
			}
			return nil
		})
	})
}

func TestApprovalRoundTrip(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		// Not for light agents; nothing blank.
		if _, err := f.svc.Submit(ctx, f.light, f.ticket, approvals.Input{Body: "x"}); !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("light agent submit: %v", err)
		}
		var inv *errs.Invalid
		if _, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "  \n"}); !errors.As(err, &inv) {
			t.Fatalf("blank: %v", err)
		}
		if _, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "x", CC: []string{"not an address"}}); !errors.As(err, &inv) {
			t.Fatalf("bad cc: %v", err)
		}
		d, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "佐藤様\r\nお届けは明日の予定です。", CC: []string{"Boss@Customer.co.jp"}})
		if err != nil {
			t.Fatal(err)
		}
		if d.State != approvals.StatePending || d.Body != "佐藤様\nお届けは明日の予定です。" || d.HTMLBody == "" || len(d.CC) != 1 || d.CC[0] != "boss@customer.co.jp" {
			t.Fatalf("draft: %+v", d)
		}
		// Only approvers decide, never on their own draft, never a trainee.
		if _, err := f.svc.Approve(ctx, f.trainee, d.ID, approvals.AnyVersion, nil, ""); !errors.Is(err, approvals.ErrNotApprover) {
			t.Fatalf("trainee approves: %v", err)
		}
		if _, err := f.svc.Return(ctx, f.senior, d.ID, approvals.AnyVersion, ""); !errors.As(err, &inv) {
			t.Fatalf("return without comment: %v", err)
		}
		// The author cannot send a pending draft.
		if _, err := f.svc.Send(ctx, f.trainee, d.ID, approvals.AnyVersion, "web"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("send pending: %v", err)
		}
		d, err = f.svc.Return(ctx, f.senior, d.ID, approvals.AnyVersion, "敬語を直してください。「予定です」→「予定でございます」")
		if err != nil || d.State != approvals.StateReturned || d.DecidedBy != f.senior.ID || d.DecidedAt.IsZero() {
			t.Fatalf("return: %+v %v", d, err)
		}
		if _, err := f.svc.Approve(ctx, f.senior, d.ID, approvals.AnyVersion, nil, ""); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("approve a returned draft: %v", err)
		}
		// Revise and resubmit: the same draft, pending again.
		d2, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "佐藤様\nお届けは明日の予定でございます。", CC: []string{"boss@customer.co.jp"}})
		if err != nil || d2.ID != d.ID || d2.State != approvals.StatePending || d2.ApproverComment != "" {
			t.Fatalf("resubmit: %+v %v", d2, err)
		}
		// The approver edits, then sends on the trainee's behalf.
		if _, err := f.svc.Edit(ctx, f.admin, d.ID, approvals.AnyVersion, approvals.Input{Body: "佐藤様\nお届けは明日の午前中の予定でございます。"}); err != nil {
			t.Fatal(err)
		}
		sent, err := f.svc.SendOnBehalf(ctx, f.admin, d.ID, approvals.AnyVersion, nil, "web")
		if err != nil || sent.State != approvals.StateSent || sent.CommentID == 0 || sent.DecidedBy != f.admin.ID || sent.SentAt.IsZero() {
			t.Fatalf("send on behalf: %+v %v", sent, err)
		}
		// Twice is refused: the comment exists exactly once.
		if _, err := f.svc.SendOnBehalf(ctx, f.admin, d.ID, approvals.AnyVersion, nil, "web"); !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("second send: %v", err)
		}
		pub := f.publicComments(t)
		if len(pub) != 1 || pub[0].Body != "佐藤様\nお届けは明日の午前中の予定でございます。" || pub[0].AuthorID != f.trainee.ID || !pub[0].Public || pub[0].ID != sent.CommentID {
			t.Fatalf("public comments: %+v", pub)
		}
		// The audit is the approver's and names the draft, author and approver;
		// the CC was copied in.
		db.Read(ctx, func(tx *store.Tx) error {
			audits, err := tx.Audits(f.ticket, 0, 100, false)
			if err != nil {
				t.Fatal(err)
			}
			var found bool
			for _, a := range audits {
				ap, ok := a.Metadata["approval"].(map[string]any)
				if !ok {
					continue
				}
				found = true
				if a.AuthorID != f.admin.ID || toInt(ap["author_id"]) != f.trainee.ID || toInt(ap["approved_by"]) != f.admin.ID || toInt(ap["draft_id"]) != d.ID {
					t.Errorf("audit: %+v %+v", a, ap)
				}
			}
			if !found {
				t.Error("no audit notes the approval")
			}
			tk, _ := tx.Ticket(f.ticket)
			if len(tk.CollaboratorIDs) != 1 {
				t.Errorf("cc not copied in: %v", tk.CollaboratorIDs)
			}
			evs, err := tx.TicketApprovalEvents(f.ticket)
			if err != nil {
				t.Fatal(err)
			}
			var actions []string
			for _, e := range evs {
				actions = append(actions, e.Action)
			}
			want := []string{"submitted", "returned", "resubmitted", "edited", "sent_on_behalf"}
			if len(actions) != len(want) {
				t.Fatalf("history: %v", actions)
			}
			for i := range want {
				if actions[i] != want[i] {
					t.Fatalf("history: %v", actions)
				}
			}
			if evs[1].Note != "敬語を直してください。「予定です」→「予定でございます」" || evs[1].ActorID != f.senior.ID {
				t.Errorf("return event: %+v", evs[1])
			}
			return nil
		})
		f.mu.Lock()
		if len(f.changes) != 5 {
			t.Errorf("live changes: %d", len(f.changes))
		}
		f.mu.Unlock()
	})
}

func TestApproveThenAuthorSends(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		d, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{HTMLBody: `<p>お待たせしました。<b>本日発送</b>いたしました。</p><script>alert(1)</script>`})
		if err != nil {
			t.Fatal(err)
		}
		if d.Body == "" || contains(d.HTMLBody, "script") {
			t.Fatalf("html not sanitised: %+v", d)
		}
		if _, err := f.svc.Approve(ctx, f.trainee, d.ID, approvals.AnyVersion, nil, ""); err == nil {
			t.Fatal("own approval allowed")
		}
		d, err = f.svc.Approve(ctx, f.senior, d.ID, approvals.AnyVersion, nil, "良いと思います")
		if err != nil || d.State != approvals.StateApproved {
			t.Fatalf("approve: %+v %v", d, err)
		}
		// Only the author sends an approved draft.
		if _, err := f.svc.Send(ctx, f.senior, d.ID, approvals.AnyVersion, "web"); !errors.Is(err, approvals.ErrNotAuthor) {
			t.Fatalf("other sends: %v", err)
		}
		// Concurrent sends (a double click): exactly one comment.
		var wg sync.WaitGroup
		errs2 := make([]error, 3)
		for i := range errs2 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				_, errs2[i] = f.svc.Send(ctx, f.trainee, d.ID, approvals.AnyVersion, "web")
			}()
		}
		wg.Wait()
		ok := 0
		for _, err := range errs2 {
			if err == nil {
				ok++
			} else if !errors.Is(err, errs.ErrConflict) {
				t.Errorf("send: %v", err)
			}
		}
		if ok != 1 {
			t.Fatalf("%d sends succeeded", ok)
		}
		pub := f.publicComments(t)
		if len(pub) != 1 || pub[0].AuthorID != f.trainee.ID || !contains(pub[0].Body, "本日発送") {
			t.Fatalf("comments: %+v", pub)
		}
		// Still no direct public reply for the trainee afterwards.
		pubT := true
		if _, err := f.tk.Update(ctx, f.trainee, f.ticket, tickets.Change{Comment: &tickets.CommentInput{Body: "追伸", Public: &pubT}}); !errors.Is(err, tickets.ErrApprovalRequired) {
			t.Fatalf("direct reply after approval: %v", err)
		}
		p, err := f.svc.OfTicket(ctx, f.senior, f.ticket)
		if err != nil || len(p.Drafts) != 1 || len(p.Open()) != 0 || len(p.Events) != 3 {
			t.Fatalf("panel: %+v %v", p, err)
		}
		if n, err := f.svc.CountPending(ctx); err != nil || n != 0 {
			t.Fatalf("pending: %d %v", n, err)
		}
		if _, err := f.svc.OfTicket(ctx, f.cus, f.ticket); err == nil {
			t.Fatal("customer sees drafts")
		}
	})
}

func TestUserFlagOnlyByAdmins(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		yes := true
		err := db.Write(ctx, func(tx *store.Tx) error {
			_, err := users.UpdateBy(tx, f.senior, f.trainee.ID, users.Input{ApprovalRequired: new(bool)}, time.Now())
			return err
		})
		if !errors.Is(err, errs.ErrForbidden) {
			t.Fatalf("agent clears the flag: %v", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			_, err := users.UpdateBy(tx, f.admin, f.cus.ID, users.Input{ApprovalRequired: &yes}, time.Now())
			return err
		})
		var inv *errs.Invalid
		if !errors.As(err, &inv) {
			t.Fatalf("flag on a customer: %v", err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			u, err := users.UpdateBy(tx, f.admin, f.senior.ID, users.Input{ApprovalRequired: &yes}, time.Now())
			if err == nil && !u.ApprovalRequired {
				t.Error("flag not set")
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

func toInt(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case float64:
		return int64(x)
	case int:
		return int64(x)
	}
	return -1
}

func contains(s, sub string) bool { return strings.Contains(s, sub) }
