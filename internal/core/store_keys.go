package core

import (
	"context"
	"time"
)

// KeyStore keeps the signing and credential keys (package keys), shared by
// every node.
type KeyStore interface {
	// InsertKey stores k; an error when its KID exists.
	InsertKey(ctx context.Context, k *KeyRecord) error
	// Keys returns every key of the use not yet expired at now, newest first.
	Keys(ctx context.Context, use string, now time.Time) ([]KeyRecord, error)
	// UpdateKeys calls fn with the keys of the use not yet expired at now,
	// newest first, and stores the change fn returns, in one transaction
	// that no other UpdateKeys of the same use, on any node, overlaps: the
	// later one waits, then sees what the earlier one stored. So nodes
	// that find a key missing at the same moment create one between them,
	// not one each. fn may run more than once (a retried transaction) and
	// must not keep anything across calls. A retirement naming an unknown
	// kid is ignored; an inserted kid that exists is an error.
	UpdateKeys(ctx context.Context, use string, now time.Time, fn func([]KeyRecord) (KeyChange, error)) error
}

// KeyChange is what UpdateKeys stores: a new key, and new retirement and
// expiry times for existing ones (rotation moves them earlier).
type KeyChange struct {
	Insert *KeyRecord
	Retire []KeyRetirement
}

// KeyRetirement sets the times at which key KID stops signing and stops
// being published.
type KeyRetirement struct {
	KID       string
	RetireAt  time.Time
	ExpiresAt time.Time
}
