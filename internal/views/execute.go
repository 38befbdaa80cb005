package views

import (
	"context"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Order is a view's grouping and sort, optionally overridden by a
// request's sort_by / sort_order.
func Order(v *store.View, sortBy, sortOrder string) store.ViewOrder {
	e := v.Execution
	o := store.ViewOrder{GroupBy: e.GroupBy, GroupDesc: e.GroupOrder == "desc", SortBy: e.SortBy, SortDesc: e.SortOrder == "desc"}
	if sortBy != "" {
		o.SortBy = sortBy
		o.SortDesc = false
	}
	switch sortOrder {
	case "desc":
		o.SortDesc = true
	case "asc":
		o.SortDesc = false
	}
	if o.SortBy == "" {
		o.SortBy = "nice_id"
	}
	return o
}

// Page is what running a view returns: one page of tickets, the view's
// count (from the count cache) and, when grouped, the groups.
type Page struct {
	Tickets []*model.Ticket
	Count   Count
	Groups  []store.ViewGroup
}

// Run returns one page of the tickets view v shows to actor.
func (s *Service) Run(ctx context.Context, actor *model.User, v *store.View, o store.ViewOrder, page store.Page, withGroups bool) (*Page, error) {
	out := &Page{}
	var vw viewer
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		if vw, err = s.viewer(tx, actor); err != nil {
			return err
		}
		q := store.ViewQuery{Conditions: v.Conditions, CurrentUser: actor.ID, CurrentGroups: vw.groups, Now: s.Now()}
		if out.Tickets, err = tx.ViewTickets(q, o, page); err != nil {
			return err
		}
		if withGroups && o.GroupBy != "" {
			out.Groups, err = tx.ViewGroups(q, o)
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	if v.ID == 0 { // a preview has no cache entry
		return out, s.Store.Read(ctx, func(tx *store.Tx) error {
			n, err := tx.CountView(store.ViewQuery{Conditions: v.Conditions, CurrentUser: actor.ID, CurrentGroups: vw.groups, Now: s.Now()})
			out.Count = Count{Value: n, Known: true, Fresh: true}
			return err
		})
	}
	out.Count, err = s.Counts.get(ctx, vw, v)
	return out, err
}

// Count returns one view's count for actor (GET /views/{id}/count).
func (s *Service) Count(ctx context.Context, actor *model.User, v *store.View) (Count, error) {
	var vw viewer
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		vw, err = s.viewer(tx, actor)
		return err
	})
	if err != nil {
		return Count{}, err
	}
	return s.Counts.get(ctx, vw, v)
}
