package web

import (
	"errors"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// Views made at /settings/views in the queue: the active ones the agent
// may see are listed in the sidebar under the built-in queues, with their
// cached counts, and /tickets?view=v<id> shows one — its conditions and,
// unless the agent picks a column, its sort — with the queue's columns.

// savedQueueView is a stored view in the sidebar.
type savedQueueView struct {
	Key   string // "v<id>"
	Title string
	Count string // "…" while the count cache has none yet
}

// savedViewID reads a stored view's queue key ("v12").
func savedViewID(key string) (int64, bool) {
	rest, ok := strings.CutPrefix(key, "v")
	if !ok {
		return 0, false
	}
	id, err := strconv.ParseInt(rest, 10, 64)
	return id, err == nil && id > 0
}

// builtinDefaults are the shipped views (views.Defaults) the sidebar's
// built-in queues already show; the others (snoozed, SLA at risk) and
// every view people made are listed as saved views.
var builtinDefaults = map[string]bool{"unassigned": true, "mine": true, "all_unsolved": true, "pending": true, "recently_solved": true}

// viewTitle is a view's title for the sidebar: the shipped views are
// titled "日本語 / English".
func viewTitle(v *store.View, lang string) string {
	if v.DefaultKey == "" {
		return v.Title
	}
	ja, en, ok := strings.Cut(v.Title, " / ")
	switch {
	case !ok:
		return v.Title
	case lang == "en":
		return en
	}
	return ja
}

// queueSortToView maps the queue's sortable columns to a view's.
var queueSortToView = map[string]string{"id": "nice_id", "subject": "subject", "status": "status", "priority": "priority", "updated_at": "updated"}

// savedQueue fills d's sidebar list of stored views and, when d.View names
// one, returns that view's page of tickets (one more than a page, to know
// there is a next). It returns nil tickets and no error for a built-in
// view.
func (s *Server) savedQueue(r *http.Request, d *queueData) ([]*model.Ticket, error) {
	me := currentUser(r)
	lang := s.view(r).Lang
	active := true
	list, err := s.viewService().List(r.Context(), me, views.ListFilter{Active: &active, SortBy: "position"})
	if err != nil {
		return nil, err
	}
	list = slices.DeleteFunc(list, func(v *store.View) bool { return builtinDefaults[v.DefaultKey] })
	var ids []int64
	for _, v := range list {
		ids = append(ids, v.ID)
	}
	counts := map[int64]views.Count{}
	if len(ids) > 0 {
		cs, err := s.viewService().CountMany(r.Context(), me, ids)
		if err != nil {
			return nil, err
		}
		for _, c := range cs {
			counts[c.ViewID] = c
		}
	}
	for _, v := range list {
		n := "…"
		if c := counts[v.ID]; c.Known {
			n = strconv.FormatInt(c.Value, 10)
		}
		d.Saved = append(d.Saved, savedQueueView{Key: "v" + strconv.FormatInt(v.ID, 10), Title: viewTitle(v, lang), Count: n})
	}
	id, ok := savedViewID(d.View)
	if !ok {
		return nil, nil
	}
	v, err := s.viewService().Get(r.Context(), me, id)
	if errors.Is(err, store.ErrNotFound) {
		return nil, errNotFound
	}
	if err != nil {
		return nil, err
	}
	o := views.Order(v, "", "")
	if r.URL.Query().Get("sort") != "" {
		o = views.Order(v, queueSortToView[d.Sort], d.Dir)
	}
	p, err := s.viewService().Run(r.Context(), me, v, o, store.Page{Limit: PageSize + 1, Offset: (d.Page - 1) * PageSize}, false)
	if err != nil {
		return nil, err
	}
	d.Title = viewTitle(v, lang)
	if p.Tickets == nil {
		p.Tickets = []*model.Ticket{}
	}
	return p.Tickets, nil
}
