// Package holidays computes public holidays. Japan follows 国民の祝日に関する法律
// (the National Holidays Act) as amended through 2018: fixed days, Happy
// Monday days, the equinox days from the astronomical approximation the
// National Astronomical Observatory uses, 振替休日 and 国民の休日.
//
// Years 2007–2099 are computed exactly under the current law, including the
// one-off changes of 2019 (accession), 2020 and 2021 (Olympics). Earlier years
// are outside the range the desk needs and are computed with the 2007 rules,
// which differ from history (e.g. 4/29 was みどりの日 before 2007).
package holidays

import (
	"sort"
	"time"
)

// Holiday is one day off. Date is 00:00 in Asia/Tokyo.
type Holiday struct {
	Date   time.Time
	Name   string
	NameEn string
}

var tokyo = func() *time.Location {
	loc, err := time.LoadLocation("Asia/Tokyo")
	if err != nil {
		// Japan has had no DST since 1951, so a fixed zone is exact.
		return time.FixedZone("JST", 9*3600)
	}
	return loc
}()

// Tokyo is Asia/Tokyo (a fixed +09:00 zone if tzdata is missing).
func Tokyo() *time.Location { return tokyo }

type day struct {
	m, d         int
	name, nameEn string
}

// Japan returns the national holidays of year in date order.
func Japan(year int) []Holiday {
	days := map[[2]int]day{}
	add := func(m, d int, name, en string) { days[[2]int{m, d}] = day{m, d, name, en} }

	add(1, 1, "元日", "New Year's Day")
	add(1, nthMonday(year, 1, 2), "成人の日", "Coming of Age Day")
	add(2, 11, "建国記念の日", "National Foundation Day")
	if year >= 2020 {
		add(2, 23, "天皇誕生日", "Emperor's Birthday")
	}
	add(3, vernalEquinox(year), "春分の日", "Vernal Equinox Day")
	add(4, 29, "昭和の日", "Showa Day")
	add(5, 3, "憲法記念日", "Constitution Memorial Day")
	add(5, 4, "みどりの日", "Greenery Day")
	add(5, 5, "こどもの日", "Children's Day")
	switch year {
	case 2020:
		add(7, 23, "海の日", "Marine Day")
		add(7, 24, "スポーツの日", "Sports Day")
		add(8, 10, "山の日", "Mountain Day")
	case 2021:
		add(7, 22, "海の日", "Marine Day")
		add(7, 23, "スポーツの日", "Sports Day")
		add(8, 8, "山の日", "Mountain Day")
	default:
		add(7, nthMonday(year, 7, 3), "海の日", "Marine Day")
		if year >= 2016 {
			add(8, 11, "山の日", "Mountain Day")
		}
		if year >= 2020 {
			add(10, nthMonday(year, 10, 2), "スポーツの日", "Sports Day")
		} else {
			add(10, nthMonday(year, 10, 2), "体育の日", "Health and Sports Day")
		}
	}
	add(9, nthMonday(year, 9, 3), "敬老の日", "Respect for the Aged Day")
	add(9, autumnalEquinox(year), "秋分の日", "Autumnal Equinox Day")
	add(11, 3, "文化の日", "Culture Day")
	add(11, 23, "勤労感謝の日", "Labor Thanksgiving Day")
	if year <= 2018 {
		add(12, 23, "天皇誕生日", "Emperor's Birthday")
	}
	if year == 2019 {
		add(5, 1, "即位の日", "Accession Day")
		add(10, 22, "即位礼正殿の儀の行われる日", "Enthronement Ceremony Day")
	}

	// The law's holidays proper ("国民の祝日"); 振替休日 and 国民の休日 are
	// derived from these only.
	isShukujitsu := func(t time.Time) bool {
		_, ok := days[[2]int{int(t.Month()), t.Day()}]
		return ok && t.Year() == year
	}
	var out []Holiday
	for _, d := range days {
		out = append(out, Holiday{Date: date(year, d.m, d.d), Name: d.name, NameEn: d.nameEn})
	}
	taken := func(t time.Time) bool {
		for _, h := range out {
			if h.Date.Equal(t) {
				return true
			}
		}
		return false
	}
	// 振替休日 (Art. 3(2)): a 祝日 on a Sunday moves the day off to the
	// nearest following day that is not itself a 祝日.
	for _, d := range days {
		t := date(year, d.m, d.d)
		if t.Weekday() != time.Sunday {
			continue
		}
		s := t.AddDate(0, 0, 1)
		for isShukujitsu(s) {
			s = s.AddDate(0, 0, 1)
		}
		if s.Year() == year && !taken(s) {
			out = append(out, Holiday{Date: s, Name: "振替休日", NameEn: "Substitute Holiday"})
		}
	}
	// 国民の休日 (Art. 3(3)): a day that is not itself a 祝日 but whose day
	// before and day after both are.
	for d := date(year, 1, 2); d.Year() == year; d = d.AddDate(0, 0, 1) {
		if !taken(d) && isShukujitsu(d.AddDate(0, 0, -1)) && isShukujitsu(d.AddDate(0, 0, 1)) {
			out = append(out, Holiday{Date: d, Name: "国民の休日", NameEn: "Citizens' Holiday"})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Date.Before(out[j].Date) })
	return out
}

func date(y, m, d int) time.Time { return time.Date(y, time.Month(m), d, 0, 0, 0, 0, tokyo) }

func nthMonday(year, month, n int) int {
	first := date(year, month, 1).Weekday()
	off := (int(time.Monday) - int(first) + 7) % 7
	return 1 + off + 7*(n-1)
}

// The equinox days use the approximation published with the observatory's
// calendar (暦要項), valid 1980–2099 (other constants 2100–2150).
func vernalEquinox(y int) int {
	base := 20.8431
	if y >= 2100 {
		base = 21.8510
	}
	return equinox(y, base)
}

func autumnalEquinox(y int) int {
	base := 23.2488
	if y >= 2100 {
		base = 24.2488
	}
	return equinox(y, base)
}

func equinox(y int, base float64) int {
	n := y - 1980
	return int(base+0.242194*float64(n)) - floorDiv(n, 4)
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// IsJapan reports whether the calendar day of t (in Asia/Tokyo) is a national
// holiday, and which.
func IsJapan(t time.Time) (Holiday, bool) {
	t = t.In(tokyo)
	for _, h := range Japan(t.Year()) {
		if h.Date.Month() == t.Month() && h.Date.Day() == t.Day() {
			return h, true
		}
	}
	return Holiday{}, false
}
