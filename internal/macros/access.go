package macros

import (
	"errors"
	"slices"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// CanUse reports whether u may apply m: shared macros are for all staff,
// group macros for the groups' members (and admins), personal macros for
// their owner only. groups is the set of u's group ids.
func CanUse(u *model.User, m *store.Macro, groups map[int64]bool) bool {
	if u == nil || !u.IsStaff() {
		return false
	}
	switch m.RestrictionType {
	case "":
		return true
	case Group:
		if u.Role == model.RoleAdmin {
			return true
		}
		for _, id := range m.RestrictionIDs {
			if groups[id] {
				return true
			}
		}
		return false
	case User:
		return isOwner(u, m)
	}
	return false
}

// CanSee reports whether u may list and read m: what u can use, and for
// admins every macro of the account, as in Zendesk.
func CanSee(u *model.User, m *store.Macro, groups map[int64]bool) bool {
	return CanUse(u, m, groups) || u != nil && u.Role == model.RoleAdmin
}

// CanManage reports whether u may change or delete m: admins manage every
// macro; agents their personal ones.
func CanManage(u *model.User, m *store.Macro) bool {
	if u == nil {
		return false
	}
	if u.Role == model.RoleAdmin {
		return true
	}
	return u.IsAgent() && isOwner(u, m)
}

func isOwner(u *model.User, m *store.Macro) bool {
	return m.RestrictionType == User && slices.Equal(m.RestrictionIDs, []int64{u.ID})
}

func optional[T any](v *T, err error) (*T, error) {
	if errors.Is(err, store.ErrNotFound) {
		return nil, nil
	}
	return v, err
}
