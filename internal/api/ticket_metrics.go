package api

import (
	"fmt"
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/metrics"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Ticket metrics (Zendesk's /api/v2/ticket_metrics). A ticket has one
// metrics record whose id is the ticket's id, so /ticket_metrics/{id} and
// /tickets/{id}/metrics name the same record.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/ticket_metrics", s.listTicketMetrics)
		s.handle("GET /api/v2/ticket_metrics/{id}", s.showTicketMetric)
		s.handle("GET /api/v2/tickets/{id}/metrics", s.showTicketMetric)
	})
}

type minutesJSON struct {
	Calendar *int64 `json:"calendar"`
	Business *int64 `json:"business"`
}

type secondsJSON struct {
	Calendar *int64 `json:"calendar"`
}

type ticketMetricJSON struct {
	URL                          string      `json:"url"`
	ID                           int64       `json:"id"`
	TicketID                     int64       `json:"ticket_id"`
	CreatedAt                    string      `json:"created_at"`
	UpdatedAt                    string      `json:"updated_at"`
	GroupStations                int         `json:"group_stations"`
	AssigneeStations             int         `json:"assignee_stations"`
	Reopens                      int         `json:"reopens"`
	Replies                      int         `json:"replies"`
	AssigneeUpdatedAt            *string     `json:"assignee_updated_at"`
	RequesterUpdatedAt           *string     `json:"requester_updated_at"`
	StatusUpdatedAt              *string     `json:"status_updated_at"`
	CustomStatusUpdatedAt        *string     `json:"custom_status_updated_at"`
	InitiallyAssignedAt          *string     `json:"initially_assigned_at"`
	AssignedAt                   *string     `json:"assigned_at"`
	SolvedAt                     *string     `json:"solved_at"`
	LatestCommentAddedAt         *string     `json:"latest_comment_added_at"`
	ReplyTimeInMinutes           minutesJSON `json:"reply_time_in_minutes"`
	ReplyTimeInSeconds           secondsJSON `json:"reply_time_in_seconds"`
	FirstResolutionTimeInMinutes minutesJSON `json:"first_resolution_time_in_minutes"`
	FullResolutionTimeInMinutes  minutesJSON `json:"full_resolution_time_in_minutes"`
	AgentWaitTimeInMinutes       minutesJSON `json:"agent_wait_time_in_minutes"`
	RequesterWaitTimeInMinutes   minutesJSON `json:"requester_wait_time_in_minutes"`
	OnHoldTimeInMinutes          minutesJSON `json:"on_hold_time_in_minutes"`
}

func spanJSON(sp *metrics.Span) minutesJSON {
	if sp == nil {
		return minutesJSON{}
	}
	c, b := sp.Cal/60000, sp.Biz/60000
	return minutesJSON{Calendar: &c, Business: &b}
}

func msPtr(v int64) *string { return timePtr(metrics.Time(v)) }

func presentTicketMetric(base string, ticketID int64, st *metrics.State) ticketMetricJSON {
	j := ticketMetricJSON{
		URL: fmt.Sprintf("%s/api/v2/ticket_metrics/%d.json", base, ticketID), ID: ticketID, TicketID: ticketID,
		CreatedAt: isoTime(metrics.Time(st.CreatedAt)), UpdatedAt: isoTime(metrics.Time(st.UpdatedAt)),
		GroupStations: st.GroupStations, AssigneeStations: st.AssigneeStations, Reopens: st.Reopens, Replies: st.Replies,
		AssigneeUpdatedAt: msPtr(st.AssigneeUpdatedAt), RequesterUpdatedAt: msPtr(st.RequesterUpdatedAt),
		StatusUpdatedAt: msPtr(st.StatusUpdatedAt), CustomStatusUpdatedAt: msPtr(st.StatusUpdatedAt),
		InitiallyAssignedAt: msPtr(st.InitiallyAssignedAt), AssignedAt: msPtr(st.AssignedAt),
		SolvedAt: msPtr(st.SolvedAt), LatestCommentAddedAt: msPtr(st.LatestCommentAt),
		ReplyTimeInMinutes:           spanJSON(st.Reply),
		FirstResolutionTimeInMinutes: spanJSON(st.FirstResolution),
		FullResolutionTimeInMinutes:  spanJSON(st.FullResolution),
		AgentWaitTimeInMinutes:       spanJSON(&st.AgentWait),
		RequesterWaitTimeInMinutes:   spanJSON(&st.RequesterWait),
		OnHoldTimeInMinutes:          spanJSON(&st.OnHold),
	}
	if st.Reply != nil {
		sec := st.Reply.Cal / 1000
		j.ReplyTimeInSeconds.Calendar = &sec
	}
	return j
}

func (s *Server) listTicketMetrics(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	body := map[string]any{}
	var out []ticketMetricJSON
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		rows, err := pageByID(p, body, func(m *store.MetricsRow) int64 { return m.TicketID },
			func(after int64, offset, limit int) ([]*store.MetricsRow, error) {
				return tx.ListTicketMetrics(after, offset, limit)
			}, tx.CountTicketMetrics)
		if err != nil {
			return err
		}
		base := baseURL(r)
		out = make([]ticketMetricJSON, 0, len(rows))
		for _, row := range rows {
			st, err := metrics.Decode(row)
			if err != nil {
				return err
			}
			out = append(out, presentTicketMetric(base, row.TicketID, st))
		}
		return nil
	})
	if err != nil {
		return err
	}
	body["ticket_metrics"] = out
	writeJSON(w, http.StatusOK, body)
	return nil
}

func (s *Server) showTicketMetric(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var st *metrics.State
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		tk, err := tx.Ticket(id)
		if err != nil {
			return err
		}
		if !tk.DeletedAt.IsZero() {
			return store.ErrNotFound
		}
		st, err = metrics.New(s.Store).Get(tx, id)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"ticket_metric": presentTicketMetric(baseURL(r), id, st)})
	return nil
}
