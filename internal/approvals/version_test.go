package approvals_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestStaleVersionRefused: an approver who read a draft before its author
// resubmitted it (within the same millisecond, with a frozen clock — the
// version still moves) cannot edit, send, approve or return that old copy:
// each is refused with approvals.ErrStale (an errs.ErrConflict) and
// changes nothing — no comment, no history entry, no live update, the
// draft's text, files and state as the author left them. With the current
// version, or AnyVersion, the same decision goes through.
func TestStaleVersionRefused(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		frozen := time.Date(2026, 12, 7, 9, 0, 0, 0, time.UTC)
		f.svc.Now = func() time.Time { return frozen }

		tok := f.upload(t, f.trainee, "tok-見積", "見積書.pdf")
		d, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "佐藤様\nお届けは明日の予定です。", Uploads: []string{tok}})
		if err != nil {
			t.Fatal(err)
		}
		seen := approvals.Version(d) // what the approver's page showed
		if seen == approvals.AnyVersion {
			t.Fatal("a draft's version is the no-check sentinel")
		}
		// The author resubmits after the approver's page was rendered.
		revised := "佐藤様\nお届けは明日の午前中の予定でございます。"
		d2, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: revised})
		if err != nil || d2.ID != d.ID {
			t.Fatalf("resubmit: %+v %v", d2, err)
		}
		cur := approvals.Version(d2)
		if cur <= seen {
			t.Fatalf("version did not move forward on a same-millisecond resubmission: %d → %d", seen, cur)
		}

		pdf := d.Files[0].ID
		edit := approvals.Input{Body: "古い内容のまま送信", Remove: []int64{pdf}}
		stale := map[string]func() error{
			"edit": func() error { _, err := f.svc.Edit(ctx, f.senior, d.ID, seen, edit); return err },
			"send": func() error { _, err := f.svc.SendOnBehalf(ctx, f.senior, d.ID, seen, nil, "web"); return err },
			"send+edit": func() error {
				_, err := f.svc.SendOnBehalf(ctx, f.senior, d.ID, seen, &edit, "web")
				return err
			},
			"approve": func() error {
				_, err := f.svc.Approve(ctx, f.senior, d.ID, seen, nil, "良いと思います")
				return err
			},
			"approve+edit": func() error {
				_, err := f.svc.Approve(ctx, f.senior, d.ID, seen, &edit, "良いと思います")
				return err
			},
			"return": func() error {
				_, err := f.svc.Return(ctx, f.senior, d.ID, seen, "敬語を直してください。")
				return err
			},
		}
		f.mu.Lock()
		changes := len(f.changes)
		f.mu.Unlock()
		for name, act := range stale {
			err := act()
			if !errors.Is(err, approvals.ErrStale) || !errors.Is(err, errs.ErrConflict) || !errs.Refused(err) {
				t.Fatalf("%s with a stale version: %v", name, err)
			}
		}
		// Nothing changed.
		got, err := f.svc.Get(ctx, f.senior, d.ID)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != approvals.StatePending || got.Body != revised || approvals.Version(got) != cur || got.DecidedBy != 0 ||
			got.CommentID != 0 || len(got.Files) != 1 || got.Files[0].FileName != "見積書.pdf" {
			t.Fatalf("draft after stale decisions: %+v files %v", got, fileNames(got.Files))
		}
		if pub := f.publicComments(t); len(pub) != 0 {
			t.Fatalf("a stale send reached the customer: %+v", pub)
		}
		p, err := f.svc.OfTicket(ctx, f.senior, f.ticket)
		if err != nil || len(p.Events) != 2 {
			t.Fatalf("history after stale decisions: %+v %v", p.Events, err)
		}
		f.mu.Lock()
		if len(f.changes) != changes {
			t.Errorf("live updates for refused decisions: %d", len(f.changes)-changes)
		}
		f.mu.Unlock()

		// The current version passes; every change moves it on.
		e, err := f.svc.Edit(ctx, f.senior, d.ID, cur, approvals.Input{Body: revised + "\nよろしくお願いいたします。"})
		if err != nil || approvals.Version(e) <= cur {
			t.Fatalf("edit with the current version: %+v %v", e, err)
		}
		// The version before that edit is now stale too.
		if _, err := f.svc.Approve(ctx, f.senior, d.ID, cur, nil, ""); !errors.Is(err, approvals.ErrStale) {
			t.Fatalf("approve with the version before the edit: %v", err)
		}
		sent, err := f.svc.SendOnBehalf(ctx, f.senior, d.ID, approvals.Version(e), nil, "web")
		if err != nil || sent.State != approvals.StateSent {
			t.Fatalf("send with the current version: %+v %v", sent, err)
		}
		if pub := f.publicComments(t); len(pub) != 1 || pub[0].Body != revised+"\nよろしくお願いいたします。" {
			t.Fatalf("sent comment: %+v", pub)
		}
		// A decided draft reports its state, not staleness, to a late approver.
		var se *approvals.StateError
		if _, err := f.svc.Return(ctx, f.admin, d.ID, seen, "遅すぎました"); !errors.As(err, &se) {
			t.Fatalf("late return: %v", err)
		}
	})
}
