// Package store opens the configured storage backend from a database URL
// (GATEHOUSE_DATABASE_URL): sqlite://PATH, sqlite::memory: or postgres://….
package store

import (
	"cmp"
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Backend is what a database URL names.
type Backend struct {
	Dialect string // migrations.SQLite or migrations.Postgres
	Target  string // the SQLite path (or ":memory:") or the PostgreSQL URL
}

// Parse reads a database URL: sqlite://./relative.db,
// sqlite:///absolute.db, sqlite::memory: (also sqlite://:memory:),
// postgres://… or postgresql://….
func Parse(databaseURL string) (Backend, error) {
	switch {
	case databaseURL == "sqlite::memory:":
		return Backend{migrations.SQLite, sqlite.Memory}, nil
	case strings.HasPrefix(databaseURL, "sqlite://"):
		path := strings.TrimPrefix(databaseURL, "sqlite://")
		if path == "" {
			return Backend{}, fmt.Errorf("store: %q names no file (want sqlite://./gatehouse.db or sqlite:///abs/path.db)", databaseURL)
		}
		return Backend{migrations.SQLite, path}, nil
	case strings.HasPrefix(databaseURL, "postgres://"), strings.HasPrefix(databaseURL, "postgresql://"):
		return Backend{migrations.Postgres, databaseURL}, nil
	}
	scheme, _, _ := strings.Cut(databaseURL, ":")
	return Backend{}, fmt.Errorf("store: unsupported database URL scheme %q (want sqlite://PATH, sqlite::memory: or postgres://…)", scheme)
}

// Open opens and migrates the store the URL names.
func Open(ctx context.Context, databaseURL string) (sqlstore.Backend, error) {
	b, err := Parse(databaseURL)
	if err != nil {
		return nil, err
	}
	if b.Dialect == migrations.Postgres {
		return postgres.Open(ctx, b.Target)
	}
	return sqlite.Open(ctx, b.Target)
}

// OpenRepair is Open for the CLI's repair commands (user show, list,
// rename, delete): a database whose stored e-mail addresses collide still
// opens, and the collisions come back beside the store (nil when none).
func OpenRepair(ctx context.Context, databaseURL string) (sqlstore.Backend, *migrations.CollisionError, error) {
	b, err := Parse(databaseURL)
	if err != nil {
		return nil, nil, err
	}
	if b.Dialect == migrations.Postgres {
		return postgres.OpenRepair(ctx, b.Target)
	}
	return sqlite.OpenRepair(ctx, b.Target)
}

// CheckEmailKeys reports the accounts of the database the URL names whose
// e-mail keys collide and those whose address the key's rules refuse
// (`gatehouse migrate --check`); it migrates nothing. On a database no
// migration has run on it answers migrations.ErrNoSchema.
func CheckEmailKeys(ctx context.Context, databaseURL string) ([]migrations.Collision, []migrations.Account, error) {
	db, dialect, err := openDB(ctx, databaseURL)
	if err != nil {
		return nil, nil, err
	}
	defer db.Close()
	if ok, err := migrations.HasSchema(ctx, db, dialect); err != nil || !ok {
		return nil, nil, cmp.Or(err, migrations.ErrNoSchema)
	}
	return migrations.CheckEmailKeys(ctx, db)
}

// Migrate applies the pending migrations to the database the URL names and
// returns the versions applied (for `gatehouse migrate`).
func Migrate(ctx context.Context, databaseURL string) ([]string, error) {
	db, dialect, err := openDB(ctx, databaseURL)
	if err != nil {
		return nil, err
	}
	defer db.Close()
	return migrations.Migrate(ctx, db, dialect)
}

// openDB opens the database the URL names without migrating it.
func openDB(ctx context.Context, databaseURL string) (*sql.DB, string, error) {
	b, err := Parse(databaseURL)
	if err != nil {
		return nil, "", err
	}
	var db *sql.DB
	if b.Dialect == migrations.Postgres {
		db, err = postgres.OpenDB(ctx, b.Target)
	} else {
		db, err = sqlite.OpenDB(ctx, b.Target)
	}
	return db, b.Dialect, err
}

// Backup writes a consistent copy of the SQLite database the URL names to
// the new file dest (see sqlite.Backup). PostgreSQL is refused: its own
// tools (pg_dump, or base backups with WAL archiving) copy it.
func Backup(ctx context.Context, databaseURL, dest string) error {
	b, err := Parse(databaseURL)
	if err != nil {
		return err
	}
	if b.Dialect == migrations.Postgres {
		return errors.New("store: backup copies the embedded SQLite database only; back up PostgreSQL with pg_dump, " +
			"or base backups with WAL archiving (docs/operations.md, \"Backups (PostgreSQL)\")")
	}
	return sqlite.Backup(ctx, b.Target, dest)
}
