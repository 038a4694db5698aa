// Package postgres opens Gatehouse's PostgreSQL store through pgx's
// database/sql driver; several nodes can share one database.
package postgres

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5/pgconn"
	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" driver

	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Dialect is PostgreSQL's sqlstore.Dialect. Transactions run at READ
// COMMITTED, so read-modify-writes lock their row with FOR UPDATE; the
// outbox claim skips rows another worker holds.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:        migrations.Postgres,
		Violation:   violation,
		Retryable:   retryable,
		ForUpdate:   " FOR UPDATE",
		WritableCTE: true,
		JSONAgg:     "json_agg",
		SkipLocked:  " FOR UPDATE SKIP LOCKED",
		SyncUserIDs: `SELECT setval(pg_get_serial_sequence('users', 'id'), (SELECT MAX(id) FROM users))`,
		Fault:       fault,
	}
}

// SQLSTATE codes, https://www.postgresql.org/docs/current/errcodes-appendix.html
const (
	uniqueViolation      = "23505"
	foreignKeyViolation  = "23503"
	serializationFailure = "40001"
	deadlockDetected     = "40P01"
	diskFull             = "53100"
)

func violation(err error) sqlstore.Violation {
	var e *pgconn.PgError
	if !errors.As(err, &e) {
		return sqlstore.NoViolation
	}
	switch e.Code {
	case uniqueViolation:
		return sqlstore.UniqueViolation
	case foreignKeyViolation:
		return sqlstore.ForeignKeyViolation
	}
	return sqlstore.NoViolation
}

// fault names SQLSTATE class 53, "insufficient resources": 53100
// disk_full, and the rest of the class (53000, 53200 out_of_memory, 53300
// too_many_connections, 53400 configuration_limit_exceeded) as
// insufficient_resources. Each is the server refusing work it cannot do
// now, not a bug of the statement: the request answers 503 + Retry-After
// and the health state is degraded until a write succeeds.
func fault(err error) string {
	var e *pgconn.PgError
	switch {
	case !errors.As(err, &e) || !strings.HasPrefix(e.Code, "53"):
		return ""
	case e.Code == diskFull:
		return "disk_full"
	}
	return "insufficient_resources"
}

func retryable(err error) bool {
	var e *pgconn.PgError
	return errors.As(err, &e) && (e.Code == serializationFailure || e.Code == deadlockDetected)
}

// Open connects to url (postgres://…), migrates the schema and returns the
// store. A search_path parameter in the URL selects the schema.
func Open(ctx context.Context, url string) (*sqlstore.Store, error) {
	st, collisions, err := OpenRepair(ctx, url)
	if collisions != nil {
		st.Close()
		return nil, fmt.Errorf("postgres: open: %w", collisions)
	}
	return st, err
}

// OpenRepair is Open for an operator's repair commands: a database whose
// stored e-mail addresses collide, where Migrate stopped, still opens, and
// the collisions come back beside the store (nil when there are none).
func OpenRepair(ctx context.Context, url string) (*sqlstore.Store, *migrations.CollisionError, error) {
	db, err := OpenDB(ctx, url)
	if err != nil {
		return nil, nil, err
	}
	var collisions *migrations.CollisionError
	applied, err := migrations.Migrate(ctx, db, migrations.Postgres)
	if err != nil && !errors.As(err, &collisions) {
		db.Close()
		return nil, nil, fmt.Errorf("postgres: open: %w", err)
	}
	return sqlstore.New(db, Dialect()).WithMigrated(applied), collisions, nil
}

// OpenDB connects to url with Gatehouse's pool settings but does not
// migrate. The error never repeats the URL, which may carry a password.
func OpenDB(ctx context.Context, url string) (*sql.DB, error) {
	url, size, err := poolSize(url)
	if err != nil {
		return nil, err
	}
	db, err := sql.Open("pgx", url)
	if err != nil {
		return nil, fmt.Errorf("postgres: open: %w", err)
	}
	keepWarm(db, size)
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("postgres: connect: %w", err)
	}
	return db, nil
}
