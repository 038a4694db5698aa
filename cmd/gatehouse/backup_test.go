package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

func TestBackupCopiesTheDatabaseThatARestoreBringsBack(t *testing.T) {
	c := newCLI(t)
	dir := filepath.Dir(strings.TrimPrefix(c.env["GATEHOUSE_DATABASE_URL"], "sqlite://"))
	db := filepath.Join(dir, "g.db")
	c.user("create", "--email", "before@example.com", "--password", "long enough")
	dest := filepath.Join(t.TempDir(), "gatehouse-backup.db")

	out, err := c.run("backup", dest)
	if err != nil {
		t.Fatalf("backup: %v", err)
	}
	for _, want := range []string{dest, "master key is not in this copy", filepath.Join(dir, "gatehouse.key")} {
		if !strings.Contains(out, want) {
			t.Errorf("backup printed %q, without %q", out, want)
		}
	}
	if _, err := c.run("backup", dest); err == nil || !strings.Contains(err.Error(), "exists") {
		t.Fatalf("a second backup onto the same file: %v, want a refusal", err)
	}
	c.user("create", "--email", "after@example.com", "--password", "long enough")

	// Restore as docs/operations.md says: with the server stopped, drop the
	// database's -wal and -shm files and copy the backup over it.
	for _, suffix := range []string{"-wal", "-shm"} {
		if err := os.Remove(db + suffix); err != nil && !os.IsNotExist(err) {
			t.Fatal(err)
		}
	}
	copyFile(t, dest, db)
	if u := c.user("show", "before@example.com"); u["email"] != "before@example.com" {
		t.Fatalf("the restored database: %v", u)
	}
	if _, err := c.run("user", "show", "after@example.com"); err == nil {
		t.Fatal("a user created after the backup is in the restored database")
	}
}

func TestBackupNamesTheMasterKeyItDoesNotCopy(t *testing.T) {
	c := newCLI(t)
	c.env["GATEHOUSE_MASTER_KEY"] = "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="
	if _, err := c.run("migrate"); err != nil {
		t.Fatal(err)
	}
	out, err := c.run("backup", filepath.Join(t.TempDir(), "b.db"))
	if err != nil || !strings.Contains(out, "GATEHOUSE_MASTER_KEY") || strings.Contains(out, c.env["GATEHOUSE_MASTER_KEY"]) {
		t.Fatalf("backup with GATEHOUSE_MASTER_KEY printed %q (%v): want the setting named, never its value", out, err)
	}
}

func TestBackupRefusesPostgreSQLAndAMissingFileName(t *testing.T) {
	c := newCLI(t)
	var u *usageError
	if _, err := c.run("backup"); !errors.As(err, &u) || !strings.Contains(err.Error(), "missing argument: gatehouse backup") {
		t.Fatalf("backup without a file: %v", err)
	}
	c.env["GATEHOUSE_DATABASE_URL"] = pgtest.URL(t)
	dest := filepath.Join(t.TempDir(), "pg.db")
	if _, err := c.run("backup", dest); err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "docs/operations.md") {
		t.Fatalf("backup of PostgreSQL: %v", err)
	}
	if _, err := os.Stat(dest); err == nil {
		t.Fatal("a refused backup wrote its file")
	}
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(to, b, 0o600); err != nil {
		t.Fatal(err)
	}
}
