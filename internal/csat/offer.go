package csat

import (
	"time"

	"github.com/kizuna-desk/kizuna/internal/model"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// OfferNow sends tk's survey at once, as a trigger or automation action
// "satisfaction_score: offered_to_requester" asks, instead of after the
// delay. Surveys are per solve, so only a solved or closed ticket gets one;
// a solve already surveyed, or surveys switched off for its inbox or
// brand, means nothing to send. It reports whether a mail was queued.
func (s *Service) OfferNow(tx *store.Tx, tk *model.Ticket, now time.Time) (bool, error) {
	if tk == nil || !finished(tk) || tk.SolvedAt.IsZero() || !tk.DeletedAt.IsZero() {
		return false, nil
	}
	if err := Schedule(tx, tk); err != nil { // no-op when this solve has its row
		return false, err
	}
	latest, err := tx.LatestSatisfactionRatings([]int64{tk.ID})
	if err != nil {
		return false, err
	}
	r := latest[tk.ID]
	if r == nil || r.Score != ScoreUnoffered {
		return false, nil
	}
	mailed, _, err := s.offer(tx, r.ID, now.UTC().Truncate(time.Millisecond))
	return mailed, err
}
