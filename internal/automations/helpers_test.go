package automations_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app"
	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/automations"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/rules"
	"github.com/kizuna-desk/kizuna/internal/store"
)

var jst = time.FixedZone("JST", 9*3600)

// clock is the desk's fixed, movable time: ticket writes are stamped with
// it and rounds run at it.
type clock struct{ ms atomic.Int64 }

func (c *clock) now() time.Time      { return time.UnixMilli(c.ms.Load()).UTC() }
func (c *clock) set(t time.Time)     { c.ms.Store(t.UnixMilli()) }
func (c *clock) add(d time.Duration) { c.set(c.now().Add(d)) }

type fixture struct {
	t   *testing.T
	d   *apptest.Desk
	clk *clock
	svc *automations.Service
}

func newFixture(t *testing.T, d *apptest.Desk, start time.Time) *fixture {
	clk := &clock{}
	clk.set(start)
	d.App.Tickets.Now = clk.now
	svc := app.Lookup[*automations.Service](d.App)
	if svc == nil {
		t.Fatal("the automations service is not provided")
	}
	return &fixture{t: t, d: d, clk: clk, svc: svc}
}

// round runs one automations round at the fixture's clock.
func (f *fixture) round() automations.Stats {
	f.t.Helper()
	st, err := f.svc.Round(context.Background(), f.clk.now())
	if err != nil {
		f.t.Fatalf("round at %s: %v", f.clk.now().In(jst), err)
	}
	return st
}

// ticket opens a ticket from the customer, assigned to the agent.
func (f *fixture) ticket(subject string) int64 {
	f.t.Helper()
	r := f.d.Must(201, f.d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
		"subject": subject, "comment": map[string]any{"body": subject + "。よろしくお願いします。"},
		"requester_id": f.d.Customer.ID, "assignee_id": f.d.Agent.ID}})
	return r.Int("ticket.id")
}

func (f *fixture) setStatus(id int64, status string) {
	f.t.Helper()
	f.d.Must(200, f.d.Agent, "PUT", fmt.Sprintf("/api/v2/tickets/%d.json", id), map[string]any{"ticket": map[string]any{
		"status": status, "comment": map[string]any{"body": "ご確認をお願いいたします。", "public": true}}})
}

func (f *fixture) get(id int64) *apptest.Response {
	f.t.Helper()
	return f.d.Must(200, f.d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d.json", id), nil)
}

func (f *fixture) inbox() {
	f.t.Helper()
	f.d.Must(201, f.d.Admin, "POST", "/api/v2/inboxes.json", map[string]any{"inbox": map[string]any{
		"name": "サポート窓口", "addresses": []string{"support@example.jp"}}})
}

// mails lists the outgoing mail of a ticket whose subject has word.
func (f *fixture) mails(id int64, word string) []*model.MailMessage {
	f.t.Helper()
	var out []*model.MailMessage
	err := f.d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		ms, err := tx.MailMessagesOfTicket(id)
		for _, m := range ms {
			if m.Direction == model.MailOut && strings.Contains(m.Subject, word) {
				out = append(out, m)
			}
		}
		return err
	})
	if err != nil {
		f.t.Fatal(err)
	}
	return out
}

// automationID finds a shipped automation by a word of its title.
func (f *fixture) automationID(word string) int64 {
	f.t.Helper()
	r := f.d.Must(200, f.d.Agent, "GET", "/api/v2/automations.json", nil)
	for i := range r.Len("automations") {
		if strings.Contains(r.Str(fmt.Sprintf("automations.%d.title", i)), word) {
			return r.Int(fmt.Sprintf("automations.%d.id", i))
		}
	}
	f.t.Fatalf("no automation titled %q in %s", word, r.Raw)
	return 0
}

func (f *fixture) deactivate(word string) {
	f.t.Helper()
	f.d.Must(200, f.d.Admin, "PUT", fmt.Sprintf("/api/v2/automations/%d.json", f.automationID(word)),
		map[string]any{"automation": map[string]any{"active": false}})
}

func strPtr(s string) *string { return &s }

func mustConds(s string) *rules.Conditions {
	var c rules.Conditions
	if err := json.Unmarshal([]byte(s), &c); err != nil {
		panic(err)
	}
	return &c
}

func mustActions(s string) *[]rules.Action {
	var a []rules.Action
	if err := json.Unmarshal([]byte(s), &a); err != nil {
		panic(err)
	}
	return &a
}
