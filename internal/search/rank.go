package search

import "strings"

var statusRanks = map[string]int{"new": 0, "open": 1, "pending": 2, "hold": 3, "solved": 4, "closed": 5}

var priorityRanks = map[string]int{"low": 1, "normal": 2, "high": 3, "urgent": 4}

// StatusRank orders ticket statuses so that status<solved can be compiled to
// a rank comparison: new=0 open=1 pending=2 hold=3 solved=4 closed=5.
// Matching is case-insensitive.
func StatusRank(s string) (int, bool) {
	r, ok := statusRanks[strings.ToLower(strings.TrimSpace(s))]
	return r, ok
}

// PriorityRank orders priorities: low=1 normal=2 high=3 urgent=4.
// Matching is case-insensitive.
func PriorityRank(p string) (int, bool) {
	r, ok := priorityRanks[strings.ToLower(strings.TrimSpace(p))]
	return r, ok
}
