package keys_test

import (
	"context"
	"crypto/x509"
	"encoding/base64"
	"encoding/json"
	"encoding/pem"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
)

func TestSignThenVerifyReturnsTheClaims(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{})
	in := sampleClaims(e.clk.Now())
	got, err := r.Verify(context.Background(), mustSign(t, r, in))
	if err != nil {
		t.Fatalf("Verify: %v", err)
	}
	want := in
	want.Type = "JWT" // the header's typ, which the core judges
	want.Extra = map[string]any{"role": "USER", "user_id": json.Number("9007199254740991"), "mfa": true, "factors": []any{"TOTP"}}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Verify =\n%#v\nwant\n%#v", got, want)
	}
}

func TestSignWritesKidAndTypInTheHeader(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{})
	tok := mustSign(t, r, sampleClaims(e.clk.Now()))
	jws, err := jose.ParseSignedCompact(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	h := jws.Signatures[0].Header
	if h.KeyID != mustCurrent(t, r).KID || h.Algorithm != "RS256" || h.ExtraHeaders[jose.HeaderType] != "JWT" {
		t.Fatalf("header kid=%q alg=%q typ=%v", h.KeyID, h.Algorithm, h.ExtraHeaders[jose.HeaderType])
	}
}

func TestSignFillsTheIssuerAndRefusesExtraClaimsNamedLikeStandardOnes(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{Issuer: "https://gate.example"})
	c := sampleClaims(e.clk.Now())
	c.Issuer = ""
	got, err := r.Verify(context.Background(), mustSign(t, r, c))
	if err != nil || got.Issuer != "https://gate.example" {
		t.Fatalf("iss = %q, err %v", got.Issuer, err)
	}
	c.Extra = map[string]any{"sub": "someone-else"}
	if _, err := r.Sign(context.Background(), c); err == nil {
		t.Fatal("Sign accepted an extra claim named sub")
	}
}

func TestSignBeforeEnsureCreatesTheFirstKey(t *testing.T) {
	e := newEnv()
	r := keys.NewRing(e.st, testSealer(t), keys.RingOptions{Now: e.clk.Now, Generate: e.gen})
	tok := mustSign(t, r, sampleClaims(e.clk.Now()))
	if _, err := r.Verify(context.Background(), tok); err != nil {
		t.Fatal(err)
	}
	if n, _ := e.st.count(); n != 1 {
		t.Fatalf("store holds %d keys, want 1", n)
	}
}

// A verifier that knows nothing of Gatehouse: the SPKI PEM from PublicPEM,
// crypto/x509 and go-jose's jwt package, for every selectable algorithm.
func TestTokensVerifyWithAStandardLibraryAndThePublishedPEM(t *testing.T) {
	for _, alg := range []string{"RS256", "RS256-4096", "ES256", "EdDSA"} {
		t.Run(alg, func(t *testing.T) {
			e := newEnv()
			r := e.ring(t, keys.RingOptions{Alg: alg})
			in := sampleClaims(e.clk.Now())
			tok := mustSign(t, r, in)

			block, _ := pem.Decode(r.PublicPEM())
			if block == nil || block.Type != "PUBLIC KEY" {
				t.Fatalf("PublicPEM is not an SPKI PEM: %q", r.PublicPEM())
			}
			pub, err := x509.ParsePKIXPublicKey(block.Bytes)
			if err != nil {
				t.Fatal(err)
			}
			joseAlg := jose.SignatureAlgorithm(strings.TrimSuffix(alg, "-4096"))
			parsed, err := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{joseAlg})
			if err != nil {
				t.Fatal(err)
			}
			var std jwt.Claims
			var extra struct {
				SID  string `json:"sid"`
				Role string `json:"role"`
			}
			if err := parsed.Claims(pub, &std, &extra); err != nil {
				t.Fatalf("standard verification: %v", err)
			}
			err = std.ValidateWithLeeway(jwt.Expected{Issuer: in.Issuer, AnyAudience: jwt.Audience{"platform"}, Time: in.IssuedAt}, 0)
			if err != nil {
				t.Fatalf("standard validation: %v", err)
			}
			if std.Subject != in.Subject || std.ID != in.ID || extra.SID != "sid-1" || extra.Role != "USER" {
				t.Fatalf("claims %+v %+v", std, extra)
			}
			if !std.Expiry.Time().Equal(in.ExpiresAt) {
				t.Fatalf("exp %v, want %v", std.Expiry.Time(), in.ExpiresAt)
			}
		})
	}
}

func TestVerifyRefusesForgedTokens(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{})
	kid := mustCurrent(t, r).KID
	tok := mustSign(t, r, sampleClaims(e.clk.Now()))
	parts := strings.Split(tok, ".")
	b64 := base64.RawURLEncoding.EncodeToString

	forged, _ := json.Marshal(map[string]any{"sub": "admin", "iss": "https://id.example.test"})
	noneHeader, _ := json.Marshal(map[string]string{"alg": "none", "kid": kid, "typ": "JWT"})

	cases := map[string]string{
		"payload swapped":      parts[0] + "." + b64(forged) + "." + parts[2],
		"signature flipped":    parts[0] + "." + parts[1] + "." + flipLast(parts[2]),
		"alg none":             b64(noneHeader) + "." + parts[1] + ".",
		"HS256 with PEM":       signWith(t, jose.HS256, r.PublicPEM(), kid),
		"ES256 under RSA kid":  signWith(t, jose.ES256, fixture(t, "p256-1"), kid),
		"unknown kid":          signWith(t, jose.RS256, fixture(t, "rsa2048-5"), "made-up"),
		"no kid":               signWith(t, jose.RS256, fixture(t, "rsa2048-1"), ""),
		"garbage":              "not.a.jwt",
		"empty":                "",
		"two audiences header": signAudiences(t, r),
	}
	for name, bad := range cases {
		t.Run(name, func(t *testing.T) {
			if _, err := r.Verify(context.Background(), bad); !errors.Is(err, core.ErrInvalidToken) {
				t.Fatalf("Verify err = %v, want ErrInvalidToken", err)
			}
		})
	}
}

func flipLast(s string) string {
	c := byte('A')
	if s[len(s)-2] == 'A' {
		c = 'B'
	}
	return s[:len(s)-2] + string(c) + s[len(s)-1:]
}

func fixture(t *testing.T, name string) any {
	t.Helper()
	k, err := keystest.Key(name)
	if err != nil {
		t.Fatal(err)
	}
	return k
}

// signWith signs the sample claims with any key and algorithm, kid chosen
// by the attacker.
func signWith(t *testing.T, alg jose.SignatureAlgorithm, key any, kid string) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithType("JWT")
	if kid != "" {
		opts = opts.WithHeader(jose.HeaderKey("kid"), kid)
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: alg, Key: key}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(jwt.Claims{Subject: "admin"}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

func TestVerifyReportsTheHeadersType(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{})
	for _, typ := range []string{"at+jwt", ""} {
		c, err := r.Verify(context.Background(), signTyped(t, r, typ))
		if err != nil || c.Type != typ {
			t.Fatalf("typ %q: Type %q, err %v", typ, c.Type, err)
		}
	}
}

// signTyped makes a validly signed token (the ring's own key, from the
// store's fixture) whose header's typ is typ ("": none).
func signTyped(t *testing.T, r *keys.Ring, typ string) string {
	t.Helper()
	opts := (&jose.SignerOptions{}).WithHeader(jose.HeaderKey("kid"), mustCurrent(t, r).KID)
	if typ != "" {
		opts = opts.WithType(jose.ContentType(typ))
	}
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: fixture(t, "rsa2048-1")}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(jwt.Claims{Subject: "u", Expiry: jwt.NewNumericDate(time.Now().Add(time.Hour))}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	return tok
}

// signAudiences makes a validly signed token (by the ring's own key, taken
// from the store's fixture) with two audiences: not a token Gatehouse signs.
func signAudiences(t *testing.T, r *keys.Ring) string {
	t.Helper()
	k := mustCurrent(t, r)
	priv := fixture(t, "rsa2048-1") // the env's first RS256 key
	opts := (&jose.SignerOptions{}).WithType("JWT").WithHeader(jose.HeaderKey("kid"), k.KID)
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.RS256, Key: priv}, opts)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.Signed(s).Claims(jwt.Claims{Audience: jwt.Audience{"a", "b"}, Expiry: jwt.NewNumericDate(time.Now())}).Serialize()
	if err != nil {
		t.Fatal(err)
	}
	// Sanity: the token itself verifies under the ring's public key.
	parsed, _ := jwt.ParseSigned(tok, []jose.SignatureAlgorithm{jose.RS256})
	if err := parsed.Claims(k.Public, &jwt.Claims{}); err != nil {
		t.Fatalf("fixture mismatch: %v", err)
	}
	return tok
}
