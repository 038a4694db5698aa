package migrations

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
)

// ErrNoSchema answers a command that reads Gatehouse's tables (`gatehouse
// migrate --check`) on a database no migration has run on yet: say what
// to do rather than pass on the driver's "relation users does not exist".
var ErrNoSchema = errors.New("the database has no Gatehouse schema yet: run gatehouse migrate")

// HasSchema reports whether db holds Gatehouse's users table, where the
// connection's queries would find it (PostgreSQL: its search_path).
func HasSchema(ctx context.Context, db *sql.DB, dialect string) (bool, error) {
	q := `SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'users'`
	if dialect == Postgres {
		q = `SELECT COUNT(*) FROM (SELECT to_regclass('users') AS t) r WHERE r.t IS NOT NULL`
	}
	var n int
	if err := db.QueryRowContext(ctx, q).Scan(&n); err != nil {
		return false, fmt.Errorf("migrations: look for the schema: %w", err)
	}
	return n > 0, nil
}
