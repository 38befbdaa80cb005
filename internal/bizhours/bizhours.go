// Package bizhours measures time in business hours: weekly opening
// intervals in a time zone, minus holidays (Japanese national holidays when
// a schedule asks for them, plus the company's own days such as 年末年始).
//
// All arithmetic walks local calendar days and turns each interval into
// absolute instants with time.Date, so DST transitions, weekends and
// holidays are exact; nothing is approximated by "N hours per day".
package bizhours

import (
	"fmt"
	"sort"
	"sync"
	"time"

	"github.com/kizuna-desk/kizuna/internal/holidays"
)

// MinutesPerWeek is the range of Zendesk interval minutes (Sunday 00:00 is 0).
const MinutesPerWeek = 7 * 1440

// Interval is an opening span in minutes since Sunday 00:00 local time, as
// Zendesk's schedules API has it. It never spans calendar days.
type Interval struct {
	Start int `json:"start_time"`
	End   int `json:"end_time"`
}

// Date is a calendar day in the schedule's zone.
type Date struct {
	Year  int
	Month time.Month
	Day   int
}

// ParseDate reads "2026-12-29".
func ParseDate(s string) (Date, error) {
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return Date{}, fmt.Errorf("invalid date %q (want YYYY-MM-DD) / 日付の形式が正しくありません", s)
	}
	return Date{t.Year(), t.Month(), t.Day()}, nil
}

func (d Date) String() string { return fmt.Sprintf("%04d-%02d-%02d", d.Year, d.Month, d.Day) }

func (d Date) key() int { return d.Year*10000 + int(d.Month)*100 + d.Day }

// Holiday closes the schedule for whole days Start..End (inclusive, local).
// A Recurring holiday repeats every year on the same month/day span and may
// wrap the year end (12/29–1/3, 年末年始).
type Holiday struct {
	ID         int64
	Name       string
	Start, End Date
	Recurring  bool
}

func (h Holiday) covers(d Date) bool {
	if !h.Recurring {
		k := d.key()
		return h.Start.key() <= k && k <= h.End.key()
	}
	md := int(d.Month)*100 + d.Day
	s, e := int(h.Start.Month)*100+h.Start.Day, int(h.End.Month)*100+h.End.Day
	if s <= e {
		return s <= md && md <= e
	}
	return md >= s || md <= e // wraps the year end
}

// Schedule is a set of weekly business hours in one zone with holidays.
type Schedule struct {
	ID        int64
	Name      string
	Location  *time.Location
	Intervals []Interval // sorted, non-overlapping
	Holidays  []Holiday
	// NationalHolidays names a country whose public holidays close the
	// schedule; only "JP" is known.
	NationalHolidays string

	always bool
	// perDay[w] are weekday w's intervals as minutes since local midnight.
	once   sync.Once
	perDay [7][][2]int
}

// AlwaysOpen is the 24/7 schedule: business time equals calendar time.
var AlwaysOpen = &Schedule{Name: "24/7", Location: time.UTC, always: true}

// Never is what Add returns when a schedule has no business time at all in
// the next ten years (no intervals, or every day a holiday).
var Never = time.Date(9999, 12, 31, 0, 0, 0, 0, time.UTC)

// New builds a schedule, checking and normalizing its intervals.
func New(name string, loc *time.Location, intervals []Interval, hols []Holiday, national string) (*Schedule, error) {
	iv, err := NormalizeIntervals(intervals)
	if err != nil {
		return nil, err
	}
	if loc == nil {
		loc = holidays.Tokyo()
	}
	if national != "" && national != "JP" {
		return nil, fmt.Errorf("national_holidays: only \"JP\" is supported / 祝日の国は \"JP\" のみ対応しています")
	}
	for _, h := range hols {
		if !h.Recurring && h.End.key() < h.Start.key() {
			return nil, fmt.Errorf("holiday %q ends before it starts / 休日の終了日が開始日より前です", h.Name)
		}
	}
	return &Schedule{Name: name, Location: loc, Intervals: iv, Holidays: hols, NationalHolidays: national}, nil
}

// DefaultIntervals are 9:00–18:00 Monday to Friday.
func DefaultIntervals() []Interval {
	var out []Interval
	for d := 1; d <= 5; d++ {
		out = append(out, Interval{d*1440 + 9*60, d*1440 + 18*60})
	}
	return out
}

// NormalizeIntervals checks Zendesk's interval rules (within the week, end
// after start, no spanning of calendar days), sorts and merges overlaps.
func NormalizeIntervals(in []Interval) ([]Interval, error) {
	iv := append([]Interval(nil), in...)
	for _, i := range iv {
		if i.Start < 0 || i.End > MinutesPerWeek || i.End <= i.Start {
			return nil, fmt.Errorf("interval %d–%d is outside the week or ends before it starts / 営業時間の区間が不正です", i.Start, i.End)
		}
		if i.Start/1440 != (i.End-1)/1440 {
			return nil, fmt.Errorf("interval %d–%d spans calendar days / 営業時間の区間が日をまたいでいます", i.Start, i.End)
		}
	}
	sort.Slice(iv, func(a, b int) bool { return iv[a].Start < iv[b].Start })
	var out []Interval
	for _, i := range iv {
		if n := len(out); n > 0 && i.Start <= out[n-1].End {
			out[n-1].End = max(out[n-1].End, i.End)
			continue
		}
		out = append(out, i)
	}
	return out, nil
}

func (s *Schedule) prepare() {
	s.once.Do(func() {
		for _, i := range s.Intervals {
			w := i.Start / 1440
			s.perDay[w] = append(s.perDay[w], [2]int{i.Start - w*1440, i.End - w*1440})
		}
	})
}

// IsAlwaysOpen reports whether s is the 24/7 schedule.
func (s *Schedule) IsAlwaysOpen() bool { return s == nil || s.always }

// HolidayOn returns the name of the holiday closing the local day d, if any.
func (s *Schedule) HolidayOn(d Date) (string, bool) {
	if s.IsAlwaysOpen() {
		return "", false
	}
	for _, h := range s.Holidays {
		if h.covers(d) {
			return h.Name, true
		}
	}
	if s.NationalHolidays == "JP" {
		if name, ok := japan(d); ok {
			return name, true
		}
	}
	return "", false
}

var (
	jpMu    sync.Mutex
	jpYears = map[int]map[int]string{}
)

func japan(d Date) (string, bool) {
	jpMu.Lock()
	defer jpMu.Unlock()
	m, ok := jpYears[d.Year]
	if !ok {
		m = map[int]string{}
		for _, h := range holidays.Japan(d.Year) {
			m[Date{h.Date.Year(), h.Date.Month(), h.Date.Day()}.key()] = h.Name
		}
		jpYears[d.Year] = m
	}
	name, ok := m[d.key()]
	return name, ok
}

// spans returns the open spans of local day d as absolute instants.
func (s *Schedule) spans(d Date) [][2]time.Time {
	s.prepare()
	midnight := time.Date(d.Year, d.Month, d.Day, 0, 0, 0, 0, s.Location)
	day := s.perDay[midnight.Weekday()]
	if len(day) == 0 {
		return nil
	}
	if _, closed := s.HolidayOn(d); closed {
		return nil
	}
	out := make([][2]time.Time, 0, len(day))
	for _, m := range day {
		a := time.Date(d.Year, d.Month, d.Day, 0, m[0], 0, 0, s.Location)
		b := time.Date(d.Year, d.Month, d.Day, 0, m[1], 0, 0, s.Location)
		if b.After(a) {
			out = append(out, [2]time.Time{a, b})
		}
	}
	return out
}

func localDate(t time.Time, loc *time.Location) Date {
	y, m, d := t.In(loc).Date()
	return Date{y, m, d}
}

func nextDate(d Date) Date {
	y, m, dd := time.Date(d.Year, d.Month, d.Day+1, 12, 0, 0, 0, time.UTC).Date()
	return Date{y, m, dd}
}

// IsOpen reports whether t is within business hours.
func (s *Schedule) IsOpen(t time.Time) bool {
	if s.IsAlwaysOpen() {
		return true
	}
	for _, sp := range s.spans(localDate(t, s.Location)) {
		if !t.Before(sp[0]) && t.Before(sp[1]) {
			return true
		}
	}
	return false
}

// Elapsed is the business time between from and to; negative when to is
// before from.
func (s *Schedule) Elapsed(from, to time.Time) time.Duration {
	from, to = from.Round(0), to.Round(0)
	if to.Before(from) {
		return -s.Elapsed(to, from)
	}
	if s.IsAlwaysOpen() {
		return to.Sub(from)
	}
	var total time.Duration
	last := localDate(to, s.Location)
	for d := localDate(from, s.Location); d.key() <= last.key(); d = nextDate(d) {
		for _, sp := range s.spans(d) {
			a, b := maxTime(sp[0], from), minTime(sp[1], to)
			if b.After(a) {
				total += b.Sub(a)
			}
		}
	}
	return total
}

// Add returns the instant when d of business time has passed after from.
// When d runs out exactly at a closing time, that closing time is the
// answer (a target of 8 hours from 9:00 is due at 17:00 the same day).
// Add(from, 0) is from.
func (s *Schedule) Add(from time.Time, d time.Duration) time.Time {
	from = from.Round(0)
	if d <= 0 {
		return from
	}
	if s.IsAlwaysOpen() {
		return from.Add(d)
	}
	left := d
	day := localDate(from, s.Location)
	for range 366 * 10 {
		for _, sp := range s.spans(day) {
			a := maxTime(sp[0], from)
			if !sp[1].After(a) {
				continue
			}
			if seg := sp[1].Sub(a); left <= seg {
				return a.Add(left)
			} else {
				left -= seg
			}
		}
		day = nextDate(day)
	}
	return Never
}

// NextOpen returns t if the schedule is open at t, else the next opening.
func (s *Schedule) NextOpen(t time.Time) time.Time {
	if s.IsAlwaysOpen() || s.IsOpen(t) {
		return t
	}
	day := localDate(t, s.Location)
	for range 366 * 10 {
		for _, sp := range s.spans(day) {
			if sp[0].After(t) || sp[0].Equal(t) {
				return sp[0]
			}
		}
		day = nextDate(day)
	}
	return Never
}

func maxTime(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}

func minTime(a, b time.Time) time.Time {
	if a.Before(b) {
		return a
	}
	return b
}

// CloseOfDay returns when the business day that t falls in closes: today's
// last closing time if the schedule is open at or after t today, else the
// close of the next business day. It gives "same-day reply" (当日中に返信)
// targets their due time. The 24/7 schedule closes at midnight in Tokyo.
func (s *Schedule) CloseOfDay(t time.Time) time.Time {
	if s.IsAlwaysOpen() {
		y, m, d := t.In(holidays.Tokyo()).Date()
		return time.Date(y, m, d+1, 0, 0, 0, 0, holidays.Tokyo())
	}
	open := s.NextOpen(t)
	if open.Equal(Never) {
		return Never
	}
	sp := s.spans(localDate(open, s.Location))
	return sp[len(sp)-1][1]
}
