package idempotency

import (
	"context"
	"time"
)

// Record is a request made with an Idempotency-Key header
// (internal/idempotency): while it runs, it holds the key; once its
// effects commit, it keeps the reply, sealed, until ExpiresAt.
type Record struct {
	// ID is the SHA-256 of the endpoint, the caller and the key: the key
	// itself is never stored.
	ID          []byte
	RequestHash []byte    // SHA-256 of the request (method, path, query, body)
	Owner       string    // random token of the request running it; "" once done
	LeaseUntil  time.Time // while running: until when its owner holds it
	Status      int       // the reply's HTTP status once done; 0 while running
	Sealed      []byte    // the reply, sealed with the master key, once done
	CreatedAt   time.Time
	ExpiresAt   time.Time // after it, the record is purged and the key free again
}

// Done reports whether the record holds a reply.
func (r Record) Done() bool { return r.Status != 0 }

// Store keeps Records (internal/store/sqlstore). Expired records are
// deleted by the store's purge.
type Store interface {
	// BeginIdempotency stores rec (running, Status 0) and returns it with
	// took=true, unless a live record has its ID: then it returns that
	// record and took=false. A record past its ExpiresAt, or one still
	// running past its LeaseUntil (its request died) for the same
	// RequestHash, is replaced by rec. Of concurrent callers with one ID,
	// exactly one takes it.
	BeginIdempotency(ctx context.Context, rec Record, now time.Time) (stored Record, took bool, err error)
	// FinishIdempotency stores the reply of the record id running under
	// owner, which is then done. ErrNotFound when no record with this id
	// runs under owner (it lost its lease to another request).
	FinishIdempotency(ctx context.Context, id []byte, owner string, status int, sealed []byte) error
	// ReleaseIdempotency deletes the record id if it still runs under
	// owner (its request ended without an effect, so a retry may run
	// again); a done record, or one of another owner, stays.
	ReleaseIdempotency(ctx context.Context, id []byte, owner string) error
}
