package bizhours

import (
	"math/rand/v2"
	"testing"
	"time"
)

var tokyo, _ = time.LoadLocation("Asia/Tokyo")

func jst(s string) time.Time {
	t, err := time.ParseInLocation("2006-01-02 15:04", s, tokyo)
	if err != nil {
		panic(err)
	}
	return t
}

// japanDesk is 9:00–18:00 Mon–Fri in Tokyo, closed on national holidays
// and for 年末年始 (12/29–1/3 every year).
func japanDesk(t testing.TB) *Schedule {
	s, err := New("東京サポート", tokyo, DefaultIntervals(), []Holiday{
		{Name: "年末年始", Start: Date{2000, 12, 29}, End: Date{2000, 1, 3}, Recurring: true},
	}, "JP")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func TestAddAcrossWeekendHolidaysAndNewYear(t *testing.T) {
	s := japanDesk(t)
	cases := []struct {
		name string
		from string
		d    time.Duration
		want string
	}{
		{"same day", "2026-12-24 09:00", 8 * time.Hour, "2026-12-24 17:00"},
		{"ends exactly at closing", "2026-12-24 09:00", 9 * time.Hour, "2026-12-24 18:00"},
		{"weekend", "2026-12-25 17:30", 8 * time.Hour, "2026-12-28 16:30"},
		{"weekend and 年末年始", "2026-12-25 17:30", 16 * time.Hour, "2027-01-04 15:30"},
		{"weekend, 年末年始 and a second day", "2026-12-25 17:30", 24 * time.Hour, "2027-01-05 14:30"},
		{"成人の日 2027-01-11", "2027-01-08 15:00", 8 * time.Hour, "2027-01-12 14:00"},
		{"before opening", "2027-01-12 06:00", 30 * time.Minute, "2027-01-12 09:30"},
		{"created on a holiday", "2027-01-11 10:00", time.Hour, "2027-01-12 10:00"},
		{"シルバーウィーク 2026 (9/21 敬老, 9/22 国民の休日, 9/23 秋分)", "2026-09-18 17:00", 2 * time.Hour, "2026-09-24 10:00"},
		{"GW 2026 with 振替休日 5/6", "2026-05-01 17:00", 2 * time.Hour, "2026-05-07 10:00"},
	}
	for _, c := range cases {
		from := jst(c.from)
		got := s.Add(from, c.d)
		if !got.Equal(jst(c.want)) {
			t.Errorf("%s: Add(%s, %v) = %s, want %s", c.name, c.from, c.d, got.In(tokyo).Format("2006-01-02 15:04"), c.want)
		}
		if e := s.Elapsed(from, got); e != c.d {
			t.Errorf("%s: Elapsed back = %v, want %v", c.name, e, c.d)
		}
	}
}

func TestElapsedAndIsOpen(t *testing.T) {
	s := japanDesk(t)
	if e := s.Elapsed(jst("2026-12-25 17:30"), jst("2027-01-04 10:00")); e != 10*time.Hour+30*time.Minute {
		// 0:30 on 12/25 + 9:00 on 12/28 + 1:00 on 1/4
		t.Errorf("Elapsed = %v, want 10h30m", e)
	}
	if e := s.Elapsed(jst("2027-01-04 10:00"), jst("2026-12-25 17:30")); e != -(10*time.Hour + 30*time.Minute) {
		t.Errorf("reverse Elapsed = %v", e)
	}
	open := map[string]bool{
		"2026-12-28 09:00": true, "2026-12-28 17:59": true, "2026-12-28 18:00": false, "2026-12-28 08:59": false,
		"2026-12-29 10:00": false, "2027-01-01 10:00": false, "2027-01-04 10:00": true, "2027-01-09 10:00": false,
		"2027-01-11 10:00": false, "2026-09-22 10:00": false,
	}
	for ts, want := range open {
		if got := s.IsOpen(jst(ts)); got != want {
			t.Errorf("IsOpen(%s) = %v, want %v", ts, got, want)
		}
	}
	if got := s.NextOpen(jst("2026-12-28 18:00")); !got.Equal(jst("2027-01-04 09:00")) {
		t.Errorf("NextOpen = %v", got)
	}
}

func TestDatedHolidayAndNoNationalHolidays(t *testing.T) {
	s, err := New("社内", tokyo, DefaultIntervals(), []Holiday{{Name: "創立記念日", Start: Date{2027, 6, 1}, End: Date{2027, 6, 1}}}, "")
	if err != nil {
		t.Fatal(err)
	}
	if s.IsOpen(jst("2027-06-01 10:00")) || !s.IsOpen(jst("2028-06-01 10:00")) {
		t.Error("dated holiday must close 2027-06-01 only")
	}
	if !s.IsOpen(jst("2027-01-11 10:00")) {
		t.Error("without national_holidays 成人の日 is a working day")
	}
}

func TestDST(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	// Open all Sunday and Monday 01:00–04:00.
	s, err := New("NY", ny, []Interval{{0, 1440}, {1440 + 60, 1440 + 240}}, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	sun := time.Date(2026, 3, 8, 0, 0, 0, 0, ny) // clocks spring forward at 02:00
	if e := s.Elapsed(sun, sun.AddDate(0, 0, 1)); e != 23*time.Hour {
		t.Errorf("spring-forward Sunday = %v, want 23h", e)
	}
	fall := time.Date(2026, 11, 1, 0, 0, 0, 0, ny) // clocks fall back at 02:00
	if e := s.Elapsed(fall, fall.AddDate(0, 0, 1)); e != 25*time.Hour {
		t.Errorf("fall-back Sunday = %v, want 25h", e)
	}
	if got := s.Add(fall, 24*time.Hour+30*time.Minute); !got.Equal(time.Date(2026, 11, 1, 23, 30, 0, 0, ny)) {
		t.Errorf("Add over fall-back = %v", got.In(ny))
	}
}

func TestIntervalsValidation(t *testing.T) {
	bad := [][]Interval{{{-1, 10}}, {{10, 10}}, {{1400, 1500}}, {{0, MinutesPerWeek + 1}}}
	for _, iv := range bad {
		if _, err := NormalizeIntervals(iv); err == nil {
			t.Errorf("%v accepted", iv)
		}
	}
	got, err := NormalizeIntervals([]Interval{{2000, 2100}, {1980, 2010}, {1500, 1600}})
	if err != nil || len(got) != 2 || got[0] != (Interval{1500, 1600}) || got[1] != (Interval{1980, 2100}) {
		t.Errorf("merge: %v %v", got, err)
	}
	if _, err := New("x", tokyo, nil, nil, "US"); err == nil {
		t.Error("national_holidays US accepted")
	}
	if _, err := Zone("Tokyo"); err != nil {
		t.Error(err)
	}
	if loc, err := Zone("Eastern Time (US & Canada)"); err != nil || loc.String() != "America/New_York" {
		t.Error(loc, err)
	}
	if _, err := Zone("Mars/Olympus"); err == nil {
		t.Error("unknown zone accepted")
	}
}

func TestNeverOpen(t *testing.T) {
	s, _ := New("closed", tokyo, nil, nil, "")
	if got := s.Add(jst("2027-01-04 10:00"), time.Minute); !got.Equal(Never) {
		t.Errorf("Add on a schedule with no hours = %v", got)
	}
	if AlwaysOpen.Add(jst("2027-01-04 10:00"), time.Hour) != jst("2027-01-04 11:00") || !AlwaysOpen.IsOpen(jst("2027-01-01 03:00")) {
		t.Error("AlwaysOpen")
	}
}

// check is the property every schedule must have: Add and Elapsed are
// inverse, and Elapsed is additive.
func check(t testing.TB, s *Schedule, from, mid, to time.Time, d time.Duration) {
	due := s.Add(from, d)
	if e := s.Elapsed(from, due); e != d {
		t.Fatalf("Elapsed(from, Add(from, %v)) = %v (from %v)", d, e, from)
	}
	if !from.Before(to) {
		return
	}
	e := s.Elapsed(from, to)
	back := s.Add(from, e)
	if back.After(to) || s.Elapsed(back, to) != 0 {
		t.Fatalf("Add(from, Elapsed(from,to)) = %v, to %v", back, to)
	}
	if !mid.Before(from) && !mid.After(to) && s.Elapsed(from, mid)+s.Elapsed(mid, to) != e {
		t.Fatalf("Elapsed not additive at %v", mid)
	}
}

func TestAddElapsedProperty(t *testing.T) {
	ny, _ := time.LoadLocation("America/New_York")
	split, _ := New("split", ny, []Interval{{1440 + 60, 1440 + 180}, {1440 + 600, 1440 + 1440}, {6*1440 + 0, 6*1440 + 30}}, nil, "")
	schedules := []*Schedule{japanDesk(t), split, AlwaysOpen}
	r := rand.New(rand.NewPCG(1, 2))
	base := jst("2026-01-01 00:00")
	for i := 0; i < 3000; i++ {
		s := schedules[i%len(schedules)]
		from := base.Add(time.Duration(r.Int64N(int64(5 * 365 * 24 * time.Hour))))
		to := from.Add(time.Duration(r.Int64N(int64(40 * 24 * time.Hour))))
		mid := from.Add(to.Sub(from) / 3)
		d := time.Duration(r.Int64N(int64(200 * time.Hour)))
		check(t, s, from, mid, to, d)
	}
}

func FuzzAddElapsed(f *testing.F) {
	s := japanDesk(f)
	f.Add(int64(0), int64(3600), int64(1800))
	f.Add(int64(86400*360), int64(86400*10), int64(3600*20))
	base := jst("2026-01-01 00:00")
	f.Fuzz(func(t *testing.T, fromSec, spanSec, dSec int64) {
		if fromSec < 0 || spanSec < 0 || dSec < 0 || fromSec > 86400*365*10 || spanSec > 86400*100 || dSec > 3600*1000 {
			t.Skip()
		}
		from := base.Add(time.Duration(fromSec) * time.Second)
		to := from.Add(time.Duration(spanSec) * time.Second)
		check(t, s, from, from.Add(to.Sub(from)/2), to, time.Duration(dSec)*time.Second)
	})
}

func TestCloseOfDay(t *testing.T) {
	s := japanDesk(t)
	cases := map[string]string{
		"2026-12-24 10:00": "2026-12-24 18:00", // during hours: today
		"2026-12-24 07:00": "2026-12-24 18:00", // before opening: today
		"2026-12-25 18:00": "2026-12-28 18:00", // at closing on Friday: Monday
		"2026-12-28 19:00": "2027-01-04 18:00", // after hours before 年末年始
		"2027-01-11 10:00": "2027-01-12 18:00", // on 成人の日
	}
	for from, want := range cases {
		if got := s.CloseOfDay(jst(from)); !got.Equal(jst(want)) {
			t.Errorf("CloseOfDay(%s) = %s, want %s", from, got.In(tokyo).Format("2006-01-02 15:04"), want)
		}
	}
	if got := AlwaysOpen.CloseOfDay(jst("2027-01-11 10:00")); !got.Equal(jst("2027-01-12 00:00")) {
		t.Errorf("24/7 CloseOfDay = %v", got)
	}
}

// BenchmarkAdd: a one-month business-hours target from a Friday evening
// before 年末年始 (the SLA hook does one Add per running target per write).
func BenchmarkAdd(b *testing.B) {
	s := japanDesk(b)
	from := jst("2026-12-25 17:30")
	for b.Loop() {
		s.Add(from, 160*time.Hour)
	}
}

func BenchmarkElapsedYear(b *testing.B) {
	s := japanDesk(b)
	from, to := jst("2026-01-01 00:00"), jst("2027-01-01 00:00")
	for b.Loop() {
		s.Elapsed(from, to)
	}
}
