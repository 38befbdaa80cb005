package api

import (
	"net/http"
	"time"

	"github.com/kizuna-desk/kizuna/internal/snooze"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Snooze (our extension): put a ticket aside until a time.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/tickets/{id}/snooze", s.showSnooze)
		s.handle("PUT /api/v2/tickets/{id}/snooze", s.setSnooze)
		s.handle("DELETE /api/v2/tickets/{id}/snooze", s.deleteSnooze)
	})
}

type snoozeJSON struct {
	TicketID     int64  `json:"ticket_id"`
	Until        string `json:"until"`
	Reason       string `json:"reason"`
	NotifyUserID *int64 `json:"notify_user_id"`
	CreatedByID  int64  `json:"created_by_id"`
	CreatedAt    string `json:"created_at"`
}

// presentSnooze renders a snooze; an awake ticket has {"snooze": null}.
func presentSnooze(sn *store.Snooze) map[string]any {
	if sn == nil {
		return map[string]any{"snooze": nil}
	}
	return map[string]any{"snooze": snoozeJSON{TicketID: sn.TicketID, Until: isoTime(sn.Until), Reason: sn.Reason,
		NotifyUserID: idPtr(sn.NotifyUserID), CreatedByID: sn.CreatedBy, CreatedAt: isoTime(sn.CreatedAt)}}
}

func (s *Server) showSnooze(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	sn, err := d.snooze.Get(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentSnooze(sn))
	return nil
}

func (s *Server) setSnooze(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Snooze *struct {
			Until        string `json:"until"`
			Reason       string `json:"reason"`
			NotifyUserID optInt `json:"notify_user_id"`
		} `json:"snooze"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Snooze == nil {
		return badRequest("InvalidJSON", `Send {"snooze": {"until": "2026-12-01T09:00:00+09:00", "reason": "..."}}. / {"snooze": {...}} の形式で送信してください。`)
	}
	var until time.Time
	if in.Snooze.Until != "" {
		if until, err = time.Parse(time.RFC3339, in.Snooze.Until); err != nil {
			return badRequest("InvalidValue", "until: use an RFC 3339 time such as 2026-12-01T09:00:00+09:00. / until は RFC 3339 形式の日時で指定してください。")
		}
	}
	sn, err := d.snooze.Snooze(r.Context(), currentUser(r), id, snooze.Input{Until: until, Reason: in.Snooze.Reason, NotifyUserID: in.Snooze.NotifyUserID.V})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, presentSnooze(sn))
	return nil
}

func (s *Server) deleteSnooze(w http.ResponseWriter, r *http.Request) error {
	d, err := s.assignDeps()
	if err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := d.snooze.Unsnooze(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
