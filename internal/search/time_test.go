package search

import (
	"testing"
	"time"
)

func TestParseTime(t *testing.T) {
	tokyo := time.FixedZone("JST", 9*3600)
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
	}{
		{"2026-01-01", time.Date(2026, 1, 1, 0, 0, 0, 0, tokyo)},
		{"2026/1/2", time.Date(2026, 1, 2, 0, 0, 0, 0, tokyo)},
		{"2026-01-01T10:00", time.Date(2026, 1, 1, 10, 0, 0, 0, tokyo)},
		{"2026-01-01T10:00:05", time.Date(2026, 1, 1, 10, 0, 5, 0, tokyo)},
		{"2026-01-01T10:00:00Z", time.Date(2026, 1, 1, 10, 0, 0, 0, time.UTC)},
		{"2026-01-01T10:00:00+09:00", time.Date(2026, 1, 1, 1, 0, 0, 0, time.UTC)},
		{"30minutes", now.Add(-30 * time.Minute)},
		{"1minute", now.Add(-time.Minute)},
		{"4hours", now.Add(-4 * time.Hour)},
		{"1hour", now.Add(-time.Hour)},
		{"2days", now.AddDate(0, 0, -2)},
		{"1day", now.AddDate(0, 0, -1)},
		{"3weeks", now.AddDate(0, 0, -21)},
		{"1months", now.AddDate(0, -1, 0)},
		{"2month", now.AddDate(0, -2, 0)},
		{"1years", now.AddDate(-1, 0, 0)},
		{"1Year", now.AddDate(-1, 0, 0)},
		{" 4hours ", now.Add(-4 * time.Hour)},
		{"4時間", now.Add(-4 * time.Hour)},
		{"3ヶ月", now.AddDate(0, -3, 0)},
		{"2週間", now.AddDate(0, 0, -14)},
	}
	for _, tt := range tests {
		got, err := ParseTime(tt.in, now, tokyo)
		if err != nil {
			t.Errorf("ParseTime(%q): %v", tt.in, err)
			continue
		}
		if !got.Equal(tt.want) {
			t.Errorf("ParseTime(%q) = %v, want %v", tt.in, got, tt.want)
		}
	}
	if got, _ := ParseTime("2026-01-01", now, nil); !got.Equal(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("nil loc: got %v", got)
	}
	for _, bad := range []string{"", "yesterday", "4", "hours", "4fortnights", "2026-13-01", "99999999999999999999days", "2000000years", "-4hours"} {
		if _, err := ParseTime(bad, now, tokyo); err == nil {
			t.Errorf("ParseTime(%q): no error", bad)
		}
	}
}
