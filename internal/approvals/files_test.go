package approvals_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/approvals"
	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// upload records files as an upload token of u, as the web composer and
// POST /uploads do (the bytes are not needed here).
func (f *fixture) upload(t *testing.T, u *model.User, token string, names ...string) string {
	t.Helper()
	err := f.db.Write(context.Background(), func(tx *store.Tx) error {
		if err := tx.InsertUpload(token, u.ID, time.Now().UnixMilli()); err != nil {
			return err
		}
		for _, n := range names {
			a := &model.Attachment{UploadToken: token, FileName: n, ContentType: "application/octet-stream", Size: int64(len(n)),
				SHA256: "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", CreatedAt: time.Now().UTC()}
			if err := tx.InsertAttachment(a); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return token
}

func invalid(err error) bool {
	var inv *errs.Invalid
	return errors.As(err, &inv)
}

func fileNames(atts []*model.Attachment) []string {
	var out []string
	for _, a := range atts {
		out = append(out, a.FileName)
	}
	return out
}

// TestDraftFiles: files join a draft from the author's upload tokens,
// more join on resubmit, the approver removes one while approving, and the
// author's send after approval posts exactly the remaining files on the
// public comment. Someone else's token, a used token and a file of another
// draft are refused, and a refused change leaves the draft as it was.
func TestDraftFiles(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		f := setup(t, db)
		ctx := context.Background()
		f.upload(t, f.senior, "senpai-token-0000000001", "他人の.pdf")
		if _, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "添付します。", Uploads: []string{"senpai-token-0000000001"}}); !invalid(err) {
			t.Fatalf("someone else's token: %v", err)
		}
		tok := f.upload(t, f.trainee, "shinjin-token-000000001", "見積書.pdf")
		d, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "見積書を添付いたします。", Uploads: []string{tok}})
		if err != nil {
			t.Fatal(err)
		}
		if got := fileNames(d.Files); len(got) != 1 || got[0] != "見積書.pdf" {
			t.Fatalf("files: %q", got)
		}
		// A used token cannot add its files again; nothing changes.
		if _, err := f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "別の本文", Uploads: []string{tok}}); !invalid(err) {
			t.Fatalf("used token: %v", err)
		}
		tok2 := f.upload(t, f.trainee, "shinjin-token-000000002", "請求書（11月分）.xlsx")
		d, err = f.svc.Submit(ctx, f.trainee, f.ticket, approvals.Input{Body: "見積書と請求書を添付いたします。", Uploads: []string{tok2}})
		if err != nil {
			t.Fatal(err)
		}
		if got := fileNames(d.Files); len(got) != 2 || got[1] != "請求書（11月分）.xlsx" || d.Body != "見積書と請求書を添付いたします。" {
			t.Fatalf("after resubmit: %q %q", got, d.Body)
		}
		pdf := d.Files[0].ID
		// Only the draft's own files can be removed.
		if _, err := f.svc.Edit(ctx, f.senior, d.ID, approvals.AnyVersion, approvals.Input{Body: d.Body, Remove: []int64{pdf + 1000}}); !invalid(err) {
			t.Fatalf("foreign file: %v", err)
		}
		// A file change alone is an edit (it enters the history).
		d, err = f.svc.Edit(ctx, f.senior, d.ID, approvals.AnyVersion, approvals.Input{Body: d.Body, Remove: []int64{pdf}})
		if err != nil {
			t.Fatal(err)
		}
		if got := fileNames(d.Files); len(got) != 1 || got[0] != "請求書（11月分）.xlsx" {
			t.Fatalf("after removing: %q", got)
		}
		if _, err := f.svc.Approve(ctx, f.senior, d.ID, approvals.AnyVersion, nil, ""); err != nil {
			t.Fatal(err)
		}
		if d, err = f.svc.Send(ctx, f.trainee, d.ID, approvals.AnyVersion, "web"); err != nil {
			t.Fatal(err)
		}
		cs := f.publicComments(t)
		if len(cs) != 1 || cs[0].ID != d.CommentID || len(cs[0].Attachments) != 1 || cs[0].Attachments[0].FileName != "請求書（11月分）.xlsx" {
			t.Fatalf("public comments: %+v", cs)
		}
		p, err := f.svc.OfTicket(ctx, f.senior, f.ticket)
		if err != nil {
			t.Fatal(err)
		}
		var edited bool
		for _, e := range p.Events {
			edited = edited || e.Action == approvals.ActionEdited
		}
		if !edited || len(p.Drafts) != 1 || len(p.Drafts[0].Files) != 1 {
			t.Fatalf("panel: edited %v, drafts %+v", edited, p.Drafts)
		}
	})
}
