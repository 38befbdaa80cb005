package store

// Savepoint runs fn so that its failure undoes only its own writes and the
// transaction can go on. PostgreSQL aborts a whole transaction on any error,
// so code that expects a possible conflict (a redelivered mail, a user
// created concurrently) must try it inside a savepoint.
func (t *Tx) Savepoint(fn func() error) error {
	if _, err := t.tx.ExecContext(t.ctx, "SAVEPOINT kz_sp"); err != nil {
		return err
	}
	if err := fn(); err != nil {
		t.forgetStamp() // fn may have changed the configuration
		if _, rerr := t.tx.ExecContext(t.ctx, "ROLLBACK TO SAVEPOINT kz_sp"); rerr != nil {
			return rerr
		}
		t.tx.ExecContext(t.ctx, "RELEASE SAVEPOINT kz_sp")
		return err
	}
	_, err := t.tx.ExecContext(t.ctx, "RELEASE SAVEPOINT kz_sp")
	return err
}
