package keys_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/keys"
)

func TestAVerifiedTokenVerifiesAgainButAnAlteredOneDoesNot(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{})
	tok := mustSign(t, r, sampleClaims(e.clk.Now()))
	first, err := r.Verify(context.Background(), tok)
	if err != nil {
		t.Fatal(err)
	}
	again, err := r.Verify(context.Background(), tok)
	if err != nil || again.ID != first.ID || again.SessionID != first.SessionID {
		t.Fatalf("second Verify = %+v, %v; want the claims of the first", again, err)
	}
	// Changing the last character of the signature must not be served
	// from what was remembered about the genuine token.
	last := tok[len(tok)-1]
	alt := byte('A')
	if last == 'A' {
		alt = 'B'
	}
	if _, err := r.Verify(context.Background(), tok[:len(tok)-1]+string(alt)); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("altered token: err = %v, want ErrInvalidToken", err)
	}
}

func TestARememberedTokenIsRefusedOnceItsKeyIsNoLongerPublished(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{TokenTTL: time.Hour})
	c := sampleClaims(e.clk.Now())
	c.ExpiresAt = e.clk.Now().Add(365 * 24 * time.Hour) // outlives its key, which the ring never lets happen, to isolate the key check
	tok := mustSign(t, r, c)
	if _, err := r.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	e.clk.Advance(40 * 24 * time.Hour) // past the key's 30-day lifetime and its publication tail
	if _, err := r.Verify(context.Background(), tok); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("err = %v, want ErrInvalidToken once the key has expired", err)
	}
}

func TestClaimsFromTheCacheAreTheCallersOwn(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{})
	tok := mustSign(t, r, sampleClaims(e.clk.Now()))
	for range 2 { // the first result comes from a full verification, the second from the cache
		got, err := r.Verify(context.Background(), tok)
		if err != nil {
			t.Fatal(err)
		}
		got.Extra["role"] = "ADMIN"
	}
	again, err := r.Verify(context.Background(), tok)
	if err != nil || again.Extra["role"] != "USER" {
		t.Fatalf("role = %v (err %v); a caller's change leaked into the cache", again.Extra["role"], err)
	}
}
