package keys_test

import (
	"bytes"
	"context"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/keys"
)

// FuzzVerifyJWT: no byte string verifies unless it is a token the ring
// signed, and none panics. The seeds include a real token and mutations of
// its header, payload and signature.
func FuzzVerifyJWT(f *testing.F) {
	e := newEnv()
	r := e.ring(f, keys.RingOptions{})
	want := sampleClaims(e.clk.Now())
	good := mustSign(f, r, want)
	parts := strings.Split(good, ".")
	f.Add(good)
	f.Add(parts[0] + "." + parts[1] + ".")
	f.Add("eyJhbGciOiJub25lIn0." + parts[1] + ".")
	f.Add(parts[0] + "." + parts[1] + "." + strings.Repeat("A", len(parts[2])))
	f.Add("a.b.c")
	f.Add("")
	f.Add(strings.Repeat(".", 100))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := r.Verify(context.Background(), tok)
		// Only the ring's own tokens verify (the fixture keys are the same
		// in every fuzzing process, so a corpus entry may be one).
		if err == nil && (c.Subject != want.Subject || c.Issuer == "") {
			t.Fatalf("a token the ring did not sign verified: %q → %+v", tok, c)
		}
	})
}

// FuzzOpenSealed: only what this key sealed opens (AES-GCM authenticates:
// no mutation of a ciphertext opens to anything), and nothing panics.
func FuzzOpenSealed(f *testing.F) {
	// A fixed key: the fuzzing workers are other processes and must open
	// what the seeds were sealed with.
	s, err := keys.NewSealer(bytes.Repeat([]byte{7}, 32))
	if err != nil {
		f.Fatal(err)
	}
	const msg = "a queued mail with a code"
	sealed, err := s.Seal([]byte(msg))
	if err != nil {
		f.Fatal(err)
	}
	f.Add(sealed)
	f.Add(sealed[:len(sealed)-1])
	f.Add([]byte{})
	f.Add(bytes.Repeat([]byte{0}, 64))
	f.Fuzz(func(t *testing.T, ct []byte) {
		plain, err := s.Open(ct)
		if err == nil && string(plain) != msg {
			t.Fatalf("a forged ciphertext opened: %x → %q", ct, plain)
		}
	})
}
