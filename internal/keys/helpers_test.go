package keys_test

import (
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/sha256"
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

// fakeStore is an in-memory RingStore with the contract of identity.Store:
// unique kids, Keys filtered by use and expiry, newest first, UpdateKeys
// serialised.
type fakeStore struct {
	mu       sync.Mutex
	recs     []keys.Record
	loads    int             // Keys calls
	gate     *sync.WaitGroup // see meetAtLoad
	gateLeft int
}

func (s *fakeStore) Keys(_ context.Context, use string, now time.Time) ([]keys.Record, error) {
	s.mu.Lock()
	s.loads++
	out := s.keys(use, now)
	gate := s.gate
	if s.gateLeft--; s.gateLeft <= 0 {
		s.gate = nil
	}
	s.mu.Unlock()
	if gate != nil {
		gate.Done()
		gate.Wait()
	}
	return out, nil
}

// meetAtLoad makes the next n Keys calls wait for each other before they
// return, so that n nodes starting together all read the store before any
// of them writes: the race in its worst order, every time.
func (s *fakeStore) meetAtLoad(n int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gate, s.gateLeft = &sync.WaitGroup{}, n
	s.gate.Add(n)
}

// UpdateKeys holds the store's lock through fn, as the SQL store holds
// the use's row lock.
func (s *fakeStore) UpdateKeys(_ context.Context, use string, now time.Time, fn func([]keys.Record) (keys.Change, error)) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	ch, err := fn(s.keys(use, now))
	if err != nil {
		return err
	}
	for _, rt := range ch.Retire {
		for i := range s.recs {
			if s.recs[i].KID == rt.KID && s.recs[i].Use == use {
				s.recs[i].RetireAt, s.recs[i].ExpiresAt = rt.RetireAt, rt.ExpiresAt
			}
		}
	}
	if ch.Insert == nil {
		return nil
	}
	for _, r := range s.recs {
		if r.KID == ch.Insert.KID {
			return fmt.Errorf("fakeStore: duplicate kid %s", r.KID)
		}
	}
	s.recs = append(s.recs, *ch.Insert)
	return nil
}

func (s *fakeStore) keys(use string, now time.Time) []keys.Record {
	var out []keys.Record
	for _, r := range s.recs {
		if r.Use == use && now.Before(r.ExpiresAt) {
			out = append(out, r)
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].CreatedAt.After(out[j].CreatedAt) })
	return out
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

// opens reports whether one of ds opens the RSA-OAEP ciphertext ct.
func opens(ds []*rsa.PrivateKey, ct []byte) bool {
	for _, d := range ds {
		if _, err := rsa.DecryptOAEP(sha256.New(), nil, d, ct, nil); err == nil {
			return true
		}
	}
	return false
}
