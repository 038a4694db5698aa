package keys

import (
	"cmp"
	"context"
	"crypto"
	"crypto/rsa"
	"crypto/x509"
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
	KID           string
	Use           string // "sig" (token signing) or "enc" (bank credential encryption)
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
	InsertKey(ctx context.Context, k *Record) error
	// Keys returns every key of the use not yet expired at now, newest first.
	Keys(ctx context.Context, use string, now time.Time) ([]Record, error)
}

// RingOptions configure a Ring. Zero values take the documented defaults.
type RingOptions struct {
	Use string // "sig" (default) or "enc"
	// Alg is RS256 (default for sig, RSA-2048), RS256-4096, ES256, EdDSA, or
	// RSA-OAEP-256 (default and only choice for enc, RSA-2048).
	Alg string
	// Lifetime is how long a key signs (or is the current enc key): default
	// 30 days for sig, 24 h for enc.
	Lifetime time.Duration
	// Publish is how long before it starts signing a new key is published:
	// default 1 h for sig, none for enc. A negative value means none.
	Publish time.Duration
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

// expiryMargin covers clock skew between nodes and verifiers.
const expiryMargin = 5 * time.Minute

// minRefreshInterval bounds how often an unknown kid reloads the store, so
// that tokens with made-up kids cannot hammer the database.
const minRefreshInterval = time.Second

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
}

func (e *entry) key() Key {
	return Key{KID: e.rec.KID, Use: e.rec.Use, Alg: e.rec.Alg, Public: e.jwk.Key, PublicPEM: e.rec.PublicPEM,
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

	// storeMu serialises store reads and key creation, so that one node
	// never creates two keys for one need and an unknown-kid storm makes a
	// single reload (the others wait, then find it fresh).
	storeMu  sync.Mutex
	lastLoad time.Time

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
	o.Publish = max(o.Publish, 0)
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
	case o.Lifetime <= 2*o.Publish:
		return o, spec, fmt.Errorf("keys: lifetime %v must exceed twice the publication lead %v", o.Lifetime, o.Publish)
	}
	return o, spec, nil
}

// Ensure loads the ring from the store and creates the keys it lacks: a
// first key, active at once, when none is active (or the active one does not
// fit the configured algorithm); and the next key once the current one has
// less than twice Publish left. The next key starts signing when the current
// one retires, so a node that runs Ensure at least every Publish publishes it
// at least Publish before it signs.
//
// Two nodes sharing a store may both create a key for the same need. That is
// rare and harmless: both keys are published and valid, and every node
// settles on the newer one at its next reload.
func (r *Ring) Ensure(ctx context.Context) (err error) {
	defer core.Op(&err, "keys.Ring.Ensure")
	if r.err != nil {
		return r.err
	}
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	if err := r.load(ctx); err != nil {
		return err
	}
	now := r.opts.Now()
	if cur := r.current(now); cur == nil || !r.fits(cur) {
		if _, err := r.create(ctx, now, now); err != nil {
			return err
		}
	}
	last := r.lastRetiring()
	if last.rec.RetireAt.Sub(now) < 2*r.opts.Publish {
		if _, err := r.create(ctx, now, last.rec.RetireAt); err != nil {
			return err
		}
	}
	return nil
}

// Refresh reloads the ring from the store: other nodes may have rotated.
func (r *Ring) Refresh(ctx context.Context) error {
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	if err := r.load(ctx); err != nil {
		return fmt.Errorf("keys.Ring.Refresh: %w", err)
	}
	return nil
}

// refreshLimited reloads unless the ring was loaded within
// minRefreshInterval. Concurrent callers wait for one reload.
func (r *Ring) refreshLimited(ctx context.Context) error {
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	if r.opts.Now().Sub(r.lastLoad) < minRefreshInterval {
		return nil
	}
	return r.load(ctx)
}

// Rotate creates a new key that is active at once (the admin "rotate").
// The previous keys stay published until they expire; verifiers that meet
// the new kid refetch the key set.
func (r *Ring) Rotate(ctx context.Context) (k Key, err error) {
	defer core.Op(&err, "keys.Ring.Rotate")
	if r.err != nil {
		return Key{}, r.err
	}
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	if err := r.load(ctx); err != nil {
		return Key{}, err
	}
	now := r.opts.Now()
	e, err := r.create(ctx, now, now)
	if err != nil {
		return Key{}, err
	}
	return e.key(), nil
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

// current picks the newest key with ActiveFrom ≤ now < RetireAt. Callers
// hold mu (or storeMu, which excludes every writer of keys).
func (r *Ring) current(now time.Time) *entry {
	for _, e := range r.keys { // newest first
		if !now.Before(e.rec.ActiveFrom) && now.Before(e.rec.RetireAt) {
			return e
		}
	}
	return nil
}

// lastRetiring returns the fitting key that signs furthest into the
// future; Ensure has just made sure one exists.
func (r *Ring) lastRetiring() *entry {
	var last *entry
	for _, e := range r.keys {
		if r.fits(e) && (last == nil || e.rec.RetireAt.After(last.rec.RetireAt)) {
			last = e
		}
	}
	return last
}

// fits reports whether a key matches the configured algorithm, so that a
// configuration change (say RS256 → ES256) takes effect at the next Ensure.
func (r *Ring) fits(e *entry) bool {
	if e.rec.Alg != r.spec.jose {
		return false
	}
	rk, ok := e.priv.(*rsa.PrivateKey)
	return !ok || rk.N.BitLen() == r.spec.bits
}

// load reads the store and replaces the cache, opening only the keys it has
// not seen. The caller holds storeMu.
func (r *Ring) load(ctx context.Context) error {
	now := r.opts.Now()
	recs, err := r.st.Keys(ctx, r.opts.Use, now)
	if err != nil {
		return fmt.Errorf("load keys: %w", err)
	}
	r.mu.RLock()
	old := make(map[string]*entry, len(r.keys))
	for _, e := range r.keys {
		old[e.rec.KID] = e
	}
	r.mu.RUnlock()
	fresh := make([]*entry, 0, len(recs))
	for _, rec := range recs {
		if e, ok := old[rec.KID]; ok {
			fresh = append(fresh, e)
			continue
		}
		e, err := r.open(rec)
		if err != nil {
			return err
		}
		fresh = append(fresh, e)
	}
	r.replace(fresh)
	r.lastLoad = now
	return nil
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
	return newEntry(rec, priv)
}

// create generates, seals and stores a key that signs from activeFrom, and
// adds it to the cache. The caller holds storeMu.
func (r *Ring) create(ctx context.Context, now, activeFrom time.Time) (*entry, error) {
	priv, err := r.opts.Generate(r.opts.Alg)
	if err != nil {
		return nil, fmt.Errorf("generate %s key: %w", r.opts.Alg, err)
	}
	if err := checkKey(r.opts.Alg, r.spec, priv); err != nil {
		return nil, err
	}
	kid, err := keyID(priv.Public())
	if err != nil {
		return nil, err
	}
	pemText, err := publicPEM(priv.Public())
	if err != nil {
		return nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return nil, fmt.Errorf("marshal private key: %w", err)
	}
	sealed, err := r.sealer.Seal(der)
	if err != nil {
		return nil, err
	}
	retire := activeFrom.Add(r.opts.Lifetime)
	rec := Record{KID: kid, Use: r.opts.Use, Alg: r.spec.jose, PrivateSealed: sealed, PublicPEM: pemText,
		CreatedAt: now, ActiveFrom: activeFrom, RetireAt: retire, ExpiresAt: retire.Add(r.opts.TokenTTL + expiryMargin)}
	if err := r.st.InsertKey(ctx, &rec); err != nil {
		return nil, fmt.Errorf("insert key %s: %w", kid, err)
	}
	e, err := newEntry(rec, priv)
	if err != nil {
		return nil, err
	}
	r.mu.RLock()
	keys := append([]*entry{e}, r.keys...)
	r.mu.RUnlock()
	r.replace(keys)
	return e, nil
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

func newEntry(rec Record, priv crypto.Signer) (*entry, error) {
	rec.PrivateSealed = nil
	e := &entry{rec: rec, priv: priv,
		jwk: jose.JSONWebKey{Key: priv.Public(), KeyID: rec.KID, Algorithm: rec.Alg, Use: rec.Use}}
	if rec.Use != "sig" {
		return e, nil
	}
	s, err := jose.NewSigner(
		jose.SigningKey{Algorithm: jose.SignatureAlgorithm(rec.Alg), Key: jose.JSONWebKey{Key: priv, KeyID: rec.KID}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		return nil, fmt.Errorf("key %s: signer: %w", rec.KID, err)
	}
	e.signer = s
	return e, nil
}
