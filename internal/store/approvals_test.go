package store_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
)

// TestApprovalDraftRows: drafts and their history round-trip on both
// databases (Japanese text, CC list, optional ids and times), and the
// queue ignores deleted tickets.
func TestApprovalDraftRows(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		ctx := context.Background()
		now := time.Now().UTC().Truncate(time.Millisecond)
		var d *store.ApprovalDraft
		var tk, gone *model.Ticket
		err := db.Write(ctx, func(tx *store.Tx) error {
			u := &model.User{Name: "新人 次郎", Email: "shinjin@example.jp", Role: model.RoleAgent, Active: true, ApprovalRequired: true, CreatedAt: now, UpdatedAt: now}
			c := &model.User{Name: "佐藤 花子", Email: "hanako@example.jp", Role: model.RoleEndUser, Active: true, CreatedAt: now, UpdatedAt: now}
			for _, x := range []*model.User{u, c} {
				if err := tx.InsertUser(x); err != nil {
					return err
				}
			}
			tk = &model.Ticket{Subject: "返品について", Status: model.StatusNew, RequesterID: c.ID, SubmitterID: c.ID, Via: "web", CreatedAt: now, UpdatedAt: now}
			gone = &model.Ticket{Subject: "削除済み", Status: model.StatusNew, RequesterID: c.ID, SubmitterID: c.ID, Via: "web", CreatedAt: now, UpdatedAt: now}
			for _, x := range []*model.Ticket{tk, gone} {
				if err := tx.InsertTicket(x); err != nil {
					return err
				}
			}
			d = &store.ApprovalDraft{TicketID: tk.ID, AuthorID: u.ID, State: "pending", Body: "佐藤様\n返品を承ります。", HTMLBody: "<p>佐藤様<br>返品を承ります。</p>",
				CC: []string{"boss@example.jp", "経理@example.jp"}, CreatedAt: now, UpdatedAt: now}
			if err := tx.InsertApprovalDraft(d); err != nil {
				return err
			}
			if err := tx.InsertApprovalDraft(&store.ApprovalDraft{TicketID: gone.ID, AuthorID: u.ID, State: "pending", Body: "消える", CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			gone.DeletedAt = now
			if err := tx.UpdateTicket(gone, false); err != nil {
				return err
			}
			return tx.InsertApprovalEvent(&store.ApprovalEvent{DraftID: d.ID, TicketID: tk.ID, ActorID: u.ID, Action: "submitted", CreatedAt: now})
		})
		if err != nil {
			t.Fatal(err)
		}
		err = db.Write(ctx, func(tx *store.Tx) error {
			got, err := tx.ApprovalDraftForUpdate(d.ID)
			if err != nil {
				return err
			}
			if got.Body != d.Body || got.HTMLBody != d.HTMLBody || !slices.Equal(got.CC, d.CC) || got.DecidedBy != 0 || !got.DecidedAt.IsZero() ||
				!got.CreatedAt.Equal(now) || got.State != "pending" {
				t.Errorf("read back: %+v", got)
			}
			got.State, got.ApproverComment, got.DecidedBy, got.DecidedAt, got.CommentID, got.SentAt = "sent", "丁寧です", got.AuthorID, now, 42, now
			got.CC = nil
			return tx.UpdateApprovalDraft(got)
		})
		if err != nil {
			t.Fatal(err)
		}
		db.Read(ctx, func(tx *store.Tx) error {
			got, err := tx.ApprovalDraft(d.ID)
			if err != nil || got.State != "sent" || got.ApproverComment != "丁寧です" || got.CommentID != 42 || !got.SentAt.Equal(now) || len(got.CC) != 0 {
				t.Errorf("after update: %+v %v", got, err)
			}
			if open, err := tx.TicketApprovalDrafts(tk.ID, true); err != nil || len(open) != 0 {
				t.Errorf("open drafts: %v %v", open, err)
			}
			if all, err := tx.TicketApprovalDrafts(tk.ID, false); err != nil || len(all) != 1 {
				t.Errorf("all drafts: %v %v", all, err)
			}
			if n, err := tx.CountApprovalDrafts("pending"); err != nil || n != 0 {
				t.Errorf("pending on live tickets: %d %v", n, err)
			}
			if evs, err := tx.TicketApprovalEvents(tk.ID); err != nil || len(evs) != 1 || evs[0].Action != "submitted" {
				t.Errorf("events: %v %v", evs, err)
			}
			if _, err := tx.ApprovalDraft(999999); !errors.Is(err, store.ErrNotFound) {
				t.Errorf("missing draft: %v", err)
			}
			return nil
		})
	})
}
