package web

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// PageSize is how many tickets a queue page lists.
const PageSize = 50

// solvedWindow is what "solved recently" means.
const solvedWindow = 7 * 24 * time.Hour

// slaSoon is how close to its due time an SLA clock is shown amber (and
// the sidebar's "SLA at risk" counts it).
const slaSoon = time.Hour

// queueView is one entry of the sidebar.
type queueView struct {
	Key   string
	Label string // message key; empty when Name is the label
	Name  string // an inbox's, tag's or saved view's own name
	Tag   bool
	Hot   bool  // stands out (unassigned or SLA at risk with tickets)
	Count int64 // -1: not counted yet
}

// builtinViews lists the sidebar's first entries in order; the sidebar
// adds snoozed and SLA at risk, each inbox, the top tags and saved views.
var builtinViews = []string{"unassigned", "mine", "unsolved", "pending", "solved"}

// viewFilter is the ticket filter behind a sidebar view, as a general
// filter (any sort order) and as a WebQueue (the fast path for the
// default order, updated_at).
func viewFilter(key string, me *model.User, now time.Time) (store.TicketFilter, store.WebQueue, bool) {
	unsolved := []string{model.StatusNew, model.StatusOpen, model.StatusPending, model.StatusHold}
	none := int64(0)
	switch key {
	case "unassigned":
		return store.TicketFilter{Statuses: unsolved, AssigneeIDs: []int64{0}}, store.WebQueue{Statuses: unsolved, Assignee: &none}, true
	case "mine":
		return store.TicketFilter{Statuses: unsolved, AssigneeIDs: []int64{me.ID}}, store.WebQueue{Statuses: unsolved, Assignee: &me.ID}, true
	case "unsolved":
		return store.TicketFilter{Statuses: unsolved}, store.WebQueue{Statuses: unsolved}, true
	case "pending":
		pending := []string{model.StatusPending}
		return store.TicketFilter{Statuses: pending}, store.WebQueue{Statuses: pending}, true
	case "solved":
		since := now.Add(-solvedWindow)
		solved := []string{model.StatusSolved}
		return store.TicketFilter{Statuses: solved, Updated: store.TimeRange{From: since}}, store.WebQueue{Statuses: solved, Since: since}, true
	}
	return store.TicketFilter{}, store.WebQueue{}, false
}

// queueSource is what a view key lists: a built-in view (filter, fast),
// conditions compiled by the store's view query (snoozed, SLA at risk, an
// inbox, a tag) or a saved view.
type queueSource struct {
	Title   string // ready to show
	filter  store.TicketFilter
	fast    store.WebQueue
	hasFast bool // fast serves the default order (updated_at)
	cond    *store.ViewConditions
	saved   *store.View
}

var unsolvedStatuses = []string{model.StatusNew, model.StatusOpen, model.StatusPending, model.StatusHold}

// resolveView finds what view key lists for me; ok is false for an
// unknown key, or a saved view or inbox me cannot see.
func (s *Server) resolveView(ctx context.Context, tx *store.Tx, key string, me *model.User, v *view) (queueSource, bool, error) {
	if f, fast, ok := viewFilter(key, me, s.Now()); ok {
		return queueSource{Title: v.T("view." + key), filter: f, fast: fast, hasFast: true}, true, nil
	}
	kind, arg, _ := strings.Cut(key, ":")
	switch kind {
	case "snoozed":
		return queueSource{Title: v.T("queue.view.snoozed"), cond: &snoozedQuery}, true, nil
	case "sla":
		return queueSource{Title: v.T("queue.view.sla"), cond: &slaQuery}, true, nil
	case "inbox":
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || id <= 0 {
			return queueSource{}, false, nil
		}
		ib, err := tx.Inbox(id)
		if err != nil {
			return queueSource{}, false, ignoreNotFound(err)
		}
		c := store.ViewConditions{All: []store.ViewCondition{condUnsolved, {Field: "inbox_id", Operator: "is", Value: id}}}
		return queueSource{Title: v.T("queue.view.inbox", ib.Name), cond: &c, hasFast: true,
			fast: store.WebQueue{Statuses: unsolvedStatuses, InboxID: id}}, true, nil
	case "tag":
		tag := strings.ToLower(strings.TrimSpace(arg))
		if tag == "" || strings.ContainsAny(tag, " \t\u3000") {
			return queueSource{}, false, nil
		}
		c := store.ViewConditions{All: []store.ViewCondition{condUnsolved, {Field: "current_tags", Operator: "includes", Value: tag}}}
		// A top tag is on many tickets: walk the unsolved tickets newest
		// first and check each (the first page is found at once). Any
		// other tag is on few: start from the tag's own index.
		return queueSource{Title: v.T("queue.view.tag", tag), cond: &c, hasFast: s.topTag(tag),
			fast: store.WebQueue{Statuses: unsolvedStatuses, Tag: tag}}, true, nil
	case "v":
		id, err := strconv.ParseInt(arg, 10, 64)
		if err != nil || id <= 0 || s.Views == nil {
			return queueSource{}, false, nil
		}
		sv, err := s.Views.Get(ctx, me, id)
		if err != nil {
			return queueSource{}, false, ignoreNotFound(err)
		}
		return queueSource{Title: sv.Title, saved: sv}, true, nil
	}
	return queueSource{}, false, nil
}

func ignoreNotFound(err error) error {
	if errors.Is(err, store.ErrNotFound) {
		return nil
	}
	return err
}

// viewSort maps the page's sortable columns to view columns.
var viewSort = map[string]string{"id": "nice_id", "subject": "subject", "status": "status", "priority": "priority", "updated_at": "updated"}

// queueRow is one line of the list, flattened to ready strings: the
// template then only copies fields, which keeps a page of 50 cheap.
type queueRow struct {
	ID                     int64
	Subject, Status, Prio  string
	StatusLabel, PrioLabel string
	Via                    string
	ViaLabel               string
	Requester              string
	AssigneeID             int64
	Assignee, Initials     string
	Colour                 int
	When, ISO, Full        string
	// SLA is "breached", "soon", "ok" or "" (no running clock); SLAText
	// the time left or over, SLATitle the due time in full.
	SLA, SLAText, SLATitle string
}

// queueData is the queue page.
type queueData struct {
	View, Sort, Dir string
	Title           string
	Views           []queueView
	Sections        []sidebarSection
	Rows            []queueRow
	Load            []agentLoad
	MaxLoad         int64
	Unassigned      int64
	Page            int
	Prev, Next      string
	Col             map[string]column
	Back            string // this page's address, for the bulk form
	Bulk            *bulkChoices
	Result          *bulkResult
}

// column is a sortable column header.
type column struct {
	Key, Label, URL, Aria string
}

var sortable = []string{"id", "subject", "status", "priority", "updated_at"}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) error {
	return s.showQueue(w, r, r.URL.Query(), nil, http.StatusOK)
}

// showQueue renders the queue that q (view, sort, dir, page) names, with
// the result of a bulk edit when there was one.
func (s *Server) showQueue(w http.ResponseWriter, r *http.Request, q url.Values, res *bulkResult, status int) error {
	me := currentUser(r)
	d := queueData{View: q.Get("view"), Sort: q.Get("sort"), Dir: q.Get("dir"), Result: res}
	if d.View == "" {
		d.View = "unsolved"
	}
	if !slices.Contains(sortable, d.Sort) {
		d.Sort = "updated_at"
	}
	if d.Dir != "asc" {
		d.Dir = "desc"
	}
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = max(1, min(d.Page, 2000))
	d.Back = queueURL(d.View, d.Sort, d.Dir, d.Page)
	v := s.view(r)
	ctx := r.Context()
	custom, err := s.customViews(ctx, me)
	if err != nil {
		return err
	}
	var src queueSource
	err = s.Store.Read(ctx, func(tx *store.Tx) error {
		var ok bool
		var err error
		if src, ok, err = s.resolveView(ctx, tx, d.View, me, v); err != nil {
			return err
		} else if !ok {
			return errNotFound
		}
		inboxes, err := tx.Inboxes()
		if err != nil {
			return err
		}
		if d.Sections, d.Load, err = s.sidebar(tx, me, v.loc, inboxes, custom); err != nil {
			return err
		}
		for _, sec := range d.Sections {
			d.Views = append(d.Views, sec.Views...)
		}
		if d.Bulk, err = s.bulkChoices(tx, me, d.Load, inboxes); err != nil {
			return err
		}
		page := store.Page{Limit: PageSize + 1, Offset: (d.Page - 1) * PageSize}
		vo := store.ViewOrder{SortBy: viewSort[d.Sort], SortDesc: d.Dir == "desc"}
		var list []*model.Ticket
		switch {
		case src.saved != nil:
			// Saved views run below, through the views service.
		case d.Sort == "updated_at" && src.hasFast:
			list, err = tx.WebQueuePage(src.fast, d.Dir == "desc", PageSize+1, (d.Page-1)*PageSize)
		case src.cond != nil:
			list, err = tx.ViewTickets(store.ViewQuery{Conditions: *src.cond, CurrentUser: me.ID, Now: s.Now()}, vo, page)
		default:
			list, err = tx.ListTickets(src.filter, store.TicketOrder{Field: d.Sort, Desc: d.Dir == "desc"}, page)
		}
		if err != nil || src.saved != nil {
			return err
		}
		d.Rows, err = s.queueRows(tx, list, v, &d)
		return err
	})
	if err != nil {
		return err
	}
	if src.saved != nil {
		vo := store.ViewOrder{SortBy: viewSort[d.Sort], SortDesc: d.Dir == "desc"}
		pg, err := s.Views.Run(ctx, me, src.saved, vo, store.Page{Limit: PageSize + 1, Offset: (d.Page - 1) * PageSize}, false)
		if err != nil {
			return err
		}
		if err := s.Store.Read(ctx, func(tx *store.Tx) error {
			var err error
			d.Rows, err = s.queueRows(tx, pg.Tickets, v, &d)
			return err
		}); err != nil {
			return err
		}
	}
	d.Title = src.Title
	for _, l := range d.Load {
		d.MaxLoad = max(d.MaxLoad, l.Unsolved)
	}
	d.Unassigned = d.Views[0].Count
	d.Col = map[string]column{}
	for _, c := range sortable {
		dir, aria := "asc", "none"
		if c == d.Sort {
			aria = map[string]string{"asc": "ascending", "desc": "descending"}[d.Dir]
			if d.Dir == "asc" {
				dir = "desc"
			}
		} else if c == "updated_at" || c == "priority" {
			dir = "desc"
		}
		d.Col[c] = column{Key: c, Label: "col." + c, URL: queueURL(d.View, c, dir, 1), Aria: aria}
	}
	v.Title = d.Title
	v.Data = &d
	s.render(w, status, "queue", v)
	return nil
}

// queueRows trims list to a page (setting the pager links of d) and loads
// its people and SLA clocks.
func (s *Server) queueRows(tx *store.Tx, list []*model.Ticket, v *view, d *queueData) ([]queueRow, error) {
	if len(list) > PageSize {
		list = list[:PageSize]
		d.Next = queueURL(d.View, d.Sort, d.Dir, d.Page+1)
	}
	if d.Page > 1 {
		d.Prev = queueURL(d.View, d.Sort, d.Dir, d.Page-1)
	}
	return withPeople(tx, list, v)
}

func queueURL(view, sort, dir string, page int) string {
	q := url.Values{"view": {view}, "sort": {sort}, "dir": {dir}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/tickets?" + q.Encode()
}

// withPeople loads the requesters and assignees of a page of tickets in
// one query, and their SLA clocks in another.
func withPeople(tx *store.Tx, list []*model.Ticket, v *view) ([]queueRow, error) {
	var ids, tids []int64
	for _, tk := range list {
		tids = append(tids, tk.ID)
		ids = append(ids, tk.RequesterID)
		if tk.AssigneeID != 0 {
			ids = append(ids, tk.AssigneeID)
		}
	}
	slices.Sort(ids)
	users, err := tx.UsersByID(slices.Compact(ids))
	if err != nil {
		return nil, err
	}
	sla, err := tx.SLADueFor(tids)
	if err != nil {
		return nil, err
	}
	by := map[int64]*model.User{}
	for _, u := range users {
		by[u.ID] = u
	}
	rows := make([]queueRow, len(list))
	for i, tk := range list {
		r := queueRow{ID: tk.ID, Subject: tk.Subject, Status: tk.Status, StatusLabel: v.T("status." + tk.Status),
			Prio: tk.Priority, Via: tk.Via, ViaLabel: v.T("via." + tk.Via), AssigneeID: tk.AssigneeID,
			When: v.When(tk.UpdatedAt), ISO: v.ISO(tk.UpdatedAt), Full: v.Full(tk.UpdatedAt)}
		if tk.Priority != "" {
			r.PrioLabel = v.T("priority." + tk.Priority)
		}
		if u := by[tk.RequesterID]; u != nil {
			r.Requester = u.Name
		}
		if u := by[tk.AssigneeID]; u != nil {
			r.Assignee, r.Initials, r.Colour = u.Name, Initials(u.Name), Colour(u.ID)
		}
		if c, ok := sla[tk.ID]; ok {
			r.SLA, r.SLAText, r.SLATitle = slaBadge(c, v)
		}
		rows[i] = r
	}
	return rows, nil
}

// slaBadge describes a ticket's SLA state for its row: breached (red),
// due within slaSoon (amber), or the time left.
func slaBadge(c store.SLADue, v *view) (state, text, title string) {
	now := v.now
	switch {
	case !c.Breached.IsZero():
		return "breached", v.T("queue.sla.over", span(v, now.Sub(c.Breached))), v.T("queue.sla.breached_at", v.Full(c.Breached))
	case c.Due.IsZero():
		return "", "", "" // every clock paused
	case !c.Due.After(now):
		return "breached", v.T("queue.sla.over", span(v, now.Sub(c.Due))), v.T("queue.sla.due", v.Full(c.Due))
	case c.Due.Sub(now) <= slaSoon:
		return "soon", v.T("queue.sla.left", span(v, c.Due.Sub(now))), v.T("queue.sla.due", v.Full(c.Due))
	}
	return "ok", v.T("queue.sla.left", span(v, c.Due.Sub(now))), v.T("queue.sla.due", v.Full(c.Due))
}

// span is a short duration: minutes under an hour, hours and minutes
// under a day, days otherwise.
func span(v *view, d time.Duration) string {
	m := int(d.Minutes())
	if m < 1 {
		m = 1
	}
	switch {
	case m < 60:
		return fmt.Sprintf(v.T("queue.span.m"), m)
	case m < 24*60:
		if m%60 == 0 {
			return fmt.Sprintf(v.T("queue.span.h"), m/60)
		}
		return fmt.Sprintf(v.T("queue.span.hm"), m/60, m%60)
	}
	return fmt.Sprintf(v.T("queue.span.d"), m/(24*60))
}
