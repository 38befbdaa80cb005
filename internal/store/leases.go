package store

import "time"

// TryLease takes or renews the lease name for holder until now+ttl. It
// succeeds when the lease is free, expired or already holder's; the single
// UPDATE (or the INSERT of a first lease) decides a race between nodes.
func (t *Tx) TryLease(name, holder string, now time.Time, ttl time.Duration) (bool, error) {
	res, err := t.exec(`UPDATE leases SET holder = ?, expires_at = ? WHERE name = ? AND (holder = ? OR expires_at < ?)`,
		holder, ms(now.Add(ttl)), name, holder, ms(now))
	if err != nil {
		return false, err
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return true, nil
	}
	res, err = t.exec(`INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?) ON CONFLICT (name) DO NOTHING`,
		name, holder, ms(now.Add(ttl)))
	if err != nil {
		return false, err
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

// ReleaseLease gives the lease up if holder has it, so another node can take
// the next round at once.
func (t *Tx) ReleaseLease(name, holder string) error {
	_, err := t.exec(`DELETE FROM leases WHERE name = ? AND holder = ?`, name, holder)
	return err
}
