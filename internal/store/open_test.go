package store_test

import (
	"context"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
)

func TestParseNamesTheBackend(t *testing.T) {
	cases := []struct {
		url  string
		want store.Backend
	}{
		{"sqlite://./gatehouse.db", store.Backend{Dialect: migrations.SQLite, Target: "./gatehouse.db"}},
		{"sqlite:///var/lib/gatehouse/gatehouse.db", store.Backend{Dialect: migrations.SQLite, Target: "/var/lib/gatehouse/gatehouse.db"}},
		{"sqlite::memory:", store.Backend{Dialect: migrations.SQLite, Target: ":memory:"}},
		{"sqlite://:memory:", store.Backend{Dialect: migrations.SQLite, Target: ":memory:"}},
		{"postgres://u@h/db", store.Backend{Dialect: migrations.Postgres, Target: "postgres://u@h/db"}},
		{"postgresql://u@h/db?sslmode=disable", store.Backend{Dialect: migrations.Postgres, Target: "postgresql://u@h/db?sslmode=disable"}},
	}
	for _, c := range cases {
		got, err := store.Parse(c.url)
		if err != nil || !reflect.DeepEqual(got, c.want) {
			t.Errorf("Parse(%q) = %+v, %v; want %+v", c.url, got, err, c.want)
		}
	}
}

func TestParseRefusesWhatItCannotOpen(t *testing.T) {
	for _, url := range []string{"mysql://u@h/db", "sqlite://", "gatehouse.db", ""} {
		_, err := store.Parse(url)
		if err == nil {
			t.Errorf("Parse(%q) succeeded, want an error", url)
		}
	}
	_, err := store.Open(context.Background(), "mysql://u@h/db")
	if err == nil || !strings.Contains(err.Error(), `"mysql"`) {
		t.Fatalf("Open(mysql://…) = %v, want an error naming the scheme", err)
	}
}

func TestOpenReturnsAWorkingStore(t *testing.T) {
	ctx := context.Background()
	urls := map[string]func(t *testing.T) string{
		"memory":   func(*testing.T) string { return "sqlite::memory:" },
		"file":     func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "g.db") },
		"postgres": func(t *testing.T) string { return pgtest.URL(t) },
	}
	for name, url := range urls {
		t.Run(name, func(t *testing.T) {
			st, err := store.Open(ctx, url(t))
			if err != nil {
				t.Fatal(err)
			}
			defer st.Close()
			if err := st.Ping(ctx); err != nil {
				t.Fatal(err)
			}
			if _, total, err := st.ListUsers(ctx, identity.UserFilter{}); err != nil || total != 0 {
				t.Fatalf("ListUsers on a new store: total %d, err %v", total, err)
			}
		})
	}
}

func TestMigrateAppliesOnceThenNothing(t *testing.T) {
	ctx := context.Background()
	url := "sqlite://" + filepath.Join(t.TempDir(), "g.db")
	want, _ := migrations.Versions(migrations.SQLite)
	first, err := store.Migrate(ctx, url)
	if err != nil || !reflect.DeepEqual(first, want) {
		t.Fatalf("first Migrate = %v, %v; want %v", first, err, want)
	}
	second, err := store.Migrate(ctx, url)
	if err != nil || len(second) != 0 {
		t.Fatalf("second Migrate = %v, %v; want nothing", second, err)
	}
}

func TestBackupCopiesSQLiteAndSendsPostgreSQLToItsOwnTools(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	url := "sqlite://" + filepath.Join(dir, "g.db")
	st, err := store.Open(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	u := identity.User{Email: "kept@example.test"}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatal(err)
	}
	dest := filepath.Join(dir, "copy.db")
	if err := store.Backup(ctx, url, dest); err != nil {
		t.Fatal(err)
	}
	st.Close()
	cp, err := store.Open(ctx, "sqlite://"+dest)
	if err != nil {
		t.Fatal(err)
	}
	defer cp.Close()
	if got, err := cp.UserByEmail(ctx, "kept@example.test"); err != nil || got.UUID != u.UUID {
		t.Fatalf("the copy's user: %+v, %v", got, err)
	}

	pgDest := filepath.Join(dir, "pg.db")
	err = store.Backup(ctx, pgtest.URL(t), pgDest)
	if err == nil || !strings.Contains(err.Error(), "pg_dump") || !strings.Contains(err.Error(), "docs/operations.md") {
		t.Fatalf("Backup of PostgreSQL: %v, want a refusal naming pg_dump and docs/operations.md", err)
	}
	if _, err := os.Stat(pgDest); err == nil {
		t.Fatal("a refused PostgreSQL backup wrote a file")
	}
}
