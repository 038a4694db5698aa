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

// The wire codes. All of them live here so that a client author can read
// the whole vocabulary in one place.
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

// The credential refusals of issue 10 (SECURITY.md "Token audience" and
// "One credential per request"), in a block of their own.
var (
	// ErrForeignToken refuses a token minted for another service (its aud)
	// on Gatehouse's own APIs (RFC 6750 §3.1 invalid_token).
	ErrForeignToken = refine(ErrInvalidToken, Error{Kind: KindUnauthenticated, Code: "invalid_token", Message: "token was issued for another audience, not for Gatehouse's own APIs"})
	// ErrAmbiguousCredentials refuses a request that presents more than one
	// credential (two Authorization headers, or X-API-Key disagreeing).
	ErrAmbiguousCredentials = &Error{Kind: KindInvalid, Code: "ambiguous_credentials", Message: "send one credential: one Authorization header, or X-API-Key alone or equal to its bearer token"}
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
