package webhooks_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/secrets"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/webhooks"
)

func box(t *testing.T) *secrets.Box {
	b, err := secrets.New(make([]byte, 32))
	if err != nil {
		t.Fatal(err)
	}
	return b
}

type counter struct {
	mu   sync.Mutex
	seen map[string]int // body → deliveries
}

func (c *counter) handler(secret *string) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		if webhooks.Sign(*secret, r.Header.Get(webhooks.HeaderTimestamp), body) != r.Header.Get(webhooks.HeaderSignature) {
			http.Error(w, "bad signature", http.StatusUnauthorized)
			return
		}
		c.mu.Lock()
		c.seen[string(body)]++
		c.mu.Unlock()
	}
}

func setup(t *testing.T, db store.Store, endpoint string, b *secrets.Box) (*webhooks.Service, int64, string) {
	svc := webhooks.New(db, b, webhooks.Config{RetryBase: time.Second}, nil)
	name, ep := "在庫システム", endpoint
	var id int64
	var secret string
	err := db.Write(context.Background(), func(tx *store.Tx) error {
		w, err := svc.Create(tx, 1, webhooks.Input{Name: &name, Endpoint: &ep})
		if err != nil {
			return err
		}
		id = w.ID
		secret, err = svc.Secret(w)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return svc, id, secret
}

// Two nodes on one database deliver every call exactly once.
func TestTwoWorkersDeliverEachCallOnce(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		c := &counter{seen: map[string]int{}}
		var secret string
		srv := httptest.NewServer(c.handler(&secret))
		defer srv.Close()
		b := box(t)
		a, id, s := setup(t, db, srv.URL, b)
		secret = s
		other := webhooks.New(db, b, webhooks.Config{}, nil)
		ctx := context.Background()
		const n = 30
		err := db.Write(ctx, func(tx *store.Tx) error {
			for i := range n {
				if err := a.Enqueue(tx, id, fmt.Appendf(nil, `{"n": %d, "件名": "配送"}`, i), 0, "test"); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		var total [2]int
		for i, w := range []*webhooks.Service{a, other} {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					k, err := w.DeliverDue(ctx)
					if err != nil {
						t.Error(err)
						return
					}
					total[i] += k
					if k == 0 {
						return
					}
				}
			}()
		}
		wg.Wait()
		if total[0]+total[1] != n {
			t.Fatalf("attempts %v, want %d in all", total, n)
		}
		for i := range n {
			if got := c.seen[fmt.Sprintf(`{"n": %d, "件名": "配送"}`, i)]; got != 1 {
				t.Fatalf("call %d delivered %d times", i, got)
			}
		}
	})
}

// A node that dies mid-delivery leaves a claim that expires; the call is
// then made by another node, and a call the receiver keeps refusing with
// 4xx fails for good without retries.
func TestCrashedClaimIsRetried(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		c := &counter{seen: map[string]int{}}
		var secret string
		srv := httptest.NewServer(c.handler(&secret))
		defer srv.Close()
		svc, id, s := setup(t, db, srv.URL, box(t))
		secret = s
		ctx := context.Background()
		var inv *store.WebhookInvocation
		err := db.Write(ctx, func(tx *store.Tx) error {
			if err := svc.Enqueue(tx, id, []byte(`{"msg":"解約"}`), 0, "trigger:1"); err != nil {
				return err
			}
			due, err := tx.WebhookInvocationsDue(time.Now().Add(time.Second).UnixMilli(), 10)
			if err != nil || len(due) != 1 {
				return fmt.Errorf("due %v %v", due, err)
			}
			inv = due[0]
			// The "crashed" node claims it and never reports back.
			ok, err := tx.ClaimWebhookInvocation(inv.ID, inv.State, inv.NextAttemptAt.UnixMilli(), time.Now().Add(2*time.Minute).UnixMilli(), time.Now().UnixMilli())
			if !ok {
				return fmt.Errorf("claim failed: %v", err)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.DeliverDue(ctx); n != 0 {
			t.Fatal("took a call another node holds")
		}
		svc.Now = func() time.Time { return time.Now().Add(3 * time.Minute) }
		if n, err := svc.DeliverDue(ctx); err != nil || n != 1 {
			t.Fatalf("after the claim expired: %d %v", n, err)
		}
		if c.seen[`{"msg":"解約"}`] != 1 {
			t.Fatalf("not delivered: %v", c.seen)
		}
		// A wrong secret: the receiver answers 401, which is final.
		secret = "not the secret"
		if err := db.Write(ctx, func(tx *store.Tx) error { return svc.Enqueue(tx, id, []byte(`{}`), 0, "trigger:2") }); err != nil {
			t.Fatal(err)
		}
		if n, _ := svc.DeliverDue(ctx); n != 1 {
			t.Fatal("the second call was not attempted")
		}
		_ = db.Read(ctx, func(tx *store.Tx) error {
			list, err := tx.WebhookInvocations(id, 0, 10)
			if err != nil || len(list) != 2 || list[0].State != store.InvocationFailed || list[0].LastStatus != 401 || list[0].Attempts != 1 {
				t.Errorf("401 is final: %+v %v", list[0], err)
			}
			return nil
		})
		svc.Now = func() time.Time { return time.Now().Add(3 * time.Hour) }
		if n, _ := svc.DeliverDue(ctx); n != 0 {
			t.Fatal("retried a final failure")
		}
	})
}

func TestPruneKeepsRecentAndQueued(t *testing.T) {
	storetest.Dialects(t, func(t *testing.T, db *store.DB) {
		srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {}))
		defer srv.Close()
		svc, id, _ := setup(t, db, srv.URL, box(t))
		ctx := context.Background()
		for range 2 {
			if err := db.Write(ctx, func(tx *store.Tx) error { return svc.Enqueue(tx, id, []byte(`{}`), 0, "test") }); err != nil {
				t.Fatal(err)
			}
		}
		if n, _ := svc.DeliverDue(ctx); n != 2 {
			t.Fatal("not delivered")
		}
		if err := db.Write(ctx, func(tx *store.Tx) error { return svc.Enqueue(tx, id, []byte(`{}`), 0, "test") }); err != nil {
			t.Fatal(err)
		}
		count := func() int {
			var n int
			_ = db.Read(ctx, func(tx *store.Tx) error {
				l, err := tx.WebhookInvocations(id, 0, 100)
				n = len(l)
				return err
			})
			return n
		}
		must := func(err error) {
			if err != nil {
				t.Fatal(err)
			}
		}
		must(svc.Prune(ctx))
		if count() != 3 {
			t.Fatal("pruned recent calls")
		}
		svc.Now = func() time.Time { return time.Now().Add(webhooks.KeepLog + time.Hour) }
		must(svc.Prune(ctx))
		if count() != 1 {
			t.Fatalf("after 30 days: %d calls left, want the queued one", count())
		}
	})
}
