package store

import (
	"crypto/sha256"
	"encoding/binary"
)

// lockKey takes a transaction-scoped advisory lock on a 64-bit hash of key.
// Two keys sharing a hash (or the same key in another schema of the same
// database) only wait for each other needlessly; nothing goes wrong.
func (postgresDialect) lockKey(t *Tx, key string) error {
	sum := sha256.Sum256([]byte(key))
	_, err := t.exec("SELECT pg_advisory_xact_lock(?)", int64(binary.BigEndian.Uint64(sum[:8])))
	return err
}
