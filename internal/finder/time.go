package finder

import (
	"regexp"
	"strings"
	"time"

	"github.com/kizuna-desk/kizuna/internal/search"
	"github.com/kizuna-desk/kizuna/internal/store"
)

// dayOnly matches a date without a time: it stands for that whole day in
// the actor's time zone.
var dayOnly = regexp.MustCompile(`^\d{4}[-/]\d{1,2}[-/]\d{1,2}$`)

// timeField narrows r by every filter of the group: date conditions on one
// field all hold (created>2026-01-01 created<2026-02-01 is January).
func (c *compiler) timeField(g []search.Filter, r *store.TimeRange) (bool, error) {
	for _, f := range g {
		b, err := c.bounds(f)
		if err != nil {
			return false, err
		}
		if !b.From.IsZero() && (r.From.IsZero() || b.From.After(r.From)) {
			r.From = b.From
		}
		if !b.To.IsZero() && (r.To.IsZero() || b.To.Before(r.To)) {
			r.To = b.To
		}
	}
	return r.From.IsZero() || r.To.IsZero() || r.From.Before(r.To), nil
}

// negatedOps turn -created<X into created>=X.
var negatedOps = map[string]string{"<": ">=", "<=": ">", ">": "<=", ">=": "<"}

// bounds turns one date filter into a range [From, To):
//
//	created:2026-01-01   that day (midnight to midnight, actor's zone)
//	created<2026-01-01   before that day; <= includes it
//	created>2026-01-01   after that day; >= includes it
//	created>4hours       within the last 4 hours; created<4hours, before that
//	created:4hours       same as created>4hours
//	created:2026-01-01T10:00  that second
func (c *compiler) bounds(f search.Filter) (store.TimeRange, error) {
	v := strings.TrimSpace(f.Value)
	t, err := search.ParseTime(v, c.now, c.loc)
	if err != nil {
		return store.TimeRange{}, invalidf("%s: %q is not a date; use 2026-01-01, 2026-01-01T10:00 or a relative value like 4hours or 2days. / 日付の形式が正しくありません。", f.Field, f.Value)
	}
	day := dayOnly.MatchString(v)
	relative := !strings.ContainsAny(v, "-/:")
	op := f.Op
	if f.Negate {
		var ok bool
		if op, ok = negatedOps[op]; !ok {
			return store.TimeRange{}, invalidf("-%s:%s cannot be negated; use %s< or %s> instead. / 日付の除外指定には < か > を使ってください。", f.Field, f.Value, f.Field, f.Field)
		}
	}
	next := func() time.Time {
		if day {
			return t.AddDate(0, 0, 1)
		}
		return t.Add(time.Millisecond)
	}
	var r store.TimeRange
	switch op {
	case ":":
		switch {
		case day:
			r = store.TimeRange{From: t, To: t.AddDate(0, 0, 1)}
		case relative:
			r.From = t
		default:
			r = store.TimeRange{From: t, To: t.Add(time.Second)}
		}
	case "<":
		r.To = t
	case "<=":
		r.To = next()
	case ">":
		r.From = next()
	case ">=":
		r.From = t
	}
	return r, nil
}
