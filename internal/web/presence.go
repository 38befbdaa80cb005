package web

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
)

// Collision avoidance (二重返信防止): who has a ticket open and who is
// writing a public reply to it. A ticket page's event stream counts as
// "viewing" while it is connected; the composer reports "replying" while
// it holds unsent text, and must renew it within ReplyTTL. Each node keeps
// its own pages' share and, with several nodes on one PostgreSQL database,
// the other nodes' shares as they relay them (cluster.go), so everyone sees
// everyone and the reply lock holds across nodes.
const ReplyTTL = 45 * time.Second

// Person is one agent on a ticket, as the presence bar shows them.
type Person struct {
	ID       int64  `json:"id"`
	Name     string `json:"name"`
	Replying bool   `json:"replying"`
}

type presence struct {
	mu       sync.Mutex
	viewers  map[int64]map[int64]viewer       // ticket → stream → viewer
	replying map[int64]map[int64]replyMark    // ticket → user → mark
	remote   map[int64]map[string]remoteShare // ticket → node → its people
	hub      *Hub
	now      func() time.Time
}

type viewer struct {
	userID int64
	name   string
}

// remoteShare is another node's people on a ticket, as it last said.
type remoteShare struct {
	people []Person
	until  time.Time
}

type replyMark struct {
	name  string
	until time.Time
}

func newPresence(h *Hub, now func() time.Time) *presence {
	return &presence{viewers: map[int64]map[int64]viewer{}, replying: map[int64]map[int64]replyMark{},
		remote: map[int64]map[string]remoteShare{}, hub: h, now: now}
}

// join records a ticket page's stream; leave removes it.
func (p *presence) join(ticket, stream int64, u *model.User) {
	p.mu.Lock()
	if p.viewers[ticket] == nil {
		p.viewers[ticket] = map[int64]viewer{}
	}
	p.viewers[ticket][stream] = viewer{userID: u.ID, name: u.Name}
	p.mu.Unlock()
	p.announce(ticket)
}

func (p *presence) leave(ticket, stream int64) {
	p.mu.Lock()
	delete(p.viewers[ticket], stream)
	if len(p.viewers[ticket]) == 0 {
		delete(p.viewers, ticket)
	}
	p.mu.Unlock()
	p.announce(ticket)
}

// setReplying marks u as writing a reply to ticket (on) or not (off).
func (p *presence) setReplying(ticket int64, u *model.User, on bool) {
	p.mu.Lock()
	changed := false
	if on {
		if p.replying[ticket] == nil {
			p.replying[ticket] = map[int64]replyMark{}
		}
		_, had := p.replying[ticket][u.ID]
		p.replying[ticket][u.ID] = replyMark{name: u.Name, until: p.now().Add(ReplyTTL)}
		changed = !had
	} else if _, had := p.replying[ticket][u.ID]; had {
		delete(p.replying[ticket], u.ID)
		changed = true
	}
	p.mu.Unlock()
	if changed {
		p.announce(ticket)
	}
	if on {
		// Tell everyone when the mark lapses without a renewal.
		time.AfterFunc(ReplyTTL+time.Second, func() {
			if p.expire(ticket) {
				p.announce(ticket)
			}
		})
	}
}

// expire drops lapsed reply marks of ticket, reporting whether any went.
func (p *presence) expire(ticket int64) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	now, gone := p.now(), false
	for id, m := range p.replying[ticket] {
		if !now.Before(m.until) {
			delete(p.replying[ticket], id)
			gone = true
		}
	}
	if len(p.replying[ticket]) == 0 {
		delete(p.replying, ticket)
	}
	return gone
}

// people lists who is on ticket, on any node: each user once, replying
// ones first.
func (p *presence) people(ticket int64) []Person {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.collect(ticket, true)
}

// collect merges this node's viewers and reply marks of ticket and, with
// remote, the other nodes' shares. p.mu is held.
func (p *presence) collect(ticket int64, remote bool) []Person {
	now := p.now()
	by := map[int64]*Person{}
	add := func(id int64, name string, replying bool) {
		if by[id] == nil {
			by[id] = &Person{ID: id, Name: name}
		}
		by[id].Replying = by[id].Replying || replying
	}
	for _, v := range p.viewers[ticket] {
		add(v.userID, v.name, false)
	}
	for id, m := range p.replying[ticket] {
		if now.Before(m.until) {
			add(id, m.name, true)
		}
	}
	if remote {
		for _, sh := range p.remote[ticket] {
			if now.Before(sh.until) {
				for _, x := range sh.people {
					add(x.ID, x.Name, x.Replying)
				}
			}
		}
	}
	out := make([]Person, 0, len(by))
	for _, x := range by {
		out = append(out, *x)
	}
	slices.SortFunc(out, func(a, b Person) int {
		if a.Replying != b.Replying {
			if a.Replying {
				return -1
			}
			return 1
		}
		if c := strings.Compare(a.Name, b.Name); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out
}

// othersReplying names the other agents writing a reply to ticket now.
func (p *presence) othersReplying(ticket, me int64) []string {
	var names []string
	for _, x := range p.people(ticket) {
		if x.Replying && x.ID != me {
			names = append(names, x.Name)
		}
	}
	return names
}

// announce tells this node's pages who is on ticket and the other nodes
// what this node's share now is.
func (p *presence) announce(ticket int64) {
	p.announceHere(ticket)
	p.mu.Lock()
	mine := p.collect(ticket, false)
	p.mu.Unlock()
	p.hub.forward(relayed{Kind: "presence", TicketID: ticket, People: mine})
}

func (p *presence) announceHere(ticket int64) {
	b, _ := json.Marshal(struct {
		TicketID int64    `json:"ticket_id"`
		People   []Person `json:"people"`
	}{ticket, p.people(ticket)})
	p.hub.send(message{event: "presence", data: b})
}

// remoteUpdate records node's share of ticket (none: it has nobody there).
func (p *presence) remoteUpdate(node string, ticket int64, people []Person) {
	p.mu.Lock()
	if len(people) == 0 {
		delete(p.remote[ticket], node)
		if len(p.remote[ticket]) == 0 {
			delete(p.remote, ticket)
		}
	} else {
		if p.remote[ticket] == nil {
			p.remote[ticket] = map[string]remoteShare{}
		}
		p.remote[ticket][node] = remoteShare{people: people, until: p.now().Add(remoteTTL)}
	}
	p.mu.Unlock()
	p.announceHere(ticket)
}

// resendLocal repeats this node's shares so the other nodes keep them (and
// a node started since learns them), and drops other nodes' lapsed shares.
func (p *presence) resendLocal() {
	p.mu.Lock()
	now := p.now()
	var mine []relayed
	seen := map[int64]bool{}
	for _, m := range []map[int64]bool{keys(p.viewers), keys(p.replying)} {
		for t := range m {
			if !seen[t] {
				seen[t] = true
				mine = append(mine, relayed{Kind: "presence", TicketID: t, People: p.collect(t, false)})
			}
		}
	}
	var lapsed []int64
	for t, shares := range p.remote {
		for node, sh := range shares {
			if !now.Before(sh.until) {
				delete(shares, node)
				lapsed = append(lapsed, t)
			}
		}
		if len(shares) == 0 {
			delete(p.remote, t)
		}
	}
	p.mu.Unlock()
	for _, m := range mine {
		p.hub.forward(m)
	}
	for _, t := range lapsed {
		p.announceHere(t)
	}
}

func keys[V any](m map[int64]V) map[int64]bool {
	out := make(map[int64]bool, len(m))
	for k := range m {
		out[k] = true
	}
	return out
}

// setPresence is the composer's "I am writing a reply" / "I stopped".
func (s *Server) setPresence(w http.ResponseWriter, r *http.Request) error {
	id, err := ticketID(r)
	if err != nil {
		return err
	}
	me := currentUser(r)
	if _, err := s.Tickets.Get(r.Context(), me, id); err != nil {
		return err
	}
	switch r.FormValue("state") {
	case "replying":
		s.presence.setReplying(id, me, true)
	case "idle":
		s.presence.setReplying(id, me, false)
	default:
		return errBadInput
	}
	w.WriteHeader(http.StatusNoContent)
	return nil
}
