package identity

import (
	"context"
	"time"
)

// APIKeyStore keeps permanent API keys (apikeys.go), used by every door.
type APIKeyStore interface {
	// InsertAPIKey stores k, filling ID when empty; ErrNotFound when the user does not exist.
	InsertAPIKey(ctx context.Context, k *APIKey) error
	// APIKeyByHash returns the key with this hash, revoked or expired ones too; ErrNotFound when none.
	APIKeyByHash(ctx context.Context, hash []byte) (APIKey, error)
	// APIKeysOf lists the user's keys, newest first, revoked ones included.
	APIKeysOf(ctx context.Context, userID int64) ([]APIKey, error)
	// RevokeAPIKey marks the user's key revoked at at; revoking twice is not
	// an error. ErrNotFound when the user has no key with this id.
	RevokeAPIKey(ctx context.Context, userID int64, id string, at time.Time) error
	// RevokeAPIKeysOf marks every key of the user that is active at at
	// (neither revoked nor expired) revoked at at, in one statement, and
	// returns those keys as they were before (a password reset lists them).
	RevokeAPIKeysOf(ctx context.Context, userID int64, at time.Time) ([]APIKey, error)
	// TouchAPIKey sets LastUsedAt to at unless it is already later than
	// at-every, so that a busy key costs one write per interval, not per request.
	TouchAPIKey(ctx context.Context, id string, at time.Time, every time.Duration) error
}
