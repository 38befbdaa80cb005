package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"time"

	"github.com/kizuna-desk/kizuna/internal/store"
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
			for _, m := range decodeRelayed(p) {
				if m.Node == s.Hub.node {
					continue
				}
				switch m.Kind {
				case "ticket":
					s.Hub.gen.Add(1)
					s.Hub.send(message{event: "ticket", data: m.Event})
				case "presence":
					s.presence.remoteUpdate(m.Node, m.TicketID, m.People)
				}
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
			// Events that queued up while the last NOTIFY was on its way
			// go together: under load a node sends one NOTIFY for many
			// ticket changes instead of a round trip each.
			batch := []relayed{m}
		more:
			for len(batch) < cap(out) {
				select {
				case m := <-out:
					batch = append(batch, m)
				default:
					break more
				}
			}
			payloads, dropped := encodeRelayed(s.Hub.node, batch)
			if dropped > 0 {
				s.Log.Warn("web: live events too large to relay", "dropped", dropped)
			}
			for _, p := range payloads {
				if err := r.Publish(ctx, p); err != nil && ctx.Err() == nil {
					s.Log.Warn("web: relaying live events failed", "events", len(batch), "err", err)
				}
			}
		case <-refresh.C:
			s.presence.resendLocal()
		}
	}
}

// encodeRelayed packs node's messages into JSON arrays, each under the
// relay's payload limit. A payload that holds one message is that message
// alone, as nodes before batching sent it: under light load most do, and
// older nodes still read them during a rolling upgrade. A message too
// large alone is dropped and counted (live events are hints to reload, and
// presence is re-sent every presenceRefresh).
func encodeRelayed(node string, batch []relayed) (out [][]byte, dropped int) {
	cur, n := []byte{'['}, 0
	end := func() {
		if n == 1 {
			out = append(out, cur[1:len(cur)-1])
		} else if n > 1 {
			out = append(out, append(cur[:len(cur)-1], ']'))
		}
		cur, n = []byte{'['}, 0
	}
	for _, m := range batch {
		m.Node = node
		b, err := json.Marshal(m)
		if err != nil || len(b)+2 > store.MaxLivePayload {
			dropped++
			continue
		}
		if len(cur)+len(b)+1 > store.MaxLivePayload {
			end()
		}
		cur = append(append(cur, b...), ',')
		n++
	}
	end()
	return out, dropped
}

// decodeRelayed reads a payload: an array of messages, or one message as
// nodes before batching sent them.
func decodeRelayed(p []byte) []relayed {
	var list []relayed
	if len(p) > 0 && p[0] == '[' {
		if json.Unmarshal(p, &list) != nil {
			return nil
		}
		return list
	}
	var m relayed
	if json.Unmarshal(p, &m) != nil {
		return nil
	}
	return []relayed{m}
}
