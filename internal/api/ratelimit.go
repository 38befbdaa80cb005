package api

import (
	"net/http"
	"strconv"
	"sync"
	"time"
)

// limiter is a fixed-window request counter per user, answering with
// Zendesk's X-Rate-Limit headers and Retry-After.
type limiter struct {
	mu     sync.Mutex
	limit  int
	window time.Duration
	counts map[int64]*windowCount
}

type windowCount struct {
	start time.Time
	n     int
}

func newLimiter(limit int, window time.Duration) *limiter {
	return &limiter{limit: limit, window: window, counts: map[int64]*windowCount{}}
}

func (l *limiter) allow(w http.ResponseWriter, userID int64, now time.Time) bool {
	l.mu.Lock()
	c := l.counts[userID]
	if c == nil || now.Sub(c.start) >= l.window {
		if len(l.counts) > 100000 { // forget idle users now and then
			l.counts = map[int64]*windowCount{}
		}
		c = &windowCount{start: now}
		l.counts[userID] = c
	}
	c.n++
	n, start := c.n, c.start
	l.mu.Unlock()
	remaining := max(l.limit-n, 0)
	w.Header().Set("X-Rate-Limit", strconv.Itoa(l.limit))
	w.Header().Set("X-Rate-Limit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("ratelimit-limit", strconv.Itoa(l.limit))
	w.Header().Set("ratelimit-remaining", strconv.Itoa(remaining))
	reset := int(start.Add(l.window).Sub(now).Seconds()) + 1
	w.Header().Set("ratelimit-reset", strconv.Itoa(reset))
	if n > l.limit {
		w.Header().Set("Retry-After", strconv.Itoa(reset))
		return false
	}
	return true
}
