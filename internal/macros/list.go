package macros

import (
	"cmp"
	"slices"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Sort orders of Zendesk's sort_by.
var SortBy = []string{"alphabetical", "created_at", "updated_at", "usage_1h", "usage_24h", "usage_7d", "usage_30d", "position"}

// Access filters of Zendesk's access parameter: personal (restricted to one
// user), agents (restricted to groups), shared (every agent) and account
// (all of them).
var Access = []string{"personal", "agents", "shared", "account"}

// Query is a list or search request.
type Query struct {
	Access       string
	Active       *bool
	Category     string
	GroupID      int64
	OnlyViewable bool   // only macros the user can apply
	SortBy       string // "" = position
	SortOrder    string // "" = asc for alphabetical and position, desc otherwise
	Text         string // search: every word must occur in title or description
	NeedUsage    bool   // fill usage even when not sorting by it
}

// Listed is a page-ready list with usage counts when they were asked for.
type Listed struct {
	Macros []*store.Macro
	Usage  map[int64]store.MacroUsage
}

// List returns the macros u may see that match q, sorted. A desk has
// hundreds of macros, so they are filtered in memory after one query.
func List(tx *store.Tx, u *model.User, q Query, now time.Time) (*Listed, error) {
	words := strings.Fields(search.Normalize(q.Text))
	all, err := tx.Macros(store.MacroFilter{Active: q.Active, Contains: words})
	if err != nil {
		return nil, err
	}
	groups, err := tx.GroupIDsOf(u.ID)
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, m := range all {
		if q.OnlyViewable && !CanUse(u, m, groups) || !CanSee(u, m, groups) {
			continue
		}
		if !matches(m, q, u, words) {
			continue
		}
		out = append(out, m)
	}
	res := &Listed{Macros: out}
	if q.NeedUsage || strings.HasPrefix(q.SortBy, "usage_") {
		if res.Usage, err = tx.MacroUsages(now); err != nil {
			return nil, err
		}
	}
	sortMacros(out, q, res.Usage)
	return res, nil
}

func matches(m *store.Macro, q Query, u *model.User, words []string) bool {
	switch q.Access {
	case "personal":
		if m.RestrictionType != User {
			return false
		}
	case "agents":
		if m.RestrictionType != Group {
			return false
		}
	case "shared":
		if m.RestrictionType != "" {
			return false
		}
	}
	if q.GroupID != 0 && (m.RestrictionType != Group || !slices.Contains(m.RestrictionIDs, q.GroupID)) {
		return false
	}
	if q.Category != "" && Category(m.Title) != q.Category {
		return false
	}
	for _, w := range words {
		if !strings.Contains(m.SearchText, w) {
			return false
		}
	}
	return true
}

func sortMacros(list []*store.Macro, q Query, usage map[int64]store.MacroUsage) {
	desc := q.SortOrder == "desc"
	if q.SortOrder == "" {
		desc = q.SortBy != "" && q.SortBy != "position" && q.SortBy != "alphabetical"
	}
	key := func(a, b *store.Macro) int {
		switch q.SortBy {
		case "alphabetical":
			return cmp.Compare(strings.ToLower(a.Title), strings.ToLower(b.Title))
		case "created_at":
			return a.CreatedAt.Compare(b.CreatedAt)
		case "updated_at":
			return a.UpdatedAt.Compare(b.UpdatedAt)
		case "usage_1h":
			return cmp.Compare(usage[a.ID].H1, usage[b.ID].H1)
		case "usage_24h":
			return cmp.Compare(usage[a.ID].H24, usage[b.ID].H24)
		case "usage_7d":
			return cmp.Compare(usage[a.ID].D7, usage[b.ID].D7)
		case "usage_30d":
			return cmp.Compare(usage[a.ID].D30, usage[b.ID].D30)
		}
		return cmp.Compare(a.Position, b.Position)
	}
	slices.SortStableFunc(list, func(a, b *store.Macro) int {
		c := key(a, b)
		if desc {
			c = -c
		}
		if c != 0 {
			return c
		}
		// Ties: position, then id, always ascending, so pages are stable.
		if c := cmp.Compare(a.Position, b.Position); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
}

// Categories returns the sorted first levels of the titles of the active
// macros u may use.
func Categories(tx *store.Tx, u *model.User) ([]string, error) {
	active := true
	all, err := tx.Macros(store.MacroFilter{Active: &active})
	if err != nil {
		return nil, err
	}
	groups, err := tx.GroupIDsOf(u.ID)
	if err != nil {
		return nil, err
	}
	seen := map[string]bool{}
	out := []string{}
	for _, m := range all {
		if c := Category(m.Title); c != "" && !seen[c] && CanUse(u, m, groups) {
			seen[c] = true
			out = append(out, c)
		}
	}
	slices.Sort(out)
	return out, nil
}

// Usable loads macro id if u may apply it (store.ErrNotFound otherwise, so
// others' personal macros are not revealed).
func Usable(tx *store.Tx, u *model.User, id int64) (*store.Macro, error) {
	m, err := tx.Macro(id)
	if err != nil {
		return nil, err
	}
	groups, err := tx.GroupIDsOf(u.ID)
	if err != nil {
		return nil, err
	}
	if !CanUse(u, m, groups) {
		return nil, store.ErrNotFound
	}
	return m, nil
}

// Visible loads macro id if u may see it.
func Visible(tx *store.Tx, u *model.User, id int64) (*store.Macro, error) {
	m, err := tx.Macro(id)
	if err != nil {
		return nil, err
	}
	groups, err := tx.GroupIDsOf(u.ID)
	if err != nil {
		return nil, err
	}
	if !CanSee(u, m, groups) {
		return nil, store.ErrNotFound
	}
	return m, nil
}

// RecordUse counts one use of m now (for usage_1h … usage_30d).
func RecordUse(tx *store.Tx, id int64, now time.Time) error { return tx.RecordMacroUse(id, now) }
