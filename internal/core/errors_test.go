package core_test

import (
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

func TestErrorsIsTellsDeclaredErrorsApartThoughTheyShareAWireCode(t *testing.T) {
	cause := errors.New("cause")
	cases := []struct {
		name   string
		err    error
		target *core.Error
		want   bool
	}{
		{"a reused token is not an invalid token", core.ErrTokenReused, core.ErrInvalidToken, false},
		{"an invalid token is not a reused one", core.ErrInvalidToken, core.ErrTokenReused, false},
		{"a wrapped copy of reuse is reuse", fmt.Errorf("Refresh: %w", core.ErrTokenReused.With(cause)), core.ErrTokenReused, true},
		{"a copy with a cause is its declared error", core.ErrInvalidToken.With(cause), core.ErrInvalidToken, true},
		{"a copy with a retry is its declared error", core.ErrTooManyAttempts.WithRetry(time.Minute), core.ErrTooManyAttempts, true},
		{"a copy naming a field is its declared error", core.InvalidText("name"), core.ErrInvalidText, true},
		{"a full disk is a refinement of unavailable", core.ErrStorageExhausted.With(cause), core.ErrUnavailable, true},
		{"unavailable is not a full disk", core.ErrUnavailable, core.ErrStorageExhausted, false},
		{"a foreign token is an invalid token", core.ErrForeignToken, core.ErrInvalidToken, true},
		{"two errors of one kind are not the same", core.ErrLoginTaken, core.ErrAddressTaken, false},
	}
	for _, c := range cases {
		if got := errors.Is(c.err, c.target); got != c.want {
			t.Errorf("%s: errors.Is = %v, want %v", c.name, got, c.want)
		}
	}
}

func TestACopyKeepsTheWireCodeAndChangesOnlyWhatItSays(t *testing.T) {
	e := core.ErrTooManyAttempts.WithRetry(42 * time.Second)
	if e.Code != core.ErrTooManyAttempts.Code || e.RetryAfter != 42*time.Second || core.ErrTooManyAttempts.RetryAfter != 0 {
		t.Fatalf("copy %+v, declared %+v", e, core.ErrTooManyAttempts)
	}
	f := core.InvalidText("full_name")
	if f.Field != "full_name" || f.Code != "invalid_text" || core.ErrInvalidText.Field != "" {
		t.Fatalf("copy %+v, declared %+v", f, core.ErrInvalidText)
	}
}
