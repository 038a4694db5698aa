package identity_test

// Benchmarks of the core's hot paths on the real wiring (coretest):
// SQLite in a temporary file, RS256 with a fixture RSA-2048 key, the
// password hasher at a trivial cost (logins are argon2id-bound and that is
// measured by internal/password's benchmarks). Run in seconds:
//
//	go test -run '^$' -bench . -benchtime 2s ./internal/core/identity ./internal/limit

import (
	"context"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/coretest"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

func benchCore(b *testing.B) (*identity.Service, identity.User) {
	b.Helper()
	e := coretest.New(b)
	now := time.Now().UTC()
	u := identity.User{Email: "bench@example.com", EmailConfirmed: &now, Locale: "en", CreatedAt: now, UpdatedAt: now}
	if err := e.Store.CreateUser(context.Background(), &u); err != nil {
		b.Fatal(err)
	}
	return e.Identity, u
}

var spec = identity.SessionSpec{Door: "platform", UserAgent: "bench", IP: "127.0.0.1", Extra: map[string]any{"door": "platform"}}

// BenchmarkStartSession is a login after the password check: a session and
// a refresh token written in one transaction, an access token signed.
func BenchmarkStartSession(b *testing.B) {
	c, u := benchCore(b)
	ctx := context.Background()
	for b.Loop() {
		if _, err := c.StartSession(ctx, u, spec); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkRefresh follows one refresh chain: each iteration spends the
// previous refresh token and signs a new access token.
func BenchmarkRefresh(b *testing.B) {
	c, u := benchCore(b)
	ctx := context.Background()
	p, err := c.StartSession(ctx, u, spec)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if p, err = c.Refresh(ctx, p.Refresh, identity.RefreshOptions{Doors: []string{"platform"}}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAccess is an authenticated request's check of a token it
// presents again and again (signature remembered; session and user read).
func BenchmarkVerifyAccess(b *testing.B) {
	c, u := benchCore(b)
	ctx := context.Background()
	p, err := c.StartSession(ctx, u, spec)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := c.VerifyAccess(ctx, p.Access, identity.VerifyOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

// BenchmarkVerifyAccessParallel is the same with every CPU verifying, as
// concurrent requests do.
func BenchmarkVerifyAccessParallel(b *testing.B) {
	c, u := benchCore(b)
	ctx := context.Background()
	p, err := c.StartSession(ctx, u, spec)
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := c.VerifyAccess(ctx, p.Access, identity.VerifyOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

// BenchmarkVerifyAPIKey is a request authenticated by a permanent API key
// (Authorization: Bearer ghk_…): the key found by its SHA-256, its owner
// read and checked; last-used is written at most once a minute.
func BenchmarkVerifyAPIKey(b *testing.B) {
	c, u := benchCore(b)
	ctx := context.Background()
	pair, err := c.StartSession(ctx, u, spec) // a fresh sign-in may mint a key
	if err != nil {
		b.Fatal(err)
	}
	_, secret, err := c.CreateAPIKey(ctx, identity.RecentAuth{Principal: identity.Principal{User: u, Session: pair.Session}}, identity.APIKeySpec{Name: "bench"})
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		p, err := c.VerifyBearer(ctx, secret, identity.VerifyOptions{})
		if err != nil || p.APIKey == nil {
			b.Fatalf("API key refused: %v", err)
		}
	}
}
