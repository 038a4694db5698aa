package cluster_test

import (
	"bytes"
	"encoding/json"
	"testing"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

func (n *node) jwks(t *testing.T) jose.JSONWebKeySet {
	t.Helper()
	r := n.do(t, "GET", "/.well-known/jwks.json", nil)
	var set jose.JSONWebKeySet
	if err := json.Unmarshal(r.body, &set); r.status != 200 || err != nil {
		t.Fatalf("JWKS of %s: %d %s %v", n.name, r.status, r.body, err)
	}
	return set
}

// oneKeyOfEachUse checks that the nodes, started together on an empty
// database, made one signing key and one credential key between them, and
// all publish and hand out those.
func (c *cluster) oneKeyOfEachUse(t *testing.T) {
	first := c.nodes[0].jwks(t)
	uses := map[string]int{}
	for _, k := range first.Keys {
		uses[k.Use]++
	}
	if uses["sig"] != 1 || uses["enc"] != 1 || len(first.Keys) != 2 {
		t.Fatalf("three nodes started together published %d keys (%v), want one signing and one credential key", len(first.Keys), uses)
	}
	pem := c.nodes[0].do(t, "GET", "/auth/oauth/public-key", nil).body
	for _, n := range c.nodes[1:] {
		set := n.jwks(t)
		if len(set.Keys) != 2 || len(set.Key(first.Keys[0].KeyID)) != 1 || len(set.Key(first.Keys[1].KeyID)) != 1 {
			t.Fatalf("node %s publishes other keys than node %s", n.name, c.nodes[0].name)
		}
		if got := n.do(t, "GET", "/auth/oauth/public-key", nil).body; !bytes.Equal(got, pem) {
			t.Fatalf("node %s hands out another credential key than node %s", n.name, c.nodes[0].name)
		}
	}
}

// rotation rotates the signing key on a: b publishes the new key within
// the sync interval, neither signs with it before the JWKS max-age plus
// the sync interval has passed, both do right after, and every token,
// from before and after, verifies with either node's key set.
func rotation(t *testing.T, a, b *node) {
	u := newClient(t, a, "198.51.100.7", "hal@example.com")
	before, refresh := u.login(t, b)
	// Fresh access tokens come from refreshes (not logins, which the
	// login limit counts): each is signed by the node's current key.
	fresh := func(n *node) string {
		t.Helper()
		r := n.do(t, "POST", "/v1/auth/refresh", map[string]string{"token": refresh}, u.hdr()...)
		if r.status != 200 {
			t.Fatalf("refresh at %s: %d %s", n.name, r.status, r.body)
		}
		refresh = r.json(t)["refresh_token"].(string)
		return r.json(t)["access_token"].(string)
	}
	r := a.do(t, "POST", "/admin/v1/keys/rotate", nil, admin...)
	if r.status != 200 {
		t.Fatalf("rotate: %d %s", r.status, r.body)
	}
	kid := r.json(t)["kid"].(string)
	activeFrom, err := time.Parse(time.RFC3339Nano, r.json(t)["active_from"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if lead := time.Until(activeFrom); lead <= 0 || lead > jwksMaxAge+syncEvery {
		t.Fatalf("the new key signs in %v, want within the JWKS max-age plus the sync interval (%v)", lead, jwksMaxAge+syncEvery)
	}
	testenv.Eventually(t, syncEvery+time.Second, "the other node publishes the new key", func() bool {
		set := b.jwks(t)
		return len(set.Key(kid)) == 1
	})
	tokens := []string{before}
	for _, n := range []*node{a, b} {
		if tok := fresh(n); time.Now().Before(activeFrom) {
			if testenv.KidOf(t, tok) == kid {
				t.Fatalf("node %s signs with the new key before it is due", n.name)
			}
			tokens = append(tokens, tok)
		}
	}
	for _, n := range []*node{a, b} {
		testenv.Eventually(t, time.Until(activeFrom)+syncEvery+5*time.Second, "node "+n.name+" signs with the new key", func() bool {
			tok := fresh(n)
			tokens = append(tokens, tok)
			return testenv.KidOf(t, tok) == kid
		})
	}
	for _, n := range []*node{a, b} {
		set := n.jwks(t)
		for _, tok := range tokens {
			if !testenv.Verifies(set, tok) {
				t.Fatalf("a token signed with %s does not verify with the JWKS of node %s", testenv.KidOf(t, tok), n.name)
			}
		}
	}
}
