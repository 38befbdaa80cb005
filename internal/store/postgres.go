package store

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"embed"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

//go:embed migrations/postgres/*.sql
var postgresMigrations embed.FS

type postgresDialect struct{ tsvIndexer }

// openPostgres opens two pools: PostgreSQL handles concurrent writers
// itself, and several kizuna nodes may share it. Reads run outside
// transactions (pipeline_postgres.go), so their connections are made
// read-only for the session instead.
func openPostgres(ctx context.Context, url string) (*DB, error) {
	cfg, err := pgx.ParseConfig(url)
	if err != nil {
		return nil, fmt.Errorf("PostgreSQL URL: %w", err)
	}
	db := stdlib.OpenDB(*cfg)
	db.SetMaxOpenConns(32)
	db.SetMaxIdleConns(32)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("connect to PostgreSQL: %w", err)
	}
	var schema string
	if err := db.QueryRowContext(ctx, "SELECT current_schema()").Scan(&schema); err != nil {
		db.Close()
		return nil, fmt.Errorf("PostgreSQL schema: %w", err)
	}
	ro := cfg.Copy()
	ro.RuntimeParams["default_transaction_read_only"] = "on"
	reader := stdlib.OpenDB(*ro)
	reader.SetMaxOpenConns(16)
	reader.SetMaxIdleConns(16)
	sum := sha256.Sum256([]byte(schema))
	return &DB{writer: db, reader: reader, d: postgresDialect{}, liveScope: hex.EncodeToString(sum[:4]), cfg: newConfigCache()}, nil
}

func (postgresDialect) name() string { return "postgres" }

// rebind turns ? placeholders into $1, $2 … . Our SQL never has a literal
// question mark inside a string, so a plain scan is enough.
func (postgresDialect) rebind(q string) string {
	if !strings.Contains(q, "?") {
		return q
	}
	var b strings.Builder
	b.Grow(len(q) + 16)
	n := 0
	for i := 0; i < len(q); i++ {
		if q[i] == '?' {
			n++
			b.WriteByte('$')
			b.WriteString(strconv.Itoa(n))
			continue
		}
		b.WriteByte(q[i])
	}
	return b.String()
}

func (postgresDialect) isUniqueViolation(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == "23505"
}

// migrate holds an advisory lock so several nodes starting together apply
// each migration once.
func (postgresDialect) migrate(ctx context.Context, db *sql.DB) error {
	conn, err := db.Conn(ctx)
	if err != nil {
		return err
	}
	defer conn.Close()
	const lockKey = 7405011 // arbitrary, fixed: "kizuna migrations"
	if _, err := conn.ExecContext(ctx, "SELECT pg_advisory_lock($1)", lockKey); err != nil {
		return err
	}
	defer conn.ExecContext(context.WithoutCancel(ctx), "SELECT pg_advisory_unlock($1)", lockKey)
	return runMigrations(ctx, db, postgresMigrations, "migrations/postgres", postgresDialect{}.rebind)
}

func (postgresDialect) lockSuffix() string { return " FOR UPDATE" }
