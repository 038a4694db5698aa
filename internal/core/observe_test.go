package core

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"
)

func TestASignInEndsInOneOfAFewOutcomes(t *testing.T) {
	for _, c := range []struct {
		err  error
		want string
	}{
		{nil, LoginSucceeded},
		{&MFARequired{Token: "t"}, LoginMFARequired},
		{fmt.Errorf("Factors.SignIn: %w", ErrInvalidCredentials), LoginFailed},
		{ErrMFATokenInvalid, LoginFailed},
		{ErrOTPInvalid, LoginFailed},
		{RateLimited(5 * time.Second), LoginThrottled},
		{ErrAccountLocked, LoginRefused},
		{ErrEmailNotConfirmed, LoginRefused},
		{Invalid("invalid_request", "username", "missing"), LoginInvalid},
		{ErrOverloaded, LoginUnavailable},
		{context.Canceled, LoginError},
		{errors.New("boom"), LoginError},
	} {
		if got := LoginOutcome(c.err); got != c.want {
			t.Errorf("LoginOutcome(%v) = %q, want %q", c.err, got, c.want)
		}
	}
}
