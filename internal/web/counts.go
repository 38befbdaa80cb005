package web

import (
	"context"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/views"
)

// countCache keeps the desk-wide sidebar counts and the team load between
// changes: counting them takes about 60 ms at a million tickets, more than
// the rest of the page. They are the same for every agent, so they are
// counted once per change, in the background: a page right after a change
// shows the previous numbers, and the recount then tells open pages to
// refresh (SSE "counts"). Only the first page, or a new day, waits.
// Snoozes wake and SLA clocks run out without any ticket changing, so the
// numbers are also counted again once they are older than countTTL.
type countCache struct {
	mu      sync.Mutex
	have    bool
	gen     uint64 // hub generation the numbers are for
	day     time.Time
	at      time.Time // when they were counted
	n       deskNumbers
	running bool
	// The top tags cost the most to count (every unsolved ticket's
	// tags): they are counted again only once tagGap times their own
	// counting time has passed, so on a large, busy desk they trail the
	// other numbers by a few seconds and a small desk sees them at once.
	tagsAt   time.Time
	tagsCost time.Duration
	// menus keeps each agent's bulk-bar macro menu for menuTTL: listing a
	// desk's 500 macros costs about 8 ms, too much for every queue page.
	// Applying a macro checks it again, so a stale menu is only a menu.
	menus map[int64]macroMenu
}

// macroMenu is one agent's list of usable macros, as read at a time.
type macroMenu struct {
	at   time.Time
	list []menuItem
}

// menuItem is one macro in a menu.
type menuItem struct {
	ID    int64
	Title string
}

const menuTTL = time.Minute

// tagGap bounds the share of time spent counting tags.
const tagGap = 20

// countTTL bounds the age of the clock-dependent counts (snoozed, SLA).
const countTTL = 30 * time.Second

// topTags is how many tags the sidebar lists.
const topTags = 10

// deskNumbers is everything the sidebar counts desk-wide.
type deskNumbers struct {
	c       store.QueueCounts
	load    []store.AgentLoad
	snoozed int64
	slaRisk int64
	inboxes []store.InboxCount
	tags    []store.TagCount
}

// agentLoad is one line of the team load panel.
type agentLoad struct {
	*store.UserBrief
	Unsolved, NewToday int64
}

// sidebarSection is one heading of the sidebar with its views.
type sidebarSection struct {
	ID, Title string // Title is a message key
	Views     []queueView
}

// sidebar returns the views with their counts for me, and every agent's
// load, busiest first. "Today" starts at midnight in the viewer's zone.
// inboxes are the desk's inboxes; custom are the viewer's active saved
// views (customViews), counted already.
func (s *Server) sidebar(tx *store.Tx, me *model.User, loc *time.Location, inboxes []*model.Inbox, custom []queueView) ([]sidebarSection, []agentLoad, error) {
	now := s.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	dn, err := s.deskCounts(tx, day)
	if err != nil {
		return nil, nil, err
	}
	c := dn.c
	// One agent's own queue is small and indexed: always exact.
	if c.Mine, err = tx.WebMineCount(me.ID); err != nil {
		return nil, nil, err
	}
	n := []int64{c.Unassigned, c.Mine, c.Unsolved, c.Pending, c.SolvedRecently}
	main := make([]queueView, 0, len(builtinViews)+2)
	for i, k := range builtinViews {
		main = append(main, queueView{Key: k, Label: "view." + k, Count: n[i], Hot: k == "unassigned" && n[i] > 0})
	}
	main = append(main,
		queueView{Key: "snoozed", Label: "queue.view.snoozed", Count: dn.snoozed},
		queueView{Key: "sla", Label: "queue.view.sla", Count: dn.slaRisk, Hot: dn.slaRisk > 0})
	secs := []sidebarSection{{ID: "main", Title: "nav.views", Views: main}}

	if len(inboxes) > 0 {
		by := map[int64]int64{}
		for _, ic := range dn.inboxes {
			by[ic.InboxID] = ic.Count
		}
		sec := sidebarSection{ID: "inboxes", Title: "queue.sec.inboxes"}
		for _, ib := range inboxes {
			sec.Views = append(sec.Views, queueView{Key: "inbox:" + strconv.FormatInt(ib.ID, 10), Name: ib.Name, Count: by[ib.ID]})
		}
		secs = append(secs, sec)
	}
	if len(dn.tags) > 0 {
		sec := sidebarSection{ID: "tags", Title: "queue.sec.tags"}
		for _, tc := range dn.tags {
			sec.Views = append(sec.Views, queueView{Key: "tag:" + tc.Name, Name: tc.Name, Tag: true, Count: tc.Count})
		}
		secs = append(secs, sec)
	}
	if len(custom) > 0 {
		secs = append(secs, sidebarSection{ID: "custom", Title: "queue.sec.custom", Views: custom})
	}

	staff, err := tx.StaffUsers(500)
	if err != nil {
		return nil, nil, err
	}
	by := map[int64]store.AgentLoad{}
	for _, l := range dn.load {
		by[l.UserID] = l
	}
	out := make([]agentLoad, len(staff))
	for i, u := range staff {
		out[i] = agentLoad{UserBrief: u, Unsolved: by[u.ID].Unsolved, NewToday: by[u.ID].NewToday}
	}
	slices.SortStableFunc(out, func(a, b agentLoad) int { return int(b.Unsolved - a.Unsolved) })
	return secs, out, nil
}

// customViews lists the viewer's active saved views that are not one of
// the shipped defaults (the sidebar has those already), with their cached
// counts (views.Counter: a count not known yet shows as "…").
func (s *Server) customViews(ctx context.Context, me *model.User) ([]queueView, error) {
	if s.Views == nil {
		return nil, nil
	}
	active := true
	list, err := s.Views.List(ctx, me, views.ListFilter{Active: &active, SortBy: "position"})
	if err != nil {
		return nil, err
	}
	var ids []int64
	var out []queueView
	for _, v := range list {
		if v.DefaultKey != "" {
			continue
		}
		ids = append(ids, v.ID)
		out = append(out, queueView{Key: "v:" + strconv.FormatInt(v.ID, 10), Name: v.Title, Count: -1})
	}
	if len(ids) == 0 {
		return nil, nil
	}
	counts, err := s.Views.CountMany(ctx, me, ids)
	if err != nil {
		return nil, err
	}
	by := map[int64]views.Count{}
	for _, c := range counts {
		by[c.ViewID] = c
	}
	for i, id := range ids {
		if c, ok := by[id]; ok && c.Known {
			out[i].Count = c.Value
		}
	}
	return out, nil
}

// The conditions behind the sidebar's snoozed and SLA views; the store
// compiles them (ticket_snoozes, sla_targets' active-due index).
var (
	condUnsolved = store.ViewCondition{Field: "status", Operator: "less_than", Value: "solved"}
	snoozedQuery = store.ViewConditions{All: []store.ViewCondition{condUnsolved, {Field: "snoozed", Operator: "is", Value: true}}}
	slaQuery     = store.ViewConditions{All: []store.ViewCondition{condUnsolved, {Field: "sla_at_risk", Operator: "is", Value: true}}}
)

// deskCounts returns the cached desk-wide numbers, starting a recount when
// a ticket changed since they were counted or they are getting old.
func (s *Server) deskCounts(tx *store.Tx, day time.Time) (deskNumbers, error) {
	gen := s.Hub.Gen()
	s.counts.mu.Lock()
	have, cgen, cday, at, n := s.counts.have, s.counts.gen, s.counts.day, s.counts.at, s.counts.n
	s.counts.mu.Unlock()
	if !have || !cday.Equal(day) {
		now := s.Now()
		n, err := s.countDesk(tx, day)
		if err != nil {
			return n, err
		}
		s.keepCounts(gen, day, now, n)
		return n, nil
	}
	if cgen != gen || s.Now().Sub(at) > countTTL {
		s.recount(day)
	}
	return n, nil
}

func (s *Server) countDesk(tx *store.Tx, day time.Time) (deskNumbers, error) {
	var n deskNumbers
	now := s.Now()
	var err error
	if n.c, err = tx.WebQueueCounts(0, now.Add(-solvedWindow)); err != nil {
		return n, err
	}
	if n.load, err = tx.WebAgentLoad(day); err != nil {
		return n, err
	}
	if n.snoozed, err = tx.CountView(store.ViewQuery{Conditions: snoozedQuery, Now: now}); err != nil {
		return n, err
	}
	if n.slaRisk, err = tx.CountView(store.ViewQuery{Conditions: slaQuery, Now: now}); err != nil {
		return n, err
	}
	if n.inboxes, err = tx.WebInboxCounts(); err != nil {
		return n, err
	}
	s.counts.mu.Lock()
	prev, due := s.counts.n.tags, !s.counts.have || time.Since(s.counts.tagsAt) >= tagGap*s.counts.tagsCost
	s.counts.mu.Unlock()
	if !due {
		n.tags = prev
		return n, nil
	}
	start := time.Now()
	if n.tags, err = tx.WebTopTags(topTags); err != nil {
		return n, err
	}
	s.counts.mu.Lock()
	s.counts.tagsAt, s.counts.tagsCost = time.Now(), time.Since(start)
	s.counts.mu.Unlock()
	return n, nil
}

// tagsWait is how long until the top tags may be counted again, when they
// are older than the other numbers; 0 when they are up to date.
func (s *Server) tagsWait() time.Duration {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	if !s.counts.tagsAt.Before(s.counts.at) {
		return 0
	}
	return max(time.Millisecond, tagGap*s.counts.tagsCost-time.Since(s.counts.tagsAt))
}

// topTag reports whether tag is one of the sidebar's top tags.
func (s *Server) topTag(tag string) bool {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	for _, t := range s.counts.n.tags {
		if t.Name == tag {
			return true
		}
	}
	return false
}

func (s *Server) keepCounts(gen uint64, day, at time.Time, n deskNumbers) {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	if s.counts.have && s.counts.gen > gen && s.counts.day.Equal(day) {
		return // a newer count is already there
	}
	s.counts.have, s.counts.gen, s.counts.day, s.counts.at, s.counts.n = true, gen, day, at, n
}

// recount counts again in the background (one recount at a time; changes
// during it cause another), then tells open queues to refresh. Saved
// views' cached counts are brought up to date first, so the refresh shows
// them new as well.
func (s *Server) recount(day time.Time) {
	s.counts.mu.Lock()
	if s.counts.running {
		s.counts.mu.Unlock()
		return
	}
	s.counts.running = true
	s.counts.mu.Unlock()
	go func() {
		defer func() {
			s.counts.mu.Lock()
			s.counts.running = false
			s.counts.mu.Unlock()
		}()
		for range 5 {
			gen := s.Hub.Gen()
			now := s.Now()
			var n deskNumbers
			err := s.Store.Read(context.Background(), func(tx *store.Tx) error {
				var err error
				n, err = s.countDesk(tx, day)
				return err
			})
			if err != nil {
				s.Log.Warn("recount queues", "err", err)
				return
			}
			if s.Views != nil {
				if err := s.Views.Counts.Refresh(context.Background()); err != nil {
					s.Log.Warn("recount views", "err", err)
				}
			}
			s.keepCounts(gen, day, now, n)
			s.Hub.send(message{event: "counts", data: []byte("{}")})
			if wait := s.tagsWait(); wait > 0 {
				// The tags were left for later: count them once due.
				time.Sleep(min(wait, countTTL))
				continue
			}
			if s.Hub.Gen() == gen {
				return
			}
		}
	}()
}
