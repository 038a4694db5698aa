package migrations_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/migrations"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlite"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// dialects opens an empty database of each backend, and its store dialect.
var dialects = map[string]struct {
	open    func(t *testing.T) (*sql.DB, error)
	dialect sqlstore.Dialect
}{
	migrations.SQLite: {func(t *testing.T) (*sql.DB, error) {
		return sqlite.OpenDB(context.Background(), filepath.Join(t.TempDir(), "old.db"))
	}, sqlite.Dialect()},
	migrations.Postgres: {func(t *testing.T) (*sql.DB, error) { return postgres.OpenDB(context.Background(), pgtest.URL(t)) }, postgres.Dialect()},
}

// beforeEmailKey migrates db as the release before the e-mail key left it.
func beforeEmailKey(t *testing.T, db *sql.DB, dialect string) {
	t.Helper()
	all, err := migrations.Versions(dialect)
	i := slices.Index(all, migrations.EmailKeyVersion)
	if err != nil || i < 1 {
		t.Fatalf("Versions = %v, %v; want %s after another", all, err, migrations.EmailKeyVersion)
	}
	if _, err := migrations.MigrateTo(context.Background(), db, dialect, all[i-1]); err != nil {
		t.Fatal(err)
	}
}

// insertOld inserts a user row as an older release did (e-mail trimmed and
// lower-cased, no key) and returns its id.
func insertOld(t *testing.T, db *sql.DB, uuid, email string) int64 {
	t.Helper()
	now := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC).UnixMicro()
	var id int64
	if err := db.QueryRowContext(context.Background(), `INSERT INTO users (uuid, email, created_at, updated_at)
		VALUES ($1, $2, $3, $3) RETURNING id`, uuid, email, now).Scan(&id); err != nil {
		t.Fatal(err)
	}
	return id
}

func TestMigrateRefusesCollidingStoredAddressesUntilOneIsRenamed(t *testing.T) {
	ctx := context.Background()
	for name, c := range dialects {
		t.Run(name, func(t *testing.T) {
			db, err := c.open(t)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			beforeEmailKey(t, db, name)
			precomposed := insertOld(t, db, "2f1c9d3e-0000-4000-8000-000000000001", "josé.n@example.com")
			combining := insertOld(t, db, "2f1c9d3e-0000-4000-8000-000000000002", "jose\u0301.n@example.com")
			ann := insertOld(t, db, "2f1c9d3e-0000-4000-8000-000000000003", "ann@bücher.example")
			legacy := insertOld(t, db, "2f1c9d3e-0000-4000-8000-000000000004", strings.Repeat("l", 65)+"@example.com")

			collisions, refused, err := migrations.CheckEmailKeys(ctx, db)
			if err != nil || len(collisions) != 1 || len(refused) != 1 || refused[0].ID != legacy {
				t.Fatalf("CheckEmailKeys = %v, %v, %v; want one collision and the 65-octet address refused", collisions, refused, err)
			}
			if ids := accountIDs(collisions[0]); !slices.Equal(ids, []int64{precomposed, combining}) || collisions[0].Key != "josé.n@example.com" {
				t.Fatalf("collision %v, want accounts %d and %d under josé.n@example.com", collisions[0], precomposed, combining)
			}

			_, err = migrations.Migrate(ctx, db, name)
			var ce *migrations.CollisionError
			if !errors.As(err, &ce) || len(ce.Collisions) != 1 || !slices.Equal(accountIDs(ce.Collisions[0]), []int64{precomposed, combining}) {
				t.Fatalf("Migrate = %v; want a CollisionError naming %d and %d", err, precomposed, combining)
			}
			for _, want := range []string{`"jose\u0301.n@example.com"`, `"jos\u00e9.n@example.com"`, "gatehouse user rename"} {
				if !strings.Contains(err.Error(), want) {
					t.Errorf("the refusal does not say %s:\n%v", want, err)
				}
			}
			st := sqlstore.New(db, c.dialect)
			// Until then each account is found by its stored spelling, and
			// a third spelling of both is ambiguous, never one of them.
			if _, err := st.UserByEmail(ctx, "JOSE\u0301.N@example.com"); !errors.Is(err, core.ErrEmailAmbiguous) {
				t.Fatalf("UserByEmail of a colliding address = %v, want ErrEmailAmbiguous", err)
			}
			for typed, id := range map[string]int64{"josé.n@example.com": precomposed, "jose\u0301.n@example.com": combining} {
				if u, err := st.UserByEmail(ctx, typed); err != nil || u.ID != id {
					t.Fatalf("UserByEmail(%q) = #%d, %v; want #%d", typed, u.ID, err, id)
				}
			}
			if _, err := st.UpdateUser(ctx, combining, func(u *identity.User) error { u.Email = "jose.n2@example.com"; return nil }); err != nil {
				t.Fatal(err)
			}
			if applied, err := migrations.Migrate(ctx, db, name); err != nil || len(applied) != 0 {
				t.Fatalf("Migrate after the rename = %v, %v; want nothing left to apply and no error", applied, err)
			}

			for typed, id := range map[string]int64{"jose\u0301.N@example.com": precomposed, "jose.n2@example.com": combining,
				"ann@xn--bcher-kva.example": ann, strings.Repeat("L", 65) + "@example.com": legacy} {
				u, err := st.UserByEmail(ctx, typed)
				if err != nil || u.ID != id {
					t.Errorf("UserByEmail(%q) = #%d, %v; want #%d", typed, u.ID, err, id)
				}
			}
			// The key is unique now, whoever writes.
			_, err = db.ExecContext(ctx, `UPDATE users SET email_key = 'josé.n@example.com' WHERE id = $1`, ann)
			if err == nil {
				t.Fatal("a second row took a stored key: email_key is not unique")
			}
		})
	}
}

func TestARowAnOlderNodeInsertsGetsItsKeyAtTheNextMigrate(t *testing.T) {
	ctx := context.Background()
	for name, c := range dialects {
		t.Run(name, func(t *testing.T) {
			db, err := c.open(t)
			if err != nil {
				t.Fatal(err)
			}
			defer db.Close()
			if _, err := migrations.Migrate(ctx, db, name); err != nil {
				t.Fatal(err)
			}
			st := sqlstore.New(db, c.dialect)
			taken := identity.User{Email: "Ann@example.com", CreatedAt: time.Now(), UpdatedAt: time.Now()}
			if err := st.CreateUser(ctx, &taken); err != nil {
				t.Fatal(err)
			}
			// An older node knows no key column: its rows have none.
			old := insertOld(t, db, "2f1c9d3e-0000-4000-8000-000000000011", "bob@bücher.example")
			if u, err := st.UserByEmail(ctx, "BOB@bücher.example"); err != nil || u.ID != old {
				t.Fatalf("a row without a key is not found by its old form: %+v, %v", u, err)
			}
			clash := insertOld(t, db, "2f1c9d3e-0000-4000-8000-000000000012", "ａnn@example.com")
			_, err = migrations.Migrate(ctx, db, name)
			var ce *migrations.CollisionError
			if !errors.As(err, &ce) || !slices.Equal(accountIDs(ce.Collisions[0]), []int64{taken.ID, clash}) {
				t.Fatalf("Migrate = %v; want the row of an older node that collides named with the stored one", err)
			}
			if u, err := st.UserByEmail(ctx, "bob@xn--bcher-kva.example"); err != nil || u.ID != old {
				t.Fatalf("the older node's row has no key after Migrate: %+v, %v", u, err)
			}
		})
	}
}

func accountIDs(c migrations.Collision) []int64 {
	ids := make([]int64, len(c.Accounts))
	for i, a := range c.Accounts {
		ids[i] = a.ID
	}
	return ids
}
