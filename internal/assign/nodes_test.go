package assign_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/store/storetest"
	"github.com/kizuna-desk/kizuna/internal/tickets"
	"github.com/kizuna-desk/kizuna/internal/users"
)

// node is one `kizuna serve` process: its own store handle (connection
// pool), tickets service and assignment service.
type node struct {
	tickets *tickets.Service
}

func openNode(t *testing.T, url string) *node {
	t.Helper()
	st, err := store.Open(context.Background(), url, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	tk := tickets.New(st)
	as := assign.New(st, tk)
	tk.BeforeCommit = append(tk.BeforeCommit, as.BeforeCommit)
	return &node{tickets: tk}
}

// TestRoundRobinAcrossNodes runs one round-robin rotation from two store
// handles on one PostgreSQL database, in turn and then all at once: the
// cursor lives in the rule's row, read under a lock inside each write, so
// the rotation never repeats an agent out of turn.
func TestRoundRobinAcrossNodes(t *testing.T) {
	url := storetest.PostgresURL(t)
	a, b := openNode(t, url), openNode(t, url)
	ctx := context.Background()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	var (
		group  = &model.Group{Name: "サポート", CreatedAt: now, UpdatedAt: now}
		agents []*model.User
		sender = &model.User{Name: "佐藤 花子", Email: "hanako@customer.co.jp", Role: model.RoleAdmin}
	)
	err := a.tickets.Store.Write(ctx, func(tx *store.Tx) error {
		if err := tx.InsertGroup(group); err != nil {
			return err
		}
		if err := users.Create(tx, sender, now); err != nil {
			return err
		}
		for i, name := range []string{"鈴木 一郎", "髙橋 ㈱美", "ﾀﾅｶ ｹﾝ"} {
			u := &model.User{Name: name, Email: fmt.Sprintf("rr%d@example.jp", i), Role: model.RoleAgent}
			if err := users.Create(tx, u, now); err != nil {
				return err
			}
			if err := tx.InsertMembership(&model.GroupMembership{UserID: u.ID, GroupID: group.ID, CreatedAt: now, UpdatedAt: now}); err != nil {
				return err
			}
			if err := tx.SaveAgentStatus(&store.AgentStatus{UserID: u.ID, Availability: assign.Online, Capacity: 1000, UpdatedAt: now}); err != nil {
				return err
			}
			agents = append(agents, u)
		}
		return tx.InsertAssignmentRule(&store.AssignmentRule{GroupID: group.ID, Mode: assign.ModeRoundRobin, ReturnOnReply: assign.ReturnUnavailable, CreatedAt: now, UpdatedAt: now})
	})
	if err != nil {
		t.Fatal(err)
	}
	index := map[int64]int{}
	for i, u := range agents {
		index[u.ID] = i
	}
	create := func(n *node, subject string) int64 {
		res, err := n.tickets.Create(ctx, sender, tickets.Change{Subject: &subject, GroupID: &group.ID, Comment: &tickets.CommentInput{Body: "本文です"}})
		if err != nil {
			t.Error(err)
			return 0
		}
		return res.Ticket.AssigneeID
	}

	// In turn, alternating nodes: a strict rotation.
	for i := range 6 {
		n := a
		if i%2 == 1 {
			n = b
		}
		if got := index[create(n, fmt.Sprintf("交互%d", i))]; got != i%3 {
			t.Fatalf("ticket %d (node %d) went to agent #%d, want #%d", i, i%2, got, i%3)
		}
	}

	// All at once from both nodes: still each agent once per round.
	const perNode = 15
	counts := make([]int, 3)
	var (
		mu sync.Mutex
		wg sync.WaitGroup
	)
	for _, n := range []*node{a, b} {
		for i := range perNode {
			wg.Add(1)
			go func() {
				defer wg.Done()
				id := create(n, fmt.Sprintf("同時%d", i))
				mu.Lock()
				counts[index[id]]++
				mu.Unlock()
			}()
		}
	}
	wg.Wait()
	if counts[0] != 10 || counts[1] != 10 || counts[2] != 10 {
		t.Errorf("30 concurrent tickets over 3 agents: %v, want 10 each", counts)
	}
}
