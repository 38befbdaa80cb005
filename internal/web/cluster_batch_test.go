package web

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// Relayed events go several to a NOTIFY, each payload under the limit, in
// order, and a payload from a node that sent them one by one still reads.
func TestRelayedBatches(t *testing.T) {
	var batch []relayed
	for i := range 300 {
		ev, _ := json.Marshal(map[string]any{"ticket_id": i, "subject": "配送状況の確認 " + strings.Repeat("遅", i%7)})
		batch = append(batch, relayed{Kind: "ticket", Event: ev, TicketID: int64(i)})
	}
	huge, _ := json.Marshal(map[string]string{"body": strings.Repeat("大", store.MaxLivePayload)})
	batch = append(batch[:150], append([]relayed{{Kind: "ticket", Event: huge}}, batch[150:]...)...)
	payloads, dropped := encodeRelayed("node-1", batch)
	if dropped != 1 {
		t.Errorf("%d events dropped, want the one over the limit", dropped)
	}
	if len(payloads) < 2 || len(payloads) > 10 {
		t.Fatalf("%d payloads for 300 small events", len(payloads))
	}
	var got []relayed
	for _, p := range payloads {
		if len(p) > store.MaxLivePayload {
			t.Fatalf("payload of %d bytes, over the limit", len(p))
		}
		got = append(got, decodeRelayed(p)...)
	}
	if len(got) != 300 {
		t.Fatalf("%d events decoded, want the 300 that fit", len(got))
	}
	for i, m := range got {
		if m.TicketID != int64(i) || m.Node != "node-1" || !strings.Contains(string(m.Event), fmt.Sprintf(`"ticket_id":%d`, i)) {
			t.Fatalf("event %d: %+v", i, m)
		}
	}
	old, _ := json.Marshal(relayed{Node: "node-0", Kind: "presence", TicketID: 7})
	if m := decodeRelayed(old); len(m) != 1 || m[0].Node != "node-0" || m[0].TicketID != 7 {
		t.Fatalf("one message as older nodes send it: %+v", m)
	}
	// A lone event goes as older nodes sent it, so that they can read it.
	lone, _ := encodeRelayed("node-1", batch[:1])
	var plain relayed
	if len(lone) != 1 || json.Unmarshal(lone[0], &plain) != nil || plain.Node != "node-1" || plain.TicketID != 0 || !strings.Contains(string(plain.Event), "配送状況の確認") {
		t.Fatalf("one event: %q, want the message alone", lone)
	}
	if m := decodeRelayed([]byte("[壊れた")); m != nil {
		t.Fatalf("broken payload decoded: %+v", m)
	}
}
