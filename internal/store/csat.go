package store

import (
	"time"
)

// SatisfactionRating is one CSAT survey of one solve of a ticket: score
// unoffered (due to be offered), offered, good or bad. The ticket's
// assignee, group, type and tags are recorded as they were when it was
// offered and again when it was rated.
type SatisfactionRating struct {
	ID, TicketID int64
	SolvedAt     time.Time
	Score        string
	Comment      string
	ReasonCode   int
	TokenHash    string
	RequesterID  int64
	AssigneeID   int64
	GroupID      int64
	TicketType   string
	Tags         []string
	BrandID      int64
	InboxID      int64
	Locale       string
	DueAt        time.Time
	OfferedAt    time.Time
	RatedAt      time.Time
	CreatedAt    time.Time
	UpdatedAt    time.Time
}

const ratingCols = `id, ticket_id, solved_at, score, comment, reason_code, token_hash, requester_id, assignee_id, group_id,
	ticket_type, tags, brand_id, inbox_id, locale, due_at, offered_at, rated_at, created_at, updated_at`

func scanRating(sc scanner) (*SatisfactionRating, error) {
	var (
		r                             SatisfactionRating
		token                         nullString
		assignee, group, brand, inbox nullInt
		due, offered, rated           nullInt
		solved, created, updated      int64
		tags                          string
	)
	if err := sc.Scan(&r.ID, &r.TicketID, &solved, &r.Score, &r.Comment, &r.ReasonCode, &token, &r.RequesterID, &assignee, &group,
		&r.TicketType, &tags, &brand, &inbox, &r.Locale, &due, &offered, &rated, &created, &updated); err != nil {
		return nil, err
	}
	r.TokenHash, r.AssigneeID, r.GroupID, r.BrandID, r.InboxID = token.String, assignee.Int64, group.Int64, brand.Int64, inbox.Int64
	r.Tags = tagList(tags)
	r.SolvedAt, r.CreatedAt, r.UpdatedAt = fromMS(solved), fromMS(created), fromMS(updated)
	r.DueAt, r.OfferedAt, r.RatedAt = fromNullMS(due), fromNullMS(offered), fromNullMS(rated)
	return &r, nil
}

// InsertSatisfactionRating stores a new rating row unless the ticket's
// solve already has one; it reports whether it inserted (r.ID is set then).
func (t *Tx) InsertSatisfactionRating(r *SatisfactionRating) (bool, error) {
	res, err := t.exec(`INSERT INTO satisfaction_ratings (ticket_id, solved_at, score, comment, reason_code, token_hash, requester_id,
		assignee_id, group_id, ticket_type, tags, brand_id, inbox_id, locale, due_at, offered_at, rated_at, created_at, updated_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (ticket_id, solved_at) DO NOTHING`,
		r.TicketID, ms(r.SolvedAt), r.Score, r.Comment, r.ReasonCode, nullStr(r.TokenHash), r.RequesterID,
		nullID(r.AssigneeID), nullID(r.GroupID), r.TicketType, tagText(r.Tags), nullID(r.BrandID), nullID(r.InboxID), r.Locale,
		nullMS(r.DueAt), nullMS(r.OfferedAt), nullMS(r.RatedAt), ms(r.CreatedAt), ms(r.UpdatedAt))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return false, nil
	}
	got, err := scanRating(t.queryRow("SELECT "+ratingCols+" FROM satisfaction_ratings WHERE ticket_id = ? AND solved_at = ?", r.TicketID, ms(r.SolvedAt)))
	if err != nil {
		return false, t.wrap(err)
	}
	r.ID = got.ID
	return true, nil
}

// UpdateSatisfactionRating writes a rating's mutable fields: score,
// comment, reason, token, the recorded ticket facts and the times.
func (t *Tx) UpdateSatisfactionRating(r *SatisfactionRating) error {
	_, err := t.exec(`UPDATE satisfaction_ratings SET score = ?, comment = ?, reason_code = ?, token_hash = ?, requester_id = ?,
		assignee_id = ?, group_id = ?, ticket_type = ?, tags = ?, brand_id = ?, inbox_id = ?, locale = ?, due_at = ?, offered_at = ?,
		rated_at = ?, updated_at = ? WHERE id = ?`,
		r.Score, r.Comment, r.ReasonCode, nullStr(r.TokenHash), r.RequesterID, nullID(r.AssigneeID), nullID(r.GroupID), r.TicketType,
		tagText(r.Tags), nullID(r.BrandID), nullID(r.InboxID), r.Locale, nullMS(r.DueAt), nullMS(r.OfferedAt), nullMS(r.RatedAt),
		ms(r.UpdatedAt), r.ID)
	return err
}

// ClaimSatisfactionOffer moves an unoffered rating to offered with its
// token hash, only if it is still unoffered: of two nodes racing for the
// same survey exactly one wins (and sends the mail).
func (t *Tx) ClaimSatisfactionOffer(id int64, tokenHash string, nowMS int64) (bool, error) {
	res, err := t.exec(`UPDATE satisfaction_ratings SET score = 'offered', token_hash = ?, offered_at = ?, due_at = NULL, updated_at = ?
		WHERE id = ? AND score = 'unoffered'`, tokenHash, nowMS, nowMS, id)
	if err != nil {
		return false, err
	}
	n, err := res.RowsAffected()
	return n == 1, err
}

// DeleteUnofferedRatings drops a ticket's surveys that were never offered
// (the ticket was reopened before the survey went).
func (t *Tx) DeleteUnofferedRatings(ticketID int64) error {
	_, err := t.exec("DELETE FROM satisfaction_ratings WHERE ticket_id = ? AND score = 'unoffered'", ticketID)
	return err
}

// DueSatisfactionOffers lists unoffered surveys due at or before nowMS.
func (t *Tx) DueSatisfactionOffers(nowMS int64, limit int) ([]*SatisfactionRating, error) {
	return queryAll(t, scanRating, "SELECT "+ratingCols+` FROM satisfaction_ratings
		WHERE score = 'unoffered' AND due_at IS NOT NULL AND due_at <= ? ORDER BY due_at, id LIMIT ?`, nowMS, limit)
}

// SatisfactionRating returns one rating.
func (t *Tx) SatisfactionRating(id int64) (*SatisfactionRating, error) {
	r, err := scanRating(t.queryRow("SELECT "+ratingCols+" FROM satisfaction_ratings WHERE id = ?", id))
	return r, t.wrap(err)
}

// SatisfactionRatingByToken finds the rating a survey link points at.
func (t *Tx) SatisfactionRatingByToken(tokenHash string) (*SatisfactionRating, error) {
	r, err := scanRating(t.queryRow("SELECT "+ratingCols+" FROM satisfaction_ratings WHERE token_hash = ?", tokenHash))
	return r, t.wrap(err)
}

// LatestSatisfactionRatings returns each ticket's newest rating row.
func (t *Tx) LatestSatisfactionRatings(ticketIDs []int64) (map[int64]*SatisfactionRating, error) {
	out := map[int64]*SatisfactionRating{}
	if len(ticketIDs) == 0 {
		return out, nil
	}
	list, err := queryAll(t, scanRating, "SELECT "+ratingCols+` FROM satisfaction_ratings r
		WHERE r.ticket_id IN (`+placeholders(len(ticketIDs))+`)
		AND r.id = (SELECT MAX(id) FROM satisfaction_ratings x WHERE x.ticket_id = r.ticket_id)`, int64Args(ticketIDs)...)
	for _, r := range list {
		out[r.TicketID] = r
	}
	return out, err
}

// RatingFilter selects ratings for the list endpoint.
type RatingFilter struct {
	Scores      []string // empty: every score but unoffered
	WithComment *bool
	Since       time.Time // updated at or after
	Until       time.Time // updated at or before
}

func (f RatingFilter) where() (string, []any) {
	q, args := "1 = 1", []any{}
	if len(f.Scores) > 0 {
		q += " AND score IN (" + placeholders(len(f.Scores)) + ")"
		args = append(args, stringArgs(f.Scores)...)
	} else {
		q += " AND score <> 'unoffered'"
	}
	if f.WithComment != nil {
		if *f.WithComment {
			q += " AND comment <> ''"
		} else {
			q += " AND comment = ''"
		}
	}
	if !f.Since.IsZero() {
		q += " AND updated_at >= ?"
		args = append(args, ms(f.Since))
	}
	if !f.Until.IsZero() {
		q += " AND updated_at <= ?"
		args = append(args, ms(f.Until))
	}
	return q, args
}

// ListSatisfactionRatings pages ratings by id.
func (t *Tx) ListSatisfactionRatings(f RatingFilter, afterID int64, offset, limit int) ([]*SatisfactionRating, error) {
	w, args := f.where()
	args = append(args, afterID, limit, offset)
	return queryAll(t, scanRating, "SELECT "+ratingCols+" FROM satisfaction_ratings WHERE "+w+" AND id > ? ORDER BY id LIMIT ? OFFSET ?", args...)
}

// CountSatisfactionRatings counts ratings matching f.
func (t *Tx) CountSatisfactionRatings(f RatingFilter) (int64, error) {
	w, args := f.where()
	return t.count("SELECT COUNT(*) FROM satisfaction_ratings WHERE "+w, args...)
}

// SatisfactionSetting is one survey setting row (see migration 0012).
type SatisfactionSetting struct {
	Scope        string // account, brand, inbox
	ScopeID      int64
	Enabled      bool
	DelayMinutes int
	UpdatedAt    time.Time
}

// SatisfactionSettings lists every setting row.
func (t *Tx) SatisfactionSettings() ([]*SatisfactionSetting, error) {
	return queryAll(t, func(sc scanner) (*SatisfactionSetting, error) {
		var (
			s       SatisfactionSetting
			updated int64
		)
		err := sc.Scan(&s.Scope, &s.ScopeID, &s.Enabled, &s.DelayMinutes, &updated)
		s.UpdatedAt = fromMS(updated)
		return &s, err
	}, "SELECT scope, scope_id, enabled, delay_minutes, updated_at FROM satisfaction_settings ORDER BY scope, scope_id")
}

// UpsertSatisfactionSetting creates or replaces a setting row.
func (t *Tx) UpsertSatisfactionSetting(s *SatisfactionSetting) error {
	_, err := t.exec(`INSERT INTO satisfaction_settings (scope, scope_id, enabled, delay_minutes, updated_at) VALUES (?, ?, ?, ?, ?)
		ON CONFLICT (scope, scope_id) DO UPDATE SET enabled = excluded.enabled, delay_minutes = excluded.delay_minutes, updated_at = excluded.updated_at`,
		s.Scope, s.ScopeID, s.Enabled, s.DelayMinutes, ms(s.UpdatedAt))
	return err
}

// DeleteSatisfactionSetting removes a brand or inbox override.
func (t *Tx) DeleteSatisfactionSetting(scope string, scopeID int64) error {
	res, err := t.exec("DELETE FROM satisfaction_settings WHERE scope = ? AND scope_id = ?", scope, scopeID)
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return ErrNotFound
	}
	return nil
}
