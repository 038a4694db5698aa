package keys_test

import (
	"bytes"
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/keys"
)

var rtNow = time.Date(2026, 3, 14, 9, 26, 53, 0, time.UTC)

func newRefreshJWT(t *testing.T, key byte, issuer string) *keys.RefreshJWT {
	t.Helper()
	r, err := keys.NewRefreshJWT(bytes.Repeat([]byte{key}, 32), issuer)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func TestARefreshJWTCarriesItsHandleAndIsTheSameEachTime(t *testing.T) {
	r := newRefreshJWT(t, 1, "https://id.example")
	c := bank.RefreshClaims{Handle: "opaque-handle", Subject: "uuid-of-ann", SessionID: "sid-1", Expiry: rtNow.Add(time.Hour)}
	a, err := r.Wrap(c)
	if err != nil {
		t.Fatal(err)
	}
	if b, _ := r.Wrap(c); a != b {
		t.Fatalf("two wraps of one handle differ:\n%s\n%s", a, b)
	}
	tok, err := jwt.ParseSigned(a, []jose.SignatureAlgorithm{jose.HS256})
	if err != nil {
		t.Fatal(err)
	}
	if typ := tok.Headers[0].ExtraHeaders[jose.HeaderType]; typ != keys.RefreshTyp {
		t.Fatalf("typ %v, want %s", typ, keys.RefreshTyp)
	}
	h, err := r.Unwrap(a, rtNow)
	if err != nil || h != "opaque-handle" {
		t.Fatalf("Unwrap = %q, %v", h, err)
	}
	if _, err := r.Unwrap(a, rtNow.Add(time.Hour)); err == nil {
		t.Fatal("Unwrap accepted a token at its expiry")
	}
}

func TestUnwrapRefusesWhatThisKeyAndIssuerDidNotMake(t *testing.T) {
	r := newRefreshJWT(t, 1, "https://id.example")
	c := bank.RefreshClaims{Handle: "h", Subject: "s", SessionID: "sid", Expiry: rtNow.Add(time.Hour)}
	other, _ := newRefreshJWT(t, 2, "https://id.example").Wrap(c)
	elsewhere, _ := newRefreshJWT(t, 1, "https://other.example").Wrap(c)
	// The same key and claims with an access token's typ.
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: bytes.Repeat([]byte{1}, 32)}, (&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	typJWT, _ := jwt.Signed(s).Claims(map[string]any{"iss": "https://id.example", "aud": "https://id.example/auth/oauth/token",
		"exp": rtNow.Add(time.Hour).Unix(), "jti": "h"}).Serialize()
	good, _ := r.Wrap(c)
	parts := strings.Split(good, ".")
	none := `eyJhbGciOiJub25lIiwidHlwIjoicnQrand0In0.` + parts[1] + "."
	for name, tok := range map[string]string{
		"another key": other, "another issuer": elsewhere, "typ JWT": typJWT, "alg none": none,
		"a tampered payload": parts[0] + "." + parts[1] + "x." + parts[2], "garbage": "a.b.c",
		"too long": good + strings.Repeat("A", 4096),
	} {
		if h, err := r.Unwrap(tok, rtNow); err == nil {
			t.Errorf("%s: Unwrap accepted it (%q)", name, h)
		}
	}
}

func TestLoadSecretMakesOneKeyAndEveryNodeAdoptsIt(t *testing.T) {
	st := &memSecrets{m: map[string][]byte{}}
	s := testSealer(t)
	a, err := keys.LoadSecret(context.Background(), st, s, "k", rtNow)
	if err != nil || len(a) != 32 {
		t.Fatalf("first LoadSecret: %x %v", a, err)
	}
	b, err := keys.LoadSecret(context.Background(), st, s, "k", rtNow)
	if err != nil || !bytes.Equal(a, b) {
		t.Fatalf("second LoadSecret: %x %v, want %x", b, err, a)
	}
	if bytes.Contains(st.m["k"], a) {
		t.Fatal("the key is stored in the clear")
	}
}

// memSecrets is an in-memory SecretStore with the contract of the SQL one
// (the conformance suite runs that one): the first insert of a name wins.
type memSecrets struct {
	mu sync.Mutex
	m  map[string][]byte
}

func (s *memSecrets) SealedSecret(_ context.Context, name string) ([]byte, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[name]
	if !ok {
		return nil, core.ErrNotFound
	}
	return v, nil
}

func (s *memSecrets) PutSealedSecretOnce(_ context.Context, name string, sealed []byte, _ time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.m[name]; ok {
		return false, nil
	}
	s.m[name] = sealed
	return true, nil
}

// BenchmarkRefreshJWT is what the JWT adds to a bank refresh: unwrapping
// the presented token and wrapping its successor (BENCHMARKS.md).
func BenchmarkRefreshJWT(b *testing.B) {
	r, err := keys.NewRefreshJWT(bytes.Repeat([]byte{1}, 32), "https://id.example")
	if err != nil {
		b.Fatal(err)
	}
	c := bank.RefreshClaims{Handle: "Zm9vYmFyYmF6cXV4Zm9vYmFyYmF6cXV4Zm9vYmFyYmE", Subject: "0b9d5c3e-1c1e-4f7a-9d3e-2f4c5b6a7d8e",
		SessionID: "5f0c9a1e-8b7d-4c3e-a2f1-0e9d8c7b6a5f", Expiry: rtNow.Add(720 * time.Hour)}
	tok, err := r.Wrap(c)
	if err != nil {
		b.Fatal(err)
	}
	for b.Loop() {
		if _, err := r.Unwrap(tok, rtNow); err != nil {
			b.Fatal(err)
		}
		if _, err := r.Wrap(c); err != nil {
			b.Fatal(err)
		}
	}
}
