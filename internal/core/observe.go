package core

import "errors"

// LoginObserver hears the outcome of every sign-in attempt, for an
// operator's counts (the server's metrics); Service.Logins is nil when
// nobody listens. Door is the door's name ("platform", "bank", …) and
// outcome one of the Login… words below: both come from small fixed sets,
// never from what a client sent.
type LoginObserver interface {
	Login(door, outcome string)
}

// Outcomes of a sign-in attempt. A sign-in with a second factor counts
// twice: mfa_required for its password, then the outcome of its code.
const (
	LoginSucceeded   = "succeeded"    // a session (the bank door: its step 1) was opened
	LoginMFARequired = "mfa_required" // the right password of an account with a second factor
	LoginFailed      = "failed"       // a wrong password or code, an unknown login, a spent mfa_token
	LoginThrottled   = "throttled"    // refused by the lockout's backoff or lock, before any judgement
	LoginRefused     = "refused"      // the right password, but the account is locked or unconfirmed
	LoginInvalid     = "invalid"      // a malformed request
	LoginUnavailable = "unavailable"  // overloaded (the hash pool was full) or a dependency failed
	LoginError       = "error"        // anything else (an internal error, a client gone)
)

// LoginOutcome names the outcome of a sign-in that ended with err.
func LoginOutcome(err error) string {
	if err == nil {
		return LoginSucceeded
	}
	if errors.Is(err, ErrMFARequired) {
		return LoginMFARequired
	}
	if errors.Is(err, ErrOTPInvalid) {
		return LoginFailed
	}
	var e *Error
	if !errors.As(err, &e) {
		return LoginError
	}
	switch e.Kind {
	case KindUnauthenticated:
		return LoginFailed
	case KindRateLimited:
		return LoginThrottled
	case KindForbidden:
		return LoginRefused
	case KindInvalid:
		return LoginInvalid
	case KindUnavailable:
		return LoginUnavailable
	}
	return LoginError
}
