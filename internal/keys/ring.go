package keys

import (
	"cmp"
	"context"
	"crypto"
	"crypto/rsa"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Record is a signing or encryption key kept in the store. The private
// key is sealed with the master key; the public half is plain PEM (SPKI).
type Record struct {
	KID string
	// Use is the ring the key belongs to (RingOptions.Name): "sig" (token
	// signing), "enc" (bank credential encryption), or IDTokenRing.
	Use           string
	Alg           string // RS256, ES256, EdDSA, RSA-OAEP-256
	PrivateSealed []byte
	PublicPEM     string
	CreatedAt     time.Time
	ActiveFrom    time.Time // published before it signs, so verifiers can fetch it first
	RetireAt      time.Time // stops signing
	ExpiresAt     time.Time // stops being published (after the last token it signed expired)
}

// RingStore keeps the keys of every ring (internal/store/sqlstore).
type RingStore interface {
	// Keys returns every key of the use not yet expired at now, newest first.
	Keys(ctx context.Context, use string, now time.Time) ([]Record, error)
	// UpdateKeys calls fn with the keys of the use not yet expired at now,
	// newest first, and stores the change fn returns, in one transaction
	// that no other UpdateKeys of the same use, on any node, overlaps: the
	// later one waits, then sees what the earlier one stored. So nodes
	// that find a key missing at the same moment create one between them,
	// not one each. fn may run more than once (a retried transaction) and
	// must not keep anything across calls. A retirement naming an unknown
	// kid is ignored; an inserted kid that exists is an error.
	UpdateKeys(ctx context.Context, use string, now time.Time, fn func([]Record) (Change, error)) error
}

// Change is what UpdateKeys stores: a new key, and new retirement and
// expiry times for existing ones (rotation moves them earlier).
type Change struct {
	Insert *Record
	Retire []Retirement
}

// Retirement sets the times at which key KID stops signing and stops
// being published.
type Retirement struct {
	KID       string
	RetireAt  time.Time
	ExpiresAt time.Time
}

// RingOptions configure a Ring. Zero values take the documented defaults.
type RingOptions struct {
	Use string // "sig" (default) or "enc": the published keys' use (RFC 7517 §4.2)
	// Name is the ring's name in the store (RingStore's use, the lock of
	// key_locks): default Use. A second ring of one use keeps its keys
	// apart under its own name (IDTokenRing).
	Name string
	// Alg is RS256 (default for sig, RSA-2048), RS256-4096, ES256, EdDSA, or
	// RSA-OAEP-256 (default and only choice for enc, RSA-2048).
	Alg string
	// Lifetime is how long a key signs (or is the current enc key): default
	// 30 days for sig, 24 h for enc.
	Lifetime time.Duration
	// Publish is how long before it starts signing (for enc: before it is
	// handed out to encrypt with) a new key is published: default 1 h for
	// sig, and never less than the publication lead, CacheMaxAge + Sync.
	Publish time.Duration
	// Sync is the longest a node's copy of the ring may lag behind the
	// store: the server reloads every ring this often
	// (GATEHOUSE_KEY_SYNC_INTERVAL). Default 5 s.
	Sync time.Duration
	// CacheMaxAge is how long verifiers and clients may keep the published
	// keys: the max-age of the JWKS and public-key answers
	// (GATEHOUSE_JWKS_MAX_AGE). Default 5 min. A new key is published at
	// least CacheMaxAge + Sync before it signs, so that every node has
	// loaded it and every cached key set holds it by then.
	CacheMaxAge time.Duration
	// TokenTTL is the longest lifetime of what a key signs (for enc: how
	// long a retired key still decrypts). A key stays published until
	// RetireAt + TokenTTL + a clock-skew margin. Default 24 h sig, 1 h enc.
	TokenTTL time.Duration
	Now      func() time.Time
	// Issuer is the iss claim when identity.Claims.Issuer is empty.
	Issuer string
	// Generate makes a new private key for Alg; nil means GenerateKey
	// (crypto/rand). Tests hand out fixtures (package keystest).
	Generate func(alg string) (crypto.Signer, error)
}

// Lead is the publication lead: how long before a key signs (or is handed
// out to encrypt with) it must be in the store, so that every node has
// loaded it (Sync) and every verifier's cached copy of the key set holds
// it (CacheMaxAge).
func (o RingOptions) Lead() time.Duration { return o.CacheMaxAge + o.Sync }

// expiryMargin covers clock skew between nodes and verifiers.
const expiryMargin = 5 * time.Minute

// minReloadInterval bounds how often an unknown kid or an undecryptable
// credential reloads the store, so that made-up kids and garbage
// ciphertexts cannot hammer the database.
const minReloadInterval = time.Second

// ErrNoKey is returned when the ring has no active key (Ensure not yet run).
var ErrNoKey = errors.New("keys: no active key")

// Key is the public view of a key in a ring.
type Key struct {
	KID, Use, Alg string
	Public        crypto.PublicKey
	PublicPEM     string // SPKI
	CreatedAt     time.Time
	ActiveFrom    time.Time
	RetireAt      time.Time
	ExpiresAt     time.Time
}

// entry is a cached key, its private half opened once.
type entry struct {
	rec    Record // PrivateSealed cleared
	priv   crypto.Signer
	jwk    jose.JSONWebKey // public, with kid, alg and use
	signer jose.Signer     // sig keys only
	// atSigner signs with typ at+jwt (AccessTokenType); sig keys only.
	atSigner jose.Signer
}

func (e *entry) key() Key {
	return Key{KID: e.rec.KID, Use: e.jwk.Use, Alg: e.rec.Alg, Public: e.jwk.Key, PublicPEM: e.rec.PublicPEM,
		CreatedAt: e.rec.CreatedAt, ActiveFrom: e.rec.ActiveFrom, RetireAt: e.rec.RetireAt, ExpiresAt: e.rec.ExpiresAt}
}

// Ring is a rotating set of keys of one use, shared through the store by
// every node. It implements identity.TokenSigner for sig rings. Safe for
// concurrent use.
type Ring struct {
	st     RingStore
	sealer core.Sealer
	opts   RingOptions
	spec   algSpec
	err    error // invalid options, reported by Ensure and Sign

	// storeMu serialises this node's store reads and key creation, so
	// that an unknown-kid storm makes a single reload (the others wait,
	// then find it fresh); across nodes the store serialises creation
	// (RingStore.UpdateKeys).
	storeMu  sync.Mutex
	lastLoad time.Time
	started  bool // Ensure has succeeded once (rotate.go: missing)

	mu   sync.RWMutex
	keys []*entry // newest ActiveFrom first

	verified verified // tokens whose signature was checked (verifycache.go)
}

// NewRing returns a ring over st; call Ensure before use. Invalid options
// are reported by Ensure.
func NewRing(st RingStore, sealer core.Sealer, opts RingOptions) *Ring {
	r := &Ring{st: st, sealer: sealer}
	r.opts, r.spec, r.err = normalize(opts)
	return r
}

func normalize(o RingOptions) (RingOptions, algSpec, error) {
	if o.Use == "" {
		o.Use = "sig"
		if o.Alg == AlgRSAOAEP256 {
			o.Use = "enc"
		}
	}
	o.Name = cmp.Or(o.Name, o.Use)
	o.Sync = cmp.Or(o.Sync, 5*time.Second)
	if o.CacheMaxAge == 0 {
		o.CacheMaxAge = 5 * time.Minute
	}
	if o.Use == "enc" {
		o.Alg = cmp.Or(o.Alg, AlgRSAOAEP256)
		o.Lifetime = cmp.Or(o.Lifetime, 24*time.Hour)
		o.TokenTTL = cmp.Or(o.TokenTTL, time.Hour)
	} else {
		o.Alg = cmp.Or(o.Alg, AlgRS256)
		o.Lifetime = cmp.Or(o.Lifetime, 30*24*time.Hour)
		o.Publish = cmp.Or(o.Publish, time.Hour)
		o.TokenTTL = cmp.Or(o.TokenTTL, 24*time.Hour)
	}
	o.Publish = max(o.Publish, o.Lead())
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Generate == nil {
		o.Generate = GenerateKey
	}
	spec, ok := algSpecs[o.Alg]
	switch {
	case !ok:
		return o, spec, fmt.Errorf("keys: unknown algorithm %q", o.Alg)
	case spec.use != o.Use:
		return o, spec, fmt.Errorf("keys: algorithm %s is not for use %q", o.Alg, o.Use)
	case o.Sync < 0 || o.CacheMaxAge < 0:
		return o, spec, fmt.Errorf("keys: negative sync interval %v or cache lifetime %v", o.Sync, o.CacheMaxAge)
	case o.Lifetime <= 2*o.Publish:
		return o, spec, fmt.Errorf("keys: lifetime %v must exceed twice the publication lead %v", o.Lifetime, o.Publish)
	}
	return o, spec, nil
}

// Current returns the key that signs now (for enc rings: the key clients
// should encrypt with). It returns ErrNoKey before Ensure.
func (r *Ring) Current() (Key, error) {
	r.mu.RLock()
	defer r.mu.RUnlock()
	e := r.current(r.opts.Now())
	if e == nil {
		return Key{}, ErrNoKey
	}
	return e.key(), nil
}

// Keys returns every cached key not expired at now, newest first.
func (r *Ring) Keys() []Key {
	now := r.opts.Now()
	r.mu.RLock()
	defer r.mu.RUnlock()
	out := make([]Key, 0, len(r.keys))
	for _, e := range r.keys {
		if now.Before(e.rec.ExpiresAt) {
			out = append(out, e.key())
		}
	}
	return out
}

// current picks the key that signs now. Callers hold mu (or storeMu,
// which excludes every writer of keys).
func (r *Ring) current(now time.Time) *entry { return currentOf(r.keys, now) }

// fits reports whether a key matches the configured algorithm, so that a
// configuration change (say RS256 → ES256) takes effect at the next Ensure.
func (r *Ring) fits(e *entry) bool {
	if e.rec.Alg != r.spec.jose {
		return false
	}
	rk, ok := e.priv.(*rsa.PrivateKey)
	return !ok || rk.N.BitLen() == r.spec.bits
}

// load reads the store and replaces the cache. The caller holds storeMu.
func (r *Ring) load(ctx context.Context) error {
	now := r.opts.Now()
	recs, err := r.st.Keys(ctx, r.opts.Name, now)
	if err != nil {
		return fmt.Errorf("load keys: %w", err)
	}
	fresh, err := r.entries(recs)
	if err != nil {
		return err
	}
	r.replace(fresh)
	r.lastLoad = now
	return nil
}

// entries turns stored keys into cache entries, opening only the private
// keys it has not opened before; the times come from the records, since
// a rotation on another node may have moved them.
func (r *Ring) entries(recs []Record) ([]*entry, error) {
	r.mu.RLock()
	old := make(map[string]*entry, len(r.keys))
	for _, e := range r.keys {
		old[e.rec.KID] = e
	}
	r.mu.RUnlock()
	out := make([]*entry, 0, len(recs))
	for _, rec := range recs {
		if e, ok := old[rec.KID]; ok {
			if !e.rec.RetireAt.Equal(rec.RetireAt) || !e.rec.ExpiresAt.Equal(rec.ExpiresAt) {
				moved := *e
				moved.rec.RetireAt, moved.rec.ExpiresAt = rec.RetireAt, rec.ExpiresAt
				e = &moved
			}
			out = append(out, e)
			continue
		}
		e, err := r.open(rec)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, nil
}

// open decrypts a stored key.
func (r *Ring) open(rec Record) (*entry, error) {
	der, err := r.sealer.Open(rec.PrivateSealed)
	if err != nil {
		return nil, fmt.Errorf("open key %s (is GATEHOUSE_MASTER_KEY the one it was sealed with?): %w", rec.KID, err)
	}
	priv, err := parsePrivate(der)
	if err != nil {
		return nil, fmt.Errorf("key %s: %w", rec.KID, err)
	}
	return newEntry(rec, r.opts.Use, priv)
}

// replace sorts keys newest first and swaps them in.
func (r *Ring) replace(keys []*entry) {
	sort.SliceStable(keys, func(i, j int) bool {
		a, b := keys[i].rec, keys[j].rec
		if !a.ActiveFrom.Equal(b.ActiveFrom) {
			return a.ActiveFrom.After(b.ActiveFrom)
		}
		return a.CreatedAt.After(b.CreatedAt)
	})
	r.mu.Lock()
	r.keys = keys
	r.mu.Unlock()
}

// newEntry caches a key of a ring whose published use is use.
func newEntry(rec Record, use string, priv crypto.Signer) (*entry, error) {
	rec.PrivateSealed = nil
	e := &entry{rec: rec, priv: priv,
		jwk: jose.JSONWebKey{Key: priv.Public(), KeyID: rec.KID, Algorithm: rec.Alg, Use: use}}
	if use != "sig" {
		return e, nil
	}
	s, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(rec.Alg), Key: jose.JSONWebKey{Key: priv, KeyID: rec.KID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("key %s: signer: %w", rec.KID, err)
	}
	e.signer = s
	// RFC 9068 §2.1: access tokens of the standard door say so in typ.
	e.atSigner, err = jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(rec.Alg), Key: jose.JSONWebKey{Key: priv, KeyID: rec.KID}},
		(&jose.SignerOptions{}).WithType(AccessTokenType))
	if err != nil {
		return nil, fmt.Errorf("key %s: signer: %w", rec.KID, err)
	}
	return e, nil
}

// IDTokenRing is the name of the RS256 ring kept for id_tokens when
// GATEHOUSE_SIGNING_ALG is not RS256 (docs/oidc.md): OpenID Connect Core
// §3.1.3.7 makes RS256 the id_token algorithm every relying party accepts.
const IDTokenRing = "sig-rs256"

// AccessTokenType is the typ of an access token in RFC 9068's profile
// (§2.1), the one type other than JWT that Sign writes.
const AccessTokenType = "at+jwt"
