package store

// Key locks serialize writers that would otherwise race on a value no
// unique constraint guards: two first calls from one new phone number
// (several customers may share a switchboard number, so the column cannot
// be unique) must not both create a customer.

// keyLocker is the dialect half of LockKey (keylock_*.go).
type keyLocker interface {
	// lockKey holds the lock named key until the transaction ends.
	lockKey(t *Tx, key string) error
}

// LockKey waits for and holds a lock named by namespace and key until the
// transaction commits or rolls back, so that a look-up followed by an
// insert runs for one (namespace, key) at a time. Take it before the
// look-up. Different namespaces never block each other.
func (t *Tx) LockKey(namespace, key string) error {
	return t.wrap(t.d.(keyLocker).lockKey(t, "kizuna:"+namespace+"\x00"+key))
}
