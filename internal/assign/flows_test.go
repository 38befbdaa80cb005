package assign_test

import (
	"fmt"
	"sync"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/model"
)

func TestCustomerReplyPoolAndOwnToEnd(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		t.Run("away assignee: back to the pool, reassigned", func(t *testing.T) {
			tm := newTeam(t, d, 3, assign.ModeRoundRobin, assign.ReturnUnavailable)
			id := tm.ticket(t, "配送状況を教えてください", nil).Int("ticket.id")
			first := tm.agents[0]
			if tm.assignee(t, id) != first.ID {
				t.Fatal("round robin did not start with agent #0")
			}
			tm.customerReply(t, id, "まだ届いていません。") // assignee online: stays
			if tm.assignee(t, id) != first.ID {
				t.Fatal("an online assignee lost the ticket on a reply")
			}
			tm.setAvailability(t, first, map[string]any{"status": "away"})
			r := tm.customerReply(t, id, "至急確認をお願いします。")
			if got := r.Int("ticket.assignee_id"); got != tm.agents[1].ID {
				t.Fatalf("after the reply: assignee %d, want agent #1 (%d)", got, tm.agents[1].ID)
			}
			evs := assignmentEvents(t, d, id)
			if len(evs) != 3 {
				t.Fatalf("want 3 assignment events (assign, return, reassign), got %v", evs)
			}
			wantContains(t, "return reason", evs[1]["reason"].(string), "customer replied while "+first.Name+" is away", "離席中")
			if evs[1]["value"] != nil {
				t.Errorf("return event value = %v, want null", evs[1]["value"])
			}
			wantContains(t, "reassign reason", evs[2]["reason"].(string), "round robin among 2")
		})

		t.Run("own to the end: replies stay with the owner", func(t *testing.T) {
			tm := newTeam(t, d, 2, assign.ModeRoundRobin, assign.ReturnAlways)
			id := tm.ticket(t, "契約更新のご相談", nil).Int("ticket.id")
			owner := tm.agents[0]
			path := fmt.Sprintf("/api/v2/tickets/%d/ownership", id)
			d.Must(403, tm.agents[1], "PUT", path, map[string]any{"own_to_end": true}) // not theirs
			r := d.Must(200, owner, "PUT", path, map[string]any{"ownership": map[string]any{"own_to_end": true}})
			if r.Get("ownership.own_to_end") != true || r.Int("ownership.assignee_id") != owner.ID {
				t.Fatalf("ownership %s", r.Raw)
			}
			tm.setAvailability(t, owner, map[string]any{"status": "offline"})
			tm.customerReply(t, id, "追加の質問です。")
			if tm.assignee(t, id) != owner.ID {
				t.Fatal("own-to-end ticket left its owner on a customer reply")
			}
			// Clearing the flag: the next reply goes back to the pool (always).
			d.Must(200, owner, "PUT", path, map[string]any{"own_to_end": false})
			tm.customerReply(t, id, "もう一点あります。")
			if got := tm.assignee(t, id); got != tm.agents[1].ID {
				t.Fatalf("after clearing own-to-end: assignee %d, want agent #1", got)
			}
			if d.Must(200, d.Agent, "GET", path, nil).Get("ownership.own_to_end") != false {
				t.Error("flag still set")
			}
		})

		t.Run("seed 001: every customer reply goes back to the pool", func(t *testing.T) {
			tm := newTeam(t, d, 3, assign.ModeRandom, assign.ReturnAlways)
			id := tm.ticket(t, "出品者と連絡が取れません", nil).Int("ticket.id")
			seen := map[int64]bool{tm.assignee(t, id): true}
			for i := range 6 {
				tm.customerReply(t, id, fmt.Sprintf("返信%d: まだ解決していません。", i))
				a := tm.assignee(t, id)
				if tm.index(a) < 0 {
					t.Fatalf("reply %d: assignee %d not in the team", i, a)
				}
				seen[a] = true
			}
			if len(seen) < 2 {
				t.Errorf("seven random draws over 3 agents always gave the same agent: %v", seen)
			}
			// Agents' own replies never return the ticket.
			a := tm.assignee(t, id)
			d.Must(200, d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{"comment": map[string]any{"body": "確認いたします。"}}})
			if tm.assignee(t, id) != a {
				t.Error("an agent's reply moved the ticket")
			}
		})

		t.Run("claim mode: a reply leaves the ticket in the queue", func(t *testing.T) {
			tm := newTeam(t, d, 2, assign.ModeClaim, assign.ReturnAlways)
			id := tm.ticket(t, "ログインできません", nil).Int("ticket.id")
			d.Must(200, tm.agents[0], "POST", fmt.Sprintf("/api/v2/tickets/%d/claim", id), nil)
			tm.customerReply(t, id, "パスワードを再設定しても駄目でした。")
			if tm.assignee(t, id) != 0 {
				t.Fatal("claim mode: the ticket did not go back to the queue")
			}
		})

		t.Run("follow-ups stay with an owner to the end", func(t *testing.T) {
			tm := newTeam(t, d, 3, assign.ModeRoundRobin, "")
			owned := tm.ticket(t, "解約手続き", nil).Int("ticket.id")
			plain := tm.ticket(t, "住所変更", nil).Int("ticket.id")
			owner := tm.agents[0]
			d.Must(200, owner, "PUT", fmt.Sprintf("/api/v2/tickets/%d/ownership", owned), map[string]any{"own_to_end": true})
			for _, id := range []int64{owned, plain} {
				d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/tickets/%d", id), map[string]any{"ticket": map[string]any{"status": "closed"}})
			}
			tm.setAvailability(t, owner, map[string]any{"status": "away"}) // even away: the follow-up is theirs
			fu := tm.ticket(t, "解約手続きの続き", map[string]any{"via_followup_source_id": owned})
			if fu.Int("ticket.assignee_id") != owner.ID {
				t.Fatalf("follow-up went to %d, want the owner %d", fu.Int("ticket.assignee_id"), owner.ID)
			}
			wantContains(t, "reason", lastReason(t, d, fu.Int("ticket.id")), fmt.Sprintf("follow-up of #%d", owned))
			if d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/ownership", fu.Int("ticket.id")), nil).Get("ownership.own_to_end") != true {
				t.Error("the follow-up did not inherit own-to-end")
			}
			fu2 := tm.ticket(t, "住所変更の続き", map[string]any{"via_followup_source_id": plain})
			if a := fu2.Int("ticket.assignee_id"); a == owner.ID || tm.index(a) < 0 {
				t.Errorf("plain follow-up went to %d, want the pool without the away owner", a)
			}
			// Reassigning by hand clears the promise.
			d.Must(200, d.Admin, "PUT", fmt.Sprintf("/api/v2/tickets/%d", fu.Int("ticket.id")), map[string]any{"ticket": map[string]any{"assignee_id": tm.agents[2].ID}})
			if d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/ownership", fu.Int("ticket.id")), nil).Get("ownership.own_to_end") != false {
				t.Error("own-to-end survived a change of assignee")
			}
		})
	})
}

func TestReturnOnAway(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		tm := newTeam(t, d, 3, assign.ModeRoundRobin, "")
		away := tm.agents[0]
		var mine []int64
		for i := range 3 {
			mine = append(mine, tm.ticket(t, fmt.Sprintf("①お問い合わせ%d", i), map[string]any{"assignee_id": away.ID}).Int("ticket.id"))
		}
		d.Must(200, away, "PUT", fmt.Sprintf("/api/v2/tickets/%d/ownership", mine[0]), map[string]any{"own_to_end": true})
		d.Must(200, away, "PUT", fmt.Sprintf("/api/v2/tickets/%d", mine[1]), map[string]any{"ticket": map[string]any{"status": "pending"}})

		d.Must(403, tm.agents[1], "PUT", fmt.Sprintf("/api/v2/agents/%d/availability", away.ID), map[string]any{"availability": map[string]any{"status": "away"}})
		r := tm.setAvailability(t, away, map[string]any{"status": "away", "return_open_tickets": true})
		if got := r.Get("returned_ticket_ids"); fmt.Sprint(got) != fmt.Sprint([]any{float64(mine[2])}) {
			t.Fatalf("returned %v, want only the open, not-owned ticket %d", got, mine[2])
		}
		if r.Str("availability.status") != "away" {
			t.Errorf("status %q", r.Str("availability.status"))
		}
		if a := tm.assignee(t, mine[2]); a == away.ID || tm.index(a) < 0 {
			t.Errorf("returned ticket now with %d, want another team member", a)
		}
		evs := assignmentEvents(t, d, mine[2])
		wantContains(t, "return reason", evs[len(evs)-2]["reason"].(string), away.Name+" is away", "プールに戻しました")
		for _, id := range mine[:2] {
			if tm.assignee(t, id) != away.ID {
				t.Errorf("ticket %d (owned or pending) left its assignee", id)
			}
		}

		// An admin returns someone else's tickets; with no one online they wait unassigned.
		other := tm.agents[1]
		id := tm.ticket(t, "②至急", map[string]any{"assignee_id": other.ID}).Int("ticket.id")
		for _, a := range tm.agents {
			tm.setAvailability(t, a, map[string]any{"status": "offline"})
		}
		d.Must(403, tm.agents[2], "POST", fmt.Sprintf("/api/v2/agents/%d/return_tickets", other.ID), nil)
		r = d.Must(200, d.Admin, "POST", fmt.Sprintf("/api/v2/agents/%d/return_tickets", other.ID), nil)
		if r.Int("count") < 1 || tm.assignee(t, id) != 0 {
			t.Errorf("admin return: %s; assignee %d", r.Raw, tm.assignee(t, id))
		}
	})
}

func TestClaim(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		tm := newTeam(t, d, 4, assign.ModeClaim, "")
		id := tm.ticket(t, "誰か対応できますか", nil).Int("ticket.id")
		path := fmt.Sprintf("/api/v2/tickets/%d/claim", id)
		outsider := d.AddUser("soto@example.jp", "外部 太郎", model.RoleAgent)
		d.Must(403, outsider, "POST", path, nil)
		d.Must(403, d.Customer, "POST", path, nil)
		d.Must(404, tm.agents[0], "POST", "/api/v2/tickets/999999/claim", nil)

		// Four agents take it at the same moment: exactly one wins.
		var (
			mu     sync.Mutex
			wins   []int64
			losers int
			wg     sync.WaitGroup
		)
		for _, a := range tm.agents {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := d.Do(a, "POST", path, nil)
				mu.Lock()
				defer mu.Unlock()
				switch r.Status {
				case 200:
					wins = append(wins, a.ID)
				case 409:
					losers++
				default:
					t.Errorf("claim by %d: %d %s", a.ID, r.Status, r.Raw)
				}
			}()
		}
		wg.Wait()
		if len(wins) != 1 || losers != 3 {
			t.Fatalf("wins %v, conflicts %d: want exactly one winner", wins, losers)
		}
		winner := tm.agents[tm.index(wins[0])]
		if tm.assignee(t, id) != winner.ID {
			t.Fatal("the winner does not hold the ticket")
		}
		wantContains(t, "reason", lastReason(t, d, id), "claimed by "+winner.Name, "引き受けました")

		loser := tm.agents[(tm.index(winner.ID)+1)%4]
		r := d.Must(409, loser, "POST", path, nil)
		if r.Str("error") != "AlreadyAssigned" || r.Int("assignee_id") != winner.ID {
			t.Errorf("conflict body %s", r.Raw)
		}
		wantContains(t, "conflict", r.Str("description"), winner.Name, "担当しています")
		r = d.Must(200, winner, "POST", path, nil) // claiming your own ticket again is fine
		if r.Int("ticket.assignee_id") != winner.ID {
			t.Error("re-claim changed the ticket")
		}
	})
}
