package store

// SetRelevanceWindow shrinks the relevance window for a test and returns a
// function restoring it.
func SetRelevanceWindow(n int) (restore func()) {
	old := relevanceWindow
	relevanceWindow = n
	return func() { relevanceWindow = old }
}

// SetFirstSpan shrinks PostgreSQL's first relevance id range for a test.
func SetFirstSpan(n int64) (restore func()) {
	old := firstSpan
	firstSpan = n
	return func() { firstSpan = old }
}

// SetSplitSpan makes counts split small desks into parallel parts, and
// returns a function restoring the span.
func SetSplitSpan(n int64) (restore func()) {
	old := splitSpan
	splitSpan = n
	return func() { splitSpan = old }
}

// SplitCounts is how many counts ran in parallel parts.
func (db *DB) SplitCounts() int64 {
	if db.side == nil {
		return 0
	}
	return db.side.splits.Load()
}
