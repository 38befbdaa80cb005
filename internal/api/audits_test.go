package api_test

import (
	"fmt"
	"testing"

	"github.com/kizuna-desk/kizuna/internal/app/apptest"
)

// TestShowAudit: one audit, with its comment, for staff only; a deleted
// ticket's audits are gone from show as from list.
func TestShowAudit(t *testing.T) {
	apptest.Dialects(t, func(t *testing.T, d *apptest.Desk) {
		tk := d.Must(201, d.Customer, "POST", "/api/v2/tickets.json", map[string]any{"ticket": map[string]any{
			"subject": "領収書の再発行", "comment": map[string]any{"body": "宛名を「株式会社サンプル」に変えて再発行してください。"}}}).Int("ticket.id")
		list := d.Must(200, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", tk), nil)
		aid := list.Int("audits.0.id")
		path := fmt.Sprintf("/api/v2/tickets/%d/audits/%d.json", tk, aid)
		a := d.Must(200, d.Agent, "GET", path, nil)
		if a.Int("audit.id") != aid || a.Int("audit.ticket_id") != tk {
			t.Fatalf("audit: %s", a.Raw)
		}
		found := false
		for _, e := range a.Get("audit.events").([]any) {
			ev := e.(map[string]any)
			if ev["type"] == "Comment" && ev["body"] == "宛名を「株式会社サンプル」に変えて再発行してください。" {
				found = true
			}
		}
		if !found {
			t.Fatalf("no Comment event with the body: %s", a.Raw)
		}
		d.Must(403, d.Customer, "GET", path, nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits/%d.json", tk, aid+1000), nil)

		d.Must(204, d.Admin, "DELETE", fmt.Sprintf("/api/v2/tickets/%d", tk), nil)
		d.Must(404, d.Agent, "GET", fmt.Sprintf("/api/v2/tickets/%d/audits.json", tk), nil)
		d.Must(404, d.Agent, "GET", path, nil)
	})
}
