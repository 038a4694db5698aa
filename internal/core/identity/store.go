package identity

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// Store is the storage the identity domain consumes: its Records, and
// transactions over them.
type Store interface {
	// Tx runs fn in one transaction; fn receives a Store bound to it. The
	// transaction commits when fn returns nil and rolls back otherwise.
	// Nested calls on the bound Store run inside the same transaction.
	Tx(ctx context.Context, fn func(Store) error) error
	Records
}

// Records are the methods of the identity domain's storage, in or out of
// a transaction. One SQL implementation (store/sqlstore) serves them on
// every backend, and one conformance suite (store/storetest) checks it. Methods return ErrNotFound when a looked-up row does not
// exist and ErrLoginTaken / ErrAddressTaken on the matching uniqueness
// conflicts. A string argument that is not valid UTF-8 or holds a NUL
// (which PostgreSQL refuses) is refused with ErrInvalidText on every
// backend, before the database sees it: the core keeps such text away
// (core.IsText), and this is the defence behind it. Any other error is an
// internal failure.
type Records interface {
	SecurityStore // audit log and lockout counters (store_security.go)

	APIKeyStore   // permanent API keys (store_apikeys.go)
	SettingsStore // server-wide settings decided once (store_settings.go)
	FactorStore   // second-factor sign-in challenges (store_factors.go)

	// Users.
	// CreateUser inserts u, filling u.ID and u.UUID when empty; ErrLoginTaken when the e-mail exists.
	CreateUser(ctx context.Context, u *User) error
	// UserByID, UserByUUID, UserByEmail return ErrNotFound when there is no such user.
	UserByID(ctx context.Context, id int64) (User, error)
	UserByUUID(ctx context.Context, uuid string) (User, error)
	UserByEmail(ctx context.Context, email string) (User, error)
	// UpdateUser reads the user, applies fn and writes the result atomically
	// (fn may run more than once on retry; it must be pure). ErrNotFound if absent.
	UpdateUser(ctx context.Context, id int64, fn func(*User) error) (User, error)
	// DeleteUser removes the user and everything that belongs to it. ErrNotFound if absent.
	DeleteUser(ctx context.Context, id int64) error
	// ListUsers returns a page of users ordered by ID and the total matching the filter.
	ListUsers(ctx context.Context, f UserFilter) ([]User, int, error)
	// TouchUser sets LastSeenAt without touching UpdatedAt.
	TouchUser(ctx context.Context, id int64, at time.Time) error

	// Addresses. AddAddress returns ErrAddressTaken when the user already has it.
	AddAddress(ctx context.Context, a *Address) error
	AddressesOf(ctx context.Context, userID int64) ([]Address, error)
	// DeleteAddress removes the user's address with this id; ErrNotFound
	// when the user has no address with it (another user's included).
	DeleteAddress(ctx context.Context, userID int64, id string) error

	// Sessions and refresh tokens.
	SessionOpener // a sign-in's writes at once (store_signin.go)
	CreateSession(ctx context.Context, s *Session) error
	// SessionByID returns ErrNotFound when absent (revoked sessions are returned, with RevokedAt set).
	SessionByID(ctx context.Context, id string) (Session, error)
	SessionsOf(ctx context.Context, userID int64) ([]Session, error)
	// DeviceSeen reports whether the user has any session (revoked or not,
	// until purged) outside the "external" door, and whether one of those
	// has this Device.
	DeviceSeen(ctx context.Context, userID int64, device string) (signedIn, seen bool, err error)
	// UpdateSession reads, applies fn and writes atomically, as UpdateUser.
	UpdateSession(ctx context.Context, id string, fn func(*Session) error) (Session, error)
	// RevokeSession marks the session revoked at at; revoking twice is not an error.
	RevokeSession(ctx context.Context, id string, at time.Time) error
	// RevokeUserSessions revokes every active session of the user except keep (may be empty).
	RevokeUserSessions(ctx context.Context, userID int64, keep string, at time.Time) error
	// InsertRefreshToken stores t (unused); ErrNotFound when its session does not exist.
	InsertRefreshToken(ctx context.Context, t *RefreshToken) error
	// RefreshTokenByHash returns the token with this hash, or ErrNotFound.
	// Inside Tx the token stays locked until the transaction ends, so that
	// transactions presenting one token run one after the other and each
	// reads what the one before it committed.
	RefreshTokenByHash(ctx context.Context, hash []byte) (RefreshToken, error)
	// RefreshTokenOwners returns the token with this hash, its session and
	// its user (with roles) in one read that locks nothing, even inside Tx;
	// ErrNotFound when no token has this hash. A refresh judges a first use
	// from it and lets UseRefreshToken arbitrate (refresh.go).
	RefreshTokenOwners(ctx context.Context, hash []byte) (RefreshToken, Session, User, error)
	// UseRefreshToken spends the unused token with this hash at at, in one
	// atomic step: it marks the token used, inserts next (its successor, with
	// next.Parent set to hash) and keeps next's hash and sealed, the sealed
	// successor, beside the spent token; it wipes the sealed successor
	// kept beside the token's own parent, whose successor is now used; and
	// it appends audit, when not nil, filling its ID. ErrNotFound when no
	// unused token has this hash (nothing is written): among concurrent
	// callers exactly one succeeds. On PostgreSQL it is one statement, so
	// that outside Tx it costs one round trip.
	UseRefreshToken(ctx context.Context, hash []byte, at time.Time, next *RefreshToken, sealed []byte, audit *AuditEvent) error
	// ForgetSuccessors wipes the sealed successors of tokens used before
	// usedBefore (their grace window has passed).
	ForgetSuccessors(ctx context.Context, usedBefore time.Time) error

	// Codes (mailed secrets).
	InsertCode(ctx context.Context, c *Code) error
	// UseCode marks the unused, unexpired code of this kind and hash used at
	// at and returns it; ErrCodeInvalid when there is none. Exactly one of
	// several concurrent callers succeeds.
	UseCode(ctx context.Context, kind CodeKind, hash []byte, at time.Time) (Code, error)
	// LiveCode returns the unused, unexpired code of this kind and hash at
	// at without using it; ErrCodeInvalid when there is none.
	LiveCode(ctx context.Context, kind CodeKind, hash []byte, at time.Time) (Code, error)
	// HasLiveCode reports whether the user has an unused code of this kind
	// unexpired at at.
	HasLiveCode(ctx context.Context, userID int64, kind CodeKind, at time.Time) (bool, error)
	// InvalidateCodes marks every unused code of this kind for the user used (a new one supersedes them).
	InvalidateCodes(ctx context.Context, userID int64, kind CodeKind, at time.Time) error

	outbox.Enqueuer // mail queued in the transaction of the change it tells of
	core.ReplyTx    // the reply kept for an Idempotency-Key commits with its effects

	// Purge deletes expired sessions, refresh tokens, codes, MFA challenges,
	// idempotency records, and messages sent, dropped or expired before before.
	Purge(ctx context.Context, before time.Time) error
}
