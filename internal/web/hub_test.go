package web

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

func TestPresence(t *testing.T) {
	h := NewHub()
	msgs, stop := h.subscribe()
	defer stop()
	now := time.Date(2026, 11, 24, 9, 0, 0, 0, time.UTC)
	p := newPresence(h, func() time.Time { return now })
	yamada := &model.User{ID: 1, Name: "山田 太郎"}
	sato := &model.User{ID: 2, Name: "佐藤 花子"}
	last := func() []Person {
		t.Helper()
		var got struct {
			TicketID int64    `json:"ticket_id"`
			People   []Person `json:"people"`
		}
		for {
			select {
			case m := <-msgs:
				if m.event != "presence" {
					continue
				}
				if err := json.Unmarshal(m.data, &got); err != nil || got.TicketID != 7 {
					t.Fatalf("message %s: %v", m.data, err)
				}
			default:
				return got.People
			}
		}
	}
	p.join(7, 100, yamada)
	p.join(7, 101, yamada) // a second tab: still one person
	p.join(7, 102, sato)
	if got := last(); len(got) != 2 || got[0].Name != "佐藤 花子" || got[0].Replying || got[1].Name != "山田 太郎" {
		t.Fatalf("viewers = %+v", got)
	}
	p.setReplying(7, sato, true)
	if got := last(); len(got) != 2 || got[0].ID != 2 || !got[0].Replying {
		t.Fatalf("replying first: %+v", got)
	}
	if got := p.othersReplying(7, 1); len(got) != 1 || got[0] != "佐藤 花子" {
		t.Errorf("others replying for 山田: %v", got)
	}
	if got := p.othersReplying(7, 2); len(got) != 0 {
		t.Errorf("one's own mark counts as someone else's: %v", got)
	}
	// The mark lapses without renewal.
	now = now.Add(ReplyTTL)
	if !p.expire(7) || len(p.othersReplying(7, 1)) != 0 {
		t.Errorf("mark did not lapse")
	}
	p.leave(7, 100)
	p.leave(7, 102)
	if got := last(); len(got) != 1 || got[0].ID != 1 {
		t.Fatalf("after two streams left: %+v", got)
	}
	p.leave(7, 101)
	if got := last(); len(got) != 0 {
		t.Fatalf("after everyone left: %+v", got)
	}
}

func TestHubEvents(t *testing.T) {
	h := NewHub()
	msgs, stop := h.subscribe()
	gen := h.Gen()
	cust := &model.User{ID: 5, Role: model.RoleEndUser}
	agent := &model.User{ID: 6, Role: model.RoleAgent}
	tk := &model.Ticket{ID: 9, RequesterID: 5, Status: "open"}
	pub := true
	h.publishResult(tickets.Result{Ticket: tk, Old: tk, Actor: cust, Comment: &model.Comment{AuthorID: 5, Public: pub}})
	h.publishResult(tickets.Result{Ticket: tk, Old: tk, Actor: agent, Comment: &model.Comment{AuthorID: 6}})
	h.publishResult(tickets.Result{Ticket: tk, Actor: agent})
	var got []Event
	for range 3 {
		var e Event
		m := <-msgs
		if err := json.Unmarshal(m.data, &e); err != nil || m.event != "ticket" {
			t.Fatal(m.event, err)
		}
		got = append(got, e)
	}
	if !got[0].ByCustomer || got[0].Comment != "public" || got[1].ByCustomer || got[1].Comment != "note" || got[2].Kind != "created" {
		t.Errorf("events = %+v", got)
	}
	if h.Gen() != gen+3 {
		t.Errorf("generation did not follow the changes")
	}
	// A subscriber that stops reading never blocks the writer.
	for range 200 {
		h.Publish(Event{TicketID: 1})
	}
	stop()
	h.Publish(Event{TicketID: 2})
}
