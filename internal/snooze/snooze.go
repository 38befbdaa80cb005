// Package snooze puts a ticket aside until a time, with a reason and a
// person to tell. It wakes when the time comes (a scheduled round, once
// across every node) or at once when the customer writes, and comes back
// to the top of its queue by bumping updated_at. Snoozing and waking are
// written to the audit trail.
package snooze

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// RuleSource marks the changes this package makes.
const RuleSource = "snooze"

// Limits on a snooze.
const (
	MaxAhead     = 366 * 24 * time.Hour
	maxReason    = 255
	wakeBatch    = 100
	eventType    = "Snooze"
	wakeType     = "Unsnooze"
	eventField   = "snoozed_until"
	systemAuthor = -1
)

// Service snoozes and wakes tickets.
type Service struct {
	Store   store.Store
	Tickets *tickets.Service
	Now     func() time.Time
	// Notice tells the chosen person that a ticket woke up. The default
	// adds an internal note on the ticket, written as the person who
	// snoozed it and naming who is to look.
	Notice func(tx *store.Tx, tk *model.Ticket, sn *store.Snooze, to *model.User) error
}

// New returns a service over st.
func New(st store.Store, tk *tickets.Service) *Service {
	s := &Service{Store: st, Tickets: tk, Now: time.Now}
	s.Notice = s.noteNotice
	return s
}

func (s *Service) now() time.Time { return s.Now().UTC().Truncate(time.Millisecond) }

// Input is a snooze request.
type Input struct {
	Until        time.Time
	Reason       string
	NotifyUserID int64 // 0: the person snoozing
}

// Snooze puts a ticket aside until in.Until, replacing an earlier snooze.
func (s *Service) Snooze(ctx context.Context, actor *model.User, ticketID int64, in Input) (*store.Snooze, error) {
	if !actor.IsAgent() {
		return nil, errs.Forbiddenf("only agents and admins can snooze tickets / スヌーズできるのはエージェントと管理者のみです")
	}
	now := s.now()
	var v errs.Invalid
	switch {
	case in.Until.IsZero():
		v.Add("until", "BlankValue", "Until: give a time (RFC 3339) / 再開日時を指定してください")
	case !in.Until.After(now):
		v.Add("until", "InvalidValue", "Until: must be in the future / 再開日時は未来の日時にしてください")
	case in.Until.Sub(now) > MaxAhead:
		v.Add("until", "InvalidValue", "Until: at most one year ahead / 再開日時は1年以内にしてください")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if utf8.RuneCountInString(in.Reason) > maxReason {
		v.Addf("reason", "TooLong", "Reason: is too long (maximum is %d characters) / 理由は%d文字以内です", maxReason, maxReason)
	}
	if in.NotifyUserID == 0 {
		in.NotifyUserID = actor.ID
	}
	sn := &store.Snooze{TicketID: ticketID, Until: in.Until.UTC().Truncate(time.Millisecond), Reason: in.Reason,
		NotifyUserID: in.NotifyUserID, CreatedBy: actor.ID, CreatedAt: now}
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		tk, err := tx.TicketForUpdate(ticketID)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		if tk.Status == model.StatusClosed || tk.Status == model.StatusSolved {
			v.Add("status", "InvalidValue", "Status: a solved or closed ticket cannot be snoozed / 解決済み・終了したチケットはスヌーズできません")
		}
		u, err := tx.User(in.NotifyUserID)
		if errors.Is(err, store.ErrNotFound) || (err == nil && !u.IsStaff()) {
			v.Addf("notify_user_id", "InvalidValue", "Notify user: %d is not an agent / 通知先 %d はエージェントではありません", in.NotifyUserID, in.NotifyUserID)
		} else if err != nil {
			return err
		}
		if err := v.OrNil(); err != nil {
			return err
		}
		if err := tx.SaveSnooze(sn); err != nil {
			return err
		}
		reason := "snoozed / スヌーズ"
		if sn.Reason != "" {
			reason = "snoozed: " + sn.Reason + " / スヌーズ: " + sn.Reason
		}
		return tx.InsertAudit(&model.Audit{TicketID: ticketID, AuthorID: actor.ID, Via: "api", CreatedAt: now,
			Metadata: map[string]any{"snooze": map[string]any{"notify_user_id": sn.NotifyUserID}},
			Events:   []model.AuditEvent{{Type: eventType, FieldName: eventField, Value: iso(sn.Until), Reason: reason}}})
	})
	if err != nil {
		return nil, err
	}
	return sn, nil
}

// Get returns a ticket's snooze, or nil when it is awake.
func (s *Service) Get(ctx context.Context, actor *model.User, ticketID int64) (*store.Snooze, error) {
	if !actor.IsStaff() {
		return nil, errs.ErrNotFound
	}
	var out *store.Snooze
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		tk, err := tx.Ticket(ticketID)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		out, err = tx.TicketSnooze(ticketID)
		if errors.Is(err, store.ErrNotFound) {
			out, err = nil, nil
		}
		return err
	})
	return out, err
}

// Unsnooze wakes a ticket now; ErrNotFound when it is not snoozed.
func (s *Service) Unsnooze(ctx context.Context, actor *model.User, ticketID int64) error {
	if !actor.IsAgent() {
		return errs.Forbiddenf("only agents and admins can unsnooze tickets / スヌーズを解除できるのはエージェントと管理者のみです")
	}
	return s.Store.Write(ctx, func(tx *store.Tx) error {
		tk, err := tx.TicketForUpdate(ticketID)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return errs.ErrNotFound
		}
		sn, err := tx.TicketSnooze(ticketID)
		if err != nil {
			return err
		}
		return s.wakeTx(tx, tk, sn, actor.ID, s.now(), fmt.Sprintf("unsnoozed by %s / %sさんがスヌーズを解除しました", actor.Name, actor.Name))
	})
}

// wakeTx deletes the snooze row, brings the ticket to the top of its queue
// and records why.
func (s *Service) wakeTx(tx *store.Tx, tk *model.Ticket, sn *store.Snooze, author int64, now time.Time, reason string) error {
	if _, err := tx.DeleteSnooze(tk.ID, time.Time{}); err != nil {
		return err
	}
	if err := bump(tx, tk.ID, now); err != nil {
		return err
	}
	return tx.InsertAudit(&model.Audit{TicketID: tk.ID, AuthorID: author, Via: "rule", CreatedAt: now,
		Events: []model.AuditEvent{{Type: wakeType, FieldName: eventField, Value: nil, PreviousValue: iso(sn.Until), Reason: reason}}})
}

func iso(t time.Time) string { return t.UTC().Format(time.RFC3339) }
