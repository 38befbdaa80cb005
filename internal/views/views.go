// Package views keeps saved ticket views (Zendesk's views): who may see and
// edit them, the shipped default queues, running them, and their counts,
// which are cached so a sidebar of twenty views stays cheap on a desk with
// a million tickets. It never sees HTTP.
package views

import (
	"context"
	"log/slog"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Restriction types, as Zendesk names them.
const (
	RestrictGroup = "Group"
	RestrictUser  = "User"
)

// Service manages views and their counts.
type Service struct {
	Store  store.Store
	Now    func() time.Time
	Log    *slog.Logger
	Counts *Counter
}

// New returns a service over st with a count cache.
func New(st store.Store, log *slog.Logger) *Service {
	if log == nil {
		log = slog.Default()
	}
	s := &Service{Store: st, Now: func() time.Time { return time.Now().UTC() }, Log: log}
	s.Counts = newCounter(s)
	return s
}

// viewer is who asks, with the groups they belong to.
type viewer struct {
	*model.User
	groups []int64
}

func (s *Service) viewer(tx *store.Tx, u *model.User) (viewer, error) {
	g, err := tx.UserGroupIDs(u.ID)
	return viewer{User: u, groups: g}, err
}

// visible: shared views for all staff; group views for the group's members
// (admins see every group's); personal views for their owner only.
func (vw viewer) visible(v *store.View) bool {
	if !vw.IsStaff() {
		return false
	}
	switch v.RestrictionType {
	case RestrictUser:
		return slices.Contains(v.RestrictionIDs, vw.ID)
	case RestrictGroup:
		if vw.Role == model.RoleAdmin {
			return true
		}
		for _, g := range v.RestrictionIDs {
			if slices.Contains(vw.groups, g) {
				return true
			}
		}
		return false
	}
	return true
}

// mayEdit: admins edit any view they can see; agents only their personal
// views; light agents none (Zendesk: light agents see views only).
func (vw viewer) mayEdit(v *store.View) error {
	switch {
	case vw.Role == model.RoleAdmin:
		return nil
	case vw.Role == model.RoleAgent && v.RestrictionType == RestrictUser && slices.Equal(v.RestrictionIDs, []int64{vw.ID}):
		return nil
	case vw.Role == model.RoleAgent:
		return errs.Forbiddenf("agents can create and change only their personal views / エージェントは個人用ビューのみ作成・編集できます")
	}
	return errs.Forbiddenf("light agents can see views but not create or change them / ライトエージェントはビューを閲覧のみできます")
}

// ListFilter narrows GET /views: access is "personal", "shared" (group
// views) or "account" (everyone's); SortBy is alphabetical, created_at,
// updated_at or position.
type ListFilter struct {
	Access   string
	Active   *bool
	GroupID  int64
	IDs      []int64
	Query    string // search: words in the title
	SortBy   string
	SortDesc bool
}

// List returns the views actor may see, filtered and sorted.
func (s *Service) List(ctx context.Context, actor *model.User, f ListFilter) ([]*store.View, error) {
	var out []*store.View
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		vw, err := s.viewer(tx, actor)
		if err != nil {
			return err
		}
		all, err := tx.Views()
		if err != nil {
			return err
		}
		q := strings.Fields(strings.ToLower(f.Query))
		for _, v := range all {
			if !vw.visible(v) || !matches(v, f, q) {
				continue
			}
			// Admins may open others' personal views but the list shows their own.
			if v.Personal() && !slices.Contains(v.RestrictionIDs, actor.ID) {
				continue
			}
			out = append(out, v)
		}
		return nil
	})
	sortViews(out, f.SortBy, f.SortDesc)
	return out, err
}

func matches(v *store.View, f ListFilter, words []string) bool {
	switch f.Access {
	case "personal":
		if v.RestrictionType != RestrictUser {
			return false
		}
	case "shared":
		if v.RestrictionType != RestrictGroup {
			return false
		}
	case "account":
		if v.RestrictionType != "" {
			return false
		}
	}
	if f.Active != nil && v.Active != *f.Active {
		return false
	}
	if f.GroupID != 0 && !(v.RestrictionType == RestrictGroup && slices.Contains(v.RestrictionIDs, f.GroupID)) {
		return false
	}
	if len(f.IDs) > 0 && !slices.Contains(f.IDs, v.ID) {
		return false
	}
	title := strings.ToLower(v.Title + " " + v.RawTitle)
	for _, w := range words {
		if !strings.Contains(title, w) {
			return false
		}
	}
	return true
}

func sortViews(list []*store.View, by string, desc bool) {
	less := func(a, b *store.View) int {
		switch by {
		case "alphabetical", "title":
			return strings.Compare(a.Title, b.Title)
		case "created_at":
			return a.CreatedAt.Compare(b.CreatedAt)
		case "updated_at":
			return a.UpdatedAt.Compare(b.UpdatedAt)
		}
		return a.Position - b.Position
	}
	sort.SliceStable(list, func(i, j int) bool {
		c := less(list[i], list[j])
		if c == 0 {
			c = int(list[i].ID - list[j].ID)
		}
		if desc {
			return c > 0
		}
		return c < 0
	})
}

// Get returns one view actor may see.
func (s *Service) Get(ctx context.Context, actor *model.User, id int64) (*store.View, error) {
	var v *store.View
	err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		v, err = s.getTx(tx, actor, id)
		return err
	})
	return v, err
}

func (s *Service) getTx(tx *store.Tx, actor *model.User, id int64) (*store.View, error) {
	vw, err := s.viewer(tx, actor)
	if err != nil {
		return nil, err
	}
	v, err := tx.View(id)
	if err != nil {
		return nil, err
	}
	if !vw.visible(v) {
		return nil, errs.ErrNotFound
	}
	return v, nil
}

// Delete removes a view.
func (s *Service) Delete(ctx context.Context, actor *model.User, id int64) error {
	return s.DestroyMany(ctx, actor, []int64{id})
}

// DestroyMany removes several views in one transaction; every one must
// exist and be editable by actor, or nothing is removed.
func (s *Service) DestroyMany(ctx context.Context, actor *model.User, ids []int64) error {
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		vw, err := s.viewer(tx, actor)
		if err != nil {
			return err
		}
		for _, id := range ids {
			v, err := tx.View(id)
			if err != nil {
				return err
			}
			if !vw.visible(v) {
				return errs.ErrNotFound
			}
			if err := vw.mayEdit(v); err != nil {
				return err
			}
			if err := tx.DeleteView(id); err != nil {
				return err
			}
		}
		return nil
	})
	if err == nil {
		for _, id := range ids {
			s.Counts.Forget(id)
		}
	}
	return err
}

// PositionUpdate is one entry of PUT /views/update_many.
type PositionUpdate struct {
	ID       int64
	Position *int
	Active   *bool
}

// UpdateMany changes positions and active flags of several views at once.
func (s *Service) UpdateMany(ctx context.Context, actor *model.User, ups []PositionUpdate) ([]*store.View, error) {
	var out []*store.View
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		vw, err := s.viewer(tx, actor)
		if err != nil {
			return err
		}
		now := s.Now()
		for _, u := range ups {
			v, err := tx.View(u.ID)
			if err != nil {
				return err
			}
			if !vw.visible(v) {
				return errs.ErrNotFound
			}
			if err := vw.mayEdit(v); err != nil {
				return err
			}
			if u.Position != nil {
				v.Position = *u.Position
			}
			if u.Active != nil {
				v.Active = *u.Active
			}
			v.UpdatedAt = now
			if err := tx.UpdateView(v); err != nil {
				return err
			}
			out = append(out, v)
		}
		return nil
	})
	return out, err
}
