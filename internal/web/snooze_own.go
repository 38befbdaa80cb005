package web

import (
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/snooze"
)

func init() {
	for k, v := range snoozeMessages {
		messages[k] = v
	}
}

var snoozeMessages = map[string][2]string{
	"action.snooze":         {"スヌーズ", "Snooze"},
	"action.snooze_until":   {"再開日時", "Back at"},
	"action.snooze_reason":  {"理由（任意）", "Reason (optional)"},
	"action.snooze_confirm": {"スヌーズする", "Snooze"},
	"action.snoozed":        {"スヌーズ中: %s まで", "Snoozed until %s"},
	"action.snooze_done":    {"スヌーズしました。", "Snoozed."},
	"action.unsnooze":       {"スヌーズを解除", "Wake now"},
	"action.unsnooze_done":  {"スヌーズを解除しました。", "Woken up."},
	"action.bad_time":       {"再開日時を正しく入力してください。", "Enter a valid date and time."},
	"action.own":            {"最後まで担当する", "Own to the end"},
	"action.own_on":         {"最後まで担当中（お客様の返信でもプールに戻りません）", "Owned to the end (customer replies do not return it to the pool)"},
	"action.own_off":        {"最後まで担当をやめる", "Stop owning to the end"},
	"action.own_done":       {"担当設定を変更しました。", "Ownership changed."},
	"event.snoozed":         {"スヌーズ: %s まで", "Snoozed until %s"},
	"event.unsnoozed":       {"スヌーズ解除", "Woken up"},
	"event.yes":             {"はい", "yes"},
	"event.no":              {"いいえ", "no"},
	"field.own_to_end":      {"最後まで担当", "Own to the end"},
}

// snoozeTicket puts the ticket aside until a local date and time (the
// agent's time zone) through snooze.Service.
func (s *Server) snoozeTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	if s.Snooze == nil {
		return errNotFound
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	v := s.view(r)
	until, err := time.ParseInLocation("2006-01-02T15:04", strings.TrimSpace(r.FormValue("until")), v.loc)
	if err != nil {
		return s.retry(w, r, id, "", "", []string{v.T("action.bad_time")})
	}
	if _, err := s.Snooze.Snooze(r.Context(), me, id, snooze.Input{Until: until, Reason: r.FormValue("reason")}); err != nil {
		return s.actionFailed(w, r, id, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?done=snooze", id), http.StatusSeeOther)
	return nil
}

func (s *Server) unsnoozeTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	if s.Snooze == nil {
		return errNotFound
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	if err := s.Snooze.Unsnooze(r.Context(), me, id); err != nil {
		return s.actionFailed(w, r, id, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?done=unsnooze", id), http.StatusSeeOther)
	return nil
}

// ownTicket sets or clears "own to the end" through assign.Service.
func (s *Server) ownTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	if s.Assign == nil {
		return errNotFound
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	if _, err := s.Assign.SetOwnership(r.Context(), me, id, r.FormValue("own") == "1"); err != nil {
		return s.actionFailed(w, r, id, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?done=own", id), http.StatusSeeOther)
	return nil
}

// loadSnoozeOwn fills the page's snooze and ownership state.
func (s *Server) loadSnoozeOwn(r *http.Request, d *ticketData) error {
	me := currentUser(r)
	v := s.view(r)
	// Default "back at": tomorrow 09:00 in the agent's zone.
	now := v.now.In(v.loc)
	d.SnoozeDefault = time.Date(now.Year(), now.Month(), now.Day()+1, 9, 0, 0, 0, v.loc).Format("2006-01-02T15:04")
	if s.Snooze != nil {
		d.CanSnooze = true
		sn, err := s.Snooze.Get(r.Context(), me, d.Ticket.ID)
		if err != nil {
			return err
		}
		d.Snoozed = sn
	}
	if s.Assign != nil {
		d.CanOwn = true
		o, err := s.Assign.Ownership(r.Context(), me, d.Ticket.ID)
		if err != nil {
			return err
		}
		d.OwnToEnd = o.OwnToEnd
	}
	return nil
}
