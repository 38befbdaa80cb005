package app

import (
	"context"
	"fmt"
	"time"

	"github.com/kizuna-desk/kizuna/internal/api"
	"github.com/kizuna-desk/kizuna/internal/assign"
	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/schedule"
	"github.com/kizuna-desk/kizuna/internal/snooze"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Assignment and snooze: rules per group/inbox run inside every ticket
// write; the "snooze" round wakes tickets whose time has come.
func init() {
	register(Extension{
		Name: "assignment",
		Open: func(a *App) error {
			as := assign.New(a.Store, a.Tickets)
			sn := snooze.New(a.Store, a.Tickets)
			if a.Outbox != nil {
				note := sn.Notice
				sn.Notice = func(tx *store.Tx, tk *model.Ticket, s *store.Snooze, to *model.User) error {
					if to.Email == "" || !canMail(tx) {
						return note(tx, tk, s, to) // a notice mail would be dropped
					}
					return a.Outbox.EnqueueNotice(tx, snoozeNotice(tk, s, to))
				}
			}
			Provide(a, as)
			Provide(a, sn)
			// Snooze first: a customer's reply wakes the ticket, then may
			// send it back to the pool.
			a.Tickets.BeforeCommit = append(a.Tickets.BeforeCommit, sn.BeforeCommit, as.BeforeCommit)
			api.AttachAssignment(a.API, as, sn)
			return nil
		},
		Run: func(ctx context.Context, a *App) {
			sn := Lookup[*snooze.Service](a)
			(&schedule.Runner{Store: a.Store, Log: a.Log}).Loop(ctx, schedule.Job{Name: "snooze", Interval: 30 * time.Second,
				Run: func(ctx context.Context, now time.Time) error {
					_, err := sn.WakeDue(ctx, now)
					return err
				}})
		},
	})
}

// snoozeNotice is the mail telling an agent a snoozed ticket is back.
func snoozeNotice(tk *model.Ticket, s *store.Snooze, to *model.User) outbound.Notice {
	body := fmt.Sprintf("%sさん\n\nチケット #%d「%s」のスヌーズが終了しました。", to.Name, tk.ID, tk.Subject)
	if s.Reason != "" {
		body += "\n理由: " + s.Reason
	}
	body += fmt.Sprintf("\n\nThe snooze on ticket #%d (%s) has ended.", tk.ID, tk.Subject)
	if s.Reason != "" {
		body += "\nReason: " + s.Reason
	}
	return outbound.Notice{TicketID: tk.ID, InboxID: tk.InboxID, To: []string{to.Email}, Kind: "reminder",
		Subject: fmt.Sprintf("スヌーズ終了 / Snooze ended: %s", tk.Subject), Body: body}
}

// canMail reports whether some inbox has an address to send notices from.
func canMail(tx *store.Tx) bool {
	inboxes, err := tx.Inboxes()
	for _, in := range inboxes {
		if in.Active && len(in.Addresses) > 0 {
			return err == nil
		}
	}
	return false
}
