package keys_test

import (
	"context"
	"crypto"
	"fmt"
	"sort"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
	"github.com/gatehouse/gatehouse/internal/testenv/testclock"
)

// fakeStore is an in-memory RingStore with the contract of sqlstore.Backend:
// unique kids, Keys filtered by use and expiry, newest first.
type fakeStore struct {
	mu    sync.Mutex
	recs  []keys.Record
	loads int // Keys calls
}

func (s *fakeStore) InsertKey(_ context.Context, k *keys.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range s.recs {
		if r.KID == k.KID {
			return fmt.Errorf("fakeStore: duplicate kid %s", k.KID)
		}
	}
	s.recs = append(s.recs, *k)
	return nil
}

func (s *fakeStore) Keys(_ context.Context, use string, now time.Time) ([]keys.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.loads++
	var out []keys.Record
	for _, r := range s.recs {
		if r.Use == use && now.Before(r.ExpiresAt) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out, nil
}

func (s *fakeStore) count() (recs, loads int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.recs), s.loads
}

// newClock is an injected clock that tests move by hand.
func newClock() *testclock.Clock { return testclock.At(time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)) }

// testMaster is a fixed master key for tests.
var testMaster = []byte("0123456789abcdef0123456789abcdef")

func testSealer(t testing.TB) *keys.Sealer {
	t.Helper()
	s, err := keys.NewSealer(testMaster)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// env is one shared store, clock and fixture generator: rings built from the
// same env behave like nodes of one deployment.
type env struct {
	st  *fakeStore
	clk *testclock.Clock
	gen func(string) (crypto.Signer, error)
}

func newEnv() *env {
	return &env{st: &fakeStore{}, clk: newClock(), gen: keystest.Generator()}
}

// ring builds a ring with opts completed by the env, and runs Ensure.
func (e *env) ring(t testing.TB, opts keys.RingOptions) *keys.Ring {
	t.Helper()
	opts.Now = e.clk.Now
	opts.Generate = e.gen
	if opts.Issuer == "" {
		opts.Issuer = "https://id.example.test"
	}
	r := keys.NewRing(e.st, testSealer(t), opts)
	if err := r.Ensure(context.Background()); err != nil {
		t.Fatalf("Ensure: %v", err)
	}
	return r
}

func mustCurrent(t testing.TB, r *keys.Ring) keys.Key {
	t.Helper()
	k, err := r.Current()
	if err != nil {
		t.Fatalf("Current: %v", err)
	}
	return k
}

func sampleClaims(now time.Time) identity.Claims {
	return identity.Claims{
		Issuer: "https://id.example.test", Subject: "5f0c3b9e-2b7a-4c39-9a51-6f7e1a2b3c4d", Audience: "platform",
		IssuedAt: now, ExpiresAt: now.Add(15 * time.Minute), ID: "jti-1", SessionID: "sid-1",
		Extra: map[string]any{"role": "USER", "user_id": int64(1<<53 - 1), "mfa": true, "factors": []string{"TOTP"}},
	}
}

func mustSign(t testing.TB, r *keys.Ring, c identity.Claims) string {
	t.Helper()
	tok, err := r.Sign(context.Background(), c)
	if err != nil {
		t.Fatalf("Sign: %v", err)
	}
	return tok
}
