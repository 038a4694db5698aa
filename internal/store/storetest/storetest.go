// Package storetest is the conformance suite of the storage ports the
// domains declare (sqlstore.Backend, bank.Store, cashdesk.Store, and the
// outbox's, keys' and idempotency's), as sqlstore.Backend serves them all:
// every backend runs the same tests, so that the domains can rely on the
// contracts written on their interfaces and nothing else.
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) sqlstore.Backend { … a fresh, empty store … })
//	}
package storetest

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/store/sqlstore"
)

// test is one conformance test; it gets a fresh, empty store.
type test struct {
	name string
	fn   func(t *testing.T, st sqlstore.Backend)
}

// Run runs the suite. newStore must return a fresh, empty, migrated store
// each time; Run closes it when the test ends.
func Run(t *testing.T, newStore func(t *testing.T) sqlstore.Backend) {
	groups := []struct {
		name  string
		tests []test
	}{
		{"Users", userTests},
		{"Addresses", addressTests},
		{"Sessions", sessionTests},
		{"RefreshTokens", refreshTests},
		{"SessionOpening", openingTests}, // signin.go
		{"Codes", codeTests},
		{"Outbox", outboxTests},
		{"Keys", keyTests},
		{"Tx", txTests},
		{"Purge", purgeTests},
		{"Concurrency", raceTests},
		{"Cashdesk", cashdeskTests},
		{"Bank", bankTests},
		{"Security", securityTests},       // security.go
		{"Settings", settingsTests},       // settings.go
		{"Factors", factorTests},          // factors.go
		{"Text", textTests},               // text.go
		{"Idempotency", idempotencyTests}, // idempotency.go
		{"OAuth", oauthTests},             // oauth.go
		{"Assertions", assertionTests},    // assertions.go
		{"OAuthDevice", deviceTests},      // device.go
	}
	for _, g := range groups {
		t.Run(g.name, func(t *testing.T) {
			for _, tc := range g.tests {
				t.Run(tc.name, func(t *testing.T) {
					st := newStore(t)
					t.Cleanup(func() {
						if err := st.Close(); err != nil {
							t.Errorf("Close: %v", err)
						}
					})
					tc.fn(t, st)
				})
			}
		})
	}
}

// t0 is the suite's "now": microsecond precision, as the contract keeps.
var t0 = time.Date(2031, 5, 6, 7, 8, 9, 123456000, time.UTC)

func at(d time.Duration) time.Time { return t0.Add(d) }

func ptr(t time.Time) *time.Time { return &t }

func hash(s string) []byte {
	h := sha256.Sum256([]byte(s))
	return h[:]
}

var ctx = context.Background()

// newUser creates a user with e-mail email and plain defaults.
func newUser(t *testing.T, st sqlstore.Backend, email string) identity.User {
	t.Helper()
	u := identity.User{
		Email: email, PasswordHash: "$argon2id$v=19$m=19456,t=2,p=1$c2FsdA$aGFzaA",
		Name: "User " + email, Locale: "en", Source: "license", CreatedAt: t0, UpdatedAt: t0,
	}
	if err := st.CreateUser(ctx, &u); err != nil {
		t.Fatalf("CreateUser(%q): %v", email, err)
	}
	return u
}

// newSession creates a session of user that expires in a day.
func newSession(t *testing.T, st sqlstore.Backend, userID int64) identity.Session {
	t.Helper()
	s := identity.Session{UserID: userID, Door: "platform", CreatedAt: t0, LastSeen: t0, ExpiresAt: at(24 * time.Hour)}
	if err := st.CreateSession(ctx, &s); err != nil {
		t.Fatalf("CreateSession: %v", err)
	}
	return s
}

func newRefresh(t *testing.T, st sqlstore.Backend, s identity.Session, secret string, expires time.Time) identity.RefreshToken {
	t.Helper()
	rt := identity.RefreshToken{Hash: hash(secret), SessionID: s.ID, UserID: s.UserID, IssuedAt: t0, ExpiresAt: expires}
	if err := st.InsertRefreshToken(ctx, &rt); err != nil {
		t.Fatalf("InsertRefreshToken: %v", err)
	}
	return rt
}

func newCode(t *testing.T, st sqlstore.Backend, u identity.User, kind identity.CodeKind, secret string, expires time.Time) identity.Code {
	t.Helper()
	c := identity.Code{Hash: hash(secret), Kind: kind, UserID: u.ID, Email: u.Email, CreatedAt: t0, ExpiresAt: expires}
	if err := st.InsertCode(ctx, &c); err != nil {
		t.Fatalf("InsertCode: %v", err)
	}
	return c
}

// wantErr fails unless errors.Is(err, want).
func wantErr(t *testing.T, what string, err, want error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("%s: error %v, want %v", what, err, want)
	}
}

// noErr fails on err.
func noErr(t *testing.T, what string, err error) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// same fails unless got and want are deeply equal.
func same(t *testing.T, what string, got, want any) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("%s:\n got %s\nwant %s", what, show(got), show(want))
	}
}

// show prints v as JSON, so that time pointers show their values.
func show(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprintf("%+v", v)
	}
	return string(b)
}
