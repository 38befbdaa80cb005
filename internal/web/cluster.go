package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"
)

// Several nodes on one PostgreSQL database: each node's hub forwards its
// ticket events and its own share of presence to the others through a
// Relay, and merges what the others send. A node that dies stops
// refreshing its presence, which then lapses after remoteTTL.

// Relay carries payloads to every node on the same database (the sender
// included); store.DB's Publish and Subscribe with one channel are one.
type Relay interface {
	Publish(ctx context.Context, payload []byte) error
	Subscribe(ctx context.Context, fn func(payload []byte)) error
}

const (
	presenceRefresh = 20 * time.Second // a node re-sends its presence this often
	remoteTTL       = 3 * presenceRefresh
)

// relayed is one payload between nodes.
type relayed struct {
	Node     string          `json:"n"`
	Kind     string          `json:"k"` // "ticket" or "presence"
	Event    json.RawMessage `json:"e,omitempty"`
	TicketID int64           `json:"t,omitempty"`
	People   []Person        `json:"p,omitempty"`
}

func newNodeID() string {
	var b [8]byte
	rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// RunRelay forwards this node's events to the others and theirs to this
// node's pages until ctx ends. Without it (one node) nothing is relayed.
func (s *Server) RunRelay(ctx context.Context, r Relay) {
	out := make(chan relayed, 256)
	s.Hub.setOutbox(out)
	defer s.Hub.setOutbox(nil)
	go func() {
		_ = r.Subscribe(ctx, func(p []byte) {
			var m relayed
			if json.Unmarshal(p, &m) != nil || m.Node == s.Hub.node {
				return
			}
			switch m.Kind {
			case "ticket":
				s.Hub.gen.Add(1)
				s.Hub.send(message{event: "ticket", data: m.Event})
			case "presence":
				s.presence.remoteUpdate(m.Node, m.TicketID, m.People)
			}
		})
	}()
	refresh := time.NewTicker(presenceRefresh)
	defer refresh.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case m := <-out:
			m.Node = s.Hub.node
			b, err := json.Marshal(m)
			if err == nil {
				err = r.Publish(ctx, b)
			}
			if err != nil && ctx.Err() == nil {
				s.Log.Warn("web: relaying a live event failed", "kind", m.Kind, "err", err)
			}
		case <-refresh.C:
			s.presence.resendLocal()
		}
	}
}
