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
func (t *Tx) Savepoint(fn func() error) error { return t.ex.savepoint(t, fn, false) }

// SavepointAnswered is Savepoint for fn whose expected failure is in a
// statement it waits for (an INSERT … RETURNING on a unique column). What
// fn queued without waiting for an answer (execLater) is not sent when fn
// returns but with the transaction's next batch, and its failure then
// fails the whole write, as it would outside a savepoint. On PostgreSQL
// this saves the round trip that sending them would cost; on SQLite it is
// Savepoint.
func (t *Tx) SavepointAnswered(fn func() error) error { return t.ex.savepoint(t, fn, true) }
