package assign_test

import (
	"fmt"
	mrand "math/rand/v2"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/model"
)

// team is a group of agents with an assignment rule, on a running desk.
type team struct {
	d      *apptest.Desk
	group  int64
	rule   int64
	agents []*apptest.User
	svc    *assign.Service
}

var teamSeq atomic.Int64

var agentNames = []string{"佐藤 花子", "鈴木 一郎", "髙橋 ㈱美", "ﾀﾅｶ ｹﾝ", "伊藤 ①子", "渡辺 大輔", "山本 さくら"}

// newTeam makes a group "サポート<n>" of n online agents with the given rule
// and a seeded random source, so every run draws the same agents.
func newTeam(t *testing.T, d *apptest.Desk, n int, mode, onReply string) *team {
	t.Helper()
	tm := &team{d: d, svc: app.Lookup[*assign.Service](d.App)}
	tm.svc.SetRand(mrand.New(mrand.NewPCG(2026, 1123)))
	tm.group = d.Must(201, d.Admin, "POST", "/api/v2/groups", map[string]any{"group": map[string]any{"name": fmt.Sprintf("サポート第%d班", teamSeq.Add(1))}}).Int("group.id")
	for i := range n {
		u := d.AddUser(fmt.Sprintf("agent%d-%d@example.jp", tm.group, i), agentNames[i%len(agentNames)], model.RoleAgent)
		d.Must(201, d.Admin, "POST", "/api/v2/group_memberships", map[string]any{"group_membership": map[string]any{"user_id": u.ID, "group_id": tm.group}})
		tm.setAvailability(t, u, map[string]any{"status": "online", "capacity": 10})
		tm.agents = append(tm.agents, u)
	}
	rule := map[string]any{"group_id": tm.group, "mode": mode}
	if onReply != "" {
		rule["return_on_reply"] = onReply
	}
	tm.rule = d.Must(201, d.Admin, "POST", "/api/v2/assignment_rules", map[string]any{"assignment_rule": rule}).Int("assignment_rule.id")
	return tm
}

func (tm *team) setAvailability(t *testing.T, u *apptest.User, v map[string]any) *apptest.Response {
	t.Helper()
	return tm.d.Must(200, u, "PUT", fmt.Sprintf("/api/v2/agents/%d/availability", u.ID), map[string]any{"availability": v})
}

// ticket opens a ticket from the customer into the team's group (through
// an agent, as customers cannot pick groups) and returns its JSON.
func (tm *team) ticket(t *testing.T, subject string, extra map[string]any) *apptest.Response {
	t.Helper()
	tk := map[string]any{"subject": subject, "comment": map[string]any{"body": subject + "。よろしくお願いします。"},
		"group_id": tm.group, "requester_id": tm.d.Customer.ID}
	for k, v := range extra {
		tk[k] = v
	}
	return tm.d.Must(201, tm.d.Agent, "POST", "/api/v2/tickets", map[string]any{"ticket": tk})
}

// customerReply writes as the requester, as a mail reply would.
func (tm *team) customerReply(t *testing.T, id int64, body string) *apptest.Response {
	t.Helper()
	return tm.d.Must(200, tm.d.Customer, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": body}}})
}

func (tm *team) assignee(t *testing.T, id int64) int64 {
	t.Helper()
	return tm.d.Must(200, tm.d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d", id), nil).Int("ticket.assignee_id")
}

func (tm *team) index(id int64) int {
	for i, a := range tm.agents {
		if a.ID == id {
			return i
		}
	}
	return -1
}

// assignmentEvents returns the reasons of the ticket's Assignment events.
func assignmentEvents(t *testing.T, d *apptest.Desk, id int64) []map[string]any {
	t.Helper()
	r := d.Must(200, d.Admin, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits", id), nil)
	var out []map[string]any
	for i := range r.Len("audits") {
		evs, _ := r.Get(fmt.Sprintf("audits.%d.events", i)).([]any)
		for _, e := range evs {
			if m, _ := e.(map[string]any); m["type"] == "Assignment" {
				out = append(out, m)
			}
		}
	}
	return out
}

func lastReason(t *testing.T, d *apptest.Desk, id int64) string {
	t.Helper()
	evs := assignmentEvents(t, d, id)
	if len(evs) == 0 {
		t.Fatalf("ticket %d: no Assignment event in its audits", id)
	}
	s, _ := evs[len(evs)-1]["reason"].(string)
	return s
}

func wantContains(t *testing.T, what, s string, subs ...string) {
	t.Helper()
	for _, sub := range subs {
		if !strings.Contains(s, sub) {
			t.Errorf("%s = %q, want it to contain %q", what, s, sub)
		}
	}
}
