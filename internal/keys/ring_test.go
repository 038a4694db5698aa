package keys_test

import (
	"bytes"
	"context"
	"crypto"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/json"
	"encoding/pem"
	"errors"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/keys"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
)

// jwksKeys decodes a JWKS answer into kid → the member's fields.
func jwksKeys(t *testing.T, b []byte) map[string]map[string]any {
	t.Helper()
	var set struct{ Keys []map[string]any }
	if err := json.Unmarshal(b, &set); err != nil {
		t.Fatalf("JWKS %s: %v", b, err)
	}
	out := map[string]map[string]any{}
	for _, k := range set.Keys {
		out[k["kid"].(string)] = k
	}
	return out
}

func TestEnsureCreatesOneActiveKeyAndAStartReusesIt(t *testing.T) {
	e := newEnv()
	r := e.ring(t, keys.RingOptions{})
	k := mustCurrent(t, r)
	if !k.ActiveFrom.Equal(e.clk.Now().Add(-time.Minute)) || k.Alg != "RS256" || k.Use != "sig" { // dated a minute back: firstKeyBackdate
		t.Fatalf("first key %+v", k)
	}
	if want := k.RetireAt.Add(24*time.Hour + 5*time.Minute); !k.ExpiresAt.Equal(want) {
		t.Fatalf("ExpiresAt %v, want RetireAt+TokenTTL+margin %v", k.ExpiresAt, want)
	}
	if err := r.Ensure(context.Background()); err != nil {
		t.Fatal(err)
	}
	restarted := e.ring(t, keys.RingOptions{})
	if n, _ := e.st.count(); n != 1 || mustCurrent(t, restarted).KID != k.KID {
		t.Fatalf("store holds %d keys; restarted node signs with %s, want %s", n, mustCurrent(t, restarted).KID, k.KID)
	}
}

func TestPrivateKeysAreSealedAtRest(t *testing.T) {
	e := newEnv()
	e.ring(t, keys.RingOptions{})
	rec := e.st.recs[0]
	der, err := testSealer(t).Open(rec.PrivateSealed)
	if err != nil {
		t.Fatalf("stored private key does not open with the master key: %v", err)
	}
	if bytes.Contains(rec.PrivateSealed, der[len(der)-64:]) {
		t.Fatal("stored private key holds plaintext key material")
	}
	if _, err := x509.ParsePKCS8PrivateKey(der); err != nil {
		t.Fatal(err)
	}
	other, _ := keys.NewSealer(bytes.Repeat([]byte{9}, 32))
	wrong := keys.NewRing(e.st, other, keys.RingOptions{Now: e.clk.Now, Generate: e.gen})
	if err := wrong.Ensure(context.Background()); !errors.Is(err, keys.ErrSealed) {
		t.Fatalf("Ensure with another master key: err = %v, want ErrSealed", err)
	}
}

func TestRotationPublishesTheNextKeyBeforeItSignsAndKeepsTheOldOneUntilItsTokensExpire(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	opts := keys.RingOptions{Lifetime: 10 * time.Hour, Publish: time.Hour, TokenTTL: 2 * time.Hour}
	r := e.ring(t, opts)
	old := mustCurrent(t, r)
	oldToken := mustSign(t, r, sampleClaims(e.clk.Now()))

	e.clk.Advance(7*time.Hour + 59*time.Minute) // more than 2×Publish left: nothing to do
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	if got := len(jwksKeys(t, r.JWKS())); got != 1 {
		t.Fatalf("JWKS has %d keys three hours before retirement, want 1", got)
	}

	e.clk.Advance(30 * time.Minute) // 1h31m left
	if err := r.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	published := jwksKeys(t, r.JWKS())
	if len(published) != 2 {
		t.Fatalf("JWKS has %d keys before retirement, want current and next", len(published))
	}
	if cur := mustCurrent(t, r); cur.KID != old.KID {
		t.Fatalf("the next key signs before the current one retires")
	}
	var next string
	for kid := range published {
		if kid != old.KID {
			next = kid
		}
	}

	e.clk.Advance(91 * time.Minute) // past old.RetireAt
	if cur := mustCurrent(t, r); cur.KID != next || !cur.ActiveFrom.Equal(old.RetireAt) {
		t.Fatalf("after retirement signing key %s (from %v), want the published %s from %v", cur.KID, cur.ActiveFrom, next, old.RetireAt)
	}
	if _, err := r.Verify(ctx, oldToken); err != nil {
		t.Fatalf("a token of the retired key no longer verifies: %v", err)
	}

	e.clk.Advance(2*time.Hour + 5*time.Minute) // past old.ExpiresAt
	if _, ok := jwksKeys(t, r.JWKS())[old.KID]; ok {
		t.Fatal("expired key still published")
	}
	if _, err := r.Verify(ctx, oldToken); !errors.Is(err, core.ErrInvalidToken) {
		t.Fatalf("token of an expired key: err = %v, want ErrInvalidToken", err)
	}
}

func TestAnUnknownKidReloadsTheKeysAnotherNodeRotated(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	a := e.ring(t, keys.RingOptions{})
	b := e.ring(t, keys.RingOptions{})
	if _, err := b.Rotate(ctx, true); err != nil {
		t.Fatal(err)
	}
	tok := mustSign(t, b, sampleClaims(e.clk.Now()))

	e.clk.Advance(2 * time.Second) // a loaded at start; the reload limit has passed
	_, loads := e.st.count()
	if _, err := a.Verify(ctx, tok); err != nil {
		t.Fatalf("node a refused node b's new key: %v", err)
	}
	if _, after := e.st.count(); after != loads+1 {
		t.Fatalf("store loads %d → %d, want one reload", loads, after)
	}
	if _, ok := jwksKeys(t, a.JWKS())[mustCurrent(t, b).KID]; !ok {
		t.Fatal("node a does not publish node b's key after the reload")
	}
}

func TestUnknownKidsReloadAtMostOncePerSecond(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	r := e.ring(t, keys.RingOptions{})
	forged := signWith(t, "RS256", fixture(t, "rsa2048-6"), "made-up")
	e.clk.Advance(2 * time.Second)
	_, loads := e.st.count()

	var wg sync.WaitGroup
	for range 16 {
		wg.Go(func() { r.Verify(ctx, forged) })
	}
	wg.Wait()
	if _, after := e.st.count(); after != loads+1 {
		t.Fatalf("16 concurrent unknown kids made %d reloads, want 1", after-loads)
	}
	e.clk.Advance(999 * time.Millisecond)
	r.Verify(ctx, forged)
	if _, after := e.st.count(); after != loads+1 {
		t.Fatal("reloaded again within a second")
	}
	e.clk.Advance(time.Millisecond)
	r.Verify(ctx, forged)
	if _, after := e.st.count(); after != loads+2 {
		t.Fatal("did not reload after a second")
	}
}

func TestChangingTheAlgorithmPublishesANewKeyAndOldTokensStillVerify(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	rsaRing := e.ring(t, keys.RingOptions{})
	old := mustSign(t, rsaRing, sampleClaims(e.clk.Now()))
	// RS256-4096 first: the current key has the same alg name but the wrong size.
	for _, alg := range []string{"RS256-4096", "ES256", "EdDSA"} {
		before := mustCurrent(t, rsaRing)
		r := e.ring(t, keys.RingOptions{Alg: alg})
		if k := mustCurrent(t, r); k.KID != before.KID {
			t.Fatalf("%s ring signs with its new key %s before it was published for the lead", alg, k.KID)
		}
		if n := len(jwksKeys(t, r.JWKS())); n < 2 {
			t.Fatalf("%s ring publishes %d keys, want the old and the new one", alg, n)
		}
		e.clk.Advance(lead)
		if err := rsaRing.Ensure(ctx); err != nil { // a node still on RS256 syncs and keeps the new key
			t.Fatal(err)
		}
		k := mustCurrent(t, r)
		if cur := mustCurrent(t, rsaRing); cur.KID != k.KID {
			t.Fatalf("a node of the old setting signs with %s, want the new key %s", cur.KID, k.KID)
		}
		if k.Alg != strings.TrimSuffix(alg, "-4096") {
			t.Fatalf("%s ring signs with %s", alg, k.Alg)
		}
		if pub, ok := k.Public.(*rsa.PublicKey); ok && pub.N.BitLen() != 4096 {
			t.Fatalf("%s ring signs with a %d-bit key", alg, pub.N.BitLen())
		}
		if _, err := r.Verify(ctx, old); err != nil {
			t.Fatalf("%s ring refuses an RS256 token of a published key: %v", alg, err)
		}
		if _, err := r.Verify(ctx, mustSign(t, r, sampleClaims(e.clk.Now()))); err != nil {
			t.Fatalf("%s round trip: %v", alg, err)
		}
	}
}

func TestInvalidOptionsAreReportedByEnsure(t *testing.T) {
	e := newEnv()
	for name, o := range map[string]keys.RingOptions{
		"unknown alg":       {Alg: "HS256"},
		"enc with ES256":    {Use: "enc", Alg: "ES256"},
		"sig with OAEP":     {Use: "sig", Alg: "RSA-OAEP-256"},
		"lead too long":     {Lifetime: time.Hour, Publish: 30 * time.Minute},
		"unknown use":       {Use: "wrap"},
		"generator misfits": {Alg: "ES256", Generate: func(string) (crypto.Signer, error) { return keystest.Key("rsa2048-1") }},
	} {
		o.Now = e.clk.Now
		if o.Generate == nil {
			o.Generate = e.gen
		}
		if err := keys.NewRing(e.st, testSealer(t), o).Ensure(context.Background()); err == nil {
			t.Errorf("%s: Ensure succeeded", name)
		}
	}
}

func TestTheCredentialRingDecryptsWithTheCurrentAndOverlappingKeys(t *testing.T) {
	e := newEnv()
	ctx := context.Background()
	enc := e.ring(t, keys.RingOptions{Use: "enc"})
	sig := e.ring(t, keys.RingOptions{})
	first := mustCurrent(t, enc)
	if first.Alg != "RSA-OAEP-256" || first.RetireAt.Sub(first.ActiveFrom) != 24*time.Hour {
		t.Fatalf("enc key %+v", first)
	}
	ct := encryptOAEP(t, enc.PublicPEM(), "user@example.test")

	e.clk.Advance(24 * time.Hour) // the credential key retires without this node having synced
	if err := enc.Ensure(ctx); err != nil {
		t.Fatal(err)
	}
	ds := enc.Decrypters()
	if len(ds) != 2 || mustCurrent(t, enc).KID == first.KID {
		t.Fatalf("%d decrypters after rotation, want new and old", len(ds))
	}
	if _, err := ds[0].Decrypt(nil, ct, &rsa.OAEPOptions{Hash: crypto.SHA256}); err == nil {
		t.Fatal("the newest decrypter is the old key")
	}
	if pt, err := ds[1].Decrypt(nil, ct, &rsa.OAEPOptions{Hash: crypto.SHA256}); err != nil || string(pt) != "user@example.test" {
		t.Fatalf("old key within overlap: %q, %v", pt, err)
	}
	merged := jwksKeys(t, keys.MergeJWKS(sig, enc))
	if len(merged) != 3 || merged[first.KID]["use"] != "enc" || merged[first.KID]["alg"] != "RSA-OAEP-256" ||
		merged[mustCurrent(t, sig).KID]["use"] != "sig" || merged[mustCurrent(t, sig).KID]["kty"] != "RSA" {
		t.Fatalf("merged JWKS %v", merged)
	}
	if sig.Decrypters() != nil {
		t.Fatal("a signing ring hands out decrypters")
	}

	e.clk.Advance(time.Hour + 5*time.Minute) // past the overlap
	if ds := enc.Decrypters(); len(ds) != 1 {
		t.Fatalf("%d decrypters after the overlap, want 1", len(ds))
	}
}

func encryptOAEP(t *testing.T, pemText []byte, msg string) []byte {
	t.Helper()
	block, _ := pem.Decode(pemText)
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	ct, err := rsa.EncryptOAEP(sha256.New(), rand.Reader, pub.(*rsa.PublicKey), []byte(msg), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ct
}
