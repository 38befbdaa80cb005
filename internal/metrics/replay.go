// Package metrics computes Zendesk's ticket metrics (reply time, first and
// full resolution, agent/requester wait, on-hold, replies, reopens,
// stations) exactly from a ticket's audit trail. State is a fold over the
// audits in order: the stored row is the state after its last audit, and a
// new audit folds onto it, so the incremental row always equals a full
// replay (see metrics_test.go).
package metrics

import (
	"encoding/json"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Span is a figure in milliseconds, calendar and business time.
type Span struct {
	Cal int64 `json:"c"`
	Biz int64 `json:"b"`
}

func (s *Span) add(o Span) { s.Cal += o.Cal; s.Biz += o.Biz }

// State is everything the fold needs and everything the API shows. Times
// are Unix milliseconds, 0 when never reached.
type State struct {
	LastAuditID int64 `json:"last_audit_id"`
	CreatedAt   int64 `json:"created_at"`
	UpdatedAt   int64 `json:"updated_at"`

	// The ticket as of the last audit.
	Status      string `json:"status"`
	StatusSince int64  `json:"status_since"`
	RequesterID int64  `json:"requester_id"`
	AssigneeID  int64  `json:"assignee_id"`
	GroupID     int64  `json:"group_id"`

	// ReplyStart is when the reply clock started: creation for a ticket a
	// customer opened, the first customer comment for one an agent opened.
	ReplyStart int64 `json:"reply_start"`

	Reply           *Span `json:"reply,omitempty"` // nil until the first agent reply
	FirstResolution *Span `json:"first_resolution,omitempty"`
	FullResolution  *Span `json:"full_resolution,omitempty"`
	AgentWait       Span  `json:"agent_wait"`     // time in pending
	RequesterWait   Span  `json:"requester_wait"` // time in new, open and hold
	OnHold          Span  `json:"on_hold"`        // time in hold

	Replies          int `json:"replies"`
	Reopens          int `json:"reopens"`
	AssigneeStations int `json:"assignee_stations"`
	GroupStations    int `json:"group_stations"`

	AssigneeUpdatedAt   int64 `json:"assignee_updated_at"`
	RequesterUpdatedAt  int64 `json:"requester_updated_at"`
	StatusUpdatedAt     int64 `json:"status_updated_at"`
	InitiallyAssignedAt int64 `json:"initially_assigned_at"`
	AssignedAt          int64 `json:"assigned_at"`
	SolvedAt            int64 `json:"solved_at"`
	LatestCommentAt     int64 `json:"latest_comment_added_at"`
}

// Clock measures business time between two instants; *bizhours.Schedule
// satisfies it. A nil Clock counts business time as calendar time.
type Clock interface {
	Elapsed(from, to time.Time) time.Duration
}

// Author tells what kind of user wrote an audit or comment.
type Author struct {
	Agent bool // agent or admin: public comments are replies
	Staff bool // any non-customer role
}

// Facts is what the fold needs beyond the audits themselves.
type Facts struct {
	Clock Clock
	// Comments by id (public flag, author).
	Comments map[int64]*model.Comment
	// Authors by user id.
	Authors map[int64]Author
	// MadePrivate holds comments a later audit turned into notes: they
	// were public when written, and count as such.
	MadePrivate map[int64]bool
}

// CollectMadePrivate records the comments that audits turned private.
func CollectMadePrivate(audits []*model.Audit, into map[int64]bool) {
	for _, a := range audits {
		for _, e := range a.Events {
			if e.Type == "CommentPrivacyChange" && e.CommentID != 0 {
				into[e.CommentID] = true
			}
		}
	}
}

// NeededIDs lists the comment ids and user ids the fold of audits reads.
func NeededIDs(audits []*model.Audit) (comments, users []int64) {
	seen := map[int64]bool{}
	for _, a := range audits {
		if !seen[a.AuthorID] {
			seen[a.AuthorID] = true
			users = append(users, a.AuthorID)
		}
		for _, e := range a.Events {
			if e.Type == "Comment" && e.CommentID != 0 {
				comments = append(comments, e.CommentID)
			}
		}
	}
	return comments, users
}

func (f *Facts) span(from, to int64) Span {
	if to <= from || from == 0 {
		return Span{}
	}
	cal := to - from
	biz := cal
	if f.Clock != nil {
		biz = f.Clock.Elapsed(time.UnixMilli(from).UTC(), time.UnixMilli(to).UTC()).Milliseconds()
	}
	return Span{Cal: cal, Biz: biz}
}

// Apply folds one audit onto s. Audits must come in id order, each once.
func (s *State) Apply(a *model.Audit, f *Facts) {
	if a.ID <= s.LastAuditID {
		return
	}
	t := a.CreatedAt.UnixMilli()
	creating := s.LastAuditID == 0
	if creating {
		s.CreatedAt = t
	}
	for _, e := range a.Events {
		if e.Type != "Create" && e.Type != "Change" {
			continue
		}
		switch e.FieldName {
		case "requester_id":
			s.RequesterID = toID(e.Value)
		case "assignee_id":
			if id := toID(e.Value); id != s.AssigneeID {
				s.AssigneeID = id
				if id != 0 {
					s.AssigneeStations++
					s.AssignedAt = t
					if s.InitiallyAssignedAt == 0 {
						s.InitiallyAssignedAt = t
					}
				}
			}
		case "group_id":
			if id := toID(e.Value); id != s.GroupID {
				s.GroupID = id
				if id != 0 {
					s.GroupStations++
				}
			}
		case "status":
			if v, ok := e.Value.(string); ok && v != "" {
				s.setStatus(v, t, f)
			}
		}
	}
	for _, e := range a.Events {
		if e.Type != "Comment" {
			continue
		}
		c := f.Comments[e.CommentID]
		if c == nil {
			continue
		}
		s.LatestCommentAt = t
		if !c.Public && !f.MadePrivate[c.ID] {
			continue
		}
		au := f.Authors[c.AuthorID]
		switch {
		case au.Agent && !creating:
			s.Replies++
			if s.Reply == nil && s.ReplyStart != 0 {
				sp := f.span(s.ReplyStart, t)
				s.Reply = &sp
			}
		case !au.Staff && s.ReplyStart == 0:
			s.ReplyStart = t
		}
	}
	if a.AuthorID != 0 && a.AuthorID == s.RequesterID {
		s.RequesterUpdatedAt = t
	}
	if a.AuthorID != 0 && a.AuthorID == s.AssigneeID {
		s.AssigneeUpdatedAt = t
	}
	s.UpdatedAt = t
	s.LastAuditID = a.ID
}

// setStatus closes the interval spent in the old status and starts one in
// status v at t.
func (s *State) setStatus(v string, t int64, f *Facts) {
	old := s.Status
	if old == v {
		return
	}
	if old != "" {
		sp := f.span(s.StatusSince, t)
		switch old {
		case model.StatusPending:
			s.AgentWait.add(sp)
		case model.StatusHold:
			s.RequesterWait.add(sp)
			s.OnHold.add(sp)
		case model.StatusNew, model.StatusOpen:
			s.RequesterWait.add(sp)
		}
	}
	if old == model.StatusSolved && v != model.StatusClosed {
		s.Reopens++
	}
	// A ticket closed without passing through solved (possible through the
	// API) is resolved by the close.
	if v == model.StatusSolved || (v == model.StatusClosed && old != model.StatusSolved) {
		sp := f.span(s.CreatedAt, t)
		if s.FirstResolution == nil {
			first := sp
			s.FirstResolution = &first
		}
		s.FullResolution = &sp
		s.SolvedAt = t
	}
	s.Status, s.StatusSince, s.StatusUpdatedAt = v, t, t
}

// toID reads an id from an audit value: int64 in process, float64 or
// json.Number once read back from stored JSON, nil when cleared.
func toID(v any) int64 {
	switch x := v.(type) {
	case int64:
		return x
	case int:
		return int64(x)
	case float64:
		return int64(x)
	case json.Number:
		n, _ := x.Int64()
		return n
	}
	return 0
}

// Replay folds audits (in id order) from the empty state.
func Replay(audits []*model.Audit, f *Facts) *State {
	s := &State{}
	for _, a := range audits {
		s.Apply(a, f)
	}
	return s
}

// msTime turns stored milliseconds back into a time; 0 is the zero time.
func msTime(v int64) time.Time {
	if v == 0 {
		return time.Time{}
	}
	return time.UnixMilli(v).UTC()
}

// Time returns one of the state's millisecond instants as a time (zero
// when unset), for presenting.
func Time(v int64) time.Time { return msTime(v) }
