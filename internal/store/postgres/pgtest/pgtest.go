// Package pgtest gives tests a PostgreSQL database of their own: a fresh
// schema, dropped when the test ends. Tests skip when PostgreSQL is not
// reachable, unless GATEHOUSE_TEST_SERVICES=require (as in CI), where they
// fail instead.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// DefaultURL is used when GATEHOUSE_TEST_POSTGRES_URL is not set.
const DefaultURL = "postgres://postgres@127.0.0.1:5432/test?sslmode=disable"

// BaseURL returns the server URL tests use.
func BaseURL() string {
	if u := os.Getenv("GATEHOUSE_TEST_POSTGRES_URL"); u != "" {
		return u
	}
	return DefaultURL
}

// URL creates a schema with a random name and returns BaseURL with that
// schema as its search_path. The schema and everything in it is dropped in
// t.Cleanup.
func URL(t testing.TB) string {
	t.Helper()
	base := BaseURL()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		unreachable(t, err)
	}
	defer conn.Close(ctx)
	schema := "gatehouse_test_" + randomHex(t)
	if _, err := conn.Exec(ctx, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("pgtest: create schema: %v", err)
	}
	t.Cleanup(func() { drop(t, base, schema) })
	u, err := url.Parse(base)
	if err != nil {
		t.Fatalf("pgtest: parse GATEHOUSE_TEST_POSTGRES_URL: %v", err)
	}
	q := u.Query()
	q.Set("search_path", schema)
	u.RawQuery = q.Encode()
	return u.String()
}

func unreachable(t testing.TB, err error) {
	t.Helper()
	if os.Getenv("GATEHOUSE_TEST_SERVICES") == "require" {
		t.Fatalf("pgtest: PostgreSQL unreachable and GATEHOUSE_TEST_SERVICES=require: %v", err)
	}
	t.Skipf("pgtest: PostgreSQL unreachable (set GATEHOUSE_TEST_POSTGRES_URL): %v", err)
}

func drop(t testing.TB, base, schema string) {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	conn, err := pgx.Connect(ctx, base)
	if err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
		return
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "DROP SCHEMA "+schema+" CASCADE"); err != nil {
		t.Errorf("pgtest: drop schema %s: %v", schema, err)
	}
}

func randomHex(t testing.TB) string {
	b := make([]byte, 8)
	if _, err := rand.Read(b); err != nil {
		t.Fatalf("pgtest: random: %v", err)
	}
	return hex.EncodeToString(b)
}
