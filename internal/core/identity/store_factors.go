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

// FactorStore keeps the account's second factors and trusted devices: the
// TOTP secret and recovery codes, the sign-in challenges (mfa.go) and the
// devices that may stand in for a factor chain (trusted.go). Records
// embeds it.
type FactorStore interface {
	// Devices. AddDevice inserts, or refreshes Name and LastUsedAt of the
	// user's device with the same fingerprint (keeping its ID, written back).
	AddDevice(ctx context.Context, d *Device) error
	DeviceByFingerprint(ctx context.Context, userID int64, hash []byte) (Device, error)
	DevicesOf(ctx context.Context, userID int64) ([]Device, error)
	DeleteDevice(ctx context.Context, userID int64, id string) error
	// DeleteDevicesOf forgets every trusted device of the user in one
	// statement and returns them (a password reset lists them).
	DeleteDevicesOf(ctx context.Context, userID int64) ([]Device, error)

	// TOTP. PutTOTP inserts or replaces the user's secret.
	PutTOTP(ctx context.Context, t *TOTPSecret) error
	TOTPOf(ctx context.Context, userID int64) (TOTPSecret, error)
	ConfirmTOTP(ctx context.Context, userID int64, at time.Time) error
	// UseTOTPStep records step as used when it is later than the last one
	// used; ok is false (no error) when it is not, for exactly one of
	// several concurrent callers with the same step.
	UseTOTPStep(ctx context.Context, userID, step int64) (ok bool, err error)
	// ReplaceRecoveryCodes drops the user's recovery codes and stores these hashes.
	ReplaceRecoveryCodes(ctx context.Context, userID int64, hashes [][]byte, at time.Time) error
	// UseRecoveryCode marks the unused code with this hash used; ErrCodeInvalid
	// when there is none. Exactly one concurrent caller succeeds.
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) error
	DeleteTOTP(ctx context.Context, userID int64) error

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
