package store

// lockKey: SQLite has one writer (write transactions begin IMMEDIATE and
// the committer runs them one after another), so a write transaction
// already holds every key.
func (sqliteDialect) lockKey(*Tx, string) error { return nil }
