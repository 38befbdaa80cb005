package web

import (
	"errors"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/kizuna-desk/kizuna/internal/finder"
	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// searchData is the search page: the query and the first tickets found.
type searchData struct {
	Query string
	Rows  []queueRow
	Error string
	More  bool
}

// searchPage finds tickets with the API's Zendesk-style query language
// (status:open assignee:me 配送 …, see internal/finder), best match
// first unless order_by: says otherwise. Only the first page is shown;
// counting every match of a common word at 1M tickets costs more than
// the page is worth.
func (s *Server) searchPage(w http.ResponseWriter, r *http.Request) error {
	raw := strings.TrimSpace(r.URL.Query().Get("q"))
	d := searchData{Query: raw}
	v := s.view(r)
	v.Title = v.T("search.title")
	v.Data = &d
	status := http.StatusOK
	switch {
	case raw == "":
	case len(raw) > 1000 || !utf8.ValidString(raw):
		d.Error, status = v.T("search.too_long"), http.StatusUnprocessableEntity
	default:
		err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			q, err := search.Parse(raw)
			if err != nil {
				return err
			}
			q.Type = finder.TypeTicket
			plan, err := finder.Compile(tx, currentUser(r), q, s.Now())
			if err != nil || plan.Tickets == nil {
				return err
			}
			list, err := tx.ListTickets(*plan.Tickets, plan.Order, store.Page{Limit: PageSize + 1})
			if err != nil {
				return err
			}
			if len(list) > PageSize {
				list, d.More = list[:PageSize], true
			}
			d.Rows, err = withPeople(tx, list, v)
			return err
		})
		var se *search.SyntaxError
		switch {
		case errors.As(err, &se) || errors.Is(err, finder.ErrInvalid):
			d.Error, status = err.Error(), http.StatusUnprocessableEntity
		case err != nil:
			return err
		}
	}
	s.render(w, status, "search", v)
	return nil
}
