package api_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Helpers of the ticket operation tests: inboxes and mails are stored
// directly, as the mail channel would, since those tests are not about it.

// addInbox stores an inbox directly: the inbox API is not part of these tests.
func addInbox(t *testing.T, d *apptest.Desk, name, addr string) int64 {
	t.Helper()
	now := time.Now().UTC()
	in := &model.Inbox{Name: name, Addresses: []string{addr}, TicketToken: "subject", Active: true, CreatedAt: now, UpdatedAt: now}
	if err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertInbox(in) }); err != nil {
		t.Fatal(err)
	}
	return in.ID
}

// addMail records a mail on a ticket as the mail channel would.
func addMail(t *testing.T, d *apptest.Desk, m model.MailMessage) int64 {
	t.Helper()
	if m.CreatedAt.IsZero() {
		m.CreatedAt = time.Now().UTC()
	}
	m.UpdatedAt, m.SHA256, m.Size = m.CreatedAt, strings.Repeat("ab", 32), 1234
	if m.State == "" {
		m.State = model.MailProcessed
	}
	if err := d.App.Store.Write(context.Background(), func(tx *store.Tx) error { return tx.InsertMailMessage(&m) }); err != nil {
		t.Fatal(err)
	}
	return m.ID
}

func mailRow(t *testing.T, d *apptest.Desk, id int64) *model.MailMessage {
	t.Helper()
	var m *model.MailMessage
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		m, err = tx.MailMessage(id)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return m
}

func threadOf(t *testing.T, d *apptest.Desk, messageIDs ...string) int64 {
	t.Helper()
	var id int64
	if err := d.App.Store.Read(context.Background(), func(tx *store.Tx) error {
		var err error
		id, err = tx.TicketForMessageIDs(messageIDs)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return id
}

// mailTicket opens a ticket as the mail channel would: written by the
// customer, arriving by email into an inbox (customers cannot pick inboxes).
func mailTicket(t *testing.T, d *apptest.Desk, requester *apptest.User, inbox int64, subject, body string, extra map[string]any) int64 {
	t.Helper()
	tk := map[string]any{"subject": subject, "inbox_id": inbox, "requester_id": requester.ID, "via": map[string]any{"channel": "email"},
		"comment": map[string]any{"body": body, "author_id": requester.ID}}
	return d.Must(201, d.Agent, "POST", "/api/v2/tickets.json", map[string]any{"ticket": mergeMaps(tk, extra)}).Int("ticket.id")
}

// commentBodies returns the bodies of a ticket's comments, oldest first, as an agent sees them.
func commentBodies(d *apptest.Desk, id int64) (*apptest.Response, []string) {
	r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/comments.json", id), nil)
	var out []string
	for i := 0; i < r.Len("comments"); i++ {
		out = append(out, r.Str(fmt.Sprintf("comments.%d.body", i)))
	}
	return r, out
}

// auditEvent finds an event of type typ naming field in any audit of ticket id.
func auditEvent(d *apptest.Desk, id int64, typ, field string) map[string]any {
	r := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", id), nil)
	for _, a := range r.Get("audits").([]any) {
		for _, e := range a.(map[string]any)["events"].([]any) {
			ev := e.(map[string]any)
			if ev["type"] == typ && ev["field_name"] == field {
				return ev
			}
		}
	}
	return nil
}

func mergeMaps(a, b map[string]any) map[string]any {
	for k, v := range b {
		a[k] = v
	}
	return a
}
