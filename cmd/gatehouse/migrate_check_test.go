package main

import (
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

// TestMigrateCheckOnADatabaseNeverMigratedSaysToMigrate: `gatehouse
// migrate --check` on an empty database (a fresh SQLite file, a fresh
// PostgreSQL schema) fails with a message that says what to do, never a
// driver's "relation users does not exist"; once migrated, it checks.
func TestMigrateCheckOnADatabaseNeverMigratedSaysToMigrate(t *testing.T) {
	for _, backend := range []string{"sqlite", "postgres"} {
		t.Run(backend, func(t *testing.T) {
			c := newEmptyCLI(t)
			want := "the database has no Gatehouse schema yet: run gatehouse migrate"
			if backend == "postgres" {
				c.env["GATEHOUSE_DATABASE_URL"] = pgtest.URL(t)
			} else {
				// --check creates nothing: a missing file is named.
				want = "no database at " + strings.TrimPrefix(c.env["GATEHOUSE_DATABASE_URL"], "sqlite://") + ": "
			}
			out, err := c.run("migrate", "--check")
			if err == nil || !strings.HasPrefix(err.Error(), want) {
				t.Fatalf("migrate --check before any migration = %q, %v; want %q", out, err, want)
			}
			if _, err := c.run("migrate"); err != nil {
				t.Fatal(err)
			}
			if out, err := c.run("migrate", "--check"); err != nil || !strings.Contains(out, "no two accounts") {
				t.Fatalf("migrate --check after migrate = %q, %v", out, err)
			}
		})
	}
}
