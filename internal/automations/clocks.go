package automations

import (
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// BeforeCommit keeps the ticket's clock exact: it runs inside every ticket
// write, after the audit is written. Append it to tickets.Service.BeforeCommit.
// It uses the ticket as it now is in the transaction, so that a rule's
// write nested inside this one (a trigger, the assignment) is never undone
// by the outer write's older view.
func BeforeCommit(tx *store.Tx, r tickets.Result) error {
	if r.Ticket == nil || r.Audit == nil {
		return nil
	}
	fresh := r.Fresh(tx) // then it has no clock yet
	tk, err := r.Current(tx)
	if err != nil {
		return err
	}
	if tk.Status == model.StatusClosed || !tk.DeletedAt.IsZero() {
		return tx.DropClock(tk.ID) // out of the automations' reach for good
	}
	at := r.Audit.CreatedAt
	var writer int64
	if r.Actor != nil {
		writer = r.Actor.ID
	}
	c, err := (*store.TicketClock)(nil), store.ErrNotFound
	if !fresh {
		c, err = tx.Clock(tk.ID)
	}
	switch {
	case errors.Is(err, store.ErrNotFound) && r.Old == nil:
		c = &store.TicketClock{TicketID: tk.ID, Status: tk.Status, StatusAt: tk.CreatedAt, NewAt: tk.CreatedAt}
		setStatusTime(c, tk.Status, tk.CreatedAt)
		if tk.AssigneeID != 0 {
			c.AssignedAt = tk.CreatedAt
		}
		touch(c, writer, tk, tk.CreatedAt)
	case errors.Is(err, store.ErrNotFound):
		// A ticket from before the automations (or bulk-loaded): its audit
		// trail, which already holds this write, gives the exact clock.
		if c, err = ClockFromAudits(tx, tk); err != nil {
			return err
		}
	case err != nil:
		return err
	default:
		if tk.Status != c.Status {
			c.Status, c.StatusAt = tk.Status, at
			setStatusTime(c, tk.Status, at)
		}
		if tk.AssigneeID != 0 && r.Old != nil && tk.AssigneeID != r.Old.AssigneeID {
			c.AssignedAt = at
		}
		touch(c, writer, tk, at)
	}
	c.Priority, c.Type, c.Tags = tk.Priority, tk.Type, tk.Tags
	return tx.PutClock(c)
}

func setStatusTime(c *store.TicketClock, status string, at time.Time) {
	switch status {
	case model.StatusOpen:
		c.OpenAt = at
	case model.StatusPending:
		c.PendingAt = at
	case model.StatusHold:
		c.HoldAt = at
	case model.StatusSolved:
		c.SolvedAt = at
	}
}

// touch records an update by the requester or the assignee.
func touch(c *store.TicketClock, writer int64, tk *model.Ticket, at time.Time) {
	if writer == 0 {
		return
	}
	if writer == tk.RequesterID {
		c.RequesterUpdatedAt = at
	}
	if writer == tk.AssigneeID {
		c.AssigneeUpdatedAt = at
	}
}

// ClockFromAudits rebuilds a ticket's clock from its audit trail, replaying
// every status, assignee and requester change in order.
func ClockFromAudits(tx *store.Tx, tk *model.Ticket) (*store.TicketClock, error) {
	audits, err := tx.Audits(tk.ID, 0, 0, false)
	if err != nil {
		return nil, err
	}
	return clockOf(tk, audits), nil
}

// clockOf replays a ticket's audits, oldest first.
func clockOf(tk *model.Ticket, audits []*model.Audit) *store.TicketClock {
	c := &store.TicketClock{TicketID: tk.ID, NewAt: tk.CreatedAt, StatusAt: tk.CreatedAt, Status: model.StatusNew}
	cur := &model.Ticket{ID: tk.ID, Status: model.StatusNew}
	for i, a := range audits {
		at := a.CreatedAt
		if i == 0 {
			at = tk.CreatedAt
		}
		oldStatus, oldAssignee := cur.Status, cur.AssigneeID
		for _, e := range a.Events {
			if e.Type != "Create" && e.Type != "Change" {
				continue
			}
			switch e.FieldName {
			case "status":
				if s, ok := e.Value.(string); ok {
					cur.Status = s
				}
			case "assignee_id":
				cur.AssigneeID = eventID(e.Value)
			case "requester_id":
				cur.RequesterID = eventID(e.Value)
			}
		}
		if cur.Status != oldStatus || i == 0 {
			c.Status, c.StatusAt = cur.Status, at
			setStatusTime(c, cur.Status, at)
		}
		if cur.AssigneeID != 0 && cur.AssigneeID != oldAssignee {
			c.AssignedAt = at
		}
		touch(c, a.AuthorID, cur, at)
	}
	if c.Status != tk.Status {
		// The trail disagrees with the row (a ticket imported with its
		// status as given): trust the row, counted from its last change.
		c.Status, c.StatusAt = tk.Status, tk.UpdatedAt
		setStatusTime(c, tk.Status, tk.UpdatedAt)
	}
	c.Priority, c.Type, c.Tags = tk.Priority, tk.Type, tk.Tags
	return c
}

func eventID(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	case json.Number:
		n, _ := x.Int64()
		return n
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	case nil:
		return 0
	}
	n, _ := strconv.ParseInt(fmt.Sprint(v), 10, 64)
	return n
}
