package postgres_test

import (
	"context"
	"database/sql"
	"io"
	"log/slog"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/gatehouse/gatehouse/internal/app"
	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/sms/smstest"
	"github.com/gatehouse/gatehouse/internal/store/postgres"
	"github.com/gatehouse/gatehouse/internal/store/postgres/pgtest"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

// statements counts what pgx sends PostgreSQL, each a round trip of its
// own: statements (BEGIN and COMMIT included) and the preparations of
// statements new to a connection.
type statements struct {
	mu       sync.Mutex
	sql      []string
	prepares int
}

func (s *statements) TraceQueryStart(ctx context.Context, _ *pgx.Conn, d pgx.TraceQueryStartData) context.Context {
	s.mu.Lock()
	s.sql = append(s.sql, strings.Join(strings.Fields(d.SQL), " "))
	s.mu.Unlock()
	return ctx
}

func (s *statements) TraceQueryEnd(context.Context, *pgx.Conn, pgx.TraceQueryEndData) {}

func (s *statements) TracePrepareStart(ctx context.Context, _ *pgx.Conn, _ pgx.TracePrepareStartData) context.Context {
	s.mu.Lock()
	s.prepares++
	s.mu.Unlock()
	return ctx
}

func (s *statements) TracePrepareEnd(context.Context, *pgx.Conn, pgx.TracePrepareEndData) {}

// during returns the statements fn sent, and how many preparations.
func (s *statements) during(fn func()) ([]string, int) {
	s.mu.Lock()
	s.sql, s.prepares = nil, 0
	s.mu.Unlock()
	fn()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.sql, s.prepares
}

// countedApp is the real wiring over PostgreSQL with every statement the
// services send counted, and the pool those statements go through.
func countedApp(t *testing.T) (*app.App, *statements, *sql.DB) {
	url := pgtest.URL(t)
	counted := &statements{}
	pc, err := pgx.ParseConfig(url)
	if err != nil {
		t.Fatal(err)
	}
	pc.Tracer = counted
	db := stdlib.OpenDB(*pc)
	t.Cleanup(func() { db.Close() })

	cfg := config.Default()
	cfg.DatabaseURL, cfg.MasterKey = url, "MDEyMzQ1Njc4OWFiY2RlZjAxMjM0NTY3ODlhYmNkZWY=" // fixture: base64 of 32 bytes
	cfg.RateLimits, cfg.SMSURL = "off", "log:"
	hasher, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	a, err := app.New(context.Background(), cfg, slog.New(slog.NewTextHandler(io.Discard, nil)), app.Options{
		Now: testclock.New().Now, Hasher: hasher, KeyGen: keystest.Generator(), Sender: &coretest.Mailbox{}, SMS: smstest.NewMemory(), Stderr: io.Discard,
		// The store app.New opened migrated the schema; the services run
		// over the same schema through the counted pool.
		WrapStore: func(sqlstore.Backend) sqlstore.Backend { return sqlstore.New(db, postgres.Dialect()) },
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { a.Close() })
	return a, counted, db
}

// TestARefreshIsTwoStatementsOnPostgreSQL counts what one refresh sends
// PostgreSQL, through the real wiring: the first use of a token is one read
// (the token, its session and its user) and one write (the spend, the
// successor, the parent's wipe and the audit row), with no transaction
// around them. Before, it was BEGIN, four reads, four writes and COMMIT
// (BENCHMARKS.md, issue 13).
func TestARefreshIsTwoStatementsOnPostgreSQL(t *testing.T) {
	a, counted, db := countedApp(t)
	ctx := context.Background()
	u, err := a.Identity.AdminCreateUser(ctx, identity.Registration{Email: "ann@example.com", Password: "long enough 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := a.Identity.StartSession(ctx, u, identity.SessionSpec{Door: "platform"})
	if err != nil {
		t.Fatal(err)
	}
	platform := identity.RefreshOptions{Doors: []string{"platform"}}
	// The pool holds one connection here; the first refresh prepares its
	// statements on it, the second finds them prepared, as a warm server does.
	db.SetMaxOpenConns(1)
	for i, want := range []struct{ statements, prepares int }{{2, 2}, {2, 0}} {
		var next identity.TokenPair
		sent, prepared := counted.during(func() {
			if next, err = a.Identity.Refresh(ctx, pair.Refresh, platform); err != nil {
				t.Fatal(err)
			}
		})
		t.Logf("refresh %d: %d statements, %d preparations: %q", i+1, len(sent), prepared, sent)
		if len(sent) != want.statements || prepared != want.prepares {
			t.Fatalf("refresh %d sent %d statements and %d preparations, want %d and %d: %q", i+1, len(sent), prepared, want.statements, want.prepares, sent)
		}
		for _, q := range sent {
			if lower := strings.ToLower(q); lower == "begin" || lower == "commit" {
				t.Fatalf("refresh %d opened a transaction: %q", i+1, sent)
			}
		}
		pair = next
	}
}

// TestASignInsStatementsOnPostgreSQL counts what one platform sign-in
// without a second factor sends PostgreSQL through the real wiring, on a
// warm connection (issue 13, item 2; BENCHMARKS.md lists them): the
// lockout counters, the user with its roles, the authenticator's
// enrolment, and the one write (OpenSession), with no transaction.
func TestASignInsStatementsOnPostgreSQL(t *testing.T) {
	a, counted, db := countedApp(t)
	ctx := context.Background()
	if _, err := a.Identity.AdminCreateUser(ctx, identity.Registration{Email: "ann@example.com", Password: "long enough 1"}, true, nil); err != nil {
		t.Fatal(err)
	}
	f := &identity.Factors{Core: a.Identity}
	if a.Factors != nil {
		f = a.Factors
	}
	db.SetMaxOpenConns(1)
	spec := identity.SessionSpec{Door: "platform"}
	if _, _, err := f.SignIn(ctx, "ann@example.com", "long enough 1", spec); err != nil { // prepares
		t.Fatal(err)
	}
	sent, prepared := counted.during(func() {
		if _, _, err := f.SignIn(ctx, "ann@example.com", "long enough 1", spec); err != nil {
			t.Fatal(err)
		}
	})
	for i, q := range sent {
		t.Logf("%2d %s", i+1, q)
	}
	if len(sent) > signInStatements || prepared != 0 {
		t.Fatalf("a warm sign-in sent %d statements and %d preparations, want at most %d and 0", len(sent), prepared, signInStatements)
	}
	for _, q := range sent {
		if lower := strings.ToLower(q); lower == "begin" || lower == "commit" {
			t.Fatalf("a sign-in opened a transaction: %q", sent)
		}
	}
}

// TestACashdeskSignInsStatementsOnPostgreSQL counts the cashdesk door's
// sign-in: the platform's (the same Factors.SignIn, door "cashdesk"), then
// the cashier's state its answer carries (the profile, the registers, the
// open shift).
func TestACashdeskSignInsStatementsOnPostgreSQL(t *testing.T) {
	a, counted, db := countedApp(t)
	ctx := context.Background()
	u, err := a.Identity.AdminCreateUser(ctx, identity.Registration{Email: "ann@example.com", Password: "long enough 1"}, true, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.SetMaxOpenConns(1)
	spec := identity.SessionSpec{Door: "cashdesk"}
	signIn := func() {
		if _, _, err := a.Factors.SignIn(ctx, "ann@example.com", "long enough 1", spec); err != nil {
			t.Fatal(err)
		}
		if _, err := a.Cashdesk.CashierState(ctx, u.ID); err != nil {
			t.Fatal(err)
		}
	}
	signIn() // prepares
	sent, prepared := counted.during(signIn)
	for i, q := range sent {
		t.Logf("%2d %s", i+1, q)
	}
	if len(sent) > cashdeskSignInStatements || prepared != 0 {
		t.Fatalf("a warm cashdesk sign-in sent %d statements and %d preparations, want at most %d and 0", len(sent), prepared, cashdeskSignInStatements)
	}
}
