package migrations_test

import (
	"context"
	"database/sql"
	"path/filepath"
	"reflect"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// emptyDatabases opens an empty database of the test per dialect.
func emptyDatabases(ctx context.Context) map[string]func(t *testing.T) (*sql.DB, error) {
	return map[string]func(t *testing.T) (*sql.DB, error){
		migrations.SQLite: func(t *testing.T) (*sql.DB, error) {
			return sqlite.OpenDB(ctx, filepath.Join(t.TempDir(), "m.db"))
		},
		migrations.Postgres: func(t *testing.T) (*sql.DB, error) { return postgres.OpenDB(ctx, pgtest.URL(t)) },
	}
}

func TestMigrateAppliesEverythingOnceOnAnEmptyDatabase(t *testing.T) {
	ctx := context.Background()
	for dialect, open := range emptyDatabases(ctx) {
		t.Run(dialect, func(t *testing.T) {
			db, err := open(t)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			all, err := migrations.Versions(dialect)
			if err != nil || len(all) == 0 || all[0] != "0001_init" {
				t.Fatalf("Versions = %v, %v; want a list starting with 0001_init", all, err)
			}
			applied, err := migrations.Migrate(ctx, db, dialect)
			if err != nil {
				t.Fatalf("first Migrate: %v", err)
			}
			if !reflect.DeepEqual(applied, all) {
				t.Fatalf("first Migrate applied %v, want %v", applied, all)
			}
			again, err := migrations.Migrate(ctx, db, dialect)
			if err != nil || len(again) != 0 {
				t.Fatalf("second Migrate applied %v (err %v), want nothing", again, err)
			}
			var recorded int
			if err := db.QueryRowContext(ctx, `SELECT COUNT(*) FROM schema_migrations`).Scan(&recorded); err != nil {
				t.Fatal(err)
			}
			if recorded != len(all) {
				t.Fatalf("schema_migrations has %d rows, want %d", recorded, len(all))
			}
			// The schema is there: a table of the first migration answers.
			if _, err := db.ExecContext(ctx, `SELECT COUNT(*) FROM users`); err != nil {
				t.Fatalf("users table after Migrate: %v", err)
			}
		})
	}
}

func TestBothDialectsHaveTheSameMigrations(t *testing.T) {
	lite, err1 := migrations.Versions(migrations.SQLite)
	pg, err2 := migrations.Versions(migrations.Postgres)
	if err1 != nil || err2 != nil || !reflect.DeepEqual(lite, pg) {
		t.Fatalf("sqlite %v (%v) and postgres %v (%v) differ", lite, err1, pg, err2)
	}
}

func TestMigrateRefusesAnUnknownDialect(t *testing.T) {
	db, err := sqlite.OpenDB(context.Background(), sqlite.Memory)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := migrations.Migrate(context.Background(), db, "mysql"); err == nil {
		t.Fatal("Migrate(mysql) succeeded, want an error")
	}
}
