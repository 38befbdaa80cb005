package approvals_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

func (f *fixture) actions(t *testing.T, id int64) []string {
	t.Helper()
	p, err := f.svc.OfTicket(context.Background(), f.senior, f.ticket)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range p.Events {
		if e.DraftID == id {
			out = append(out, e.Action)
		}
	}
	return out
}

// TestApproveWithEdit: an approver's edit (text, CC, a file taken off) and
// the approval are one call and one transaction: the draft comes back
// approved with the edited text, the history says edited then approved,
// and there is one live update. An edit that fails part-way (a file taken
// off, then a bad upload token) leaves the draft exactly as it was —
// pending, the file still on it, no history entry; a stale version is
// refused before anything changes; an edit that changes nothing records
// only the approval.
func TestApproveWithEdit(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		tok := f.upload(t, f.trainee, "tok-請求書", "請求書.pdf", "地図.png")
		d, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "佐藤様\nお届けは明日です。", Uploads: []string{tok}})
		if err != nil || len(d.Files) != 2 {
			t.Fatalf("submit: %+v %v", d, err)
		}
		seen := approvals.Version(d)
		pdf := d.Files[0].ID
		if d.Files[1].FileName == "請求書.pdf" {
			pdf = d.Files[1].ID
		}

		// A failing edit: the removal is rolled back with the rest.
		bad := approvals.Input{Body: "佐藤様\n途中まで編集", Remove: []int64{pdf}, Uploads: []string{"tok-存在しない"}}
		if _, err := f.svc.Approve(ctx, f.senior, d.ID, seen, &bad, "承認します"); !errors.As(err, new(*errs.Invalid)) {
			t.Fatalf("approve with a bad upload token: %v", err)
		}
		got, err := f.svc.Get(ctx, f.senior, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != approvals.StatePending || got.Body != d.Body || len(got.Files) != 2 || approvals.Version(got) != seen {
			t.Fatalf("draft after a failed approve+edit: %+v files %v", got, fileNames(got.Files))
		}
		if a := f.actions(t, d.ID); strings.Join(a, ",") != "submitted" {
			t.Fatalf("history after a failed approve+edit: %v", a)
		}

		// A stale version: refused, nothing changed.
		old := seen - 1
		good := approvals.Input{Body: "佐藤様\nお届けは明日の午前中でございます。", CC: []string{"Buchou@Example.JP"}, Remove: []int64{pdf}}
		if _, err := f.svc.Approve(ctx, f.senior, d.ID, old, &good, ""); !errors.Is(err, approvals.ErrStale) {
			t.Fatalf("approve+edit with a stale version: %v", err)
		}

		f.mu.Lock()
		before := len(f.changes)
		f.mu.Unlock()
		a, err := f.svc.Approve(ctx, f.senior, d.ID, seen, &good, "敬語を整えました。")
		if err != nil {
			t.Fatal(err)
		}
		if a.State != approvals.StateApproved || a.Body != good.Body || strings.Join(a.CC, ",") != "buchou@example.jp" ||
			len(a.Files) != 1 || a.Files[0].FileName != "地図.png" || a.ApproverComment != "敬語を整えました。" || a.DecidedBy != f.senior.ID {
			t.Fatalf("approved draft: %+v files %v", a, fileNames(a.Files))
		}
		if approvals.Version(a) <= seen {
			t.Fatalf("version did not move: %d → %d", seen, approvals.Version(a))
		}
		if h := f.actions(t, d.ID); strings.Join(h, ",") != "submitted,edited,approved" {
			t.Fatalf("history: %v", h)
		}
		f.mu.Lock()
		if n := len(f.changes) - before; n != 1 || f.changes[len(f.changes)-1].Action != approvals.ActionApproved {
			t.Errorf("live updates: %d %+v", n, f.changes[before:])
		}
		f.mu.Unlock()
		// Nothing reached the customer: the author sends what was approved.
		if pub := f.publicComments(t); len(pub) != 0 {
			t.Fatalf("approve sent something: %+v", pub)
		}
		s, err := f.svc.Send(ctx, f.trainee, d.ID, approvals.Version(a), "web")
		if err != nil || s.State != approvals.StateSent {
			t.Fatalf("author send: %+v %v", s, err)
		}
		if pub := f.publicComments(t); len(pub) != 1 || pub[0].Body != good.Body {
			t.Fatalf("sent: %+v", pub)
		}

		// An edit that changes nothing: only "approved" in the history.
		d2, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "追伸：領収書も同封いたします。"})
		if err != nil {
			t.Fatal(err)
		}
		same := approvals.Input{Body: d2.Body}
		if _, err := f.svc.Approve(ctx, f.admin, d2.ID, approvals.Version(d2), &same, ""); err != nil {
			t.Fatal(err)
		}
		if h := f.actions(t, d2.ID); strings.Join(h, ",") != "submitted,approved" {
			t.Fatalf("history of an unchanged approve+edit: %v", h)
		}
	})
}

// TestAuthorSendChecksVersion: the author's own send of an approved draft
// checks the version the author's page showed. The author approved-draft
// page is left open; meanwhile the author revises in another tab and an
// approver approves the revision with an edit. The old page's send is
// refused with ErrStale (a 409) and sends nothing; the current version,
// or AnyVersion, sends the approved text.
func TestAuthorSendChecksVersion(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		d, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "山田様\n返金は3営業日以内です。"})
		if err != nil {
			t.Fatal(err)
		}
		a, err := f.svc.Approve(ctx, f.senior, d.ID, approvals.Version(d), nil, "")
		if err != nil {
			t.Fatal(err)
		}
		shown := approvals.Version(a) // the author's open page
		if _, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "山田様\n返金は5営業日以内です。"}); err != nil {
			t.Fatal(err)
		}
		cur, err := f.svc.Get(ctx, f.senior, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		// Still pending: the old page's send meets the state first.
		var se *approvals.StateError
		if _, err := f.svc.Send(ctx, f.trainee, d.ID, shown, "web"); !errors.As(err, &se) {
			t.Fatalf("send of a pending draft: %v", err)
		}
		final := approvals.Input{Body: "山田様\n返金は5営業日以内にお振り込みいたします。"}
		a2, err := f.svc.Approve(ctx, f.admin, d.ID, approvals.Version(cur), &final, "")
		if err != nil || a2.State != approvals.StateApproved {
			t.Fatalf("approve again: %+v %v", a2, err)
		}
		// Approved again, with another text: the old page's version is stale.
		if _, err := f.svc.Send(ctx, f.trainee, d.ID, shown, "web"); !errors.Is(err, approvals.ErrStale) || !errors.Is(err, errs.ErrConflict) {
			t.Fatalf("author send with a stale version: %v", err)
		}
		if pub := f.publicComments(t); len(pub) != 0 {
			t.Fatalf("a stale send reached the customer: %+v", pub)
		}
		if got, _ := f.svc.Get(ctx, f.senior, d.ID); got.State != approvals.StateApproved {
			t.Fatalf("state after a stale send: %s", got.State)
		}
		s, err := f.svc.Send(ctx, f.trainee, d.ID, approvals.Version(a2), "web")
		if err != nil || s.State != approvals.StateSent {
			t.Fatalf("send with the current version: %+v %v", s, err)
		}
		if pub := f.publicComments(t); len(pub) != 1 || pub[0].Body != final.Body {
			t.Fatalf("sent: %+v", pub)
		}
	})
}
