package keystest_test

import (
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"fmt"
	"testing"

	"github.com/gatehouse/gatehouse/internal/keys/keystest"
)

// describe names a key's type and size, so fixtures of the wrong kind show.
func describe(k any) string {
	switch k := k.(type) {
	case *rsa.PrivateKey:
		return fmt.Sprintf("rsa%d", k.N.BitLen())
	case *ecdsa.PrivateKey:
		return "ecdsa-" + k.Curve.Params().Name
	case ed25519.PrivateKey:
		return "ed25519"
	}
	return fmt.Sprintf("%T", k)
}

func TestGeneratorHandsOutDistinctFixturesOfTheRightKind(t *testing.T) {
	want := map[string]string{"RS256": "rsa2048", "RS256-4096": "rsa4096", "ES256": "ecdsa-P-256",
		"EdDSA": "ed25519", "RSA-OAEP-256": "rsa2048"}
	counts := map[string]int{"RS256": 8, "RS256-4096": 2, "ES256": 4, "EdDSA": 4, "RSA-OAEP-256": 4}
	gen := keystest.Generator()
	seen := map[string]string{} // public key text → alg that got it
	for alg, n := range counts {
		for i := range n {
			k, err := gen(alg)
			if err != nil {
				t.Fatalf("%s #%d: %v", alg, i, err)
			}
			if got := describe(k); got != want[alg] {
				t.Fatalf("%s #%d is %s, want %s", alg, i, got, want[alg])
			}
			id := fmt.Sprint(k.Public())
			if prev, dup := seen[id]; dup {
				t.Fatalf("%s #%d repeats a key already given for %s", alg, i, prev)
			}
			seen[id] = alg
		}
	}
	if _, err := gen("HS256"); err == nil {
		t.Fatal("generator made a key for HS256")
	}
}

func TestGeneratorsAreIndependentAndCycle(t *testing.T) {
	a, b := keystest.Generator(), keystest.Generator()
	ka, _ := a("ES256")
	kb, _ := b("ES256")
	if fmt.Sprint(ka.Public()) != fmt.Sprint(kb.Public()) {
		t.Fatal("two fresh generators start on different fixtures")
	}
	for range 4 {
		a("EdDSA")
	}
	first, _ := keystest.Key("ed25519-1")
	again, _ := a("EdDSA")
	if fmt.Sprint(again.Public()) != fmt.Sprint(first.Public()) {
		t.Fatal("the fifth EdDSA key is not the first fixture again")
	}
}
