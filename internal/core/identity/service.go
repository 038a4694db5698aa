package identity

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Limiter counts events per key in a fixed window (internal/limit: in
// process, or Redis when several nodes share the counts).
type Limiter interface {
	// Allow records one event for key and reports whether it is within
	// limit events per window; when not, retryAfter says when it will be.
	Allow(ctx context.Context, key string, limit int, window time.Duration) (ok bool, retryAfter time.Duration, err error)
}

// PasswordPolicy judges a new password (internal/password.Policy).
type PasswordPolicy interface {
	// Check judges password as the new password of the account whose
	// address is email ("" when not known yet).
	Check(password, email string) error
}

// Policy holds the core's tunables; config fills it from GATEHOUSE_* settings.
type Policy struct {
	Issuer           string        // iss of every token: GATEHOUSE_PUBLIC_URL without trailing slash
	PublicURL        string        // base of links in e-mails
	AccessTTL        time.Duration // access token lifetime
	RefreshTTL       time.Duration // refresh token and session lifetime
	RefreshGrace     time.Duration // GATEHOUSE_REFRESH_GRACE
	RequestTimeout   time.Duration // GATEHOUSE_REQUEST_TIMEOUT: the latest a request is answered after it began
	ConfirmTTL       time.Duration // e-mail confirmation code lifetime
	ResetTTL         time.Duration // password reset token lifetime
	ResendInterval   time.Duration // GATEHOUSE_MAIL_RESEND_INTERVAL
	RequireConfirmed bool          // refuse login until the e-mail is confirmed
	ReauthMaxAge     time.Duration // GATEHOUSE_REAUTH_MAX_AGE: how old a sign-in may be to mint keys and external tokens (reauth.go)
	Sources          []string      // allowed sign-up sources, first is the default
	Locales          []string      // allowed locales, first is the default
	PhoneRegion      string        // GATEHOUSE_PHONE_REGION: region of phone numbers written without +country code; "" refuses them
}

// Service is the identity domain: accounts, credentials, sessions and
// tokens, lockout, the audit log, API keys and trusted devices (Factors
// adds the second factors). Every door calls it; none of them owns a rule
// about users, passwords, sessions or tokens. Build it with New: its
// store is its own, reached by no caller.
type Service struct {
	Hasher    PasswordHasher
	Passwords PasswordPolicy
	Tokens    TokenSigner
	Sealer    core.Sealer // the master key: successors kept for idempotent refresh (refresh.go)
	Mail      Mailer
	Limits    Limiter
	Policy    Policy
	Now       func() time.Time
	Security  SecurityPolicy     // lockout and audit (lockout.go); zero turns lockout off
	Logins    core.LoginObserver // optional: hears each sign-in's outcome (observe.go)

	store Store
}

// New returns the identity domain over st, with the dependencies of s
// (all required).
func New(st Store, s Service) *Service {
	s.store = st
	return &s
}

func (s *Service) now() time.Time { return s.Now().UTC() }
