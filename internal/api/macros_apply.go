package api

import (
	"bytes"
	"encoding/json"
	"net/http"

	"github.com/kizuna-desk/kizuna/internal/macros"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Applying a macro returns what it would do and saves nothing; the client
// then PUTs the ticket. Each apply counts as one use of the macro (for
// usage_1h … usage_30d and sort_by=usage_*), so clients need no extra call.
func init() {
	routeGroups = append(routeGroups, func(s *Server) {
		s.handle("GET /api/v2/macros/{id}/apply", s.applyMacro(false))
		s.handle("GET /api/v2/tickets/{ticket_id}/macros/{id}/apply", s.applyMacro(true))
	})
}

// asMap turns a presented record into a JSON object that can take more keys.
func asMap(v any) (map[string]any, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	var m map[string]any
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber() // keep 64-bit ids exact
	return m, dec.Decode(&m)
}

type macroCommentJSON struct {
	Body       string     `json:"body"`
	HTMLBody   string     `json:"html_body"`
	ScopedBody [][]string `json:"scoped_body"`
	Public     bool       `json:"public"`
}

func (s *Server) applyMacro(onTicket bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if err := requireStaff(r); err != nil {
			return err
		}
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		u := currentUser(r)
		var tk *model.Ticket
		if onTicket {
			tid, err := pathID(r, "ticket_id")
			if err != nil {
				return err
			}
			if tk, err = s.Tickets.Get(r.Context(), u, tid); err != nil {
				return err
			}
		}
		base := baseURL(r)
		result := map[string]any{}
		err = s.Store.Write(r.Context(), func(tx *store.Tx) error {
			m, err := macros.Usable(tx, u, id)
			if err != nil {
				return err
			}
			ch, c, err := macros.Apply(tx, m, tk, u, base)
			if err != nil {
				return err
			}
			ticket := macros.Changed(ch)
			if onTicket {
				defs, err := tx.TicketFields()
				if err != nil {
					return err
				}
				if ticket, err = asMap(presentTicket(base, macros.Preview(tk, ch), defs)); err != nil {
					return err
				}
			}
			if c != nil {
				cj := macroCommentJSON{Body: c.Body, HTMLBody: c.HTMLBody, ScopedBody: [][]string{{"channel:all", c.Body}}, Public: c.Public}
				// Zendesk's reference shows the comment inside the ticket and
				// clients read it beside it; both are given, so a client can PUT
				// {"ticket": result.ticket} as it is.
				result["comment"], ticket["comment"] = cj, cj
			}
			result["ticket"] = ticket
			return macros.RecordUse(tx, m.ID, s.Now())
		})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, map[string]any{"result": result})
		return nil
	}
}
