package store

import (
	"context"
	"time"

	"modernc.org/sqlite"
)

// SetTrimWindow changes the memory trimmer's window for stores opened
// after it and returns a function restoring it.
func SetTrimWindow(d time.Duration) (restore func()) {
	old := trimWindow
	trimWindow = d
	return func() { trimWindow = old }
}

// TrimMemory trims now; false when the store has no trimmer (PostgreSQL).
func (db *DB) TrimMemory() bool {
	if db.trim == nil {
		return false
	}
	db.trim.trim()
	return true
}

// Trims is how many trims the store's trimmer has done.
func (db *DB) Trims() int64 {
	if db.trim == nil {
		return 0
	}
	return db.trim.trims.Load()
}

// WriterCacheUsed is the SQLite writer's page cache in bytes.
func (db *DB) WriterCacheUsed() (n int, err error) {
	c, err := db.writer.Conn(context.Background())
	if err != nil {
		return 0, err
	}
	defer c.Close()
	err = c.Raw(func(dc any) error {
		n, _, err = dc.(sqlite.DBStatus).Status(sqlite.DBStatusCacheUsed, false)
		return err
	})
	return n, err
}

// ReaderCacheSize is PRAGMA cache_size on a reader connection.
func (db *DB) ReaderCacheSize() (n int, err error) {
	err = db.reader.QueryRow("PRAGMA cache_size").Scan(&n)
	return n, err
}

// IdleReaders is how many reader connections sit idle in the pool.
func (db *DB) IdleReaders() int { return db.reader.Stats().Idle }
