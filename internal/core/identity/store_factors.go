package identity

import (
	"context"
	"time"
)

// MFAChallenge is the half-finished sign-in of an account with a second
// factor (mfa.go): the right password was given on a door, and the
// mfa_token it was answered with may now be spent with a code. Only the
// token's SHA-256 is kept.
type MFAChallenge struct {
	Hash        []byte
	UserID      int64
	Door        string // the door that asked, and the only one that accepts it
	ClientID    string // the client of that door ("" where the door has none)
	Stamp       []byte // of the password hash the password was checked against (passwordStamp)
	Attempts    int    // codes tried
	MaxAttempts int
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      *time.Time
}

// Live reports whether the challenge may still be tried at now.
func (c MFAChallenge) Live(now time.Time) bool {
	return c.UsedAt == nil && now.Before(c.ExpiresAt) && c.Attempts < c.MaxAttempts
}

// FactorStore keeps what the account's second factors need beyond the
// TOTP secret and recovery codes (BankStore): the sign-in challenges and
// the count of unused recovery codes. identity.Store embeds it.
type FactorStore interface {
	// RecoveryCodesLeft counts the user's unused recovery codes.
	RecoveryCodesLeft(ctx context.Context, userID int64) (int, error)
	// InsertMFAChallenge stores c; ErrNotFound when the user does not exist.
	InsertMFAChallenge(ctx context.Context, c *MFAChallenge) error
	// MFAChallengeByHash returns the challenge with this hash (live or
	// not) or ErrNotFound.
	MFAChallengeByHash(ctx context.Context, hash []byte) (MFAChallenge, error)
	// AttemptMFAChallenge spends one attempt of the live challenge with
	// this hash in one atomic step and returns it as it is then: of
	// concurrent callers, no more than MaxAttempts succeed in all.
	// ErrNotFound when no live challenge has the hash.
	AttemptMFAChallenge(ctx context.Context, hash []byte, at time.Time) (MFAChallenge, error)
	// UseMFAChallenge marks the unused challenge used at at; exactly one of
	// concurrent callers succeeds, the others get ErrNotFound.
	UseMFAChallenge(ctx context.Context, hash []byte, at time.Time) error
}
