package keys

import (
	"crypto/sha256"
	"maps"
	"sync"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// verified remembers tokens whose signature this ring has already checked,
// so that a client presenting its access token on every request pays the
// RSA verification and the JOSE parsing once per token, not once per
// request (they were a fifth of the CPU of an authenticated read;
// BENCHMARKS.md). It is keyed by the SHA-256 of the whole compact token,
// so any change to header, claims or signature misses; the token itself is
// not kept. An entry is used only while the token has not expired and the
// key that signed it is still published by the ring; everything else
// (session revocation, a locked user) is judged by the core on every
// request, as before.
type verified struct {
	mu      sync.Mutex
	entries map[[32]byte]verifiedEntry
}

type verifiedEntry struct {
	kid    string
	claims identity.Claims
}

// verifiedMax bounds the memory: at about 400 bytes an entry, 4 MiB.
const verifiedMax = 10000

func (v *verified) get(token string, now time.Time) (string, identity.Claims, bool) {
	sum := sha256.Sum256([]byte(token))
	v.mu.Lock()
	e, ok := v.entries[sum]
	v.mu.Unlock()
	if !ok || !now.Before(e.claims.ExpiresAt) {
		return "", identity.Claims{}, false
	}
	c := e.claims
	c.Extra = maps.Clone(c.Extra) // callers get their own map
	return e.kid, c, true
}

// put records a verified token. When the cache is full it first drops
// what has expired and, if that freed nothing, starts over: an eviction
// only costs one more verification.
func (v *verified) put(token, kid string, c identity.Claims, now time.Time) {
	if c.ExpiresAt.IsZero() || !now.Before(c.ExpiresAt) {
		return
	}
	sum := sha256.Sum256([]byte(token))
	c.Extra = maps.Clone(c.Extra)
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.entries == nil {
		v.entries = map[[32]byte]verifiedEntry{}
	}
	if len(v.entries) >= verifiedMax {
		for k, e := range v.entries {
			if !now.Before(e.claims.ExpiresAt) {
				delete(v.entries, k)
			}
		}
		if len(v.entries) >= verifiedMax {
			clear(v.entries)
		}
	}
	v.entries[sum] = verifiedEntry{kid: kid, claims: c}
}
