package api

import (
	"net/http"
	"strconv"
	"strings"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func (s *Server) ticketRoutes() {
	s.handle("GET /api/v2/tickets", s.listTickets)
	s.handle("GET /api/v2/tickets/count", s.countTickets)
	s.handle("GET /api/v2/tickets/show_many", s.showManyTickets)
	s.handle("GET /api/v2/tickets/{id}", s.showTicket)
	s.handle("POST /api/v2/tickets", s.createTicket)
	s.handle("PUT /api/v2/tickets/{id}", s.updateTicket)
	s.handle("PATCH /api/v2/tickets/{id}", s.updateTicket)
	s.handle("DELETE /api/v2/tickets/{id}", s.deleteTicket)
	s.handle("POST /api/v2/tickets/create_many", s.createManyTickets)
	s.handle("PUT /api/v2/tickets/update_many", s.updateManyTickets)
	s.handle("DELETE /api/v2/tickets/destroy_many", s.destroyManyTickets)
	s.handle("GET /api/v2/users/{id}/tickets/requested", s.userTickets("requested"))
	s.handle("GET /api/v2/users/{id}/tickets/assigned", s.userTickets("assigned"))
	s.handle("GET /api/v2/users/{id}/tickets/ccd", s.userTickets("ccd"))
	s.handle("GET /api/v2/organizations/{id}/tickets", s.orgTickets)
	s.handle("GET /api/v2/tickets/{id}/comments", s.listComments)
	s.handle("PUT /api/v2/tickets/{id}/comments/{cid}/make_private", s.makeCommentPrivate)
	s.handle("GET /api/v2/tickets/{id}/audits", s.listAudits)
	s.handle("GET /api/v2/tickets/{id}/audits/{aid}", s.showAudit)
	s.handle("GET /api/v2/job_statuses/{id}", s.showJobStatus)
}

// ticketFilterFromQuery reads our filter extension on ticket lists:
// status, assignee_id ("none" for unassigned), group_id, requester_id,
// organization_id, brand_id, inbox_id and tags, each comma-separated.
func ticketFilterFromQuery(r *http.Request) (store.TicketFilter, error) {
	q := r.URL.Query()
	var f store.TicketFilter
	if v := q.Get("status"); v != "" {
		f.Statuses = strings.Split(v, ",")
	}
	if v := q.Get("tags"); v != "" {
		f.Tags = strings.Split(v, ",")
	}
	for param, dst := range map[string]*[]int64{"assignee_id": &f.AssigneeIDs, "group_id": &f.GroupIDs, "requester_id": &f.RequesterIDs,
		"organization_id": &f.OrganizationIDs, "brand_id": &f.BrandIDs, "inbox_id": &f.InboxIDs} {
		v := q.Get(param)
		if v == "" {
			continue
		}
		for _, p := range strings.Split(v, ",") {
			if p == "none" || p == "null" {
				*dst = append(*dst, 0)
				continue
			}
			id, err := strconv.ParseInt(p, 10, 64)
			if err != nil {
				return f, badRequest("InvalidValue", param+": expected ids or \"none\".")
			}
			*dst = append(*dst, id)
		}
	}
	return f, nil
}

var ticketSorts = map[string]string{"id": "id", "created_at": "created_at", "updated_at": "updated_at", "status": "status",
	"priority": "priority", "subject": "subject", "due_at": "due_at", "solved_at": "solved_at"}

func ticketOrderFromQuery(r *http.Request, def store.TicketOrder) (store.TicketOrder, error) {
	q := r.URL.Query()
	o := def
	if v := q.Get("sort_by"); v != "" {
		f, ok := ticketSorts[v]
		if !ok {
			return o, badRequest("InvalidValue", "sort_by must be one of id, created_at, updated_at, status, priority, subject, due_at, solved_at.")
		}
		o.Field = f
		o.Desc = false
	}
	if v := q.Get("sort"); v != "" { // cursor style: sort=-updated_at
		o.Desc = strings.HasPrefix(v, "-")
		f, ok := ticketSorts[strings.TrimPrefix(v, "-")]
		if !ok {
			return o, badRequest("InvalidValue", "sort must name a ticket field, optionally prefixed with - for descending order.")
		}
		o.Field = f
	}
	switch q.Get("sort_order") {
	case "desc":
		o.Desc = true
	case "asc":
		o.Desc = false
	}
	return o, nil
}

func (s *Server) listTickets(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	f, err := ticketFilterFromQuery(r)
	if err != nil {
		return err
	}
	return s.respondTickets(w, r, f, store.TicketOrder{Field: "id"})
}

func (s *Server) userTickets(kind string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id, err := pathID(r, "id")
		if err != nil {
			return err
		}
		me := currentUser(r)
		if !me.IsStaff() && me.ID != id {
			return errs.Forbiddenf("you can list only your own requests")
		}
		var f store.TicketFilter
		switch kind {
		case "requested":
			f.RequesterIDs = []int64{id}
		case "assigned":
			f.AssigneeIDs = []int64{id}
		case "ccd":
			return s.respondCCd(w, r, id)
		}
		return s.respondTickets(w, r, f, store.TicketOrder{Field: "id"})
	}
}

func (s *Server) orgTickets(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	return s.respondTickets(w, r, store.TicketFilter{OrganizationIDs: []int64{id}}, store.TicketOrder{Field: "id"})
}

// respondTickets writes one page of tickets in either pagination style.
func (s *Server) respondTickets(w http.ResponseWriter, r *http.Request, f store.TicketFilter, def store.TicketOrder) error {
	p, err := parsePager(r)
	if err != nil {
		return err
	}
	order, err := ticketOrderFromQuery(r, def)
	if err != nil {
		return err
	}
	body := map[string]any{}
	var list []*model.Ticket
	var defs []*model.TicketField
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if list, err = ticketPage(tx, p, f, order, body); err != nil {
			return err
		}
		// After the page: on PostgreSQL the read of the configuration
		// stamp then travels with the page's query instead of alone.
		defs, err = tx.TicketFields()
		return err
	})
	if err != nil {
		return err
	}
	body["tickets"] = s.presentTickets(r, list, defs)
	writeJSON(w, http.StatusOK, body)
	return nil
}

// ticketPage reads one page of tickets and writes its links into body.
func ticketPage(tx *store.Tx, p *pager, f store.TicketFilter, order store.TicketOrder, body map[string]any) ([]*model.Ticket, error) {
	if !p.Cursor {
		list, err := tx.ListTickets(f, order, store.Page{Limit: p.Size, Offset: p.offset()})
		if err != nil {
			return nil, err
		}
		n, err := tx.CountTickets(f)
		p.offsetLinks(body, n, len(list))
		return list, err
	}
	if !store.KeysetOrder(order.Field) {
		return nil, badRequest("InvalidValue", "cursor pagination sorts by id, created_at or updated_at.")
	}
	page := store.Page{Limit: p.Size + 1}
	if p.After != "" {
		v, id, err := decodeCursor(p.After)
		if err != nil {
			return nil, err
		}
		page.After = &store.Cursor{Value: v, ID: id}
	}
	list, err := tx.ListTickets(f, order, page)
	if err != nil {
		return nil, err
	}
	hasMore := len(list) > p.Size
	if hasMore {
		list = list[:p.Size]
	}
	after, before := "", ""
	if len(list) > 0 {
		c := store.CursorFor(list[len(list)-1], order.Field)
		after = encodeCursor(c.Value, c.ID)
		c = store.CursorFor(list[0], order.Field)
		before = encodeCursor(c.Value, c.ID)
	}
	p.cursorLinks(body, hasMore, after, before)
	return list, nil
}

func (s *Server) respondCCd(w http.ResponseWriter, r *http.Request, userID int64) error {
	// CC'd lists are short; scan the user's tickets by collaborator id.
	var list []*model.Ticket
	var defs []*model.TicketField
	err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if defs, err = tx.TicketFields(); err != nil {
			return err
		}
		list, err = tx.TicketsCCing(userID, 1000)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": s.presentTickets(r, list, defs), "count": len(list), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) presentTickets(r *http.Request, list []*model.Ticket, defs []*model.TicketField) []ticketJSON {
	base := baseURL(r)
	out := make([]ticketJSON, len(list))
	for i, t := range list {
		out[i] = presentTicket(base, t, defs)
	}
	if err := s.ticketSatisfaction(r, out); err != nil {
		s.Log.Error("ticket satisfaction ratings", "err", err) // the tickets are still worth showing
	}
	return out
}

func (s *Server) countTickets(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	f, err := ticketFilterFromQuery(r)
	if err != nil {
		return err
	}
	var n int64
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		n, err = tx.CountTickets(f)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"count": map[string]any{"value": n, "refreshed_at": isoTime(s.Now())}})
	return nil
}

func (s *Server) showManyTickets(w http.ResponseWriter, r *http.Request) error {
	if err := requireStaff(r); err != nil {
		return err
	}
	ids, err := idList(r.URL.Query().Get("ids"))
	if err != nil {
		return err
	}
	var list []*model.Ticket
	var defs []*model.TicketField
	err = s.Store.Read(r.Context(), func(tx *store.Tx) error {
		var err error
		if defs, err = tx.TicketFields(); err != nil {
			return err
		}
		list, err = tx.TicketsByID(ids)
		return err
	})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, map[string]any{"tickets": s.presentTickets(r, list, defs), "count": len(list), "next_page": nil, "previous_page": nil})
	return nil
}

func (s *Server) showTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	tk, err := s.Tickets.Get(r.Context(), currentUser(r), id)
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, http.StatusOK, tk, nil, nil)
}

// writeTicket answers {"ticket": …, "audit": …} as Zendesk does after a write.
// defs, when given, were read by the write that created tk: a ticket just
// created has no satisfaction rating yet, so nothing more is read.
func (s *Server) writeTicket(w http.ResponseWriter, r *http.Request, status int, tk *model.Ticket, res *tickets.Result, defs []*model.TicketField) error {
	var rating map[int64]*store.SatisfactionRating
	if defs == nil {
		// One read for the field definitions and the rating.
		err := s.Store.Read(r.Context(), func(tx *store.Tx) error {
			var err error
			if defs, err = tx.TicketFields(); err != nil {
				return err
			}
			if rating, err = tx.LatestSatisfactionRatings([]int64{tk.ID}); err != nil {
				s.Log.Error("ticket satisfaction rating", "err", err) // the ticket is still worth showing
			}
			return nil
		})
		if err != nil {
			return err
		}
	}
	base := baseURL(r)
	list := []ticketJSON{presentTicket(base, tk, defs)}
	addRatings(r, list, rating)
	body := map[string]any{"ticket": list[0]}
	// Sideloads inside the ticket (?include=slas); see ticketIncludes.
	if extra, err := s.ticketExtras(r, tk); err != nil {
		return err
	} else if body["ticket"], err = withExtras(body["ticket"], extra); err != nil {
		return err
	}
	if res != nil && res.Audit != nil {
		comments := map[int64]*model.Comment{}
		if res.Comment != nil {
			comments[res.Comment.ID] = res.Comment
		}
		body["audit"] = presentAudit(base, res.Audit, comments)
	}
	if res != nil && res.HeldDraftID != 0 {
		// The first message waits for approval (docs/api.md, Drafts).
		d, err := s.approvals().Get(r.Context(), currentUser(r), res.HeldDraftID)
		if err != nil {
			return err
		}
		body["draft"] = presentDraft(r, d, nil)
	}
	writeJSON(w, status, body)
	return nil
}

func (s *Server) createTicket(w http.ResponseWriter, r *http.Request) error {
	var in struct {
		Ticket *ticketIn `json:"ticket"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Ticket == nil {
		return badRequest("InvalidValue", `The body must be {"ticket": {...}}.`)
	}
	ch, err := in.Ticket.change(true)
	if err != nil {
		return err
	}
	res, err := s.Tickets.Create(r.Context(), currentUser(r), ch)
	if err != nil {
		return err
	}
	w.Header().Set("Location", presentTicket(baseURL(r), res.Ticket, nil).URL)
	return s.writeTicket(w, r, http.StatusCreated, res.Ticket, res, res.Fields)
}

func (s *Server) updateTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	var in struct {
		Ticket *ticketIn `json:"ticket"`
	}
	if err := s.decode(w, r, &in); err != nil {
		return err
	}
	if in.Ticket == nil {
		return badRequest("InvalidValue", `The body must be {"ticket": {...}}.`)
	}
	ch, err := in.Ticket.change(false)
	if err != nil {
		return err
	}
	res, err := s.Tickets.Update(r.Context(), currentUser(r), id, ch)
	if err != nil {
		return err
	}
	return s.writeTicket(w, r, http.StatusOK, res.Ticket, res, nil)
}

func (s *Server) deleteTicket(w http.ResponseWriter, r *http.Request) error {
	id, err := pathID(r, "id")
	if err != nil {
		return err
	}
	if err := s.Tickets.Delete(r.Context(), currentUser(r), id); err != nil {
		return err
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
