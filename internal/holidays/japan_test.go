package holidays

import (
	"fmt"
	"testing"
)

// official is the Cabinet Office calendar (内閣府「国民の祝日について」);
// equinox days after 2027 are the observatory's predictions, which the
// Cabinet Office confirms each February for the following year.
var official = map[int][]string{
	2019: {"01-01", "01-14", "02-11", "03-21", "04-29", "04-30", "05-01", "05-02", "05-03", "05-04", "05-05", "05-06",
		"07-15", "08-11", "08-12", "09-16", "09-23", "10-14", "10-22", "11-03", "11-04", "11-23"},
	2020: {"01-01", "01-13", "02-11", "02-23", "02-24", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06",
		"07-23", "07-24", "08-10", "09-21", "09-22", "11-03", "11-23"},
	2021: {"01-01", "01-11", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05",
		"07-22", "07-23", "08-08", "08-09", "09-20", "09-23", "11-03", "11-23"},
	2026: {"01-01", "01-12", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06",
		"07-20", "08-11", "09-21", "09-22", "09-23", "10-12", "11-03", "11-23"},
	2027: {"01-01", "01-11", "02-11", "02-23", "03-21", "03-22", "04-29", "05-03", "05-04", "05-05",
		"07-19", "08-11", "09-20", "09-23", "10-11", "11-03", "11-23"},
	2028: {"01-01", "01-10", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05",
		"07-17", "08-11", "09-18", "09-22", "10-09", "11-03", "11-23"},
	2029: {"01-01", "01-08", "02-11", "02-12", "02-23", "03-20", "04-29", "04-30", "05-03", "05-04", "05-05",
		"07-16", "08-11", "09-17", "09-23", "09-24", "10-08", "11-03", "11-23"},
	2030: {"01-01", "01-14", "02-11", "02-23", "03-20", "04-29", "05-03", "05-04", "05-05", "05-06",
		"07-15", "08-11", "08-12", "09-16", "09-23", "10-14", "11-03", "11-04", "11-23"},
}

func TestJapanMatchesOfficialCalendar(t *testing.T) {
	for year, want := range official {
		var got []string
		for _, h := range Japan(year) {
			if h.Date.Location() != Tokyo() || h.Date.Hour() != 0 {
				t.Errorf("%d: %v not 00:00 Asia/Tokyo", year, h.Date)
			}
			if h.Name == "" || h.NameEn == "" {
				t.Errorf("%d: %v has no name", year, h.Date)
			}
			got = append(got, h.Date.Format("01-02"))
		}
		if fmt.Sprint(got) != fmt.Sprint(want) {
			t.Errorf("%d:\n got %v\nwant %v", year, got, want)
		}
	}
}

func TestJapanNames(t *testing.T) {
	cases := []struct{ date, name string }{
		{"2026-05-06", "振替休日"},
		{"2026-09-22", "国民の休日"},
		{"2026-09-23", "秋分の日"},
		{"2027-01-11", "成人の日"},
		{"2027-03-22", "振替休日"},
		{"2030-11-04", "振替休日"},
		{"2019-05-01", "即位の日"},
		{"2020-07-24", "スポーツの日"},
		{"2018-10-08", "体育の日"},
	}
	for _, c := range cases {
		var y, m, d int
		fmt.Sscanf(c.date, "%d-%d-%d", &y, &m, &d)
		h, ok := IsJapan(date(y, m, d).Add(13 * 3600e9))
		if !ok || h.Name != c.name {
			t.Errorf("%s: got %q %v, want %q", c.date, h.Name, ok, c.name)
		}
	}
	if _, ok := IsJapan(date(2026, 12, 28)); ok {
		t.Errorf("2026-12-28 is a working day")
	}
}

// Equinox days from the observatory's published tables (暦要項) for years
// outside the calendar test.
func TestEquinoxes(t *testing.T) {
	cases := []struct{ year, spring, autumn int }{
		{2000, 20, 23}, {2012, 20, 22}, {2016, 20, 22}, {2024, 20, 22}, {2025, 20, 23}, {2044, 20, 22},
	}
	for _, c := range cases {
		if s, a := vernalEquinox(c.year), autumnalEquinox(c.year); s != c.spring || a != c.autumn {
			t.Errorf("%d: %d/%d, want %d/%d", c.year, s, a, c.spring, c.autumn)
		}
	}
}
