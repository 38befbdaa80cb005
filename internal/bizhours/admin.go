package bizhours

import (
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/errs"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// ScheduleInput is a schedule create or update; nil leaves a field as it is.
type ScheduleInput struct {
	Name             *string
	TimeZone         *string
	Intervals        *[]Interval
	NationalHolidays *string
}

// HolidayInput is a holiday create or update; nil leaves a field as it is.
type HolidayInput struct {
	Name      *string
	StartDate *string
	EndDate   *string
	Recurring *bool
}

func (in ScheduleInput) apply(s *store.BusinessSchedule) error {
	var v errs.Invalid
	if in.Name != nil {
		s.Name = strings.TrimSpace(*in.Name)
	}
	if s.Name == "" {
		v.Add("name", "BlankValue", "Name: cannot be blank / 名前を入力してください")
	}
	if in.TimeZone != nil {
		s.TimeZone = strings.TrimSpace(*in.TimeZone)
	}
	if s.TimeZone == "" {
		s.TimeZone = "Asia/Tokyo"
	}
	if _, err := Zone(s.TimeZone); err != nil {
		v.Add("time_zone", "InvalidValue", "Time zone: "+err.Error())
	}
	if in.NationalHolidays != nil {
		s.NationalHolidays = strings.ToUpper(strings.TrimSpace(*in.NationalHolidays))
	}
	if s.NationalHolidays != "" && s.NationalHolidays != "JP" {
		v.Add("national_holidays", "InvalidValue", `National holidays: only "JP" (or null) is supported / 祝日は "JP" のみ指定できます`)
	}
	if in.Intervals != nil {
		iv, err := NormalizeIntervals(*in.Intervals)
		if err != nil {
			v.Add("intervals", "InvalidValue", "Intervals: "+err.Error())
		}
		s.Intervals = make([]store.BusinessInterval, len(iv))
		for i, x := range iv {
			s.Intervals[i] = store.BusinessInterval{Start: x.Start, End: x.End}
		}
	}
	return v.OrNil()
}

// CreateSchedule stores a new schedule; without intervals it is open
// 9:00–18:00 Monday to Friday, in Asia/Tokyo unless a zone is given.
func CreateSchedule(tx *store.Tx, in ScheduleInput, now time.Time) (*store.BusinessSchedule, error) {
	s := &store.BusinessSchedule{CreatedAt: now, UpdatedAt: now}
	if in.Intervals == nil {
		d := DefaultIntervals()
		in.Intervals = &d
	}
	if err := in.apply(s); err != nil {
		return nil, err
	}
	return s, tx.InsertSchedule(s)
}

// UpdateSchedule changes schedule id.
func UpdateSchedule(tx *store.Tx, id int64, in ScheduleInput, now time.Time) (*store.BusinessSchedule, error) {
	s, err := tx.Schedule(id)
	if err != nil {
		return nil, err
	}
	if err := in.apply(s); err != nil {
		return nil, err
	}
	s.UpdatedAt = now
	return s, tx.UpdateSchedule(s)
}

func (in HolidayInput) apply(h *store.BusinessHoliday) error {
	var v errs.Invalid
	if in.Name != nil {
		h.Name = strings.TrimSpace(*in.Name)
	}
	if h.Name == "" {
		v.Add("name", "BlankValue", "Name: cannot be blank / 名前を入力してください")
	}
	if in.Recurring != nil {
		h.Recurring = *in.Recurring
	}
	if in.StartDate != nil {
		h.StartDate = strings.TrimSpace(*in.StartDate)
	}
	if in.EndDate != nil {
		h.EndDate = strings.TrimSpace(*in.EndDate)
	}
	if h.EndDate == "" {
		h.EndDate = h.StartDate // a one-day holiday
	}
	start, serr := ParseDate(h.StartDate)
	if serr != nil {
		v.Add("start_date", "InvalidValue", "Start date: "+serr.Error())
	}
	end, eerr := ParseDate(h.EndDate)
	if eerr != nil {
		v.Add("end_date", "InvalidValue", "End date: "+eerr.Error())
	}
	if serr == nil && eerr == nil && !h.Recurring && end.key() < start.key() {
		v.Add("end_date", "InvalidValue", "End date: must not be before the start date / 終了日は開始日以降にしてください")
	}
	return v.OrNil()
}

// CreateHoliday adds a holiday to schedule scheduleID.
func CreateHoliday(tx *store.Tx, scheduleID int64, in HolidayInput, now time.Time) (*store.BusinessHoliday, error) {
	if _, err := tx.Schedule(scheduleID); err != nil {
		return nil, err
	}
	h := &store.BusinessHoliday{ScheduleID: scheduleID, CreatedAt: now, UpdatedAt: now}
	if err := in.apply(h); err != nil {
		return nil, err
	}
	return h, tx.InsertHoliday(h)
}

// UpdateHoliday changes a holiday of schedule scheduleID.
func UpdateHoliday(tx *store.Tx, scheduleID, id int64, in HolidayInput, now time.Time) (*store.BusinessHoliday, error) {
	h, err := tx.Holiday(scheduleID, id)
	if err != nil {
		return nil, err
	}
	if err := in.apply(h); err != nil {
		return nil, err
	}
	h.UpdatedAt = now
	return h, tx.UpdateHoliday(h)
}
