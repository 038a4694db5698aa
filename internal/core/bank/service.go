package bank

import (
	"context"
	"crypto/rsa"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// SMSQueue queues a text message to an E.164 number through st, so that
// it commits with the caller's transaction, for delivery in the background
// (internal/sms: through the outbox, like mail). The text is useless after
// expires (its code dies) and is then dropped unsent.
type SMSQueue interface {
	QueueSMS(ctx context.Context, st outbox.Enqueuer, to, text string, expires time.Time) error
}

// RefreshTokens writes the bank door's refresh_token around the core's
// opaque refresh token: the published API types it as a JWT (keys.RefreshJWT,
// docs/bank.md "Refresh"). Wrap makes the token whose jti is the handle;
// Unwrap checks one at now and returns its handle, an error for anything
// it did not make.
type RefreshTokens interface {
	Wrap(c RefreshClaims) (string, error)
	Unwrap(token string, now time.Time) (string, error)
}

// RefreshClaims are what a bank refresh token says: every one is fixed by
// the refresh record, so that wrapping one handle twice gives one text.
type RefreshClaims struct {
	Handle    string    // the core's opaque refresh token (jti)
	Subject   string    // the account's UUID
	SessionID string    // sid
	Expiry    time.Time // the session's end
}

// Policy holds the bank door's tunables.
type Policy struct {
	Zone          *time.Location // where "created" is told (GATEHOUSE_BANK_ZONE)
	OTPTTL        time.Duration  // lifetime of a sent code
	OTPAttempts   int            // wrong codes allowed per sent code
	OTPResend     time.Duration  // at most one code per session and factor per interval
	OTPMaxSends   int            // codes per session and factor in all
	StepTTL       time.Duration  // lifetime of a session whose chain is not complete
	CiphertextTTL time.Duration  // how long a credential ciphertext is remembered against replay
	// RequireProfile admits at step 1 only accounts with a bank profile
	// (GATEHOUSE_BANK_REQUIRE_PROFILE); off, every account signs in and
	// one without customers has nothing to choose at step 2.
	RequireProfile bool
}

// Service is the bank's sign-in: a chain of steps over identity's
// accounts, sessions, lockout and factors. Build it with New.
type Service struct {
	Identity *identity.Service
	// IDTokenAlgs are the algorithms the standard door signs id_tokens
	// with, which a client's id_token_signed_response_alg may name: RS256,
	// and the signing ring's when it is another. Nil means RS256 alone.
	IDTokenAlgs []string
	Factors     *identity.Factors // the account's TOTP and recovery codes, one of a chain's factors
	// SMS queues OTP_SMS codes; nil when no SMS gateway is configured:
	// OTP_SMS is then never a possible factor (the roles' policies stay as
	// they are, so a role whose every chain needs it cannot be signed in to).
	SMS    SMSQueue
	Policy Policy
	// Credentials are the credential keys that may still decrypt, newest
	// first (keys.Ring.Decrypters of the enc ring); Paddings the enabled
	// paddings of encrypted credentials: "oaep", "pkcs1".
	Credentials func() []*rsa.PrivateKey
	Paddings    []string
	// ReloadKeys reloads the credential keys from the store (rate-limited,
	// keys.Ring.Reload): a ciphertext none of them opens may have been
	// made with a key another node made since this one last synced. nil:
	// never.
	ReloadKeys func(ctx context.Context) error
	// Limit counts a sign-in's requests against the rate limits; nil
	// limits nothing.
	Limit core.Limit
	// RefreshTokens wraps the refresh tokens this door answers; nil: the
	// core's opaque tokens go out as they are.
	RefreshTokens RefreshTokens

	store Store
}

// New returns the bank domain over st, with the dependencies of s.
func New(st Store, s Service) *Service {
	s.store = st
	return &s
}

// Door is the Session.Door of bank sessions.
const Door = "bank"

func (b *Service) now() time.Time { return b.Identity.Now().UTC() }

// audited runs change and the audit row of e in one transaction.
func (b *Service) audited(ctx context.Context, e identity.AuditEvent, change func(tx Store) error) error {
	return identity.Audited(ctx, b.Identity, b.store.Tx, e, change)
}

// idTokenAlgs is IDTokenAlgs, RS256 alone when unset.
func (s *Service) idTokenAlgs() []string {
	if len(s.IDTokenAlgs) == 0 {
		return []string{"RS256"}
	}
	return s.IDTokenAlgs
}
