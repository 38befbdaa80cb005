package web

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Event is one "ticket changed" notice pushed to open pages.
type Event struct {
	TicketID int64  `json:"ticket_id"`
	Kind     string `json:"kind"` // created, updated
	ActorID  int64  `json:"actor_id"`
	// Comment is "public", "note" or "" (no comment in this change).
	Comment string `json:"comment,omitempty"`
	// ByCustomer: the comment's author is the customer (a new message).
	ByCustomer bool   `json:"by_customer,omitempty"`
	Status     string `json:"status"`
	AssigneeID int64  `json:"assignee_id"`
}

// Hub fans ticket changes out to every open page of this process. It is
// fed after commit (tickets.Service.OnChange), so a page that reloads on
// an event always reads the change.
type Hub struct {
	mu   sync.Mutex
	subs map[chan message]struct{}
	gen  atomic.Uint64 // bumped on every ticket change; caches compare it
	// node names this process to the other nodes; out, when set by
	// RunRelay, takes events to forward to them (cluster.go).
	node string
	out  atomic.Pointer[chan relayed]
}

// message is one server-sent event: its name and JSON data.
type message struct {
	event string
	data  []byte
}

// NewHub returns an empty hub.
func NewHub() *Hub { return &Hub{subs: map[chan message]struct{}{}, node: newNodeID()} }

func (h *Hub) setOutbox(out chan relayed) {
	if out == nil {
		h.out.Store(nil)
		return
	}
	h.out.Store(&out)
}

// forward hands m to RunRelay without ever blocking a ticket write; when
// the relay is behind, other nodes miss a reload hint, not data.
func (h *Hub) forward(m relayed) {
	if p := h.out.Load(); p != nil {
		select {
		case *p <- m:
		default:
		}
	}
}

// Gen is a counter that changes whenever a ticket did.
func (h *Hub) Gen() uint64 { return h.gen.Load() }

// subscribe returns a channel of messages and a function to stop.
func (h *Hub) subscribe() (<-chan message, func()) {
	ch := make(chan message, 64)
	h.mu.Lock()
	h.subs[ch] = struct{}{}
	h.mu.Unlock()
	return ch, func() {
		h.mu.Lock()
		delete(h.subs, ch)
		h.mu.Unlock()
	}
}

// Publish sends a ticket change to every open page.
func (h *Hub) Publish(e Event) {
	h.gen.Add(1)
	b, _ := json.Marshal(e)
	h.send(message{event: "ticket", data: b})
	h.forward(relayed{Kind: "ticket", Event: b})
}

// send fans m out. A subscriber that is not keeping up loses messages
// rather than slowing the writer; pages treat any ticket event as
// "reload", so a lost one is covered by the next.
func (h *Hub) send(m message) {
	h.mu.Lock()
	defer h.mu.Unlock()
	for ch := range h.subs {
		select {
		case ch <- m:
		default:
		}
	}
}

func (h *Hub) publishResult(r tickets.Result) {
	if r.Ticket == nil {
		return
	}
	e := Event{TicketID: r.Ticket.ID, Kind: "updated", Status: r.Ticket.Status, AssigneeID: r.Ticket.AssigneeID}
	if r.Old == nil {
		e.Kind = "created"
	}
	if r.Actor != nil {
		e.ActorID = r.Actor.ID
	}
	if c := r.Comment; c != nil {
		e.Comment = "note"
		if c.Public {
			e.Comment = "public"
		}
		// The requester writing (by mail or the portal) is the customer.
		e.ByCustomer = c.AuthorID == r.Ticket.RequesterID && (r.Actor == nil || r.Actor.Role == model.RoleEndUser)
	}
	h.Publish(e)
}

// heartbeat keeps proxies from closing an idle event stream.
const heartbeat = 25 * time.Second

// events streams hub messages to one page as Server-Sent Events. A ticket
// page names its ticket (?ticket=ID): while it is connected the agent
// counts as viewing that ticket.
func (s *Server) events(w http.ResponseWriter, r *http.Request) error {
	var ticket int64
	if v := r.URL.Query().Get("ticket"); v != "" {
		id, err := strconv.ParseInt(v, 10, 64)
		if err != nil || id <= 0 {
			return errBadInput
		}
		if _, err := s.Tickets.Get(r.Context(), currentUser(r), id); err != nil {
			return err
		}
		ticket = id
	}
	rc := http.NewResponseController(w)
	_ = rc.SetWriteDeadline(time.Time{}) // a stream outlives the server's write timeout
	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	ch, stop := s.Hub.subscribe()
	defer stop()
	w.WriteHeader(http.StatusOK)
	fmt.Fprint(w, "retry: 2000\n: hello\n\n")
	if err := rc.Flush(); err != nil {
		return nil
	}
	if ticket != 0 {
		stream := s.streams.Add(1)
		s.presence.join(ticket, stream, currentUser(r))
		defer s.presence.leave(ticket, stream)
	}
	tick := time.NewTicker(heartbeat)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return nil
		case <-tick.C:
			fmt.Fprint(w, ": ping\n\n")
		case m := <-ch:
			fmt.Fprintf(w, "event: %s\ndata: %s\n\n", m.event, m.data)
		}
		if err := rc.Flush(); err != nil {
			return nil
		}
	}
}
