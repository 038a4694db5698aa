// Package migrations holds Gatehouse's numbered SQL migrations, one directory
// per dialect (sqlite/, postgres/), embedded in the binary, and the small
// migrator that applies them.
//
// A migration is a file NNNN_name.sql; its version is the file name without
// ".sql". Files are applied in name order, each in its own transaction, and
// recorded in schema_migrations, so running Migrate again applies only what
// is new. Never edit an applied file: add the next number instead.
package migrations

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"sort"
	"strings"
	"time"
)

//go:embed sqlite/*.sql postgres/*.sql
var files embed.FS

// Dialects supported by Migrate; each names a directory of migrations.
const (
	SQLite   = "sqlite"
	Postgres = "postgres"
)

const createTable = `CREATE TABLE IF NOT EXISTS schema_migrations (
    version    TEXT   PRIMARY KEY,
    applied_at BIGINT NOT NULL
)`

// Versions lists the migrations of dialect in the order they apply.
func Versions(dialect string) ([]string, error) {
	if dialect != SQLite && dialect != Postgres {
		return nil, fmt.Errorf("migrations: unknown dialect %q", dialect)
	}
	names, err := fs.Glob(files, dialect+"/*.sql")
	if err != nil {
		return nil, fmt.Errorf("migrations: list %s: %w", dialect, err)
	}
	sort.Strings(names)
	versions := make([]string, len(names))
	for i, n := range names {
		versions[i] = strings.TrimSuffix(path.Base(n), ".sql")
	}
	return versions, nil
}

// Migrate applies the pending migrations of dialect to db, in order, and
// returns the versions it applied (none when the schema is up to date).
func Migrate(ctx context.Context, db *sql.DB, dialect string) (applied []string, err error) {
	return MigrateTo(ctx, db, dialect, "")
}

// MigrateTo is Migrate stopping after version last ("" for all): the
// migration tests build a database as an older release left it, fill it,
// and then migrate it the rest of the way.
func MigrateTo(ctx context.Context, db *sql.DB, dialect, last string) (applied []string, err error) {
	versions, err := Versions(dialect)
	if err != nil {
		return nil, err
	}
	if last != "" {
		i := slices.Index(versions, last)
		if i < 0 {
			return nil, fmt.Errorf("migrations: no version %q in %s", last, dialect)
		}
		versions = versions[:i+1]
	}
	// One connection for the whole run, so that the PostgreSQL advisory
	// lock below is held by the session that migrates.
	conn, err := db.Conn(ctx)
	if err != nil {
		return nil, fmt.Errorf("migrations: connect: %w", err)
	}
	defer conn.Close()
	if dialect == Postgres {
		unlock, err := lockPostgres(ctx, conn)
		if err != nil {
			return nil, err
		}
		defer unlock()
	}
	if _, err := conn.ExecContext(ctx, createTable); err != nil {
		return nil, fmt.Errorf("migrations: create schema_migrations: %w", err)
	}
	done, err := appliedVersions(ctx, conn)
	if err != nil {
		return nil, err
	}
	for _, v := range versions {
		if done[v] {
			continue
		}
		if err := apply(ctx, conn, dialect, v); err != nil {
			return applied, err
		}
		applied = append(applied, v)
		done[v] = true
	}
	if done[EmailKeyVersion] {
		return applied, finishEmailKeys(ctx, conn)
	}
	return applied, nil
}

// lockPostgres serialises concurrent migrators (several nodes starting at
// once) on a session advisory lock keyed by the current schema, so that
// test packages migrating their own schemas do not wait on each other.
func lockPostgres(ctx context.Context, conn *sql.Conn) (unlock func(), err error) {
	const key = `hashtext('gatehouse.migrate.' || current_schema())`
	if _, err := conn.ExecContext(ctx, `SELECT pg_advisory_lock(`+key+`)`); err != nil {
		return nil, fmt.Errorf("migrations: lock: %w", err)
	}
	return func() {
		// A fresh context: the caller's may be cancelled, and a lock left
		// behind would block the next migrator until this session ends.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_, _ = conn.ExecContext(ctx, `SELECT pg_advisory_unlock(`+key+`)`)
	}, nil
}

func appliedVersions(ctx context.Context, conn *sql.Conn) (map[string]bool, error) {
	rows, err := conn.QueryContext(ctx, `SELECT version FROM schema_migrations`)
	if err != nil {
		return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
	}
	defer rows.Close()
	done := map[string]bool{}
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
		}
		done[v] = true
	}
	if err := rows.Err(); err != nil {
		return nil, fmt.Errorf("migrations: read schema_migrations: %w", err)
	}
	return done, nil
}

// apply runs one migration file and records it in the same transaction: a
// failing file leaves neither its changes nor its version behind.
func apply(ctx context.Context, conn *sql.Conn, dialect, version string) (err error) {
	defer func() {
		if err != nil {
			err = fmt.Errorf("migrations: apply %s/%s: %w", dialect, version, err)
		}
	}()
	body, err := files.ReadFile(dialect + "/" + version + ".sql")
	if err != nil {
		return err
	}
	tx, err := conn.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if _, err = tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	_, err = tx.ExecContext(ctx, `INSERT INTO schema_migrations (version, applied_at) VALUES ($1, $2)`,
		version, time.Now().UTC().UnixMicro())
	if err != nil {
		return err
	}
	return tx.Commit()
}
