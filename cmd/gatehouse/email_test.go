package main

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
)

// oldDatabase makes the CLI's SQLite file as the release before the
// e-mail key left it, with the rows given (stored as that release did).
func oldDatabase(t *testing.T, c *cliTest, emails ...string) {
	t.Helper()
	ctx := context.Background()
	db, err := sqlite.OpenDB(ctx, strings.TrimPrefix(c.env["GATEHOUSE_DATABASE_URL"], "sqlite://"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	all, _ := migrations.Versions(migrations.SQLite)
	if _, err := migrations.MigrateTo(ctx, db, migrations.SQLite, all[slices.Index(all, migrations.EmailKeyVersion)-1]); err != nil {
		t.Fatal(err)
	}
	for i, e := range emails {
		insertRow(t, db, i+1, e)
	}
}

func insertRow(t *testing.T, db *sql.DB, n int, email string) {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMicro()
	uuid := "2f1c9d3e-0000-4000-8000-00000000000" + string(rune('0'+n))
	if _, err := db.Exec(`INSERT INTO users (id, uuid, email, created_at, updated_at) VALUES ($1, $2, $3, $4, $4)`, n, uuid, email, now); err != nil {
		t.Fatal(err)
	}
}

func TestCollidingAddressesAreNamedRefusedAndResolvedByRename(t *testing.T) {
	c := newEmptyCLI(t)
	oldDatabase(t, c, "josé.n@example.com", "jose\u0301.n@example.com", "ann@example.com")

	out, err := c.run("migrate", "--check")
	var ce *migrations.CollisionError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), `#1 `) || !strings.Contains(err.Error(), `#2 `) || strings.Contains(err.Error(), "#3 ") {
		t.Fatalf("migrate --check = %q, %v; want accounts #1 and #2 named", out, err)
	}
	if _, err := c.run("migrate"); !errors.As(err, &ce) || !strings.Contains(err.Error(), "gatehouse user rename") {
		t.Fatalf("migrate = %v; want a refusal naming the rename command", err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	env := func(k string) string { return c.env[k] }
	if err := run(ctx, []string{"serve", "--addr", "127.0.0.1:0", "--management-addr", "off"}, env, &strings.Builder{}, &strings.Builder{}); !errors.As(err, &ce) {
		t.Fatalf("serve = %v; want it to refuse to start, naming the collisions", err)
	}
	if _, err := c.run("user", "create", "--email", "new@example.com", "--password", "long enough"); !errors.As(err, &ce) {
		t.Fatalf("user create on a colliding database = %v; want the collisions", err)
	}

	if got := c.user("show", "2"); got["email"] != "jose\u0301.n@example.com" {
		t.Fatalf("show 2: %v", got)
	}
	renamed := c.user("rename", "2", "jose.n.second@example.com")
	if renamed["email"] != "jose.n.second@example.com" || renamed["email_confirmed"] != false {
		t.Fatalf("rename: %v", renamed)
	}
	if out, err := c.run("migrate", "--check"); err != nil || !strings.Contains(out, "no two accounts") {
		t.Fatalf("migrate --check after the rename = %q, %v", out, err)
	}
	if _, err := c.run("migrate"); err != nil {
		t.Fatalf("migrate after the rename: %v", err)
	}
	// One account per key from now on, by every spelling.
	if got := c.user("show", "JOSE\u0301.N@EXAMPLE.COM"); got["id"] != float64(1) {
		t.Fatalf("show by another spelling: %v", got)
	}
	if _, err := c.run("user", "create", "--email", "JOSÉ.n@example.com", "--password", "long enough"); err == nil || !strings.Contains(err.Error(), "login_taken") {
		t.Fatalf("create a second spelling = %v; want login_taken", err)
	}
	if _, err := c.run("user", "rename", "3", "Jose\u0301.N@example.com"); err == nil || !strings.Contains(err.Error(), "login_taken") {
		t.Fatalf("rename onto a second spelling = %v; want login_taken", err)
	}
}

func TestRenameRefusesAnInvalidAddressAndKeepsTheState(t *testing.T) {
	c := newCLI(t)
	c.user("create", "--email", "ann@example.com", "--password", "long enough", "--confirmed")
	for _, bad := range []string{"an\u200bn@example.com", strings.Repeat("a", 65) + "@example.com", "ann@exa\u202emple.com"} {
		if _, err := c.run("user", "rename", "ann@example.com", bad); err == nil || !strings.Contains(err.Error(), "invalid_email") {
			t.Fatalf("rename to %q = %v; want invalid_email", bad, err)
		}
	}
	// A new spelling of the same key keeps the confirmation; the stored
	// spelling changes.
	if got := c.user("rename", "ann@example.com", "Ann@Example.com"); got["email"] != "Ann@Example.com" || got["email_confirmed"] != true {
		t.Fatalf("rename to a new spelling: %v", got)
	}
	if got := c.user("rename", "--confirmed", "ann@example.com", "anna@example.com"); got["email"] != "anna@example.com" || got["email_confirmed"] != true {
		t.Fatalf("rename with --confirmed: %v", got)
	}
}
