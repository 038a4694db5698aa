package oauth

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Store is the storage the oauth domain consumes: its Records, and
// transactions over them.
type Store interface {
	// Tx runs fn in one transaction; fn receives a Store bound to it. The
	// transaction commits when fn returns nil and rolls back otherwise.
	Tx(ctx context.Context, fn func(Store) error) error
	Records
}

// Records keep authorization requests, codes and consents (model.go), and
// read the one client registry. One SQL implementation (store/sqlstore)
// serves them on every backend and one conformance suite (store/storetest)
// checks it. Methods return core.ErrNotFound for a missing row and
// core.ErrExists on a taken key; any other error is internal.
type Records interface {
	// Audit rows of the door's changes, in their transaction.
	identity.AuditWriter

	// ClientByID reads the registry the bank door shares (bank.Records).
	ClientByID(ctx context.Context, id string) (bank.Client, error)

	// PutAuthRequest keeps r under r.ID (ErrExists when taken);
	// AuthRequestByID returns it, expired or not.
	PutAuthRequest(ctx context.Context, r *Request) error
	AuthRequestByID(ctx context.Context, id string) (Request, error)
	DeleteAuthRequest(ctx context.Context, id string) error

	// InsertAuthCode stores c; ErrExists when its hash is taken.
	InsertAuthCode(ctx context.Context, c *Code) error
	// RedeemCode presents the code with this hash at now, in one atomic
	// step: the first presentation before ExpiresAt marks it used and
	// answers first = true, for exactly one of any number of concurrent
	// callers; every presentation of a used code sets ReusedAt (the
	// first such time stays) and answers the code with first = false; an
	// unused expired code answers first = false and changes nothing.
	// ErrNotFound when there is no such code.
	RedeemCode(ctx context.Context, hash []byte, now time.Time) (c Code, first bool, err error)
	// BindCodeSession records the session the redemption opened, and
	// reports whether the code was presented again meanwhile (ReusedAt
	// set), in which case the caller revokes that session: whichever of
	// the redemption and the reuse writes last sees the other.
	BindCodeSession(ctx context.Context, hash []byte, sessionID string) (reused bool, err error)

	// PutConsent inserts or replaces the (user, client) consent;
	// ErrNotFound when the user does not exist.
	PutConsent(ctx context.Context, c *Consent) error
	ConsentOf(ctx context.Context, userID int64, clientID string) (Consent, error)
	// ConsentsOf lists the user's consents by client id.
	ConsentsOf(ctx context.Context, userID int64) ([]Consent, error)
	// DeleteConsent removes it; ErrNotFound when absent.
	DeleteConsent(ctx context.Context, userID int64, clientID string) error

	// UseAssertion records the jti of a client's assertion (RFC 7523 §3
	// item 7) until expires, in one atomic step: first = true for exactly
	// one of any number of concurrent callers with the same client and
	// jti, false while an earlier record has not expired at now.
	UseAssertion(ctx context.Context, clientID, jti string, expires, now time.Time) (first bool, err error)

	// Device authorizations (RFC 8628, device_model.go).
	DeviceRecords

	// PurgeOAuth deletes requests, codes, assertion records and device
	// authorizations that expired before before.
	PurgeOAuth(ctx context.Context, before time.Time) error
}
