package csat

import (
	"errors"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// Setting scopes, most specific last.
const (
	ScopeAccount = "account"
	ScopeBrand   = "brand"
	ScopeInbox   = "inbox"
)

// DefaultDelayMinutes is how long after a solve the survey goes when no
// setting says otherwise: a day, so a customer who still has a question
// reopens the ticket before being asked to rate it.
const DefaultDelayMinutes = 24 * 60

// MaxDelayMinutes caps the delay at 30 days.
const MaxDelayMinutes = 30 * 24 * 60

// Setting is a scope's survey setting.
type Setting struct {
	Scope        string
	ScopeID      int64
	Enabled      bool
	DelayMinutes int
	UpdatedAt    time.Time
}

// Effective is the setting that applies to a ticket of brandID in inboxID:
// the inbox's own, else the brand's, else the account's (on, one day).
func Effective(tx *store.Tx, brandID, inboxID int64) (Setting, error) {
	all, err := tx.SatisfactionSettings()
	if err != nil {
		return Setting{}, err
	}
	best, rank := Setting{Scope: ScopeAccount, Enabled: true, DelayMinutes: DefaultDelayMinutes}, 0
	for _, s := range all {
		r := 0
		switch {
		case s.Scope == ScopeAccount:
			r = 1
		case s.Scope == ScopeBrand && s.ScopeID == brandID && brandID != 0:
			r = 2
		case s.Scope == ScopeInbox && s.ScopeID == inboxID && inboxID != 0:
			r = 3
		}
		if r > rank {
			best, rank = Setting(*s), r
		}
	}
	return best, nil
}

// Settings lists the account setting (defaulted when never saved) and every
// brand and inbox override.
func Settings(tx *store.Tx) ([]Setting, error) {
	all, err := tx.SatisfactionSettings()
	if err != nil {
		return nil, err
	}
	out := []Setting{{Scope: ScopeAccount, Enabled: true, DelayMinutes: DefaultDelayMinutes}}
	for _, s := range all {
		if s.Scope == ScopeAccount {
			out[0] = Setting(*s)
			continue
		}
		out = append(out, Setting(*s))
	}
	return out, nil
}

// Save validates and stores a setting.
func Save(tx *store.Tx, s Setting, now time.Time) (Setting, error) {
	v := &errs.Invalid{}
	switch s.Scope {
	case ScopeAccount:
		s.ScopeID = 0
	case ScopeBrand:
		if _, err := tx.Brand(s.ScopeID); errors.Is(err, store.ErrNotFound) {
			v.Addf("scope_id", "InvalidValue", "Brand %d does not exist / ブランド %d は存在しません", s.ScopeID, s.ScopeID)
		} else if err != nil {
			return s, err
		}
	case ScopeInbox:
		if _, err := tx.Inbox(s.ScopeID); errors.Is(err, store.ErrNotFound) {
			v.Addf("scope_id", "InvalidValue", "Inbox %d does not exist / 受信箱 %d は存在しません", s.ScopeID, s.ScopeID)
		} else if err != nil {
			return s, err
		}
	default:
		v.Add("scope", "InvalidValue", "Scope must be account, brand or inbox / scope は account、brand、inbox のいずれかです")
	}
	if s.DelayMinutes < 0 || s.DelayMinutes > MaxDelayMinutes {
		v.Addf("delay_minutes", "InvalidValue", "Delay must be from 0 to %d minutes (30 days) / 送信までの時間は 0〜%d 分で指定してください", MaxDelayMinutes, MaxDelayMinutes)
	}
	if err := v.OrNil(); err != nil {
		return s, err
	}
	s.UpdatedAt = now.UTC().Truncate(time.Millisecond)
	st := store.SatisfactionSetting(s)
	return s, tx.UpsertSatisfactionSetting(&st)
}

// Remove deletes a brand or inbox override (the account setting can only
// be changed, not removed).
func Remove(tx *store.Tx, scope string, scopeID int64) error {
	if scope != ScopeBrand && scope != ScopeInbox {
		return errs.Invalidf("scope", "InvalidValue", "Only brand and inbox settings can be removed / 削除できるのはブランドと受信箱の設定のみです")
	}
	return tx.DeleteSatisfactionSetting(scope, scopeID)
}
