package search

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// relativeRe matches Zendesk relative times such as 4hours or 2days; the
// Japanese units let IME users write 4時間 or 3ヶ月.
var relativeRe = regexp.MustCompile(`^(\d+)\s*([a-z]+|分|時間|日|週|週間|か月|ヶ月|ヵ月|カ月|ケ月|年)$`)

// ParseTime parses a date filter value. Absolute values: 2026-01-01 or
// 2026/01/01 (midnight in loc), 2026-01-01T10:00 and 2026-01-01T10:00:00
// (in loc), or RFC 3339 with a zone. Relative values (30minutes, 4hours,
// 2days, 3weeks, 1months, 1years; singular forms too) mean now minus that
// amount, so created>4hours means "created within the last 4 hours".
// A nil loc means UTC.
func ParseTime(v string, now time.Time, loc *time.Location) (time.Time, error) {
	if loc == nil {
		loc = time.UTC
	}
	v = strings.TrimSpace(v)
	if t, err := time.Parse(time.RFC3339, strings.ToUpper(v)); err == nil {
		return t, nil
	}
	for _, layout := range []string{"2006-1-2", "2006/1/2", "2006-1-2T15:04", "2006-1-2T15:04:05"} {
		if t, err := time.ParseInLocation(layout, strings.ToUpper(v), loc); err == nil {
			return t, nil
		}
	}
	m := relativeRe.FindStringSubmatch(strings.ToLower(v))
	if m == nil {
		return time.Time{}, fmt.Errorf("search: invalid time %q (want YYYY-MM-DD, RFC 3339, or a relative value like 4hours or 2days)", v)
	}
	n, err := strconv.Atoi(m[1])
	if err != nil || n > 1_000_000 {
		return time.Time{}, fmt.Errorf("search: time value %q out of range", v)
	}
	now = now.In(loc)
	switch strings.TrimSuffix(m[2], "s") {
	case "minute", "min", "分":
		return now.Add(-time.Duration(n) * time.Minute), nil
	case "hour", "hr", "時間":
		return now.Add(-time.Duration(n) * time.Hour), nil
	case "day", "日":
		return now.AddDate(0, 0, -n), nil
	case "week", "週", "週間":
		return now.AddDate(0, 0, -7*n), nil
	case "month", "か月", "ヶ月", "ヵ月", "カ月", "ケ月":
		return now.AddDate(0, -n, 0), nil
	case "year", "年":
		return now.AddDate(-n, 0, 0), nil
	}
	return time.Time{}, fmt.Errorf("search: unknown time unit %q in %q", m[2], v)
}
