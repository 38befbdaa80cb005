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
