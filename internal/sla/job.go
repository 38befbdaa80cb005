package sla

import (
	"context"
	"errors"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// SystemAuthorID authors audits the desk writes by itself (Zendesk's -1).
const SystemAuthorID = -1

// batch bounds one transaction of the minute job.
const batch = 200

// Round is the "sla" job: it marks targets whose due time has passed as
// breached (once, with an SlaBreach audit event) and those due within
// WarnBefore as warned. Rows are updated conditionally, so a repeated or
// concurrent round changes nothing twice.
func (s *Service) Round(ctx context.Context, now time.Time) error {
	for {
		n, err := s.breachBatch(ctx, now)
		if err != nil || n < batch {
			if err != nil {
				return err
			}
			break
		}
	}
	if s.WarnBefore <= 0 {
		return nil
	}
	for {
		var n int
		err := s.Store.Write(ctx, func(tx *store.Tx) error {
			due, err := tx.SLATargetsToWarn(now, now.Add(s.WarnBefore), batch)
			n = len(due)
			for _, t := range due {
				if _, err := tx.MarkSLAWarned(t.TicketID, t.Metric, now); err != nil {
					return err
				}
			}
			return err
		})
		if err != nil || n < batch {
			return err
		}
	}
}

func (s *Service) breachBatch(ctx context.Context, now time.Time) (int, error) {
	var n int
	err := s.Store.Write(ctx, func(tx *store.Tx) error {
		due, err := tx.SLATargetsDueBy(now, batch)
		if err != nil {
			return err
		}
		n = len(due)
		for _, t := range due {
			tk, err := tx.Ticket(t.TicketID)
			if errors.Is(err, store.ErrNotFound) || (err == nil && !tk.DeletedAt.IsZero()) {
				// A deleted ticket has no service level to keep.
				if err := tx.DeleteSLATarget(t.TicketID, t.Metric); err != nil {
					return err
				}
				continue
			}
			if err != nil {
				return err
			}
			ok, err := tx.MarkSLABreached(t.TicketID, t.Metric, t.DueAt)
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			audit := &model.Audit{TicketID: t.TicketID, AuthorID: SystemAuthorID, Via: "rule", CreatedAt: now,
				Metadata: map[string]any{"system": map[string]any{"source": "sla"}},
				Events: []model.AuditEvent{{Type: "SlaBreach", FieldName: t.Metric,
					Value: map[string]any{"metric": t.Metric, "policy_id": t.PolicyID, "breach_at": t.DueAt.UTC().Format(time.RFC3339),
						"target": t.TargetMinutes, "business_hours": t.BusinessHours},
					Reason: "SLA target " + t.Metric + " breached / SLA目標を超過しました"}}}
			if err := tx.InsertAudit(audit); err != nil {
				return err
			}
		}
		return nil
	})
	return n, err
}

// Facts gives rules the ticket's SLA facts at now: "sla_next_breach_hours"
// is the hours until the nearest active running target's breach (negative
// once breached); absent when no target is running.
func Facts(tx *store.Tx, ticketID int64, now time.Time) (map[string]any, error) {
	ts, err := tx.SLATargets(ticketID)
	if err != nil {
		return nil, err
	}
	out := map[string]any{}
	var next time.Time
	for _, t := range ts {
		if t.FulfilledAt.IsZero() && !t.DueAt.IsZero() && (next.IsZero() || t.DueAt.Before(next)) {
			next = t.DueAt
		}
	}
	if !next.IsZero() {
		out["sla_next_breach_hours"] = next.Sub(now).Hours()
	}
	return out, nil
}
