package tickets

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/richtext"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// SplitOptions shape the ticket a split creates.
type SplitOptions struct {
	Subject string // "" derives it from the first moved comment
}

// SplitResult is the new ticket, the source after the split and the new
// ticket's creating audit.
type SplitResult struct {
	Ticket *model.Ticket
	Source *model.Ticket
	Audit  *model.Audit
}

// Split moves the chosen comments of ticket sourceID (with their
// attachments and the mails they came from) into a new ticket for the same
// customer, for when a customer raises a new matter on an old thread.
//
// Rules: agents only; the source must be live and not closed; every comment
// must be on the source; the source's first comment is its description and
// stays, so a split never empties a ticket. The new ticket keeps the
// requester, CCs, inbox, brand, group and organization; its description is
// the first moved comment. Both tickets get an internal note and an audit
// naming the other.
func (s *Service) Split(ctx context.Context, actor *model.User, sourceID int64, commentIDs []int64, opts SplitOptions) (*SplitResult, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("only agents and admins can split tickets / チケットの分割はエージェントと管理者のみ行えます")
	}
	ids := uniqueIDs(commentIDs)
	if len(ids) == 0 {
		return nil, errs.Invalidf("comment_ids", "BlankValue", "Comment ids: choose at least one comment to move / 移動するコメントを選んでください")
	}
	subject := strings.TrimSpace(strings.ReplaceAll(strings.ReplaceAll(opts.Subject, "\r", " "), "\n", " "))
	if utf8.RuneCountInString(subject) > 255 {
		return nil, errs.Invalidf("subject", "TooLong", "Subject: is too long (maximum is 255 characters) / 件名が長すぎます（255 文字まで）")
	}
	var res *SplitResult
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		var err error
		res, err = s.splitTx(tx, actor, sourceID, ids, subject)
		return err
	})
	return res, err
}

func (s *Service) splitTx(tx *store.Tx, actor *model.User, sourceID int64, ids []int64, subject string) (*SplitResult, error) {
	src, err := tx.TicketForUpdate(sourceID)
	if err != nil {
		return nil, err
	}
	if !src.DeletedAt.IsZero() {
		return nil, errs.ErrNotFound
	}
	if src.Status == model.StatusClosed {
		return nil, errs.Invalidf("status", "InvalidValue", "Status: ticket %d is closed; closed tickets cannot be split / チケット %d はクローズ済みのため分割できません", src.ID, src.ID)
	}
	moved, err := commentsToMove(tx, src.ID, ids)
	if err != nil {
		return nil, err
	}
	first := moved[0]
	if subject == "" {
		subject = firstLine(first.Body, 80)
	}
	if subject == "" {
		subject = src.Subject
	}
	now := s.now()
	tk := &model.Ticket{Subject: subject, Description: first.Body, Status: model.StatusNew, Priority: src.Priority, Type: src.Type,
		RequesterID: src.RequesterID, SubmitterID: actor.ID, GroupID: src.GroupID, OrganizationID: src.OrganizationID,
		BrandID: src.BrandID, InboxID: src.InboxID, Via: orDefault(first.Via, src.Via), Recipient: src.Recipient,
		ViaSource:       map[string]any{"rel": "split", "from": map[string]any{"ticket_id": src.ID, "subject": src.Subject}},
		CollaboratorIDs: slices.Clone(src.CollaboratorIDs), Tags: []string{}, IsPublic: first.Public, CreatedAt: now, UpdatedAt: now}
	if err := tx.InsertTicket(tk); err != nil {
		return nil, err
	}
	audit := &model.Audit{TicketID: tk.ID, AuthorID: actor.ID, Via: "api", CreatedAt: now}
	if err := tx.InsertAudit(audit); err != nil {
		return nil, err
	}
	movedIDs := make([]int64, len(moved))
	for i, c := range moved {
		movedIDs[i] = c.ID
		audit.Events = append(audit.Events, model.AuditEvent{Type: "Comment", CommentID: c.ID})
	}
	if err := tx.MoveComments(movedIDs, src.ID, tk.ID, audit.ID, now); err != nil {
		return nil, err
	}
	body := fmt.Sprintf("Split from #%d \"%s\".\n#%d「%s」から分割されました。", src.ID, src.Subject, src.ID, src.Subject)
	note := &model.Comment{TicketID: tk.ID, AuditID: audit.ID, AuthorID: actor.ID, Body: body, HTMLBody: richtext.FromPlain(body), Via: "api", CreatedAt: now}
	if err := tx.InsertComment(note); err != nil {
		return nil, err
	}
	audit.Events = append(audit.Events, model.AuditEvent{Type: "Comment", CommentID: note.ID})
	audit.Events = append(audit.Events, DiffEvents(nil, tk)...)
	audit.Events = append(audit.Events, model.AuditEvent{Type: "Split", FieldName: "source_ticket_id", Value: src.ID})
	if err := tx.SetAuditEvents(audit); err != nil {
		return nil, err
	}
	if err := tx.IndexTicket(tk.ID); err != nil {
		return nil, err
	}
	s.notify(tx, Result{Ticket: tk, Audit: audit, Comment: note}, nil)

	// The source's note goes through Update, which also re-indexes it
	// without the moved comments.
	private := false
	srcNote := fmt.Sprintf("%d comment(s) moved to #%d \"%s\".\nコメント %d 件を #%d「%s」に移動しました。",
		len(moved), tk.ID, tk.Subject, len(moved), tk.ID, tk.Subject)
	r, err := s.UpdateTx(tx, actor, src.ID, Change{Comment: &CommentInput{Body: srcNote, Public: &private}})
	if err != nil {
		return nil, err
	}
	if err := addEvents(tx, r.Audit,
		model.AuditEvent{Type: "Split", FieldName: "split_ticket_id", Value: tk.ID},
		model.AuditEvent{Type: "Split", FieldName: "moved_comment_ids", Value: movedIDs}); err != nil {
		return nil, err
	}
	return &SplitResult{Ticket: tk, Source: r.Ticket, Audit: audit}, nil
}

// commentsToMove returns the source's comments named by ids, oldest first,
// after checking the split rules.
func commentsToMove(tx *store.Tx, ticketID int64, ids []int64) ([]*model.Comment, error) {
	all, err := tx.Comments(ticketID, false, 0, 0, false)
	if err != nil {
		return nil, err
	}
	want := make(map[int64]bool, len(ids))
	for _, id := range ids {
		want[id] = true
	}
	var moved []*model.Comment
	for _, c := range all {
		if want[c.ID] {
			moved = append(moved, c)
			delete(want, c.ID)
		}
	}
	var v errs.Invalid
	for _, id := range ids {
		if want[id] {
			v.Addf("comment_ids", "InvalidValue", "Comment ids: comment %d is not on ticket %d / コメント %d はチケット %d にありません", id, ticketID, id, ticketID)
		}
	}
	if len(all) > 0 && len(moved) > 0 && moved[0].ID == all[0].ID {
		v.Addf("comment_ids", "InvalidValue", "Comment ids: the first comment is the ticket's description and stays on it / 最初のコメントはチケットの説明のため移動できません")
	}
	return moved, v.OrNil()
}
