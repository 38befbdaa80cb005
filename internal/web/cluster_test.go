package web_test

import (
	"bufio"
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/web"
)

type testRelay struct{ db *store.DB }

func (r testRelay) Publish(ctx context.Context, p []byte) error {
	return r.db.Publish(ctx, "kizuna_live", p)
}

func (r testRelay) Subscribe(ctx context.Context, fn func([]byte)) error {
	return r.db.Subscribe(ctx, "kizuna_live", fn)
}

type sse struct{ event, data string }

// stream opens b's event stream at path and delivers its events.
func (b *browser) stream(ctx context.Context, path string) <-chan sse {
	b.t.Helper()
	req, _ := http.NewRequestWithContext(ctx, "GET", b.d.URL+path, nil)
	resp, err := b.c.Do(req)
	if err != nil || resp.StatusCode != 200 {
		b.t.Fatalf("event stream: %v %v", resp, err)
	}
	out := make(chan sse, 64)
	go func() {
		defer resp.Body.Close()
		sc := bufio.NewScanner(resp.Body)
		var ev string
		for sc.Scan() {
			line := sc.Text()
			switch {
			case strings.HasPrefix(line, "event: "):
				ev = line[7:]
			case strings.HasPrefix(line, "data: "):
				select {
				case out <- sse{ev, line[6:]}:
				case <-ctx.Done():
					return
				}
			}
		}
	}()
	return out
}

// TestTwoNodes: two `kizuna serve` nodes on one PostgreSQL database. An
// agent on node 1 and an admin on node 2 see each other on the ticket, the
// reply lock held on node 1 stops a reply sent through node 2, and a
// ticket change made through node 1 reaches node 2's open pages.
func TestTwoNodes(t *testing.T) {
	d := apptest.Start(t, storetest.PostgresURL(t))
	d2 := d.Node()
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	for _, x := range []*apptest.Desk{d, d2} {
		go app.Lookup[*web.Server](x.App).RunRelay(ctx, testRelay{x.App.Store})
	}
	id := newTicket(t, d, "二重返信の確認", "ノードをまたいだ返信ロックの確認です。")
	path := fmt.Sprintf("/tickets/%d", id)
	a := newBrowser(t, d, "ja")
	a.login(d.Agent.Email, "password-agent", false)
	b := newBrowser(t, d2, "en")
	b.login(d.Admin.Email, "管理者のパスワード", false)
	at, bt := a.do("GET", path, nil).csrf(t), b.do("GET", path, nil).csrf(t)
	onTwo := b.stream(ctx, fmt.Sprintf("/events?ticket=%d", id))

	// LISTEN starts asynchronously: toggle 山田's reply mark on node 1
	// until node 2's page hears it.
	deadline := time.Now().Add(20 * time.Second)
	heard := false
	for !heard {
		if time.Now().After(deadline) {
			t.Fatal("node 2 never heard node 1's presence")
		}
		a.do("POST", path+"/presence", url.Values{"csrf": {at}, "state": {"idle"}})
		a.do("POST", path+"/presence", url.Values{"csrf": {at}, "state": {"replying"}})
		wait := time.After(300 * time.Millisecond)
	read:
		for {
			select {
			case e := <-onTwo:
				if e.event == "presence" && strings.Contains(e.data, `"name":"山田 太郎","replying":true`) {
					heard = true
					break read
				}
			case <-wait:
				break read
			}
		}
	}
	p := b.do("POST", path, url.Values{"csrf": {bt}, "mode": {"public"}, "body": {"We will pay for the return."}})
	if p.status != http.StatusConflict || !strings.Contains(p.body, `id="take-over"`) {
		t.Fatalf("reply on node 2 while 山田 replies on node 1: %d", p.status)
	}
	// Node 1's pages see the admin viewing through node 2.
	onOne := a.stream(ctx, fmt.Sprintf("/events?ticket=%d", id))
	waitEvent(t, onOne, "presence", fmt.Sprintf(`"id":%d,`, d.Admin.ID), func() {
		b.do("POST", path+"/presence", url.Values{"csrf": {bt}, "state": {"idle"}})
	})
	// A change through node 1 reaches node 2's stream.
	d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{"status": "pending"}})
	waitEvent(t, onTwo, "ticket", fmt.Sprintf(`"ticket_id":%d`, id), nil)
}

// waitEvent reads ch until an event of kind containing want arrives,
// calling poke (if any) every half second meanwhile.
func waitEvent(t *testing.T, ch <-chan sse, kind, want string, poke func()) {
	t.Helper()
	deadline := time.After(20 * time.Second)
	tick := time.NewTicker(500 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case e := <-ch:
			if e.event == kind && strings.Contains(e.data, want) {
				return
			}
		case <-tick.C:
			if poke != nil {
				poke()
			}
		case <-deadline:
			t.Fatalf("no %s event with %s", kind, want)
		}
	}
}
