package web

import (
	"context"
	"slices"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// countCache keeps the desk-wide sidebar counts and the team load between
// changes: counting them takes about 60 ms at a million tickets, more than
// the rest of the page. They are the same for every agent, so they are
// counted once per change, in the background: a page right after a change
// shows the previous numbers, and the recount then tells open pages to
// refresh (SSE "counts"). Only the first page, or a new day, waits.
type countCache struct {
	mu      sync.Mutex
	have    bool
	gen     uint64 // hub generation the numbers are for
	day     time.Time
	c       store.QueueCounts
	load    []store.AgentLoad
	running bool
}

// agentLoad is one line of the team load panel.
type agentLoad struct {
	*store.UserBrief
	Unsolved, NewToday int64
}

// sidebar returns the views with their counts for me, and every agent's
// load, busiest first. "Today" starts at midnight in the viewer's zone.
// With the views API (issue 4) this and viewFilter are what to replace.
func (s *Server) sidebar(tx *store.Tx, me *model.User, loc *time.Location) ([]queueView, []agentLoad, error) {
	now := s.Now().In(loc)
	day := time.Date(now.Year(), now.Month(), now.Day(), 0, 0, 0, 0, loc)
	c, load, err := s.deskCounts(tx, day)
	if err != nil {
		return nil, nil, err
	}
	// One agent's own queue is small and indexed: always exact.
	if c.Mine, err = tx.WebMineCount(me.ID); err != nil {
		return nil, nil, err
	}
	n := []int64{c.Unassigned, c.Mine, c.Unsolved, c.Pending, c.SolvedRecently}
	views := make([]queueView, len(builtinViews))
	for i, k := range builtinViews {
		views[i] = queueView{Key: k, Label: "view." + k, Count: n[i]}
	}
	staff, err := tx.StaffUsers(500)
	if err != nil {
		return nil, nil, err
	}
	by := map[int64]store.AgentLoad{}
	for _, l := range load {
		by[l.UserID] = l
	}
	out := make([]agentLoad, len(staff))
	for i, u := range staff {
		out[i] = agentLoad{UserBrief: u, Unsolved: by[u.ID].Unsolved, NewToday: by[u.ID].NewToday}
	}
	slices.SortStableFunc(out, func(a, b agentLoad) int { return int(b.Unsolved - a.Unsolved) })
	return views, out, nil
}

// deskCounts returns the cached desk-wide numbers, starting a recount when
// a ticket changed since they were counted.
func (s *Server) deskCounts(tx *store.Tx, day time.Time) (store.QueueCounts, []store.AgentLoad, error) {
	gen := s.Hub.Gen()
	s.counts.mu.Lock()
	have, cgen, cday, c, load := s.counts.have, s.counts.gen, s.counts.day, s.counts.c, s.counts.load
	s.counts.mu.Unlock()
	if !have || !cday.Equal(day) {
		c, load, err := s.countDesk(tx, day)
		if err != nil {
			return c, nil, err
		}
		s.keepCounts(gen, day, c, load)
		return c, load, nil
	}
	if cgen != gen {
		s.recount(day)
	}
	return c, load, nil
}

func (s *Server) countDesk(tx *store.Tx, day time.Time) (store.QueueCounts, []store.AgentLoad, error) {
	c, err := tx.WebQueueCounts(0, s.Now().Add(-solvedWindow))
	if err != nil {
		return c, nil, err
	}
	load, err := tx.WebAgentLoad(day)
	return c, load, err
}

func (s *Server) keepCounts(gen uint64, day time.Time, c store.QueueCounts, load []store.AgentLoad) {
	s.counts.mu.Lock()
	defer s.counts.mu.Unlock()
	if s.counts.have && s.counts.gen > gen && s.counts.day.Equal(day) {
		return // a newer count is already there
	}
	s.counts.have, s.counts.gen, s.counts.day, s.counts.c, s.counts.load = true, gen, day, c, load
}

// recount counts again in the background (one recount at a time; changes
// during it cause another), then tells open queues to refresh.
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
			var (
				c    store.QueueCounts
				load []store.AgentLoad
			)
			err := s.Store.Read(context.Background(), func(tx *store.Tx) error {
				var err error
				c, load, err = s.countDesk(tx, day)
				return err
			})
			if err != nil {
				s.Log.Warn("recount queues", "err", err)
				return
			}
			s.keepCounts(gen, day, c, load)
			s.Hub.send(message{event: "counts", data: []byte("{}")})
			if s.Hub.Gen() == gen {
				return
			}
		}
	}()
}
