// Package sqlite opens Gatehouse's embedded default store: a SQLite file (or
// an in-memory database) through modernc.org/sqlite, pure Go, no cgo.
package sqlite

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// Memory is the path of a private in-memory database.
const Memory = ":memory:"

// Dialect is SQLite's sqlstore.Dialect. No row locks: every writing
// transaction begins IMMEDIATE (see OpenDB), so writers are serialised
// before they read.
func Dialect() sqlstore.Dialect {
	return sqlstore.Dialect{
		Name:      migrations.SQLite,
		Violation: violation,
		Retryable: busy,
		Fault:     fault,
		JSONAgg:   "json_group_array",
	}
}

// fault names SQLITE_FULL (13, any extended code): the disk is full or the
// database reached its max_page_count. SQLite reports a full disk with it
// when a write or the WAL cannot grow.
func fault(err error) string {
	var e *sqlite.Error
	if errors.As(err, &e) && e.Code()&0xff == sqlite3.SQLITE_FULL {
		return "disk_full"
	}
	return ""
}

func violation(err error) sqlstore.Violation {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return sqlstore.NoViolation
	}
	switch e.Code() {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return sqlstore.UniqueViolation
	case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
		return sqlstore.ForeignKeyViolation
	}
	return sqlstore.NoViolation
}

// busy reports SQLITE_BUSY and SQLITE_LOCKED (any extended code): the
// busy timeout already waited, but a retry of the whole transaction can
// still succeed where a snapshot went stale.
func busy(err error) bool {
	var e *sqlite.Error
	if !errors.As(err, &e) {
		return false
	}
	primary := e.Code() & 0xff
	return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
}

// Open opens (creating if needed) the database at path, or a private
// in-memory database when path is ":memory:", and migrates it. An
// in-memory store has one connection: inside Tx, use only the Store given
// to fn, since a call on the outer Store would wait for the transaction.
func Open(ctx context.Context, path string) (*sqlstore.Store, error) {
	st, collisions, err := OpenRepair(ctx, path)
	if collisions != nil {
		st.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, collisions)
	}
	return st, err
}

// OpenRepair is Open for an operator's repair commands: a database whose
// stored e-mail addresses collide, where Migrate stopped, still opens, and
// the collisions come back beside the store (nil when there are none).
func OpenRepair(ctx context.Context, path string) (*sqlstore.Store, *migrations.CollisionError, error) {
	db, err := OpenDB(ctx, path)
	if err != nil {
		return nil, nil, err
	}
	var collisions *migrations.CollisionError
	applied, err := migrations.Migrate(ctx, db, migrations.SQLite)
	if err != nil && !errors.As(err, &collisions) {
		db.Close()
		return nil, nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	d := Dialect()
	// modernc.org/sqlite prepares every query anew; the cache saves the
	// parse. Not for the one-connection in-memory database, where a
	// background prepare would wait for the connection a transaction holds.
	d.CacheStatements = path != Memory
	d.SerialWrites = true
	return sqlstore.New(db, d).WithMigrated(applied), collisions, nil
}

// OpenDB opens the database configured for Gatehouse but does not migrate
// it: WAL (readers never block the writer), a busy timeout, foreign keys
// on (deletes cascade), synchronous=NORMAL (safe with WAL, loses at most
// the last commits on power loss, never corrupts), and BEGIN IMMEDIATE for
// writing transactions so that two writers never both hold a read snapshot
// and deadlock upgrading it: the second waits for the first instead.
func OpenDB(ctx context.Context, path string) (*sql.DB, error) {
	if path == "" {
		return nil, errors.New("sqlite: empty path")
	}
	if strings.ContainsRune(path, '?') {
		return nil, fmt.Errorf("sqlite: path %q must not contain '?'", path)
	}
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "foreign_keys(1)")
	q.Add("_txlock", "immediate")
	memory := path == Memory
	if !memory {
		q.Add("_pragma", "journal_mode(WAL)")
		q.Add("_pragma", "synchronous(NORMAL)")
	}
	if !memory {
		if err := createPrivate(path); err != nil {
			return nil, err
		}
	}
	db, err := sql.Open("sqlite", path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	if memory {
		// Each connection to ":memory:" is a database of its own, so the
		// pool holds exactly one, forever. Shared-cache mode would share
		// across connections, but with table locks (SQLITE_LOCKED) and one
		// database per process name.
		db.SetMaxOpenConns(1)
		db.SetMaxIdleConns(1)
		db.SetConnMaxLifetime(0)
		db.SetConnMaxIdleTime(0)
	} else {
		// Readers run concurrently under WAL; writers queue on the lock.
		db.SetMaxOpenConns(8)
		db.SetMaxIdleConns(8)
	}
	if err := db.PingContext(ctx); err != nil {
		db.Close()
		return nil, fmt.Errorf("sqlite: open %s: %w", path, err)
	}
	return db, nil
}
