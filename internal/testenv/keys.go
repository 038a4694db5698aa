package testenv

import (
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/pem"
	"errors"
	"fmt"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// What tests of keys and of the bank door share, whether they drive a
// server in process or as separate processes (internal/cluster).

// TokenAlgs are the algorithms Gatehouse signs access tokens with.
var TokenAlgs = []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA}

// KidOf is the kid in a token's header; a token that does not parse
// fails the test.
func KidOf(t testing.TB, token string) string {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, TokenAlgs)
	if err != nil || len(jws.Signatures) != 1 {
		t.Fatalf("not a signed token %q: %v", token, err)
	}
	return jws.Signatures[0].Header.KeyID
}

// Eventually polls cond until it holds, failing the test after limit: for
// what background work (a key sync, a mail worker) makes observable,
// never a fixed sleep.
func Eventually(t testing.TB, limit time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(limit)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("not within %v: %s", limit, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// Verifies reports whether the key set holds the key a token names and
// that key verifies it, as an outside verifier holding the set would check.
func Verifies(set jose.JSONWebKeySet, token string) bool {
	jws, err := jose.ParseSignedCompact(token, TokenAlgs)
	if err != nil || len(jws.Signatures) != 1 {
		return false
	}
	for _, k := range set.Key(jws.Signatures[0].Header.KeyID) {
		if _, err := jws.Verify(k.Key); err == nil {
			return true
		}
	}
	return false
}

// CredentialKey reads the RSA key of a public-key answer (SPKI PEM).
func CredentialKey(text []byte) (*rsa.PublicKey, error) {
	blk, _ := pem.Decode(text)
	if blk == nil {
		return nil, fmt.Errorf("not PEM: %q", text)
	}
	pub, err := x509.ParsePKIXPublicKey(blk.Bytes)
	if err != nil {
		return nil, err
	}
	rk, ok := pub.(*rsa.PublicKey)
	if !ok {
		return nil, errors.New("not an RSA key")
	}
	return rk, nil
}

// IINFor makes a valid IIN (check digit and all) that differs per seed
// (an e-mail address, say).
func IINFor(seed string) string {
	h := sha256.Sum256([]byte(seed))
	for n := int(h[0])<<8 | int(h[1]); ; n++ {
		for d := 0; d < 10; d++ {
			if s := fmt.Sprintf("900101%05d%d", n%100000, d); bank.ValidIIN(s) {
				return s
			}
		}
	}
}
