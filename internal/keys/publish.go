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

// PublicPEM returns the current key as SPKI PEM ("BEGIN PUBLIC KEY"), what
// GET /v1/auth/publicKey and /auth/oauth/public-key serve; nil before Ensure.
func (r *Ring) PublicPEM() []byte {
	k, err := r.Current()
	if err != nil {
		return nil
	}
	return []byte(k.PublicPEM)
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
		if ok && e.rec.Use == "enc" && now.Before(e.rec.ExpiresAt) {
			out = append(out, k)
		}
	}
	return out
}
