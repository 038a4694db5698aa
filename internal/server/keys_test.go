package server_test

import (
	"bytes"
	"context"
	"encoding/json"
	"net/url"
	"strings"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// nodes starts n Gatehouses on one database, as the nodes of one
// deployment. Each has a clock of its own, started at the same instant;
// tests move them together. The nodes share the fixture keys' sequence
// only in name, so tests let the first node make every key.
func nodes(t *testing.T, b testenv.Backend, n int, edit func(*config.Config)) []*testenv.Env {
	t.Helper()
	first := newEnv(t, b, edit)
	out := []*testenv.Env{first}
	for len(out) < n {
		out = append(out, newEnv(t, b, func(c *config.Config) {
			if edit != nil {
				edit(c)
			}
			// One deployment: one database, master key and public URL
			// (the issuer and audience of every token), and one mail
			// server: any node's outbox worker may deliver a mail another
			// node queued, and the tests read it from the first node's sink.
			c.DatabaseURL, c.MasterKey, c.PublicURL = first.Config.DatabaseURL, first.Config.MasterKey, first.Config.PublicURL
			c.SMTPURL = first.Config.SMTPURL
		}))
	}
	return out
}

// advance moves the clocks of every node by d.
func advance(d time.Duration, envs ...*testenv.Env) {
	for _, e := range envs {
		e.Clock.Advance(d)
	}
}

// jwks fetches a node's key set.
func jwks(t *testing.T, e *testenv.Env) jose.JSONWebKeySet {
	t.Helper()
	r := e.Do("GET", "/.well-known/jwks.json", nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.Body, &set); r.Status != 200 || err != nil {
		t.Fatalf("JWKS: %d %s %v", r.Status, r.Body, err)
	}
	return set
}

func hasKid(set jose.JSONWebKeySet, kid string) bool { return len(set.Key(kid)) > 0 }

func accessToken(t *testing.T, e *testenv.Env, email, password string) string {
	t.Helper()
	r := loginAs(e, email, password)
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	var p pair
	r.JSON(t, &p)
	return p.AccessToken
}

// syncFast makes the nodes reload their keys every 100 ms of real
// time, and lets clients cache keys for a minute.
func syncFast(c *config.Config) {
	c.KeySyncInterval, c.JWKSMaxAge = 100*time.Millisecond, time.Minute
}

const keyLead = time.Minute + 100*time.Millisecond // JWKSMaxAge + KeySyncInterval of syncFast

func TestARotationOnOneNodeIsPublishedByEveryNodeBeforeAnyNodeSignsWithIt(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, be testenv.Backend) {
		n := nodes(t, be, 2, syncFast)
		a, b := n[0], n[1]
		signUp(t, a, "ann@example.com", "ann's password")
		before := accessToken(t, a, "ann@example.com", "ann's password")
		if got := a.Do("GET", "/.well-known/jwks.json", nil).Header.Get("Cache-Control"); got != "public, max-age=60" {
			t.Fatalf("JWKS Cache-Control %q, want the configured max-age of 60 s", got)
		}

		r := a.Do("POST", "/admin/v1/keys/rotate", nil, bearer(adminToken)...)
		if r.Status != 200 {
			t.Fatalf("rotate: %d %s", r.Status, r.Body)
		}
		var rotated struct {
			KID        string    `json:"kid"`
			ActiveFrom time.Time `json:"active_from"`
		}
		r.JSON(t, &rotated)
		if !rotated.ActiveFrom.Equal(a.Clock.Now().Add(keyLead)) {
			t.Fatalf("the new key signs from %v, want the JWKS max-age plus the sync interval from now (%v)", rotated.ActiveFrom, a.Clock.Now().Add(keyLead))
		}
		testenv.Eventually(t, 5*time.Second, "the other node publishes the new key", func() bool { return hasKid(jwks(t, b), rotated.KID) })
		oldPEM := a.Do("GET", "/v1/auth/publicKey", nil).Body
		for name, e := range map[string]*testenv.Env{"rotating node": a, "other node": b} {
			if kid := testenv.KidOf(t, accessToken(t, e, "ann@example.com", "ann's password")); kid == rotated.KID || kid != testenv.KidOf(t, before) {
				t.Fatalf("%s signs with %s before the lead has passed, want the old key", name, kid)
			}
			if pem := e.Do("GET", "/v1/auth/publicKey", nil).Body; !bytes.Equal(pem, oldPEM) {
				t.Fatalf("%s serves another public key before the new one signs", name)
			}
		}

		advance(keyLead, a, b)
		var after []string
		for name, e := range map[string]*testenv.Env{"rotating node": a, "other node": b} {
			tok := accessToken(t, e, "ann@example.com", "ann's password")
			if kid := testenv.KidOf(t, tok); kid != rotated.KID {
				t.Fatalf("%s signs with %s once the lead has passed, want %s", name, kid, rotated.KID)
			}
			if pem := e.Do("GET", "/v1/auth/publicKey", nil).Body; bytes.Equal(pem, oldPEM) || !strings.Contains(string(pem), "BEGIN PUBLIC KEY") {
				t.Fatalf("%s still serves the old public key", name)
			}
			after = append(after, tok)
		}
		for name, e := range map[string]*testenv.Env{"rotating node": a, "other node": b} {
			set := jwks(t, e)
			for _, tok := range append(after, before) {
				if !testenv.Verifies(set, tok) {
					t.Fatalf("a token signed with %s does not verify with the JWKS of the %s", testenv.KidOf(t, tok), name)
				}
				if r := e.Do("GET", "/v1/user/profile", nil, bearer(tok)...); r.Status != 200 {
					t.Fatalf("the %s refuses a token signed with %s: %d %s", name, testenv.KidOf(t, tok), r.Status, r.Body)
				}
			}
		}
	})
}

func TestAnImmediateRotationRefusesTokensOfTheOldKeyOnEveryNode(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, be testenv.Backend) {
		n := nodes(t, be, 2, syncFast)
		a, b := n[0], n[1]
		signUp(t, a, "ann@example.com", "ann's password")
		leaked := accessToken(t, a, "ann@example.com", "ann's password")
		if r := b.Do("GET", "/v1/user/profile", nil, bearer(leaked)...); r.Status != 200 {
			t.Fatalf("before the rotation: %d", r.Status)
		}
		if r := a.Do("POST", "/admin/v1/keys/rotate?immediate=nope", nil, bearer(adminToken)...); r.Status != 400 || r.Map(t)["field"] != "immediate" {
			t.Fatalf("immediate=nope: %d %s, want 400 naming the field", r.Status, r.Body)
		}
		r := a.Do("POST", "/admin/v1/keys/rotate?immediate=true", nil, bearer(adminToken)...)
		if r.Status != 200 || r.Map(t)["immediate"] != true {
			t.Fatalf("rotate: %d %s", r.Status, r.Body)
		}
		kid := r.Map(t)["kid"].(string)
		if got := testenv.KidOf(t, accessToken(t, a, "ann@example.com", "ann's password")); got != kid {
			t.Fatalf("the rotating node signs with %s, want the new key %s at once", got, kid)
		}
		if r := a.Do("GET", "/v1/user/profile", nil, bearer(leaked)...); r.Status != 401 {
			t.Fatalf("the rotating node accepts a token of the replaced key: %d", r.Status)
		}
		testenv.Eventually(t, 5*time.Second, "the other node refuses tokens of the replaced key", func() bool {
			return b.Do("GET", "/v1/user/profile", nil, bearer(leaked)...).Status == 401
		})
		if got := testenv.KidOf(t, accessToken(t, b, "ann@example.com", "ann's password")); got != kid {
			t.Fatalf("the other node signs with %s after its sync, want %s", got, kid)
		}
		if set := jwks(t, b); hasKid(set, testenv.KidOf(t, leaked)) || !hasKid(set, kid) {
			t.Fatal("the other node's JWKS still lists the replaced key, or not the new one")
		}
	})
}

// credentialKeyRetireAt is when the first node's current credential key
// retires.
func credentialKeyRetireAt(t *testing.T, e *testenv.Env) time.Time {
	t.Helper()
	k, err := e.Srv.Credential.Current()
	if err != nil {
		t.Fatal(err)
	}
	return k.RetireAt
}

func TestTheNextCredentialKeyIsHandedOutOnlyOnceEveryNodeDecryptsWithIt(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, be testenv.Backend) {
		n := nodes(t, be, 2, syncFast)
		a, b := n[0], n[1]
		first := newBankUser(t, a, "bank@example.com", "bank password 1")
		firstPEM := a.Do("GET", "/auth/oauth/public-key", nil).Body
		retire := credentialKeyRetireAt(t, a)

		// Two leads before it retires, the next key is made (here by the
		// first node's sync, run now) and every node loads it.
		advance(retire.Add(-2*keyLead+time.Second).Sub(a.Clock.Now()), a, b)
		if err := a.Srv.Credential.Ensure(context.Background()); err != nil {
			t.Fatal(err)
		}
		testenv.Eventually(t, 5*time.Second, "the other node publishes the next credential key", func() bool {
			return len(jwks(t, b).Keys) == 3 // the signing key, the current and the next credential keys
		})
		for name, e := range map[string]*testenv.Env{"first node": a, "other node": b} {
			if pem := e.Do("GET", "/auth/oauth/public-key", nil).Body; !bytes.Equal(pem, firstPEM) {
				t.Fatalf("the %s hands out the next credential key before the current one retires", name)
			}
		}

		advance(retire.Sub(a.Clock.Now()), a, b) // the current key retires
		r := a.Do("GET", "/auth/oauth/public-key", nil)
		nextPEM := r.Body
		if r.Status != 200 || !strings.Contains(string(nextPEM), "BEGIN PUBLIC KEY") || bytes.Equal(nextPEM, firstPEM) {
			t.Fatalf("public key once the current one retired: %d %q", r.Status, r.Body)
		}
		if r.Header.Get("Cache-Control") != "public, max-age=60" {
			t.Fatalf("public key Cache-Control %q, want the configured max-age", r.Header.Get("Cache-Control"))
		}
		if pem := b.Do("GET", "/auth/oauth/public-key", nil).Body; !bytes.Equal(pem, nextPEM) {
			t.Fatalf("the nodes hand out different credential keys: %q and %q", nextPEM, pem)
		}
		next := &bankFixture{e: b, pub: parsePEM(t, nextPEM)}
		if r := next.step1(t, "bank@example.com", "bank password 1"); r.Status != 200 {
			t.Fatalf("credentials encrypted with the first node's new key, on the other node: %d %s", r.Status, r.Body)
		}
		first.e = b // encrypted with the retired key, which still decrypts for an hour
		if r := first.step1(t, "bank@example.com", "bank password 1"); r.Status != 200 {
			t.Fatalf("credentials encrypted with the retired key within its overlap: %d %s", r.Status, r.Body)
		}
	})
}

func TestCredentialsEncryptedWithAKeyANodeHasNotLoadedOpenAfterAReload(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, be testenv.Backend) {
		n := nodes(t, be, 2, func(c *config.Config) { c.KeySyncInterval = 5 * time.Minute }) // no sync during the test
		a, b := n[0], n[1]
		newBankUser(t, a, "bank@example.com", "bank password 1")
		retire := credentialKeyRetireAt(t, a)
		advance(retire.Add(-time.Minute).Sub(a.Clock.Now()), a, b)
		if err := a.Srv.Credential.Ensure(context.Background()); err != nil { // only the first node has the next key
			t.Fatal(err)
		}
		advance(retire.Sub(a.Clock.Now()), a, b)
		pem := a.Do("GET", "/auth/oauth/public-key", nil).Body
		fx := &bankFixture{e: b, pub: parsePEM(t, pem)}
		if r := fx.step1(t, "bank@example.com", "bank password 1"); r.Status != 200 {
			t.Fatalf("credentials encrypted with a key the other node had not loaded: %d %s", r.Status, r.Body)
		}
		q := url.Values{"grant_type": {"password"}, "user_type": {"customer"}, "username": {"bm90IGEgY2lwaGVydGV4dA"}, "password": {"bm90IGEgY2lwaGVydGV4dA"}}
		if r := b.Do("POST", "/auth/oauth/token?"+q.Encode(), "{}", "Authorization", webBasic); r.Status != 400 || r.Map(t)["error"] != "invalid_grant" {
			t.Fatalf("garbage ciphertexts: %d %s, want 400 invalid_grant (a wrong password)", r.Status, r.Body)
		}
	})
}
