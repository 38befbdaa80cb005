package bizhours

import (
	"errors"
	"fmt"

	"github.com/kizuna-desk/kizuna/internal/store"
)

// FromStored builds a schedule from its stored form and holidays.
func FromStored(s *store.BusinessSchedule, hols []*store.BusinessHoliday) (*Schedule, error) {
	loc, err := Zone(s.TimeZone)
	if err != nil {
		return nil, err
	}
	iv := make([]Interval, len(s.Intervals))
	for i, v := range s.Intervals {
		iv[i] = Interval{v.Start, v.End}
	}
	hs := make([]Holiday, 0, len(hols))
	for _, h := range hols {
		start, err := ParseDate(h.StartDate)
		if err != nil {
			return nil, err
		}
		end, err := ParseDate(h.EndDate)
		if err != nil {
			return nil, err
		}
		hs = append(hs, Holiday{ID: h.ID, Name: h.Name, Start: start, End: end, Recurring: h.Recurring})
	}
	sc, err := New(s.Name, loc, iv, hs, s.NationalHolidays)
	if err != nil {
		return nil, fmt.Errorf("schedule %d: %w", s.ID, err)
	}
	sc.ID = s.ID
	return sc, nil
}

// Load reads schedule id with its holidays; store.ErrNotFound when absent.
func Load(tx *store.Tx, id int64) (*Schedule, error) {
	s, err := tx.Schedule(id)
	if err != nil {
		return nil, err
	}
	hols, err := tx.Holidays(id)
	if err != nil {
		return nil, err
	}
	return FromStored(s, hols)
}

// Default returns the account's default schedule (the first one, as in
// Zendesk), or AlwaysOpen when no schedule exists.
func Default(tx *store.Tx) (*Schedule, error) {
	// Every ticket write measures time with it: loaded once per change of
	// the configuration. A Schedule is never modified once built.
	v, err := tx.ConfigCached("bizhours.default", func() (any, error) { return loadDefault(tx) })
	if err != nil {
		return nil, err
	}
	return v.(*Schedule), nil
}

func loadDefault(tx *store.Tx) (*Schedule, error) {
	s, err := tx.DefaultSchedule()
	if errors.Is(err, store.ErrNotFound) {
		return AlwaysOpen, nil
	}
	if err != nil {
		return nil, err
	}
	hols, err := tx.Holidays(s.ID)
	if err != nil {
		return nil, err
	}
	return FromStored(s, hols)
}
