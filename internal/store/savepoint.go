package store

// Savepoint runs fn so that its failure undoes only its own writes and the
// transaction can go on. PostgreSQL aborts a whole transaction on any error,
// so code that expects a possible conflict (a redelivered mail, a user
// created concurrently) must try it inside a savepoint.
//
// On PostgreSQL the SAVEPOINT waits in the transaction's queue like any
// statement sent with execLater, and what fn queued is sent before
// Savepoint returns: a failure among fn's statements is fn's failure
// (pgPipe.savepoint).
func (t *Tx) Savepoint(fn func() error) error { return t.ex.savepoint(t, fn) }
