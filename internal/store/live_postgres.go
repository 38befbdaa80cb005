package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

func (postgresDialect) notify(ctx context.Context, db *sql.DB, channel, payload string) error {
	_, err := db.ExecContext(ctx, "SELECT pg_notify($1, $2)", channel, payload)
	return err
}

// listen holds one pooled connection for LISTEN; when it breaks it is
// dropped from the pool and another is taken a second later.
func (postgresDialect) listen(ctx context.Context, db *sql.DB, channel string, fn func(string)) error {
	for {
		err := listenOnce(ctx, db, channel, fn)
		if ctx.Err() != nil {
			return nil
		}
		_ = err // reconnect; the caller's log would only repeat "connection lost"
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(time.Second):
		}
	}
}

func listenOnce(ctx context.Context, db *sql.DB, channel string, fn func(string)) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	return conn.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		if _, err := pc.Exec(ctx, "LISTEN "+pgx.Identifier{channel}.Sanitize()); err != nil {
			return driver.ErrBadConn
		}
		for {
			n, err := pc.WaitForNotification(ctx)
			if err != nil {
				// Never hand a LISTENing (or broken) connection back to the pool.
				return driver.ErrBadConn
			}
			fn(n.Payload)
		}
	})
}

// Several kizuna nodes may share one PostgreSQL database.
func (postgresDialect) clustered() bool { return true }
