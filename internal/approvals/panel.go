package approvals

import (
	"context"
	"errors"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Panel is what a ticket shows about its drafts.
type Panel struct {
	Drafts []*store.ApprovalDraft // every draft, oldest first
	Events []*store.ApprovalEvent
}

// Open returns the drafts not yet sent.
func (p *Panel) Open() []*store.ApprovalDraft {
	var out []*store.ApprovalDraft
	for _, d := range p.Drafts {
		if d.State != StateSent {
			out = append(out, d)
		}
	}
	return out
}

// OfTicket returns a ticket's drafts and their history for a staff member.
func (s *Service) OfTicket(ctx context.Context, viewer *model.User, ticketID int64) (*Panel, error) {
	if !viewer.IsStaff() {
		return nil, errs.ErrNotFound
	}
	p := &Panel{}
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		tk, err := tx.Ticket(ticketID)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() || !tickets.CanView(viewer, tk) {
			return errs.ErrNotFound
		}
		if p.Drafts, err = tx.TicketApprovalDrafts(ticketID, false); err != nil {
			return err
		}
		if err := withFiles(tx, p.Drafts...); err != nil {
			return err
		}
		p.Events, err = tx.TicketApprovalEvents(ticketID)
		return err
	})
	return p, err
}

// Get returns one draft for a staff member.
func (s *Service) Get(ctx context.Context, viewer *model.User, id int64) (*store.ApprovalDraft, error) {
	if !viewer.IsStaff() {
		return nil, errs.ErrNotFound
	}
	var d *store.ApprovalDraft
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		if d, err = tx.ApprovalDraft(id); err != nil {
			return err
		}
		// Only staff who may see the ticket see its drafts and their files.
		if tk, err := tx.Ticket(d.TicketID); err != nil || !tickets.CanView(viewer, tk) {
			return errs.ErrNotFound
		}
		return withFiles(tx, d)
	})
	return d, err
}

// Pending lists drafts waiting for a decision, oldest first, for staff.
func (s *Service) Pending(ctx context.Context, viewer *model.User, limit int) ([]*store.ApprovalDraft, error) {
	if !viewer.IsStaff() {
		return nil, errs.ErrNotFound
	}
	var list []*store.ApprovalDraft
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		all, err := tx.ApprovalDraftsByState(StatePending, limit)
		if err != nil {
			return err
		}
		seen := map[int64]bool{}
		for _, d := range all {
			ok, known := seen[d.TicketID]
			if !known {
				tk, err := tx.Ticket(d.TicketID)
				if err != nil && !errors.Is(err, store.ErrNotFound) {
					return err
				}
				ok = err == nil && tickets.CanView(viewer, tk)
				seen[d.TicketID] = ok
			}
			if ok {
				list = append(list, d)
			}
		}
		return withFiles(tx, list...)
	})
	return list, err
}

// CountPending counts drafts waiting for a decision.
func (s *Service) CountPending(ctx context.Context) (int64, error) {
	var n int64
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		n, err = tx.CountApprovalDrafts(StatePending)
		return err
	})
	return n, err
}
