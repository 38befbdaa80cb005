package store

import (
	"fmt"
	"strconv"
)

// Savepoint runs fn so that its failure undoes only its own writes and the
// transaction can go on. PostgreSQL aborts a whole transaction on any error,
// so code that expects a possible conflict (a redelivered mail, a user
// created concurrently) must try it inside a savepoint.
//
// On PostgreSQL the SAVEPOINT waits in the transaction's queue like any
// statement sent with execLater, and what fn queued is sent before
// Savepoint returns: a failure among fn's statements is fn's failure.
func (t *Tx) Savepoint(fn func() error) error {
	if t.pipe == nil {
		return t.savepointDirect(fn)
	}
	// Each nesting level has its own name: an inner savepoint's RELEASE
	// may still be queued when an outer one rolls back (and is dropped), so
	// the outer ROLLBACK TO must not find the inner savepoint by its name.
	t.spDepth++
	defer func() { t.spDepth-- }()
	name := "kz_sp" + strconv.Itoa(t.spDepth)
	mark := t.pipe.mark()
	t.execLater("SAVEPOINT " + name)
	err := fn()
	if err == nil {
		if t.pipe.sends == mark.sends && len(t.pipe.queue) == mark.queued+1 {
			t.pipe.undo(mark) // fn sent and queued nothing: no savepoint needed
			return nil
		}
		sentAll := t.pipe.sends > mark.sends && len(t.pipe.queue) == 0
		t.execLater("RELEASE SAVEPOINT " + name)
		if sentAll { // fn's statements have all run: the RELEASE can wait
			return nil
		}
		if err = t.flush(); err == nil {
			return nil
		}
	}
	t.forgetStamp() // fn may have changed the configuration
	if t.pipe.undo(mark) {
		return err // the SAVEPOINT was never sent: nothing to undo
	}
	if _, rerr := t.exec("ROLLBACK TO SAVEPOINT " + name); rerr != nil {
		return fmt.Errorf("%w (rolling back to the savepoint: %v)", err, rerr)
	}
	t.execLater("RELEASE SAVEPOINT " + name)
	return err
}

func (t *Tx) savepointDirect(fn func() error) error {
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
