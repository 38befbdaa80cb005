package web

import (
	"encoding/json"
	"net/http"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// Customer suggestions for the new-ticket form: as an agent types in the
// lookup, newticket_suggest.js asks GET /tickets/new/customers?q=… and
// lists the answers under the field. It is the form's own lookup
// (findRequesters, the search index with type:user) as JSON; without
// script the Find button does the same lookup by a round trip.

// customerSuggestion is one customer in the list.
type customerSuggestion struct {
	ID    int64  `json:"id"`
	Name  string `json:"name"`
	Email string `json:"email,omitempty"`
	Phone string `json:"phone,omitempty"`
}

func (s *Server) customerSuggestions(w http.ResponseWriter, r *http.Request) error {
	me := currentUser(r)
	if !me.IsStaff() {
		return errForbidden
	}
	d := &newTicketData{Q: strings.TrimSpace(r.URL.Query().Get("q"))}
	if err := s.Store.Read(r.Context(), func(tx *store.Tx) error { return s.findRequesters(tx, me, d) }); err != nil {
		return err
	}
	out := make([]customerSuggestion, 0, len(d.Matches))
	for _, u := range d.Matches {
		out = append(out, customerSuggestion{ID: u.ID, Name: u.Name, Email: u.Email, Phone: u.Phone})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	return json.NewEncoder(w).Encode(map[string]any{"customers": out})
}
