package metrics

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Service keeps the ticket_metrics rows current.
type Service struct {
	Store store.Store
	// Schedule returns the business-hours clock; nil uses DefaultClock.
	Schedule func(tx *store.Tx) (Clock, error)

	mu           sync.Mutex
	backfillFrom int64 // ticket id the backfill has reached; -1 when done
}

// New returns a service over st.
func New(st store.Store) *Service { return &Service{Store: st} }

// BeforeCommit folds the write's audit (and any audit written since the
// row was last refreshed) into the ticket's metrics row; append it to
// tickets.Service.BeforeCommit.
func (s *Service) BeforeCommit(tx *store.Tx, r tickets.Result) error {
	if r.Audit == nil || r.Ticket == nil || r.Ticket.ID == 0 {
		return nil
	}
	// The write's own comment and author are in hand; the fold need not
	// read them back.
	known := &Facts{Comments: map[int64]*model.Comment{}, Authors: map[int64]Author{}}
	if r.Comment != nil && r.Comment.ID != 0 {
		known.Comments[r.Comment.ID] = r.Comment
	}
	if r.Actor != nil && r.Actor.ID != 0 {
		known.Authors[r.Actor.ID] = Author{Agent: r.Actor.IsAgent(), Staff: r.Actor.IsStaff()}
	}
	if r.Fresh(tx) { // no row yet; this audit is the whole trail
		_, err := s.fold(tx, r.Ticket.ID, &State{}, []*model.Audit{r.Audit}, known)
		return err
	}
	_, err := s.refresh(tx, r.Ticket.ID, known)
	return err
}

// Refresh brings a ticket's row up to its latest audit and returns the
// state: it reads only the audits after the row's last one, so a write
// costs one small query however long the ticket's history is.
func (s *Service) Refresh(tx *store.Tx, ticketID int64) (*State, error) {
	return s.refresh(tx, ticketID, nil)
}

// refresh is Refresh with comments and authors already known (nil: none).
func (s *Service) refresh(tx *store.Tx, ticketID int64, known *Facts) (*State, error) {
	st := &State{}
	row, err := tx.TicketMetrics(ticketID)
	switch {
	case err == nil:
		if err := json.Unmarshal([]byte(row.State), st); err != nil {
			return nil, fmt.Errorf("ticket %d metrics state: %w", ticketID, err)
		}
	case !errors.Is(err, store.ErrNotFound):
		return nil, err
	}
	audits, err := tx.Audits(ticketID, st.LastAuditID, 0, false)
	if err != nil || len(audits) == 0 {
		return st, err
	}
	return s.fold(tx, ticketID, st, audits, known)
}

// fold applies audits to st and stores the row.
func (s *Service) fold(tx *store.Tx, ticketID int64, st *State, audits []*model.Audit, known *Facts) (*State, error) {
	f, err := s.factsKnown(tx, audits, known)
	if err != nil {
		return nil, err
	}
	for _, a := range audits {
		st.Apply(a, f)
	}
	return st, tx.UpsertTicketMetrics(toRow(ticketID, st))
}

// Compute replays a ticket's whole audit trail without storing anything.
func (s *Service) Compute(tx *store.Tx, ticketID int64) (*State, error) {
	audits, err := tx.Audits(ticketID, 0, 0, false)
	if err != nil {
		return nil, err
	}
	f, err := s.facts(tx, audits)
	if err != nil {
		return nil, err
	}
	return Replay(audits, f), nil
}

// Get returns a ticket's metrics: the stored row, or a replay when the
// ticket has none yet (bulk-imported before the backfill reached it).
func (s *Service) Get(tx *store.Tx, ticketID int64) (*State, error) {
	row, err := tx.TicketMetrics(ticketID)
	if errors.Is(err, store.ErrNotFound) {
		if _, err := tx.Ticket(ticketID); err != nil {
			return nil, err
		}
		return s.Compute(tx, ticketID)
	}
	if err != nil {
		return nil, err
	}
	return Decode(row)
}

// Decode reads a stored row's state.
func Decode(row *store.MetricsRow) (*State, error) {
	st := &State{}
	if err := json.Unmarshal([]byte(row.State), st); err != nil {
		return nil, fmt.Errorf("ticket %d metrics state: %w", row.TicketID, err)
	}
	return st, nil
}

// facts loads the comments and authors audits refer to.
func (s *Service) facts(tx *store.Tx, audits []*model.Audit) (*Facts, error) {
	return s.factsKnown(tx, audits, nil)
}

// factsKnown is facts reading only what known (nil: nothing) lacks.
func (s *Service) factsKnown(tx *store.Tx, audits []*model.Audit, known *Facts) (*Facts, error) {
	f := &Facts{Comments: map[int64]*model.Comment{}, Authors: map[int64]Author{}, MadePrivate: map[int64]bool{}}
	sched := s.Schedule
	if sched == nil {
		sched = DefaultClock
	}
	{
		c, err := sched(tx)
		if err != nil {
			return nil, err
		}
		f.Clock = c
	}
	commentIDs, userIDs := NeededIDs(audits)
	if known != nil {
		commentIDs = slices.DeleteFunc(commentIDs, func(id int64) bool {
			c, ok := known.Comments[id]
			if ok {
				f.Comments[id] = c
				userIDs = append(userIDs, c.AuthorID) // dropped below when known
			}
			return ok
		})
		userIDs = slices.DeleteFunc(userIDs, func(id int64) bool {
			a, ok := known.Authors[id]
			if ok {
				f.Authors[id] = a
			}
			return ok
		})
	}
	for len(commentIDs) > 0 {
		n := min(len(commentIDs), 500)
		list, err := tx.CommentsByID(commentIDs[:n])
		if err != nil {
			return nil, err
		}
		for _, c := range list {
			f.Comments[c.ID] = c
			if _, ok := f.Authors[c.AuthorID]; !ok {
				userIDs = append(userIDs, c.AuthorID)
				f.Authors[c.AuthorID] = Author{}
			}
		}
		commentIDs = commentIDs[n:]
	}
	for len(userIDs) > 0 {
		n := min(len(userIDs), 500)
		users, err := tx.UsersByID(userIDs[:n])
		if err != nil {
			return nil, err
		}
		for _, u := range users {
			f.Authors[u.ID] = Author{Agent: u.IsAgent(), Staff: u.IsStaff()}
		}
		userIDs = userIDs[n:]
	}
	CollectMadePrivate(audits, f.MadePrivate)
	return f, nil
}

// Backfill gives rows to up to batch tickets that have none (seeded or
// bulk-imported tickets never went through BeforeCommit). It walks ticket
// ids forward once per process and reports how many rows it wrote.
func (s *Service) Backfill(ctx context.Context, batch int) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.backfillFrom < 0 {
		return 0, nil
	}
	var ids []int64
	if err := s.Store.Read(ctx, func(tx *store.Tx) error {
		var err error
		ids, err = tx.TicketsWithoutMetrics(s.backfillFrom, batch)
		return err
	}); err != nil {
		return 0, err
	}
	if len(ids) == 0 {
		s.backfillFrom = -1
		return 0, nil
	}
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		for _, id := range ids {
			// Locked as a ticket write locks it, so no audit of this ticket
			// commits between the replay and the row.
			if _, err := tx.TicketForUpdate(id); err != nil {
				return err
			}
			if _, err := s.Refresh(tx, id); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return 0, err
	}
	s.backfillFrom = ids[len(ids)-1]
	return len(ids), nil
}

func minutes(ms int64) int64 { return ms / 60000 }

func spanMinutes(sp *Span) (cal, biz *int64) {
	if sp == nil {
		return nil, nil
	}
	c, b := minutes(sp.Cal), minutes(sp.Biz)
	return &c, &b
}

func toRow(ticketID int64, st *State) *store.MetricsRow {
	js, _ := json.Marshal(st)
	m := &store.MetricsRow{TicketID: ticketID, LastAuditID: st.LastAuditID, State: string(js),
		CreatedAt: msTime(st.CreatedAt), UpdatedAt: msTime(st.UpdatedAt), SolvedAt: msTime(st.SolvedAt),
		Replies: int64(st.Replies), Reopens: int64(st.Reopens), AssigneeStations: int64(st.AssigneeStations), GroupStations: int64(st.GroupStations),
		AgentWaitCal: minutes(st.AgentWait.Cal), AgentWaitBiz: minutes(st.AgentWait.Biz),
		RequesterWaitCal: minutes(st.RequesterWait.Cal), RequesterWaitBiz: minutes(st.RequesterWait.Biz),
		OnHoldCal: minutes(st.OnHold.Cal), OnHoldBiz: minutes(st.OnHold.Biz)}
	m.ReplyCal, m.ReplyBiz = spanMinutes(st.Reply)
	m.FirstResolutionCal, m.FirstResolutionBiz = spanMinutes(st.FirstResolution)
	m.FullResolutionCal, m.FullResolutionBiz = spanMinutes(st.FullResolution)
	return m
}
