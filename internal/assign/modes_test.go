package assign_test

import (
	"context"
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func TestModes(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		t.Run("manual and claim leave the ticket in the queue", func(t *testing.T) {
			for _, mode := range []string{assign.ModeManual, assign.ModeClaim} {
				tm := newTeam(t, d, 2, mode, "")
				r := tm.ticket(t, "配送状況を教えてください", nil)
				if r.Get("ticket.assignee_id") != nil || r.Str("ticket.status") != "new" {
					t.Errorf("%s: ticket %s assigned to %v", mode, r.Str("ticket.status"), r.Get("ticket.assignee_id"))
				}
				if evs := assignmentEvents(t, d, r.Int("ticket.id")); len(evs) != 0 {
					t.Errorf("%s: unexpected assignment events %v", mode, evs)
				}
			}
		})

		t.Run("random", func(t *testing.T) {
			tm := newTeam(t, d, 3, assign.ModeRandom, "")
			r := tm.ticket(t, "返金について", nil)
			id := r.Int("ticket.id")
			// The answer to the create already shows the assignment.
			if got := r.Int("ticket.assignee_id"); tm.index(got) < 0 || r.Str("ticket.status") != "open" {
				t.Fatalf("assignee %d (status %s), want one of the team, open", got, r.Str("ticket.status"))
			}
			if tm.assignee(t, id) != r.Int("ticket.assignee_id") {
				t.Error("stored assignee differs from the create's answer")
			}
			wantContains(t, "reason", lastReason(t, d, id), "random among 3 online agents in サポート", "無作為")
			ev := assignmentEvents(t, d, id)[0]
			if int64(ev["value"].(float64)) != r.Int("ticket.assignee_id") || ev["field_name"] != "assignee_id" {
				t.Errorf("assignment event %v", ev)
			}
		})

		t.Run("round robin goes round in id order", func(t *testing.T) {
			tm := newTeam(t, d, 3, assign.ModeRoundRobin, "")
			for i := range 7 {
				id := tm.ticket(t, fmt.Sprintf("ご注文番号%d", i), nil).Int("ticket.id")
				if got, want := tm.index(tm.assignee(t, id)), i%3; got != want {
					t.Fatalf("ticket %d went to agent #%d, want #%d", i, got, want)
				}
			}
			// An away agent is skipped and the rotation carries on.
			tm.setAvailability(t, tm.agents[1], map[string]any{"status": "away"})
			var got []int
			for i := range 4 {
				got = append(got, tm.index(tm.assignee(t, tm.ticket(t, fmt.Sprintf("追加のお問い合わせ%d", i), nil).Int("ticket.id"))))
			}
			if fmt.Sprint(got) != "[2 0 2 0]" {
				t.Errorf("with agent #1 away: %v, want [2 0 2 0]", got)
			}
		})

		t.Run("least loaded", func(t *testing.T) {
			tm := newTeam(t, d, 3, assign.ModeLeastLoaded, "")
			// Agent 0 already has two tickets, agent 1 one.
			for i, n := range []int{2, 1} {
				for range n {
					tm.ticket(t, "手動で割り当て済み", map[string]any{"assignee_id": tm.agents[i].ID})
				}
			}
			id := tm.ticket(t, "請求書の再発行", nil).Int("ticket.id")
			if got := tm.index(tm.assignee(t, id)); got != 2 {
				t.Fatalf("went to agent #%d, want #2 (no tickets)", got)
			}
			wantContains(t, "reason", lastReason(t, d, id), "least loaded among 3", "0 open of capacity 10")
			// Now 2,1,1: the next two go to the ones with one ticket, then all have two.
			counts := map[int]int{}
			for range 2 {
				counts[tm.index(tm.assignee(t, tm.ticket(t, "領収書", nil).Int("ticket.id")))]++
			}
			if counts[1] != 1 || counts[2] != 1 {
				t.Errorf("next two went to %v, want agents #1 and #2 once each", counts)
			}
		})

		t.Run("skill based", func(t *testing.T) {
			tm := newTeam(t, d, 3, assign.ModeSkillBased, "")
			tm.setAvailability(t, tm.agents[0], map[string]any{"skills": []string{"返金"}})
			tm.setAvailability(t, tm.agents[1], map[string]any{"skills": []string{"返金", "ＥＮＧＬＩＳＨ"}}) // full-width: NFKC-folded
			tm.setAvailability(t, tm.agents[2], map[string]any{"skills": []string{"incident"}})
			cases := []struct {
				name string
				tk   map[string]any
				want int
			}{
				{"best overlap wins", map[string]any{"tags": []string{"返金", "english"}}, 1},
				{"a tie goes to the less loaded", map[string]any{"tags": []string{"返金"}}, 0},
				{"type counts as a term", map[string]any{"type": "incident"}, 2},
				{"no match: least loaded of all", map[string]any{"tags": []string{"配送"}}, -1},
			}
			for _, c := range cases {
				id := tm.ticket(t, "英語での返金依頼 "+c.name, c.tk).Int("ticket.id")
				got := tm.index(tm.assignee(t, id))
				if c.want >= 0 && got != c.want {
					t.Errorf("%s: went to agent #%d, want #%d (%s)", c.name, got, c.want, lastReason(t, d, id))
				}
				if c.want < 0 {
					wantContains(t, c.name, lastReason(t, d, id), "no skill matches")
				}
			}
			wantContains(t, "reason", lastReason(t, d, tm.ticket(t, "refund", map[string]any{"tags": []string{"返金", "english"}}).Int("ticket.id")), "2 matching skills")
		})

		t.Run("no one available is recorded too", func(t *testing.T) {
			tm := newTeam(t, d, 2, assign.ModeRandom, "")
			tm.setAvailability(t, tm.agents[0], map[string]any{"status": "offline"})
			tm.setAvailability(t, tm.agents[1], map[string]any{"capacity": 0})
			id := tm.ticket(t, "至急ご対応ください", nil).Int("ticket.id")
			if tm.assignee(t, id) != 0 {
				t.Fatal("assigned with no one available")
			}
			wantContains(t, "reason", lastReason(t, d, id), "1 away/offline, 1 at capacity", "未割り当て")
		})

		t.Run("inbox rule: the inbox's default group is the pool", func(t *testing.T) {
			tm := newTeam(t, d, 2, assign.ModeManual, "") // the group's own rule never runs here
			d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/assignment_rules/%d", tm.rule), nil)
			inbox := d.Must(201, d.Admin, "POST", "/api/v2/inboxes", map[string]any{"inbox": map[string]any{"name": "返品窓口",
				"addresses": []string{"henpin@example.jp"}, "default_group_id": tm.group}}).Int("inbox.id")
			d.Must(201, d.Admin, "POST", "/api/v2/assignment_rules", map[string]any{"assignment_rule": map[string]any{"inbox_id": inbox, "mode": "round_robin"}})
			r := d.Must(201, d.Agent, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{"subject": "返品したい", "inbox_id": inbox,
				"comment": map[string]any{"body": "サイズが合いませんでした。"}}})
			if r.Int("ticket.assignee_id") != tm.agents[0].ID || r.Int("ticket.group_id") != tm.group {
				t.Errorf("inbox rule: assignee %d group %d, want agent #0 in group %d", r.Int("ticket.assignee_id"), r.Int("ticket.group_id"), tm.group)
			}
		})

		t.Run("moving a ticket into a group assigns it", func(t *testing.T) {
			tm := newTeam(t, d, 1, assign.ModeRoundRobin, "")
			id := d.Must(201, d.Agent, "POST", "/api/v2/tickets", map[string]any{"ticket": map[string]any{"subject": "ｶﾀｶﾅの件名", "comment": map[string]any{"body": "本文"}}}).Int("ticket.id")
			if tm.assignee(t, id) != 0 {
				t.Fatal("a ticket outside any ruled group was assigned")
			}
			d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{"group_id": tm.group}})
			if tm.assignee(t, id) != tm.agents[0].ID {
				t.Error("entering the group did not assign the ticket")
			}
		})
	})
}

// TestRandomSpread draws many times with a seeded source: the spread over
// eligible agents is even, and away or full agents are never drawn.
func TestRandomSpread(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		tm := newTeam(t, d, 6, assign.ModeRandom, "")
		for _, a := range tm.agents {
			tm.setAvailability(t, a, map[string]any{"capacity": 1000})
		}
		tm.setAvailability(t, tm.agents[4], map[string]any{"status": "away"})
		tm.setAvailability(t, tm.agents[5], map[string]any{"capacity": 1})
		tm.ticket(t, "既に担当中", map[string]any{"assignee_id": tm.agents[5].ID}) // agent 5 is now full
		const n = 160
		counts := make([]int, len(tm.agents))
		actor := d.Agent.User
		for i := range n {
			res, err := d.App.Tickets.Create(context.Background(), actor, tickets.Change{Subject: ptr(fmt.Sprintf("ランダム割り当て%d", i)),
				GroupID: &tm.group, Comment: &tickets.CommentInput{Body: "お問い合わせ内容"}})
			if err != nil {
				t.Fatal(err)
			}
			counts[tm.index(res.Ticket.AssigneeID)]++
		}
		if counts[4] != 0 || counts[5] != 0 {
			t.Fatalf("away or full agents drawn: %v", counts)
		}
		for i := range 4 {
			// Expected 40 each; with a fair draw a count outside 20..60
			// has probability far below one in a million.
			if counts[i] < 20 || counts[i] > 60 {
				t.Errorf("agent #%d drawn %d times of %d: %v", i, counts[i], n, counts)
			}
		}
		t.Logf("spread over 4 eligible agents: %v", counts[:4])
	})
}

func ptr[T any](v T) *T { return &v }
