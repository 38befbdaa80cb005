package store

import (
	"context"
	"database/sql"
)

// One process serves an embedded database: there is no other node to tell.
func (sqliteDialect) notify(context.Context, *sql.DB, string, string) error { return nil }

func (sqliteDialect) listen(ctx context.Context, _ *sql.DB, _ string, _ func(string)) error {
	<-ctx.Done()
	return nil
}

func (sqliteDialect) clustered() bool { return false }
