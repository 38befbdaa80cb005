package macros

import (
	"errors"
	"slices"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// ErrUnusable: the macro of a bulk edit does not exist or is not me's to use.
var ErrUnusable = errors.New("macros: macro not usable")

// BulkFailure is one ticket a bulk edit could not change, and why.
type BulkFailure struct {
	TicketID int64
	Err      error
}

// Bulk applies ch, and the macro macroID when not 0, to each of ids in
// tx. Each ticket changes in its own savepoint, so one that cannot (not
// visible, closed, solved without an assignee …) is reported in failed and
// the others go through; an error that is not about a ticket (the
// database) aborts all. What ch sets wins over the macro's actions. The
// macro's use is recorded once when any ticket changed.
func Bulk(tx *store.Tx, svc *tickets.Service, me *model.User, ids []int64, ch tickets.Change, macroID int64, base string, now time.Time) (updated int, failed []BulkFailure, err error) {
	var m *store.Macro
	if macroID != 0 {
		if m, err = Usable(tx, me, macroID); err != nil {
			if errors.Is(err, store.ErrNotFound) || errors.Is(err, errs.ErrForbidden) {
				return 0, nil, ErrUnusable
			}
			return 0, nil, err
		}
	}
	for _, id := range ids {
		err := tx.Savepoint(func() error {
			one := ch
			one.AddTags, one.RemoveTags = slices.Clone(ch.AddTags), slices.Clone(ch.RemoveTags)
			if m != nil {
				tk, err := tx.Ticket(id)
				if err != nil {
					return err
				}
				if !tickets.CanView(me, tk) {
					return store.ErrNotFound
				}
				mc, comment, err := Apply(tx, m, tk, me, base)
				if err != nil {
					return err
				}
				one = overlay(mc, one)
				if comment != nil {
					pub := comment.Public
					one.Comment = &tickets.CommentInput{Body: comment.Body, HTMLBody: comment.HTMLBody, Public: &pub}
				}
			}
			_, err := svc.UpdateTx(tx, me, id, one)
			return err
		})
		if err != nil {
			if !errs.Refused(err) {
				return 0, nil, err
			}
			failed = append(failed, BulkFailure{TicketID: id, Err: err})
			continue
		}
		updated++
	}
	if m != nil && updated > 0 {
		err = RecordUse(tx, m.ID, now)
	}
	return updated, failed, err
}

// overlay puts the caller's own choices over what a macro does.
func overlay(base, bar tickets.Change) tickets.Change {
	out := base
	if bar.Status != nil {
		out.Status = bar.Status
	}
	if bar.AssigneeID != nil {
		out.AssigneeID, out.AssigneeEmail = bar.AssigneeID, nil
	}
	if bar.GroupID != nil {
		out.GroupID = bar.GroupID
	}
	if bar.InboxID != nil {
		out.InboxID = bar.InboxID
	}
	if bar.Via != "" {
		out.Via = bar.Via
	}
	out.AddTags = append(slices.Clone(out.AddTags), bar.AddTags...)
	out.RemoveTags = append(slices.Clone(out.RemoveTags), bar.RemoveTags...)
	return out
}
