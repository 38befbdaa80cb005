package approvals_test

import (
	"context"
	"errors"
	"math"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func (f *fixture) ticketCount(t *testing.T) int {
	t.Helper()
	var n int
	err := f.db.Read(context.Background(), func(tx *store.Tx) error {
		list, err := tx.TicketsChangedSince(store.Cursor{}, math.MaxInt64, 10000, false)
		n = len(list)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func (f *fixture) comments(t *testing.T, id int64) []*model.Comment {
	t.Helper()
	var out []*model.Comment
	err := f.db.Read(context.Background(), func(tx *store.Tx) (err error) {
		out, err = tx.Comments(id, false, 0, 100, false)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// TestTraineeFirstMessageHeld: a trainee (approval_required) who creates a
// ticket with a public first message gets the ticket at once, but the
// message — with its files — waits as a pending draft (one transaction; no
// comment, no description the customer could read) until an approver sends
// it, when it becomes the ticket's first public comment, authored by the
// trainee, and its description. An internal note as the first comment, or
// the customer's own words recorded by the trainee, are not held; a
// colleague named as the author is refused, as on a reply; without the
// hold wired the create is refused; a problem with the draft (someone
// else's upload) rolls the whole create back. Others' tickets are as before.
func TestTraineeFirstMessageHeld(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		pub, note := true, false
		cus := f.cus.ID
		create := func(actor *model.User, subject string, c tickets.CommentInput) (*tickets.Result, error) {
			ch := tickets.Change{RequesterID: &cus, Comment: &c, Via: "web"}
			if subject != "" {
				ch.Subject = &subject
			}
			return f.tk.Create(ctx, actor, ch)
		}

		// Not wired: a clear refusal, no ticket.
		before := f.ticketCount(t)
		if _, err := create(f.trainee, "請求書の送付", tickets.CommentInput{Body: "佐藤様\n請求書をお送りします。"}); !errors.Is(err, tickets.ErrApprovalRequired) {
			t.Fatalf("without the hold: %v", err)
		}
		if n := f.ticketCount(t); n != before {
			t.Fatalf("a refused create left a ticket: %d → %d", before, n)
		}

		f.tk.HoldFirstComment = f.svc.HoldFirstComment
		f.mu.Lock()
		changes := len(f.changes)
		f.mu.Unlock()
		tok := f.upload(t, f.trainee, "tok-請求書", "請求書（11月分）.pdf")
		first := "佐藤様\nいつもお世話になっております。11月分の請求書をお送りします。"
		res, err := create(f.trainee, "11月分の請求書", tickets.CommentInput{Body: first, Public: &pub, Uploads: []string{tok}})
		if err != nil {
			t.Fatalf("trainee create: %v", err)
		}
		id := res.Ticket.ID
		if res.Comment != nil || res.HeldDraftID == 0 || res.Ticket.Subject != "11月分の請求書" || res.Ticket.Description != "" || res.Ticket.RequesterID != f.cus.ID {
			t.Fatalf("created: %+v comment %+v", res, res.Comment)
		}
		if c := f.comments(t, id); len(c) != 0 {
			t.Fatalf("the held message is a comment: %+v", c)
		}
		d, err := f.svc.Get(ctx, f.senior, res.HeldDraftID)
		if err != nil || d.TicketID != id || d.AuthorID != f.trainee.ID || d.State != approvals.StatePending || d.Body != first ||
			len(d.Files) != 1 || d.Files[0].FileName != "請求書（11月分）.pdf" {
			t.Fatalf("draft: %+v %v", d, err)
		}
		if p, err := f.svc.OfTicket(ctx, f.senior, id); err != nil || len(p.Events) != 1 || p.Events[0].Action != approvals.ActionSubmitted {
			t.Fatalf("history: %+v %v", p, err)
		}
		f.mu.Lock()
		if len(f.changes) != changes+1 {
			t.Errorf("live updates: %d, want 1", len(f.changes)-changes)
		}
		f.mu.Unlock()
		// The customer sees the ticket, but no message and no description.
		if tk, err := f.tk.Get(ctx, f.cus, id); err != nil || tk.Description != "" {
			t.Fatalf("customer's view: %+v %v", tk, err)
		}

		// The approver sends it: the trainee's public comment, with the file,
		// now also the ticket's description.
		sent, err := f.svc.SendOnBehalf(ctx, f.senior, d.ID, approvals.Version(d), nil, "web")
		if err != nil || sent.State != approvals.StateSent {
			t.Fatalf("send: %+v %v", sent, err)
		}
		cs := f.comments(t, id)
		if len(cs) != 1 || !cs[0].Public || cs[0].AuthorID != f.trainee.ID || cs[0].Body != first || cs[0].ID != sent.CommentID {
			t.Fatalf("comments after send: %+v", cs)
		}
		if tk, _ := f.tk.Get(ctx, f.cus, id); tk.Description != first {
			t.Errorf("description after send: %q", tk.Description)
		}
		if len(cs[0].Attachments) != 1 || cs[0].Attachments[0].FileName != "請求書（11月分）.pdf" {
			t.Errorf("the sent comment's files: %+v", cs[0].Attachments)
		}

		// No subject: it comes from the held message, not from nothing.
		res, err = create(f.trainee, "", tickets.CommentInput{HTMLBody: "<p>配送状況のご連絡</p><p>明日お届け予定です。</p>"})
		if err != nil || res.HeldDraftID == 0 || res.Ticket.Subject != "配送状況のご連絡" {
			t.Fatalf("without subject: %+v %v", res, err)
		}

		// An internal note is created as usual.
		res, err = create(f.trainee, "社内確認", tickets.CommentInput{Body: "先輩に確認中です。", Public: &note})
		if err != nil || res.HeldDraftID != 0 || res.Comment == nil || res.Comment.Public {
			t.Fatalf("trainee note: %+v %v", res, err)
		}
		// The customer's own words (a phone call) are theirs, not held.
		res, err = create(f.trainee, "電話でのお問い合わせ", tickets.CommentInput{Body: "注文 12345 の配送日を知りたい。", Public: &pub, AuthorID: f.cus.ID})
		if err != nil || res.HeldDraftID != 0 || res.Comment == nil || res.Comment.AuthorID != f.cus.ID {
			t.Fatalf("phone ticket: %+v %v", res, err)
		}
		// A colleague as the author is still the trainee's act.
		before = f.ticketCount(t)
		if _, err := create(f.trainee, "代理", tickets.CommentInput{Body: "先輩の名前で送ります。", Public: &pub, AuthorID: f.senior.ID}); !errors.Is(err, tickets.ErrApprovalRequired) {
			t.Fatalf("on a colleague's behalf: %v", err)
		}
		// Someone else's upload: the draft is refused, and so is the ticket.
		other := f.upload(t, f.senior, "tok-先輩", "見積書.pdf")
		if _, err := create(f.trainee, "見積書", tickets.CommentInput{Body: "見積書を添付します。", Uploads: []string{other}}); !invalid(err) || !errs.Refused(err) {
			t.Fatalf("someone else's upload: %v", err)
		}
		if n := f.ticketCount(t); n != before {
			t.Fatalf("refused creates left tickets: %d → %d", before, n)
		}
		// An agent whose replies need no approval: as before.
		res, err = create(f.senior, "ご案内", tickets.CommentInput{Body: "佐藤様\nご案内です。"})
		if err != nil || res.HeldDraftID != 0 || res.Comment == nil || !res.Comment.Public || res.Ticket.Description != "佐藤様\nご案内です。" {
			t.Fatalf("senior create: %+v %v", res, err)
		}
	})
}
