package core

import (
	"errors"
	"fmt"
	"time"
)

// Kind classifies an error in domain terms; each door maps a Kind to its
// own wire status in one table (httpjson.Status for the JSON doors, the
// bank door's oauthError). Conditions that exist only in HTTP (a body too
// large, a media type, an Accept header, a method) are not Kinds: the HTTP
// layer raises them itself (httpjson.StatusError).
type Kind int

const (
	KindInternal        Kind = iota // anything untyped: a 500 and the cause in the log only
	KindInvalid                     // bad input (400)
	KindUnauthenticated             // no or bad credentials (401)
	KindForbidden                   // authenticated but not allowed (403)
	KindNotFound                    // no such thing (404)
	KindConflict                    // the state forbids it: it exists, it is in use (409)
	KindRateLimited                 // too many tries; RetryAfter says when (429)
	KindUnavailable                 // a dependency cannot serve now; RetryAfter (503)
	KindUnprocessable               // well-formed but refused: an Idempotency-Key reused for another request (422)
)

// Error is the core's typed error. Code is the stable snake_case wire code,
// Message the public text; Err is the internal cause, never shown to clients.
type Error struct {
	Kind       Kind
	Code       string
	Message    string
	RetryAfter time.Duration
	Field      string // the offending input field, when there is one
	Err        error

	// origin is the declared error this one was copied from (With,
	// WithRetry, WithField); nil for a declared error itself.
	origin *Error
	// parent is a more general declared error this one refines
	// (ErrStorageExhausted is an ErrUnavailable).
	parent *Error
}

func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return e.Code + ": " + e.Message
}

func (e *Error) Unwrap() error { return e.Err }

// Is matches a copy of a declared error (With, WithRetry, WithField) to
// that declared error, and a refinement to the error it refines: errors.Is
// tells ErrTokenReused from ErrInvalidToken although both show the wire
// code invalid_token.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	d, want := e.declared(), t.declared()
	return d == want || (d.parent != nil && d.parent == want)
}

func (e *Error) declared() *Error {
	if e.origin != nil {
		return e.origin
	}
	return e
}

func (e *Error) copy() *Error {
	c := *e
	c.origin = e.declared()
	return &c
}

// With returns a copy of e carrying a cause.
func (e *Error) With(cause error) *Error {
	c := e.copy()
	c.Err = cause
	return c
}

// WithRetry returns a copy of e that asks the client to retry after d.
func (e *Error) WithRetry(d time.Duration) *Error {
	c := e.copy()
	c.RetryAfter = d
	return c
}

// WithField returns a copy of e naming the field at fault, with message.
func (e *Error) WithField(field, message string) *Error {
	c := e.copy()
	c.Field, c.Message = field, message
	return c
}

// refine declares an error that is also its parent for errors.Is.
func refine(parent *Error, e Error) *Error {
	e.parent = parent
	return &e
}

// Invalid builds a 400-class error naming the field at fault.
func Invalid(code, field, msg string) *Error {
	return &Error{Kind: KindInvalid, Code: code, Field: field, Message: msg}
}

// RateLimited builds a 429-class error.
func RateLimited(retry time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: "rate_limited", Message: "too many requests, retry later", RetryAfter: retry}
}

// The wire codes. Every error a caller may tell apart lives here, whatever
// domain raises it, so that a client author reads the whole vocabulary in
// one place. The one exception is the refusal of one input field (400):
// made with Invalid where the field is judged, its code names the field
// (invalid_email, invalid_chains, …) or is missing_field, and Field names
// it; each door's document lists them.
var (
	ErrInvalidCredentials = &Error{Kind: KindUnauthenticated, Code: "invalid_credentials", Message: "invalid login or password"}
	ErrUnauthenticated    = &Error{Kind: KindUnauthenticated, Code: "unauthorized", Message: "missing or invalid access token"}
	ErrInvalidToken       = &Error{Kind: KindUnauthenticated, Code: "invalid_token", Message: "token is invalid, expired or revoked"}
	// ErrTokenReused answers a spent refresh token presented again (the
	// session is revoked): the wire shows invalid_token like any bad
	// token, and errors.Is tells the two apart for the core and its tests.
	ErrTokenReused       = &Error{Kind: KindUnauthenticated, Code: "invalid_token", Message: "token is invalid, expired or revoked"}
	ErrAuthIncomplete    = &Error{Kind: KindForbidden, Code: "auth_incomplete", Message: "authentication chain is not complete"}
	ErrEmailNotConfirmed = &Error{Kind: KindForbidden, Code: "email_not_confirmed", Message: "e-mail address is not confirmed"}
	ErrAccountLocked     = &Error{Kind: KindForbidden, Code: "account_locked", Message: "account is locked"}
	ErrForbidden         = &Error{Kind: KindForbidden, Code: "forbidden", Message: "not allowed"}
	ErrCodeInvalid       = &Error{Kind: KindInvalid, Code: "invalid_or_expired_code", Message: "code is unknown, expired or already used"}
	ErrLoginTaken        = &Error{Kind: KindConflict, Code: "login_taken", Message: "an account with this login already exists"}
	ErrAddressTaken      = &Error{Kind: KindConflict, Code: "address_taken", Message: "this address is already registered"}
	ErrNotFound          = &Error{Kind: KindNotFound, Code: "not_found", Message: "not found"}
	ErrInvalidText       = &Error{Kind: KindInvalid, Code: "invalid_text", Message: "must be UTF-8 text without control characters"} // see InvalidText
	ErrOverloaded        = &Error{Kind: KindUnavailable, Code: "overloaded", Message: "server is busy, retry later", RetryAfter: time.Second}
	ErrUnavailable       = &Error{Kind: KindUnavailable, Code: "unavailable", Message: "service temporarily unavailable", RetryAfter: 2 * time.Second}

	// ErrEmailAmbiguous: stored addresses collide (a database not yet
	// through `gatehouse migrate`, SECURITY.md "E-mail identity"); an
	// operator names the account by id instead. Sign-in treats it as an
	// unknown login.
	ErrEmailAmbiguous = &Error{Kind: KindConflict, Code: "email_ambiguous", Message: "more than one account has this e-mail address; name the account by its id"}
	// ErrStorageExhausted answers a write the database refused for lack of
	// disk or other resources (the storage layer maps SQLITE_FULL and
	// PostgreSQL's class 53 to it): nothing was written, and the same
	// request succeeds once an operator has made room. The wire shows only
	// "unavailable"; the cause goes to the log and the health state.
	ErrStorageExhausted = refine(ErrUnavailable, Error{Kind: KindUnavailable, Code: "unavailable", Message: "service temporarily unavailable", RetryAfter: 30 * time.Second})
	// Idempotency-Key (internal/idempotency): a malformed key; the key used
	// before for a different request; the key's first request still running.
	ErrIdempotencyKeyInvalid = &Error{Kind: KindInvalid, Code: "invalid_idempotency_key", Field: "Idempotency-Key",
		Message: "Idempotency-Key must be one value of 1 to 255 characters among letters, digits and - _ . : ~ + / ="}
	ErrIdempotencyKeyReused  = &Error{Kind: KindUnprocessable, Code: "idempotency_key_reused", Message: "this Idempotency-Key was used for a different request"}
	ErrIdempotencyInProgress = &Error{Kind: KindConflict, Code: "idempotency_key_in_use", Message: "a request with this Idempotency-Key is still running; retry later"}
)

// Credentials and sessions (SECURITY.md "Token audience", "One credential
// per request", "Lockout", "Second factors", "Reauthentication").
var (
	// ErrForeignToken refuses a token minted for another service (its aud)
	// on Gatehouse's own APIs (RFC 6750 §3.1 invalid_token).
	ErrForeignToken = refine(ErrInvalidToken, Error{Kind: KindUnauthenticated, Code: "invalid_token", Message: "token was issued for another audience, not for Gatehouse's own APIs"})
	// ErrAmbiguousCredentials refuses a request that presents more than one
	// credential (two Authorization headers, or X-API-Key disagreeing).
	ErrAmbiguousCredentials = &Error{Kind: KindInvalid, Code: "ambiguous_credentials", Message: "send one credential: one Authorization header, or X-API-Key alone or equal to its bearer token"}
	// ErrTooManyAttempts refuses an attempt during a backoff or a lock; it
	// carries the wait as RetryAfter (429). Known and unknown logins get it
	// alike.
	ErrTooManyAttempts = &Error{Kind: KindRateLimited, Code: "too_many_attempts", Message: "too many failed attempts, retry later"}
	// ErrReauthRequired answers a request that mints a lasting credential
	// from a session whose sign-in is older than the reauthentication
	// age and that carries no password: sign in again, or send the
	// current password with the request. 401 with an RFC 9470 §3
	// insufficient_user_authentication challenge, so that a client knows
	// to ask its user, not to refresh.
	ErrReauthRequired = &Error{Kind: KindUnauthenticated, Code: "reauthentication_required",
		Message: "this needs a recent sign-in: sign in again, or send the current password as \"password\""}
	// ErrAPIKeyCannotMint refuses an API key that asks for another API key
	// or an external token, whatever its scopes: a leaked key must not be
	// able to outlive its own revocation.
	ErrAPIKeyCannotMint = &Error{Kind: KindForbidden, Code: "api_key_not_allowed",
		Message: "an API key cannot create API keys or external tokens; sign in instead"}
	// ErrTooManyAPIKeys answers a user at the most active keys.
	ErrTooManyAPIKeys = &Error{Kind: KindConflict, Code: "too_many_api_keys", Message: "revoke a key before creating another"}
	// ErrNoSession answers a session operation (logout) attempted with an
	// API key, which has none: revoke the key instead.
	ErrNoSession = &Error{Kind: KindInvalid, Code: "no_session", Message: "an API key has no session; revoke the key instead"}
	// ErrScope answers a key used outside its scopes.
	ErrScope = &Error{Kind: KindForbidden, Code: "insufficient_scope", Message: "the API key's scopes do not cover this endpoint"}
	// ErrSessionRequired refuses a factor or password change made with an
	// API key: a machine's credential does not change a person's proofs.
	ErrSessionRequired = &Error{Kind: KindForbidden, Code: "session_required",
		Message: "second factors and the password are changed from a signed-in session, not with an API key"}
	// The sign-in of an account with a second factor on a door without a
	// factor chain of its own (identity's MFA sign-in).
	ErrMFARequired     = &Error{Kind: KindUnauthenticated, Code: "mfa_required", Message: "a second factor is required: send the mfa_token with a code"}
	ErrMFATokenInvalid = &Error{Kind: KindUnauthenticated, Code: "invalid_mfa_token", Message: "mfa_token is unknown, expired, used or out of attempts; sign in again"}
)

// MFARequired is the answer to the right password of an account with a
// second factor. It unwraps to ErrMFARequired (401); the JSON doors add
// Token and Factors to the error body.
type MFARequired struct {
	Token   string   // the mfa_token, shown once; only its hash is kept
	Factors []string // what the second call may send
}

func (e *MFARequired) Error() string { return ErrMFARequired.Error() }
func (e *MFARequired) Unwrap() error { return ErrMFARequired }

// The bank door's domain. The bank door maps them to RFC 6749 error codes;
// the JSON doors show them as they are.
var (
	ErrExists             = &Error{Kind: KindConflict, Code: "already_exists", Message: "already exists"}
	ErrInUse              = &Error{Kind: KindConflict, Code: "in_use", Message: "still in use"}
	ErrInvalidClient      = &Error{Kind: KindUnauthenticated, Code: "invalid_client", Message: "client authentication failed"}
	ErrUnauthorizedClient = &Error{Kind: KindInvalid, Code: "unauthorized_client", Message: "the client may not use this grant type or user type"}
	ErrUnsupportedGrant   = &Error{Kind: KindInvalid, Code: "unsupported_grant_type", Message: "unsupported grant_type"}
	ErrWrongStep          = &Error{Kind: KindInvalid, Code: "invalid_step", Message: "this step does not follow the token's step"}
	ErrNoSuchCustomer     = &Error{Kind: KindInvalid, Code: "invalid_customer", Message: "customer is not available to this user"}
	ErrFactorNotAllowed   = &Error{Kind: KindInvalid, Code: "factor_not_allowed", Message: "this factor is not part of a possible chain"}
	ErrFactorUnavailable  = &Error{Kind: KindInvalid, Code: "factor_unavailable", Message: "this factor is not set up for the user"}
	ErrOTPInvalid         = &Error{Kind: KindInvalid, Code: "invalid_otp", Message: "code is invalid or expired"}
	ErrOTPAttempts        = &Error{Kind: KindInvalid, Code: "otp_attempts_exceeded", Message: "too many attempts; request a new code"}
	ErrRoleChanged        = &Error{Kind: KindInvalid, Code: "role_changed", Message: "the role changed since login; log in again"}
	ErrDeviceUnknown      = &Error{Kind: KindInvalid, Code: "device_not_trusted", Message: "this device is not trusted"}
	ErrInvalidIIN         = &Error{Kind: KindInvalid, Code: "invalid_iin", Field: "iin", Message: "IIN must be 12 digits with a valid check digit"}
	ErrSMSUnavailable     = &Error{Kind: KindInvalid, Code: "sms_unavailable", Message: "OTP_SMS cannot be used: this server has no SMS gateway configured (GATEHOUSE_SMS_URL)"}
	// ErrNoPossibleChain refuses step 2 when the user can pass none of the
	// role's chains and no trusted device may skip them.
	ErrNoPossibleChain = &Error{Kind: KindInvalid, Code: "no_possible_chain", Message: "none of this role's factor chains can be passed: the user lacks what they need (a phone for OTP_SMS, an enrolled authenticator for TOTP)"}
	// ErrNoPossibleChainSMS is ErrNoPossibleChain when only the missing SMS
	// gateway stands in the way.
	ErrNoPossibleChainSMS = &Error{Kind: KindInvalid, Code: "no_possible_chain", Message: "the user could pass this role's factor chains only with OTP_SMS, and this server has no SMS gateway configured (GATEHOUSE_SMS_URL)"}
	// ErrOTPSendLimit answers a code asked for too soon or too often.
	ErrOTPSendLimit = &Error{Kind: KindRateLimited, Code: "otp_send_limit", Message: "a code was sent recently; wait before asking again"}
)

// The standard OAuth 2 / OpenID Connect door's domain (internal/core/oauth):
// RFC 6749 §4.1.2.1 and §5.2, OpenID Connect Core 1.0 §3.1.2.6, RFC 8707
// §2, their codes as the door writes them.
var (
	ErrInvalidGrant = &Error{Kind: KindInvalid, Code: "invalid_grant", Message: "the code or refresh token is invalid, expired, used, or was issued to another client or redirect URI"}
	// ErrCodeReused: a code presented a second time; what its first use
	// issued has been revoked (RFC 6749 §4.1.2).
	ErrCodeReused = refine(ErrInvalidGrant, Error{Kind: KindInvalid, Code: "invalid_grant", Message: "the code was already used; the tokens it issued are revoked"})
	// ErrPKCE: the code_verifier does not match the code's challenge, or
	// one is missing or was not asked for (RFC 7636 §4.6).
	ErrPKCE            = refine(ErrInvalidGrant, Error{Kind: KindInvalid, Code: "invalid_grant", Message: "code_verifier does not match the code_challenge"})
	ErrInvalidScope    = &Error{Kind: KindInvalid, Code: "invalid_scope", Message: "a requested scope is unknown or not allowed to this client"}
	ErrInvalidTarget   = &Error{Kind: KindInvalid, Code: "invalid_target", Message: "the requested resource is not one this client may ask a token for"}
	ErrLoginRequired   = &Error{Kind: KindForbidden, Code: "login_required", Message: "the user must sign in"}
	ErrConsentRequired = &Error{Kind: KindForbidden, Code: "consent_required", Message: "the user must consent"}
	ErrAccessDenied    = &Error{Kind: KindForbidden, Code: "access_denied", Message: "the user or the server refused the request"}
	// ErrUnsupportedResponseType answers a response_type other than code.
	ErrUnsupportedResponseType = &Error{Kind: KindInvalid, Code: "unsupported_response_type", Message: "only response_type=code is served"}
	// ErrRedirectURI: the redirect_uri is not one the client registered
	// (compared exactly). Never redirected to: an error page.
	ErrRedirectURI = &Error{Kind: KindInvalid, Code: "invalid_redirect_uri", Message: "redirect_uri is not registered for this client"}
	// The device authorization grant's token answers (RFC 8628 §3.5).
	ErrAuthorizationPending = &Error{Kind: KindInvalid, Code: "authorization_pending", Message: "the user has not answered yet; poll again after the interval"}
	ErrSlowDown             = &Error{Kind: KindInvalid, Code: "slow_down", Message: "polling too fast; the interval grows by 5 seconds"}
	ErrExpiredToken         = &Error{Kind: KindInvalid, Code: "expired_token", Message: "the device_code has expired; start again"}
	// ErrDeviceCodeReused: a device_code whose tokens were issued already.
	ErrDeviceCodeReused = refine(ErrInvalidGrant, Error{Kind: KindInvalid, Code: "invalid_grant", Message: "the device_code was already used"})
	// ErrUserCode: the code typed on the device page names no pending
	// request (unknown, mistyped, expired or answered already).
	ErrUserCode = &Error{Kind: KindNotFound, Code: "invalid_user_code", Field: "code", Message: "no pending request has this code"}
)

// The cashdesk door's domain.
var (
	ErrShiftOpen           = &Error{Kind: KindConflict, Code: "shift_already_open", Message: "the register or the cashier already has an open shift"}
	ErrShiftClosed         = &Error{Kind: KindConflict, Code: "shift_closed", Message: "the shift is already closed"}
	ErrRegisterTaken       = &Error{Kind: KindConflict, Code: "register_exists", Message: "a register with this fiscal number exists"}
	ErrRegisterNotAssigned = &Error{Kind: KindForbidden, Code: "register_not_assigned", Message: "the register is not assigned to this user"}
	// Certificate uploads (all 400: the upload is at fault).
	ErrCertificateMalformed   = Invalid("invalid_certificate", "certificate", "certificate must be one X.509 certificate, PEM or DER")
	ErrCertificateExpired     = Invalid("certificate_expired", "certificate", "certificate has expired")
	ErrCertificateNotYetValid = Invalid("certificate_not_yet_valid", "certificate", "certificate is not valid yet")
	ErrCertificatePrivateKey  = Invalid("private_key_uploaded", "certificate", "upload the certificate only, never a private key")
)

// KindOf reports the Kind of err, KindInternal when err is not a core error.
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// Op wraps *errp with the operation's name, keeping the chain for errors.Is/As:
//
//	defer core.Op(&err, "Service.Login")
func Op(errp *error, op string) {
	if *errp != nil {
		*errp = fmt.Errorf("%s: %w", op, *errp)
	}
}
