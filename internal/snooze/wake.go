package snooze

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// WakeDue is the "snooze" job's round: it wakes every ticket whose time
// has come, each in its own transaction. The row is deleted only if still
// due, so a repeated or overlapping round wakes (and notifies) once.
func (s *Service) WakeDue(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Millisecond)
	woken := 0
	for {
		var due []*store.Snooze
		if err := s.Store.Read(ctx, func(tx *store.Tx) error {
			var err error
			due, err = tx.DueSnoozes(now, wakeBatch)
			return err
		}); err != nil {
			return woken, err
		}
		for _, sn := range due {
			ok, err := s.wakeOne(ctx, sn, now)
			if err != nil {
				return woken, err
			}
			if ok {
				woken++
			}
		}
		if len(due) < wakeBatch || ctx.Err() != nil {
			return woken, ctx.Err()
		}
	}
}

func (s *Service) wakeOne(ctx context.Context, sn *store.Snooze, now time.Time) (bool, error) {
	woke := false
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		tk, err := tx.TicketForUpdate(sn.TicketID)
		if err != nil {
			return err
		}
		cur, err := tx.TicketSnooze(sn.TicketID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && cur.Until.After(now)) {
			return nil // woken or snoozed again since we looked
		} else if err != nil {
			return err
		}
		reason := "snooze ended / スヌーズが終了しました"
		if cur.Reason != "" {
			reason = fmt.Sprintf("snooze ended: %s / スヌーズが終了しました: %s", cur.Reason, cur.Reason)
		}
		if err := s.wakeTx(tx, tk, cur, systemAuthor, now, reason); err != nil {
			return err
		}
		woke = true
		if err := s.notify(tx, tk, cur); err != nil {
			return err
		}
		// Last, so a notice written as a ticket update cannot leave
		// updated_at behind the wake-up.
		return bump(tx, tk.ID, now)
	})
	return woke, err
}

func (s *Service) notify(tx *store.Tx, tk *model.Ticket, sn *store.Snooze) error {
	if !tk.DeletedAt.IsZero() || tk.Status == model.StatusSolved || tk.Status == model.StatusClosed || s.Notice == nil {
		return nil // nothing left to look at
	}
	to, err := tx.User(sn.NotifyUserID)
	if errors.Is(err, store.ErrNotFound) || (err == nil && (!to.Active || !to.IsStaff())) {
		return nil
	} else if err != nil {
		return err
	}
	return s.Notice(tx, tk, sn, to)
}

// bump moves a ticket's updated_at to now (never back), bringing it to
// the top of queues sorted by last update.
func bump(tx *store.Tx, id int64, now time.Time) error {
	tk, err := tx.TicketForUpdate(id)
	if err != nil || !now.After(tk.UpdatedAt) {
		return err
	}
	tk.UpdatedAt = now
	return tx.UpdateTicket(tk, false)
}

// BeforeCommit is the tickets hook: a customer's reply wakes a snoozed
// ticket at once.
func (s *Service) BeforeCommit(tx *store.Tx, r tickets.Result) error {
	if r.Old == nil || r.Comment == nil || r.Audit == nil || (r.Change != nil && r.Change.RuleSource == RuleSource) {
		return nil
	}
	sn, err := tx.TicketSnooze(r.Ticket.ID)
	if errors.Is(err, store.ErrNotFound) {
		return nil
	} else if err != nil {
		return err
	}
	author, err := tx.User(r.Comment.AuthorID)
	if err != nil || author.Role != model.RoleEndUser {
		return err
	}
	if _, err := tx.DeleteSnooze(r.Ticket.ID, time.Time{}); err != nil {
		return err
	}
	// The reply already moved updated_at; the wake joins the reply's audit.
	r.Audit.Events = append(r.Audit.Events, model.AuditEvent{Type: wakeType, FieldName: eventField, Value: nil, PreviousValue: iso(sn.Until),
		Reason: fmt.Sprintf("%s replied: snooze ended early / お客様(%s)からの返信でスヌーズを解除しました", author.Name, author.Name)})
	return tx.SetAuditEvents(r.Audit)
}

// noteNotice adds an internal note addressed to the person to notify.
func (s *Service) noteNotice(tx *store.Tx, tk *model.Ticket, sn *store.Snooze, to *model.User) error {
	body := fmt.Sprintf("%sさん、スヌーズが終了しました。", to.Name)
	if sn.Reason != "" {
		body += "理由: " + sn.Reason
	}
	body += fmt.Sprintf("\n%s: the snooze has ended.", to.Name)
	if sn.Reason != "" {
		body += " Reason: " + sn.Reason
	}
	author := sn.CreatedBy
	if u, err := tx.User(author); err != nil || !u.IsStaff() {
		author = to.ID
	}
	private := false
	_, err := s.Tickets.UpdateTx(tx, &model.User{ID: author, Role: model.RoleAdmin, Name: "Kizuna"}, tk.ID, tickets.Change{
		RuleSource: RuleSource, Via: "rule",
		Comment: &tickets.CommentInput{Body: body, Public: &private, Metadata: map[string]any{"snooze_notice": map[string]any{"notify_user_id": to.ID}}},
	})
	return err
}
