// Package csat runs satisfaction surveys (Zendesk's satisfaction ratings):
// a solve schedules a survey, a timed round mails it to the requester with
// good/bad links to a token page, and the requester's answer is stored with
// the ticket's assignee, group, type and tags as they were then.
package csat

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/outbound"
	"github.com/kizuna-desk/kizuna/internal/store"
	"github.com/kizuna-desk/kizuna/internal/tickets"
)

// Scores a rating row moves through.
const (
	ScoreUnoffered = "unoffered"
	ScoreOffered   = "offered"
	ScoreGood      = "good"
	ScoreBad       = "bad"
)

// Notifier queues a system mail in a transaction; *outbound.Outbox.
type Notifier interface {
	EnqueueNotice(tx *store.Tx, n outbound.Notice) error
}

// Service schedules and sends surveys.
type Service struct {
	Store  store.Store
	Outbox Notifier
	// BaseURL is the desk's public address, for the survey links.
	BaseURL string
	Log     *slog.Logger
}

// BeforeCommit schedules a survey when a ticket becomes solved and drops a
// survey not yet sent when it is reopened; append it to
// tickets.Service.BeforeCommit.
func (s *Service) BeforeCommit(tx *store.Tx, r tickets.Result) error {
	tk := r.Ticket
	if tk == nil || r.Audit == nil {
		return nil
	}
	old := ""
	if r.Old != nil {
		old = r.Old.Status
	}
	switch {
	case tk.Status == model.StatusSolved && old != model.StatusSolved:
		if r.Change != nil && !r.Change.CreatedAt.IsZero() {
			return nil // an imported history is not surveyed again
		}
		return Schedule(tx, tk)
	case (old == model.StatusSolved || old == model.StatusClosed) && !finished(tk):
		return tx.DeleteUnofferedRatings(tk.ID)
	}
	return nil
}

func finished(tk *model.Ticket) bool {
	return tk.Status == model.StatusSolved || tk.Status == model.StatusClosed
}

// Schedule records an unoffered survey for tk's current solve, due after
// the delay its inbox or brand asks for; nothing when surveys are off. Once
// per solve: a second call for the same solve does nothing.
func Schedule(tx *store.Tx, tk *model.Ticket) error {
	set, err := Effective(tx, tk.BrandID, tk.InboxID)
	if err != nil || !set.Enabled {
		return err
	}
	r := &store.SatisfactionRating{TicketID: tk.ID, SolvedAt: tk.SolvedAt, Score: ScoreUnoffered,
		DueAt: tk.SolvedAt.Add(time.Duration(set.DelayMinutes) * time.Minute), CreatedAt: tk.SolvedAt, UpdatedAt: tk.SolvedAt}
	snapshot(r, tk)
	_, err = tx.InsertSatisfactionRating(r)
	return err
}

// snapshot records the ticket's facts on the rating as they are now.
func snapshot(r *store.SatisfactionRating, tk *model.Ticket) {
	r.RequesterID, r.AssigneeID, r.GroupID = tk.RequesterID, tk.AssigneeID, tk.GroupID
	r.TicketType, r.BrandID, r.InboxID = tk.Type, tk.BrandID, tk.InboxID
	r.Tags = append([]string{}, tk.Tags...)
}

// Round offers every survey that is due at now: one transaction per
// survey, each claimed with a conditional update so it is mailed once even
// when rounds overlap on several nodes. It returns how many it mailed.
func (s *Service) Round(ctx context.Context, now time.Time) (int, error) {
	now = now.UTC().Truncate(time.Millisecond)
	sent := 0
	for {
		var due []*store.SatisfactionRating
		if err := s.Store.Read(ctx, func(tx *store.Tx) error {
			var err error
			due, err = tx.DueSatisfactionOffers(now.UnixMilli(), 100)
			return err
		}); err != nil {
			return sent, err
		}
		progressed := false
		for _, r := range due {
			var mailed, changed bool
			err := s.Store.Write(ctx, func(tx *store.Tx) error {
				var err error
				mailed, changed, err = s.offer(tx, r.ID, now)
				return err
			})
			if err != nil {
				return sent, fmt.Errorf("survey %d for ticket %d: %w", r.ID, r.TicketID, err)
			}
			if mailed {
				sent++
			}
			progressed = progressed || changed
		}
		if len(due) < 100 || !progressed {
			return sent, nil
		}
	}
}

// offer sends survey id if it is still unoffered and its ticket is still
// solved by the same solve. changed reports whether the row left the due
// list (offered, dropped, or parked for want of an address).
func (s *Service) offer(tx *store.Tx, id int64, now time.Time) (mailed, changed bool, err error) {
	r, err := tx.SatisfactionRating(id)
	if errors.Is(err, store.ErrNotFound) {
		return false, true, nil
	}
	if err != nil || r.Score != ScoreUnoffered {
		return false, true, err
	}
	tk, err := tx.Ticket(r.TicketID)
	if errors.Is(err, store.ErrNotFound) {
		return false, true, tx.DeleteUnofferedRatings(r.TicketID)
	}
	if err != nil {
		return false, false, err
	}
	if !tk.DeletedAt.IsZero() || !finished(tk) || !tk.SolvedAt.Equal(r.SolvedAt) {
		return false, true, tx.DeleteUnofferedRatings(r.TicketID) // reopened since, or gone
	}
	requester, err := tx.User(tk.RequesterID)
	if err != nil {
		return false, false, err
	}
	if requester.Email == "" {
		r.DueAt, r.UpdatedAt = time.Time{}, now // nowhere to send it; stays unoffered
		return false, true, tx.UpdateSatisfactionRating(r)
	}
	token, hash := NewToken()
	won, err := tx.ClaimSatisfactionOffer(r.ID, hash, now.UnixMilli())
	if err != nil || !won {
		return false, true, err
	}
	r.Score, r.TokenHash, r.OfferedAt, r.DueAt, r.UpdatedAt = ScoreOffered, hash, now, time.Time{}, now
	r.Locale = requester.Locale
	snapshot(r, tk)
	if err := tx.UpdateSatisfactionRating(r); err != nil {
		return false, false, err
	}
	if s.Outbox == nil {
		return false, false, errors.New("no outbox to send the survey through")
	}
	m, err := SurveyMail(tk, requester, s.BaseURL+"/csat/"+token)
	if err != nil {
		return false, false, err
	}
	n := outbound.Notice{TicketID: tk.ID, InboxID: tk.InboxID, To: []string{requester.Email},
		Subject: m.Subject, Body: m.Body, HTMLBody: m.HTML, Kind: "csat"}
	if err := s.Outbox.EnqueueNotice(tx, n); err != nil {
		return false, false, err
	}
	return true, true, nil
}

// NewToken makes an unguessable survey token (256 random bits) and the
// hash that is stored in its place, so a copy of the database does not
// hold working links.
func NewToken() (token, hash string) {
	b := make([]byte, 32)
	rand.Read(b)
	token = base64.RawURLEncoding.EncodeToString(b)
	return token, HashToken(token)
}

// HashToken is the stored form of a token.
func HashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}
