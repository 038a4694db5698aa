package identity

import (
	"context"
	"time"
)

// AuditEvent is one row of the security audit log. Rows are written in the
// transaction of the change they record, so that a change without its row
// (or a row without its change) cannot exist. They carry no secret: never a
// password, code or token, only what happened, to whom, from where.
type AuditEvent struct {
	ID        int64
	At        time.Time
	Type      string // one of the Audit… constants
	Outcome   string // AuditOK, AuditFailed or AuditRefused
	UserID    int64  // the account concerned; 0 when none is known (an unknown login)
	Actor     string // who acted: "user:UUID", "admin:token", "admin:UUID", "anonymous", "system"
	Subject   string // what was acted on beyond the user: the login tried, a session or key id
	IP        string
	UserAgent string
	Detail    map[string]string
}

// AuditFilter selects audit events for the admin API and CLI.
type AuditFilter struct {
	UserID int64     // 0: every user
	Actor  string    // "": every actor; else exactly this one ("admin:7", "user:42", "anonymous")
	Type   string    // "": every type; a trailing "." selects a family ("login.")
	Since  time.Time // zero: no lower bound (inclusive)
	Until  time.Time // zero: no upper bound (exclusive)
	Limit  int
	Offset int
}

// Attempts is the failure counter behind progressive lockout (lockout.go),
// kept per key: an account ("acct:LOGIN") or an account and client IP
// pair ("pair:LOGIN|IP"). LOGIN is the address string tried, whether or
// not an account has it.
type Attempts struct {
	Key         string
	Failures    int       // failures since FirstAt
	FirstAt     time.Time // start of the current counting window
	LastAt      time.Time // the latest failure
	LockedUntil time.Time // zero when not locked; attempts before it are refused
}

// SecurityStore is the storage of the audit log and of the lockout
// counters; Records embeds it, and store/storetest checks it on every
// backend.
type SecurityStore interface {
	AuditWriter
	// ListAudit returns a page of events matching f, newest first, and the
	// total matching.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEvent, int, error)
	// Attempts returns the counters of keys, in their order, in one read; a
	// zero Attempts (with Key set) for a key that has none. A sign-in reads
	// its two counters (the pair's, the account's) this way.
	Attempts(ctx context.Context, keys ...string) ([]Attempts, error)
	// UpdateAttempts reads the counter of key (zero when absent), applies fn
	// and writes the result atomically: concurrent callers on one key are
	// serialised, none of their increments is lost. fn may run more than
	// once on retry; it must be pure.
	UpdateAttempts(ctx context.Context, key string, fn func(*Attempts) error) (Attempts, error)
	// ClearAttempts deletes the counters of keys; absent keys are no error.
	ClearAttempts(ctx context.Context, keys ...string) error
	// PurgeSecurity deletes audit events older than auditBefore and
	// counters whose last failure and lock both lie before attemptsBefore.
	PurgeSecurity(ctx context.Context, auditBefore, attemptsBefore time.Time) error
}

// AuditWriter appends to the audit log: a store, or the transaction of the
// change an event records (every domain's store has it).
type AuditWriter interface {
	// InsertAudit appends e, filling e.ID.
	InsertAudit(ctx context.Context, e *AuditEvent) error
}

// Audit event types. A family shares its prefix ("login.").
const (
	AuditLoginSucceeded   = "login.succeeded"
	AuditLoginFailed      = "login.failed"
	AuditLoginThrottled   = "login.throttled"    // refused by the lockout before the password was judged
	AuditReauthFailed     = "reauth.failed"      // a signed-in user re-entered a wrong password (counted as a failed login)
	AuditMFARequired      = "login.mfa_required" // the right password of an account with a second factor: an mfa_token
	AuditLockoutPair      = "lockout.pair"       // backoff starts for one account and IP pair
	AuditLockoutAccount   = "lockout.account"    // the account is locked for a while
	AuditLockoutCleared   = "lockout.cleared"    // an admin or a password reset cleared the counters
	AuditTokenRefreshed   = "token.refreshed"    // a refresh token was spent for the next pair
	AuditTokenReuse       = "token.reuse"        // a spent refresh token came back: the family is revoked
	AuditSessionRevoked   = "session.revoked"    // logout, or a user or admin ended a session
	AuditExternalToken    = "token.external"     // a pair for an external service
	AuditRegistered       = "account.registered" // sign-up
	AuditEmailConfirmed   = "account.confirmed"
	AuditResetRequested   = "password.reset_requested"
	AuditPasswordReset    = "password.reset"
	AuditPasswordChanged  = "password.changed"
	AuditFactorPassed     = "factor.passed"
	AuditFactorFailed     = "factor.failed"
	AuditKeyCreated       = "key.created"
	AuditKeyRevoked       = "key.revoked"
	AuditAdminUserCreated = "admin.user_created"
	AuditAdminLock        = "admin.lock"
	AuditAdminUnlock      = "admin.unlock"
	AuditAdminRoles       = "admin.roles"
	AuditAdminDelete      = "admin.user_deleted"
	AuditAdminRenamed     = "admin.user_renamed" // a new e-mail address (detail from: the old one)
	AuditAdminKeysRotated = "admin.keys_rotated"

	// The bank door (the bank API).
	AuditCustomerChosen = "bank.customer_chosen" // step 2: the user acts for a customer under a role
	AuditDeviceTrusted  = "device.trusted"       // a device may stand in for the factor chain
	AuditDeviceRemoved  = "device.removed"
	AuditTOTPEnrolled   = "factor.totp_enrolled" // an authenticator app confirmed, recovery codes issued
	AuditTOTPRemoved    = "factor.totp_removed"

	// The cashdesk door (the cashdesk API).
	AuditShiftOpened         = "shift.opened"
	AuditShiftClosed         = "shift.closed"
	AuditCertificateUploaded = "certificate.uploaded"
	AuditCertificateRemoved  = "certificate.removed"
	AuditCashierUpdated      = "cashier.updated" // full name or tax ids changed (detail: which fields)

	// The standard door (OAuth 2 / OpenID Connect): a code issued to a
	// client for the user (a grant's session then opens as a sign-in,
	// login.succeeded with door oidc), a code presented again (what it
	// issued is revoked), a consent given or withdrawn, a token refused at
	// the token endpoint, a client's own token (client_credentials).
	AuditOAuthCode        = "oauth.code_issued"
	AuditOAuthCodeReused  = "oauth.code_reused"
	AuditOAuthConsent     = "oauth.consent" // detail action: granted, revoked
	AuditOAuthRefused     = "oauth.refused" // detail grant_type, error
	AuditOAuthClientToken = "oauth.client_token"
	AuditOAuthDevice      = "oauth.device" // detail action: requested, approved, denied, redeemed, reused

	// Operators' changes to the bank's and the cashdesk's registries.
	AuditAdminClient     = "admin.client"        // detail action: created, updated, secret_rotated
	AuditAdminCustomer   = "admin.customer"      // created, updated
	AuditAdminRole       = "admin.customer_role" // created, updated (the policy's new version)
	AuditAdminMembership = "admin.membership"
	AuditAdminProfile    = "admin.bank_profile"
	AuditAdminRegister   = "admin.register"  // created, assigned, unassigned
	AuditAdminDeveloper  = "admin.developer" // created, set (a cashier's developer)
)

// Audit outcomes.
const (
	AuditOK      = "ok"
	AuditFailed  = "failed"
	AuditRefused = "refused"
)
