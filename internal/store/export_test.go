package store

// SetRelevanceWindow shrinks the relevance window for a test and returns a
// function restoring it.
func SetRelevanceWindow(n int) (restore func()) {
	old := relevanceWindow
	relevanceWindow = n
	return func() { relevanceWindow = old }
}
