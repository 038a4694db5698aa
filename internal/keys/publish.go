package keys

import (
	"crypto/rsa"
	"encoding/json"

	jose "github.com/go-jose/go-jose/v4"
)

// JWKS returns the ring's key set as JSON, {"keys":[…]}: every key not yet
// expired, including the next one published before it signs, each with kid,
// kty, alg and use (RFC 7517).
func (r *Ring) JWKS() []byte {
	return MergeJWKS(r)
}

// MergeJWKS returns one key set of the published keys of several rings, as
// /.well-known/jwks.json serves the signing keys and the credential key
// (use "enc") together.
func MergeJWKS(rings ...*Ring) []byte {
	set := jose.JSONWebKeySet{Keys: []jose.JSONWebKey{}}
	for _, r := range rings {
		set.Keys = r.appendPublished(set.Keys)
	}
	b, err := json.Marshal(set)
	if err != nil {
		// Only public RSA, EC and Ed25519 keys that go-jose built itself
		// reach here; failing to marshal them is a programming error.
		panic("keys: marshal JWKS: " + err.Error())
	}
	return b
}

func (r *Ring) appendPublished(keys []jose.JSONWebKey) []jose.JSONWebKey {
	now := r.opts.Now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	for _, e := range r.keys {
		if now.Before(e.rec.ExpiresAt) {
			keys = append(keys, e.jwk)
		}
	}
	return keys
}

// PublicPEM returns the key that signs now (for enc rings: the key clients
// should encrypt with) as SPKI PEM ("BEGIN PUBLIC KEY"), what GET
// /v1/auth/publicKey and /auth/oauth/public-key serve. Should this node
// know no such key (the current one retired while the store could not be
// read), it returns the newest published key that has begun signing, else
// the newest published one: a key that still verifies (decrypts), never
// an empty answer. Nil only when no key is published at all (before
// Ensure); the doors then answer 503.
func (r *Ring) PublicPEM() []byte {
	now := r.opts.Now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	if e := r.current(now); e != nil {
		return []byte(e.rec.PublicPEM)
	}
	var newest *entry
	for _, e := range r.keys { // newest first
		if !now.Before(e.rec.ExpiresAt) {
			continue
		}
		if !now.Before(e.rec.ActiveFrom) {
			return []byte(e.rec.PublicPEM)
		}
		if newest == nil {
			newest = e
		}
	}
	if newest == nil {
		return nil
	}
	return []byte(newest.rec.PublicPEM)
}

// Decrypters returns the private keys of an enc ring that may still decrypt,
// newest first: the current key and the retired ones still within their
// overlap (TokenTTL). The bank door tries them in order. Nil for sig rings.
func (r *Ring) Decrypters() []*rsa.PrivateKey {
	now := r.opts.Now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	var out []*rsa.PrivateKey
	for _, e := range r.keys {
		k, ok := e.priv.(*rsa.PrivateKey)
		if ok && e.jwk.Use == "enc" && now.Before(e.rec.ExpiresAt) {
			out = append(out, k)
		}
	}
	return out
}
