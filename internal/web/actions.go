package web

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func init() {
	for k, v := range actionMessages {
		messages[k] = v
	}
}

var actionMessages = map[string][2]string{
	"action.split":            {"分割", "Split"},
	"action.split_subject":    {"新しいチケットの件名（空欄ならこのコメントから）", "Subject of the new ticket (empty: taken from this comment)"},
	"action.split_confirm":    {"このコメントを新しいチケットに分割する", "Split this comment into a new ticket"},
	"action.split_done":       {"チケット #%d から分割しました。", "Split from ticket #%d."},
	"action.merge":            {"別のチケットに統合", "Merge into another ticket"},
	"action.merge_target":     {"統合先のチケット番号", "Number of the ticket to merge into"},
	"action.merge_note":       {"このチケットはクローズされ、やりとりは統合先に引き継がれます。元に戻せません。", "This ticket will be closed and its conversation continues on the other one. This cannot be undone."},
	"action.merge_confirm":    {"統合する", "Merge"},
	"action.merge_done":       {"チケット #%d をこのチケットに統合しました。", "Merged ticket #%d into this ticket."},
	"action.merge_unknown":    {"統合先のチケット #%d が見つかりません。", "Ticket #%d was not found."},
	"action.merge_bad_target": {"統合先のチケット番号を入力してください。", "Enter the number of the ticket to merge into."},
}

// splitTicket moves one comment (or several: comment may repeat) of the
// ticket into a new ticket through tickets.Service.Split, then shows the
// new ticket.
func (s *Server) splitTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	var ids []int64
	for _, v := range r.Form["comment"] {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n <= 0 {
			return errBadInput
		}
		ids = append(ids, n)
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	res, err := s.Tickets.Split(r.Context(), me, id, ids, tickets.SplitOptions{Subject: r.FormValue("subject")})
	if err != nil {
		return s.actionFailed(w, r, id, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?split_from=%d", res.Ticket.ID, id), http.StatusSeeOther)
	return nil
}

// mergeTicket folds this ticket into the one named by target through
// tickets.Service.Merge (this one is closed), then shows the target.
func (s *Server) mergeTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	v := s.view(r)
	raw := strings.TrimPrefix(strings.TrimSpace(r.FormValue("target")), "#")
	target, err := strconv.ParseInt(toHalfWidthDigits(raw), 10, 64)
	if err != nil || target <= 0 {
		return s.retry(w, r, id, "", "", []string{v.T("action.merge_bad_target")})
	}
	if _, err := s.Tickets.Get(r.Context(), me, target); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return s.retry(w, r, id, "", "", []string{v.T("action.merge_unknown", target)})
		}
		return s.actionFailed(w, r, id, err)
	}
	if _, err := s.Tickets.Merge(r.Context(), me, target, []int64{id}, tickets.MergeOptions{}); err != nil {
		return s.actionFailed(w, r, id, err)
	}
	http.Redirect(w, r, fmt.Sprintf("/tickets/%d?merged=%d", target, id), http.StatusSeeOther)
	return nil
}

// actionFailed shows the ticket again with why a one-click action was
// refused; other errors become the error page.
func (s *Server) actionFailed(w http.ResponseWriter, r *http.Request, id int64, err error) error {
	var inv *errs.Invalid
	switch {
	case errors.As(err, &inv):
		return s.retry(w, r, id, "", "", invalidMessages(inv))
	case errors.Is(err, errs.ErrForbidden):
		return s.retry(w, r, id, "", "", []string{s.view(r).T("error.forbidden")})
	case errors.Is(err, store.ErrConflict):
		return s.retry(w, r, id, "", "", []string{s.view(r).T("error.conflict")})
	}
	return err
}

// toHalfWidthDigits reads ticket numbers typed with a Japanese IME (１２３).
func toHalfWidthDigits(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '０' && r <= '９' {
			return r - '０' + '0'
		}
		return r
	}, s)
}
