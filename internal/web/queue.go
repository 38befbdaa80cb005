package web

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// PageSize is how many tickets a queue page lists.
const PageSize = 50

// solvedWindow is what "solved recently" means.
const solvedWindow = 7 * 24 * time.Hour

// queueView is one entry of the sidebar.
type queueView struct {
	Key   string
	Label string // message key
	Count int64
}

// builtinViews lists the sidebar in order. When the views API (issue 4)
// lands, sidebar and viewFilter are the two functions to replace.
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
}

// queueData is the queue page.
type queueData struct {
	View, Sort, Dir string
	Views           []queueView
	Rows            []queueRow
	Load            []agentLoad
	MaxLoad         int64
	Unassigned      int64
	Page            int
	Prev, Next      string
	Col             map[string]column
	Saved           []savedQueueView // stored views in the sidebar (rules_queue.go)
	Title           string           // a stored view's title
}

// column is a sortable column header.
type column struct {
	Key, Label, URL, Aria string
}

var sortable = []string{"id", "subject", "status", "priority", "updated_at"}

func (s *Server) queuePage(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	q := r.URL.Query()
	d := queueData{View: q.Get("view"), Sort: q.Get("sort"), Dir: q.Get("dir")}
	if d.View == "" {
		d.View = "unsolved"
	}
	filter, fast, ok := viewFilter(d.View, me, s.Now())
	if _, saved := savedViewID(d.View); !ok && !saved {
		return errNotFound
	}
	if !slices.Contains(sortable, d.Sort) {
		d.Sort = "updated_at"
	}
	if d.Dir != "asc" {
		d.Dir = "desc"
	}
	d.Page, _ = strconv.Atoi(q.Get("page"))
	d.Page = max(1, min(d.Page, 2000))
	savedList, qerr := s.savedQueue(r, &d)
	if qerr != nil {
		return qerr
	}
	v := s.view(r)
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if d.Views, d.Load, err = s.sidebar(tx, me, v.loc); err != nil {
			return err
		}
		var list []*model.Ticket
		if savedList != nil {
			list = savedList
		} else if d.Sort == "updated_at" {
			list, err = tx.WebQueuePage(fast, d.Dir == "desc", PageSize+1, (d.Page-1)*PageSize)
		} else {
			list, err = tx.ListTickets(filter, store.TicketOrder{Field: d.Sort, Desc: d.Dir == "desc"},
				store.Page{Limit: PageSize + 1, Offset: (d.Page - 1) * PageSize})
		}
		if err != nil {
			return err
		}
		if len(list) > PageSize {
			list = list[:PageSize]
			d.Next = queueURL(d.View, d.Sort, d.Dir, d.Page+1)
		}
		if d.Page > 1 {
			d.Prev = queueURL(d.View, d.Sort, d.Dir, d.Page-1)
		}
		d.Rows, err = withPeople(tx, list, v)
		return err
	})
	if err != nil {
		return err
	}
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
	v.Title = v.T("view." + d.View)
	if d.Title != "" {
		v.Title = d.Title
	}
	v.Data = d
	s.render(w, http.StatusOK, "queue", v)
	return nil
}

func queueURL(view, sort, dir string, page int) string {
	q := url.Values{"view": {view}, "sort": {sort}, "dir": {dir}}
	if page > 1 {
		q.Set("page", strconv.Itoa(page))
	}
	return "/tickets?" + q.Encode()
}

// withPeople loads the requesters and assignees of a page of tickets in
// one query.
func withPeople(tx *store.Tx, list []*model.Ticket, v *view) ([]queueRow, error) {
	var ids []int64
	for _, tk := range list {
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
		rows[i] = r
	}
	return rows, nil
}
