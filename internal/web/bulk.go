package web

import (
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// maxBulk bounds one bulk edit: a page is 50 tickets.
const maxBulk = 100

// bulkChoices are the options of the bulk bar's menus.
type bulkChoices struct {
	Statuses []string
	Staff    []*store.UserBrief
	Groups   []*model.Group
	Inboxes  []*model.Inbox
	Macros   []menuItem
}

// bulkChoices reads the menus: staff and inboxes come from what the page
// read already; macros from the per-agent menu cache (macroMenu).
func (s *Server) bulkChoices(tx *store.Tx, me *model.User, load []agentLoad, inboxes []*model.Inbox) (*bulkChoices, error) {
	if !me.IsAgent() {
		return nil, nil // light agents may only add notes: no bar
	}
	c := &bulkChoices{Statuses: []string{model.StatusOpen, model.StatusPending, model.StatusHold, model.StatusSolved}, Inboxes: inboxes}
	for _, l := range load {
		c.Staff = append(c.Staff, l.UserBrief)
	}
	slices.SortFunc(c.Staff, func(a, b *store.UserBrief) int { return strings.Compare(a.Name, b.Name) })
	var err error
	if c.Groups, err = tx.Groups(false); err != nil {
		return nil, err
	}
	c.Macros, err = s.macroMenu(tx, me)
	return c, err
}

// macroMenu lists the macros me may apply, by title, from the cache when
// it is fresh (see countCache.menus).
func (s *Server) macroMenu(tx *store.Tx, me *model.User) ([]menuItem, error) {
	now := s.Now()
	s.counts.mu.Lock()
	m, ok := s.counts.menus[me.ID]
	s.counts.mu.Unlock()
	if ok && now.Sub(m.at) < menuTTL && now.Sub(m.at) >= 0 {
		return m.list, nil
	}
	active := true
	l, err := macros.List(tx, me, macros.Query{Active: &active, OnlyViewable: true, SortBy: "alphabetical"}, now)
	if err != nil {
		return nil, err
	}
	list := make([]menuItem, len(l.Macros))
	for i, mc := range l.Macros {
		list[i] = menuItem{ID: mc.ID, Title: mc.Title}
	}
	s.counts.mu.Lock()
	if s.counts.menus == nil || len(s.counts.menus) > 1000 {
		s.counts.menus = map[int64]macroMenu{}
	}
	s.counts.menus[me.ID] = macroMenu{at: now, list: list}
	s.counts.mu.Unlock()
	return list, nil
}

// bulkResult is what a bulk edit did, shown above the list.
type bulkResult struct {
	Message string
	Failed  []bulkFailure
	Error   bool // nothing was changed
}

// bulkFailure is one ticket the edit could not change, and why.
type bulkFailure struct {
	ID     int64
	Reason string
}

// bulkEdit changes the selected tickets (id, repeated) as the bulk bar
// asks: status, assignee (me / none / an agent), group, inbox, tags to add
// and remove, a macro — or merges them into one (op=merge). Every ticket
// is changed through tickets.Service in one transaction, each inside its
// own savepoint: a ticket the rules refuse (a closed one, solved without
// an assignee, one the agent may not see) is left as it was and named in
// the summary, the others are saved. The queue (back) is shown again with
// the summary; queue.js posts the form itself and swaps the page's parts,
// so the agent stays where they were.
func (s *Server) bulkEdit(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	v := s.view(r)
	back, err := url.Parse(localPath(r.FormValue("back")))
	if err != nil || back.Path != "/tickets" {
		back, _ = url.Parse("/tickets")
	}
	fail := func(key string, args ...any) error {
		return s.showQueue(w, r, back.Query(), &bulkResult{Message: v.T(key, args...), Error: true}, http.StatusUnprocessableEntity)
	}
	if !me.IsStaff() {
		return errForbidden
	}
	var ids []int64
	for _, raw := range r.Form["id"] {
		id, err := strconv.ParseInt(raw, 10, 64)
		if err != nil || id <= 0 {
			return errBadInput
		}
		if !slices.Contains(ids, id) {
			ids = append(ids, id)
		}
	}
	if len(ids) == 0 {
		return fail("bulk.none_selected")
	}
	if len(ids) > maxBulk {
		return fail("bulk.too_many", maxBulk)
	}
	if r.FormValue("op") == "merge" {
		return s.bulkMerge(w, r, back, ids)
	}
	ch, macroID, err := bulkChange(r, me)
	if err != nil {
		return fail("bulk.bad_value")
	}
	if macroID == 0 && isEmptyChange(ch) {
		return fail("bulk.nothing")
	}
	ch.Via = "web"
	res := &bulkResult{}
	var updated int
	var failed []macros.BulkFailure
	err = s.Store.Write(r.Context(), func(tx *store.Tx) (err error) {
		updated, failed, err = macros.Bulk(tx, s.Tickets, me, ids, ch, macroID, s.absoluteBase(r), s.Now())
		return err
	})
	switch {
	case errors.Is(err, macros.ErrUnusable):
		return fail("bulk.macro_unusable")
	case err != nil:
		return err
	}
	for _, f := range failed {
		res.Failed = append(res.Failed, bulkFailure{ID: f.TicketID, Reason: bulkReason(v, f.Err)})
	}
	res.Message = v.T("bulk.updated", updated)
	status := http.StatusOK
	if len(res.Failed) > 0 {
		var parts []string
		for _, f := range res.Failed {
			parts = append(parts, fmt.Sprintf("#%d: %s", f.ID, f.Reason))
		}
		res.Message += v.T("bulk.failed", len(res.Failed), strings.Join(parts, v.T("bulk.sep")))
		if updated == 0 {
			res.Error, status = true, http.StatusUnprocessableEntity
		}
	}
	return s.showQueue(w, r, back.Query(), res, status)
}

// bulkChange reads the bar's fields into one change; empty fields leave
// the tickets' values alone.
func bulkChange(r *http.Request, me *model.User) (tickets.Change, int64, error) {
	var ch tickets.Change
	if st := r.FormValue("status"); st != "" {
		if !slices.Contains(model.Statuses, st) || st == model.StatusClosed {
			return ch, 0, errBadInput
		}
		ch.Status = &st
	}
	id := func(name string) (*int64, error) {
		switch raw := r.FormValue(name); raw {
		case "":
			return nil, nil
		case "none":
			var zero int64
			return &zero, nil
		case "me":
			if name == "assignee" {
				return &me.ID, nil
			}
		default:
			n, err := strconv.ParseInt(raw, 10, 64)
			if err == nil && n > 0 {
				return &n, nil
			}
		}
		return nil, errBadInput
	}
	var err error
	if ch.AssigneeID, err = id("assignee"); err != nil {
		return ch, 0, err
	}
	if ch.GroupID, err = id("group"); err != nil {
		return ch, 0, err
	}
	if ch.InboxID, err = id("inbox"); err != nil {
		return ch, 0, err
	}
	if ch.InboxID != nil && *ch.InboxID == 0 {
		return ch, 0, errBadInput
	}
	ch.AddTags = tagList(r.FormValue("add_tags"))
	ch.RemoveTags = tagList(r.FormValue("remove_tags"))
	var macroID int64
	if raw := r.FormValue("macro"); raw != "" {
		if macroID, err = strconv.ParseInt(raw, 10, 64); err != nil || macroID <= 0 {
			return ch, 0, errBadInput
		}
	}
	return ch, macroID, nil
}

// tagList splits typed tags on spaces (full-width too) and commas.
func tagList(s string) []string {
	f := strings.FieldsFunc(s, func(r rune) bool {
		return r == ',' || r == '、' || r == '，' || r == ' ' || r == '\u3000' || r == '\t' || r == '\n'
	})
	if len(f) == 0 {
		return nil
	}
	return f
}

func isEmptyChange(ch tickets.Change) bool {
	return ch.Status == nil && ch.AssigneeID == nil && ch.GroupID == nil && ch.InboxID == nil && len(ch.AddTags) == 0 && len(ch.RemoveTags) == 0
}

// bulkReason is why one ticket could not be changed, for the person; err
// is one errs.Refused accepts.
func bulkReason(v *view, err error) string {
	var inv *errs.Invalid
	switch {
	case errors.Is(err, store.ErrNotFound):
		return v.T("bulk.err.not_found")
	case errors.Is(err, errs.ErrForbidden):
		return v.T("error.forbidden")
	case errors.Is(err, store.ErrConflict):
		return v.T("error.conflict")
	case errors.As(err, &inv):
		var out []string
		for field, ds := range inv.Details {
			for _, d := range ds {
				switch {
				case field == "status" && strings.Contains(d.Description, "closed"):
					out = append(out, v.T("bulk.err.closed"))
				case field == "assignee_id" && d.Error == "BlankValue":
					out = append(out, v.T("bulk.err.assignee_required"))
				case field == "assignee_id":
					out = append(out, v.T("bulk.err.assignee"))
				case field == "group_id":
					out = append(out, v.T("bulk.err.group"))
				default:
					out = append(out, d.Description)
				}
			}
		}
		slices.Sort(out)
		return strings.Join(slices.Compact(out), " ")
	}
	return err.Error()
}

// bulkMerge merges the selected tickets into one (merge_target: one of
// them or any other ticket), all or nothing, as tickets.Service.Merge does.
func (s *Server) bulkMerge(w http.ResponseWriter, r *http.Request, back *url.URL, ids []int64) error {
	me, v := currentUser(r), s.view(r)
	raw := strings.TrimPrefix(strings.TrimSpace(toHalfWidthDigits(r.FormValue("merge_target"))), "#")
	target, err := strconv.ParseInt(raw, 10, 64)
	res := &bulkResult{Error: true}
	status := http.StatusUnprocessableEntity
	var sources []int64
	for _, id := range ids {
		if id != target {
			sources = append(sources, id)
		}
	}
	switch {
	case err != nil || target <= 0:
		res.Message = v.T("bulk.merge_no_target")
	case len(sources) == 0:
		res.Message = v.T("bulk.merge_need_two")
	default:
		_, err := s.Tickets.Merge(r.Context(), me, target, sources, tickets.MergeOptions{})
		if err != nil {
			if !errs.Refused(err) {
				return err
			}
			res.Message = v.T("bulk.merge_failed", target, bulkReason(v, err))
		} else {
			res.Message, res.Error, status = v.T("bulk.merged", len(sources), target), false, http.StatusOK
		}
	}
	return s.showQueue(w, r, back.Query(), res, status)
}
