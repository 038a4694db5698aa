package keys

import (
	"context"
	"crypto"
	"crypto/x509"
	"fmt"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Ensure loads the ring from the store and creates the keys it lacks: a
// first key, active at once, when none signs now; at a node's start, a key
// of the configured algorithm, published Lead before it signs, when the
// keys in use do not fit it (GATEHOUSE_SIGNING_ALG changed); and the next key, signing
// from the moment the current one retires, once that is less than twice
// Publish away. The server runs Ensure every Sync, so every node has
// loaded the next key long before it signs (Publish ≥ Lead).
//
// Creation is serialised in the store (RingStore.UpdateKeys): nodes that
// find the same key missing at the same moment create one between them,
// and the others adopt it.
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
	for range 2 { // a first key, then the next one
		if _, need := r.missing(r.snapshot(), r.opts.Now()); !need {
			break
		}
		if _, err := r.create(ctx, r.missing); err != nil {
			return err
		}
	}
	r.started = true
	return nil
}

// Rotate creates a new signing key (the admin API's and the CLI's
// "rotate"). It is published at once and signs from Lead later, when
// every node has loaded it and every verifier's cached key set holds it;
// the keys signing until then retire at that moment and stay published
// until the tokens they signed have expired. With immediate (a key that
// leaked) the new key signs at once and every other key of the ring is
// unpublished at once: the tokens they signed no longer verify here, and
// other nodes stop accepting them within Sync.
func (r *Ring) Rotate(ctx context.Context, immediate bool) (k Key, err error) {
	defer core.Op(&err, "keys.Ring.Rotate")
	if r.err != nil {
		return Key{}, r.err
	}
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	e, err := r.create(ctx, func(keys []*entry, now time.Time) (plan, bool) {
		return r.rotation(keys, now, immediate), true
	})
	if err != nil {
		return Key{}, err
	}
	return e.key(), nil
}

// Reload reloads the ring from the store, unless this node loaded it less
// than a second ago: a caller that met a kid it does not know, or a
// ciphertext none of its keys opens, may be seeing a key another node
// made since the last sync. Concurrent callers wait for one reload.
func (r *Ring) Reload(ctx context.Context) error {
	r.storeMu.Lock()
	defer r.storeMu.Unlock()
	if r.opts.Now().Sub(r.lastLoad) < minReloadInterval {
		return nil
	}
	if err := r.load(ctx); err != nil {
		return fmt.Errorf("keys.Ring.Reload: %w", err)
	}
	return nil
}

// firstKeyBackdate is how far back a first key's activity is dated: more
// than the clocks of a cluster's nodes may differ by, far less than a
// key's lifetime.
const firstKeyBackdate = time.Minute

// plan is a key to create: when it starts signing, and the keys whose
// retirement it moves.
type plan struct {
	activeFrom time.Time
	retire     []Retirement
}

// missing is Ensure's decision on keys (newest first) at now: the key to
// create, if any. A node that starts with another algorithm than the key
// that will sign last publishes a key of its own, as a rotation does; once
// started it keeps whatever key signs, so that nodes of two settings
// during a rolling change do not replace each other's keys at every sync
// (the next key takes the algorithm of the node that makes it).
func (r *Ring) missing(keys []*entry, now time.Time) (plan, bool) {
	if currentOf(keys, now) == nil {
		// A first key signs at once. It is dated firstKeyBackdate back so
		// that a node whose clock is a little behind the one that made it
		// (another host, or a node that read its clock before waiting for
		// the store's lock) finds it active and adopts it instead of making
		// a second one.
		return plan{activeFrom: now.Add(-firstKeyBackdate)}, true
	}
	if !r.started && !r.fits(keys[0]) {
		return r.rotation(keys, now, false), true
	}
	last := keys[0] // the key that signs furthest into the future
	for _, e := range keys {
		if e.rec.RetireAt.After(last.rec.RetireAt) {
			last = e
		}
	}
	if last.rec.RetireAt.Sub(now) < 2*r.opts.Publish {
		return plan{activeFrom: maxTime(last.rec.RetireAt, now)}, true
	}
	return plan{}, false
}

// rotation plans a key that signs from now, or from Lead later, and the
// retirement of the keys it replaces.
func (r *Ring) rotation(keys []*entry, now time.Time, immediate bool) plan {
	p := plan{activeFrom: now}
	if !immediate {
		p.activeFrom = now.Add(r.opts.Lead())
	}
	for _, k := range keys {
		if rt, ok := r.cut(k, p.activeFrom, now, immediate); ok {
			p.retire = append(p.retire, rt)
		}
	}
	return p
}

// cut moves key e's retirement to from, when a new key starts signing
// then, and its expiry to TokenTTL after that; a key that would not sign
// before from is unpublished at once (nothing carries its signature). With
// immediate every key is unpublished at now.
func (r *Ring) cut(e *entry, from, now time.Time, immediate bool) (Retirement, bool) {
	rt := Retirement{KID: e.rec.KID, RetireAt: e.rec.RetireAt, ExpiresAt: e.rec.ExpiresAt}
	switch {
	case immediate || !e.rec.ActiveFrom.Before(from):
		rt.RetireAt, rt.ExpiresAt = minTime(rt.RetireAt, now), now
	case e.rec.RetireAt.After(from):
		rt.RetireAt, rt.ExpiresAt = from, minTime(rt.ExpiresAt, from.Add(r.opts.TokenTTL+expiryMargin))
	default:
		return rt, false
	}
	return rt, true
}

// create generates a key and stores it under the store's lock if decide,
// run there on the stored keys, still wants one; then it reloads the
// ring. It returns the new key, or nil when decide found that another
// node had made it meanwhile (this node adopts that one). The key is
// generated before the lock is taken, since an RSA key takes a while; a
// node that loses the race throws its key away. The caller holds storeMu.
func (r *Ring) create(ctx context.Context, decide func([]*entry, time.Time) (plan, bool)) (*entry, error) {
	proto, priv, err := r.generate()
	if err != nil {
		return nil, err
	}
	now := r.opts.Now()
	var made *Record
	err = r.st.UpdateKeys(ctx, r.opts.Name, now, func(recs []Record) (Change, error) {
		made = nil
		keys, err := r.entries(recs)
		if err != nil {
			return Change{}, err
		}
		p, ok := decide(keys, now)
		if !ok {
			return Change{}, nil
		}
		rec := proto
		retire := p.activeFrom.Add(r.opts.Lifetime)
		rec.CreatedAt, rec.ActiveFrom, rec.RetireAt = now, p.activeFrom, retire
		rec.ExpiresAt = retire.Add(r.opts.TokenTTL + expiryMargin)
		made = &rec
		return Change{Insert: &rec, Retire: p.retire}, nil
	})
	if err != nil {
		return nil, fmt.Errorf("store key %s: %w", proto.KID, err)
	}
	if err := r.load(ctx); err != nil {
		return nil, err
	}
	if made == nil {
		return nil, nil
	}
	for _, e := range r.snapshot() {
		if e.rec.KID == made.KID {
			return e, nil
		}
	}
	// Only a clock far behind the store's could hide the key just made.
	return newEntry(*made, r.opts.Use, priv)
}

// generate makes a key of the configured algorithm and the record that
// stores it, without its times.
func (r *Ring) generate() (Record, crypto.Signer, error) {
	priv, err := r.opts.Generate(r.opts.Alg)
	if err != nil {
		return Record{}, nil, fmt.Errorf("generate %s key: %w", r.opts.Alg, err)
	}
	if err := checkKey(r.opts.Alg, r.spec, priv); err != nil {
		return Record{}, nil, err
	}
	kid, err := keyID(priv.Public())
	if err != nil {
		return Record{}, nil, err
	}
	pemText, err := publicPEM(priv.Public())
	if err != nil {
		return Record{}, nil, err
	}
	der, err := x509.MarshalPKCS8PrivateKey(priv)
	if err != nil {
		return Record{}, nil, fmt.Errorf("marshal private key: %w", err)
	}
	sealed, err := r.sealer.Seal(der)
	if err != nil {
		return Record{}, nil, err
	}
	return Record{KID: kid, Use: r.opts.Name, Alg: r.spec.jose, PrivateSealed: sealed, PublicPEM: pemText}, priv, nil
}

// snapshot returns the cached keys, newest first.
func (r *Ring) snapshot() []*entry {
	r.mu.RLock()
	defer r.mu.RUnlock()
	return r.keys
}

// currentOf picks the newest of keys (newest first) with ActiveFrom ≤ now
// < RetireAt: the key that signs now.
func currentOf(keys []*entry, now time.Time) *entry {
	for _, e := range keys {
		if !now.Before(e.rec.ActiveFrom) && now.Before(e.rec.RetireAt) {
			return e
		}
	}
	return nil
}

func maxTime(a, b time.Time) time.Time {
	if b.After(a) {
		return b
	}
	return a
}

func minTime(a, b time.Time) time.Time {
	if b.Before(a) {
		return b
	}
	return a
}
