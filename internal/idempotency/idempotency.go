// Package idempotency gives requests that carry an Idempotency-Key header
// (IETF draft "The Idempotency-Key HTTP Header Field",
// draft-ietf-httpapi-idempotency-key-header) one outcome however often
// they are sent: the first runs; a retry of the same request gets the
// first one's reply, kept sealed with the master key for 24 hours; a
// retry while the first still runs gets 409 (§2.6 of the draft), and the
// key reused for a different request 422.
//
// A key is bound to the endpoint and the caller: the authenticated user
// (or bank session), or, for anonymous endpoints, the request itself (its
// hash), so that strangers' keys never collide and nobody gets a reply
// without sending the very request that earned it. The reply is stored in
// the transaction of the request's effects (core.ReplyKeeper), so it
// exists exactly when the effects do; a request that ends without its
// effects releases the key. The HTTP side is httpjson.Idempotent.
package idempotency

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
)

// TTL is how long a reply is kept (and a key bound to its request).
const TTL = 24 * time.Hour

// defaultLease bounds a run whose context has no deadline.
const defaultLease = time.Minute

// leaseMargin is added to the request's deadline: the lease must outlive
// the request it belongs to.
const leaseMargin = time.Second

// Keeper begins and keeps idempotent requests. Build it as a struct
// literal; all fields are required.
type Keeper struct {
	Store  Store
	Sealer core.Sealer // the master key's: replies carry secrets (a new API key)
	Now    func() time.Time
}

// Request names a request made with a key.
type Request struct {
	Endpoint string // the route: "POST /v1/user"
	// Caller is whom the key belongs to ("user:42", "session:…"); empty
	// for anonymous endpoints, where the key belongs to the request itself.
	Caller string
	Key    string // a valid key (ParseKey)
	Hash   []byte // SHA-256 of the request: method, path, query and body
}

// id is the record's primary key: the endpoint, the caller (or the
// request) and the key, hashed, so the key is never stored.
func (r Request) id() []byte {
	caller := r.Caller
	if caller == "" {
		caller = "request:" + hex.EncodeToString(r.Hash)
	}
	h := sha256.Sum256([]byte(r.Endpoint + "\x00" + caller + "\x00" + r.Key))
	return h[:]
}

// Render turns an operation's result into the door's reply.
type Render func(result any) (core.Reply, error)

// Run is a request that holds its key. Pass Context to the operation, and
// call Release when the request is over, whatever its outcome.
type Run struct {
	k      *Keeper
	rec    Record
	render Render
}

// Begin takes the request's key. It returns a Run when the request is to
// run, the kept reply when an identical request ran before, or
// core.ErrIdempotencyKeyReused (another request used the key) or
// core.ErrIdempotencyInProgress (its first request still runs; Retry-After
// says when its lease ends).
func (k *Keeper) Begin(ctx context.Context, req Request, render Render) (_ *Run, replay *core.Reply, err error) {
	defer core.Op(&err, "idempotency.Begin")
	now := k.Now().UTC()
	lease := defaultLease
	if dl, ok := ctx.Deadline(); ok {
		lease = time.Until(dl) + leaseMargin
	}
	rec := Record{
		ID: req.id(), RequestHash: req.Hash, Owner: uuid.NewString(),
		LeaseUntil: now.Add(lease), CreatedAt: now, ExpiresAt: now.Add(TTL),
	}
	stored, took, err := k.Store.BeginIdempotency(ctx, rec, now)
	switch {
	case err != nil:
		return nil, nil, err
	case took:
		return &Run{k: k, rec: stored, render: render}, nil, nil
	case string(stored.RequestHash) != string(req.Hash):
		return nil, nil, core.ErrIdempotencyKeyReused
	case !stored.Done():
		return nil, nil, core.ErrIdempotencyInProgress.WithRetry(max(stored.LeaseUntil.Sub(now), time.Second))
	}
	r, err := k.open(stored)
	if err != nil {
		return nil, nil, err
	}
	return nil, &r, nil
}

// Context returns ctx carrying the run for the operation's ReplyKeeper.
func (r *Run) Context(ctx context.Context) context.Context { return core.WithReplyKeeper(ctx, r) }

// Keep renders the operation's result, seals the reply and stores it in
// tx, the transaction of the operation's effects (core.ReplyKeeper).
func (r *Run) Keep(ctx context.Context, tx core.ReplyTx, result any) error {
	reply, err := r.render(result)
	if err != nil {
		return fmt.Errorf("idempotency: render the reply: %w", err)
	}
	sealed, err := r.k.seal(r.rec.ID, reply)
	if err != nil {
		return err
	}
	err = tx.FinishIdempotency(ctx, r.rec.ID, r.rec.Owner, reply.Status, sealed)
	if errors.Is(err, core.ErrNotFound) {
		// The lease ran out and a retry took the key: this request's
		// effects must not commit beside that retry's.
		return core.ErrIdempotencyInProgress
	}
	return err
}

// releaseTimeout bounds a release: it runs after the request's deadline
// may have passed, and a release that fails only leaves the key to its lease.
const releaseTimeout = 5 * time.Second

// Release frees the key if the request ended without keeping a reply
// (no effect committed), so that a retry runs again. It runs even when
// the request's context is over. When it fails (the database is down),
// the key stays held until its lease ends: retries meanwhile get 409.
func (r *Run) Release(ctx context.Context) error {
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), releaseTimeout)
	defer cancel()
	return r.k.Store.ReleaseIdempotency(ctx, r.rec.ID, r.rec.Owner)
}

// sealedReply is what the sealed column holds. ID binds it to its row: a
// sealed reply copied onto another key's row does not open there.
type sealedReply struct {
	ID     []byte            `json:"id"`
	Status int               `json:"status"`
	Header map[string]string `json:"header"`
	Body   []byte            `json:"body"`
}

func (k *Keeper) seal(id []byte, r core.Reply) ([]byte, error) {
	plain, err := json.Marshal(sealedReply{ID: id, Status: r.Status, Header: r.Header, Body: r.Body})
	if err != nil {
		return nil, err
	}
	return k.Sealer.Seal(plain)
}

func (k *Keeper) open(rec Record) (core.Reply, error) {
	plain, err := k.Sealer.Open(rec.Sealed)
	if err != nil {
		return core.Reply{}, fmt.Errorf("open the kept reply: %w", err)
	}
	var s sealedReply
	if err := json.Unmarshal(plain, &s); err != nil || string(s.ID) != string(rec.ID) || s.Status != rec.Status {
		return core.Reply{}, errors.New("the kept reply does not belong to its key")
	}
	return core.Reply{Status: s.Status, Header: s.Header, Body: s.Body}, nil
}
