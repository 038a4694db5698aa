package identity

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// FactorPolicy holds the tunables of the account's second factors.
type FactorPolicy struct {
	Issuer        string        // the issuer authenticator apps show
	Attempts      int           // TOTP and recovery-code tries per user per Window; codes per mfa_token
	Window        time.Duration // the window of Attempts
	RecoveryCodes int           // recovery codes issued with a TOTP enrolment
	ChallengeTTL  time.Duration // lifetime of an mfa_token (mfa.go)
}

// Factors are the account's second factors: an authenticator app (TOTP,
// RFC 6238) and its recovery codes. They belong to the account, not to a
// door: the bank door's chains, the platform and cashdesk sign-ins
// (mfa.go) and the enrolment on every door use this one implementation.
// Build it as a struct literal; all fields are required.
type Factors struct {
	Core   *Service
	Sealer core.Sealer // seals TOTP secrets with the master key
	Policy FactorPolicy
}

// The names of the account's factors on the JSON doors' wire (the
// mfa_required answer's "factors"): lower case like every wire code there.
// The bank door's chains keep the published API's upper-case TOTP.
const (
	FactorNameTOTP     = "totp"
	FactorNameRecovery = "recovery_code"
)

func (f *Factors) now() time.Time { return f.Core.now() }
func (f *Factors) st() Store      { return f.Core.store }

// Enrolled lists the factors the user can pass: totp once an authenticator
// is confirmed, recovery_code while unused recovery codes remain. None (nil)
// means the password alone signs the user in.
func (f *Factors) Enrolled(ctx context.Context, userID int64) ([]string, error) {
	t, err := f.st().TOTPOf(ctx, userID)
	if errors.Is(err, core.ErrNotFound) || (err == nil && t.ConfirmedAt == nil) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := []string{FactorNameTOTP}
	n, err := f.st().RecoveryCodesLeft(ctx, userID)
	if err != nil {
		return nil, err
	}
	if n > 0 {
		names = append(names, FactorNameRecovery)
	}
	return names, nil
}

// FactorTx is what identity's rules on a factor code write inside the
// transaction that spends the code's try, whichever domain opened it (the
// bank's sent codes, the MFA sign-in's mfa_token): the lockout counters,
// the audit row, the lock's notice mail, and an authenticator code's or
// recovery code's single use.
type FactorTx interface {
	AuditWriter
	outbox.Enqueuer
	UpdateAttempts(ctx context.Context, key string, fn func(*Attempts) error) (Attempts, error)
	TOTPOf(ctx context.Context, userID int64) (TOTPSecret, error)
	UseTOTPStep(ctx context.Context, userID, step int64) (ok bool, err error)
	UseRecoveryCode(ctx context.Context, userID int64, hash []byte, at time.Time) error
}

// Judge checks a code under the password's lockout (lockout.go): codes are
// guessed like passwords, so a user in a backoff or lock is refused before
// the code is judged, and a wrong code counts toward the same counters.
// tx is the Tx of the store whose transaction spends the code's own try
// (a sent code's attempt, an mfa_token's): try spends it and returns the
// verdict; on a pass, pass (when not nil) runs next. The try, the
// counters, the factor.passed or factor.failed row and pass are one
// transaction.
func Judge[T FactorTx](ctx context.Context, f *Factors, tx func(context.Context, func(T) error) error, u User, factor string, try, pass func(T) error) error {
	if err := f.Core.CheckFactorAttempt(ctx, u); err != nil {
		return err
	}
	var verdict error
	err := tx(ctx, func(t T) error {
		verdict = try(t)
		if verdict != nil && !errors.Is(verdict, core.ErrOTPInvalid) && !errors.Is(verdict, core.ErrOTPAttempts) {
			return verdict // not a judged code (no TOTP enrolled, a failing database): nothing to count
		}
		if err := f.Core.recordFactorAttempt(ctx, t, u, factor, verdict == nil); err != nil {
			return err
		}
		if verdict == nil && pass != nil {
			return pass(t)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return verdict
}

var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// Verify accepts, through st, a TOTP code of the previous, current or next
// 30-second step (RFC 6238 §5.2 clock drift), each step once, or an unused
// recovery code, once. Tries are limited per user to Policy.Attempts per
// Policy.Window. ErrFactorUnavailable when no authenticator is confirmed.
func (f *Factors) Verify(ctx context.Context, st FactorTx, u User, code string) error {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		return core.ErrOTPInvalid
	}
	ok, retry, err := f.Core.Limits.Allow(ctx, "totp:"+strconv.FormatInt(u.ID, 10), f.Policy.Attempts, f.Policy.Window)
	if err != nil {
		return err
	}
	if !ok {
		return core.ErrOTPAttempts.WithRetry(retry)
	}
	t, err := st.TOTPOf(ctx, u.ID)
	if err != nil || t.ConfirmedAt == nil {
		return core.ErrFactorUnavailable
	}
	if isRecoveryCode(code) {
		if err := st.UseRecoveryCode(ctx, u.ID, recoveryHash(u.ID, code), f.now()); err != nil {
			return core.ErrOTPInvalid
		}
		return nil
	}
	secret, err := f.Sealer.Open(t.Sealed)
	if err != nil {
		return fmt.Errorf("open totp secret: %w", err)
	}
	step, ok := matchTOTP(string(secret), code, f.now())
	if !ok {
		return core.ErrOTPInvalid
	}
	if fresh, err := st.UseTOTPStep(ctx, u.ID, step); err != nil || !fresh {
		if err != nil {
			return err
		}
		return core.ErrOTPInvalid // the same code again
	}
	return nil
}

// matchTOTP returns the time step whose code equals code.
func matchTOTP(secret, code string, now time.Time) (int64, bool) {
	step := now.Unix() / 30
	for _, s := range []int64{step - 1, step, step + 1} {
		want, err := totp.GenerateCodeCustom(secret, time.Unix(s*30, 0), totpOpts)
		if err == nil && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			return s, true
		}
	}
	return 0, false
}

// CodeFactor names the factor a code passing TOTP is for:
// FactorNameRecovery for a recovery code, FactorNameTOTP otherwise.
func CodeFactor(code string) string { return factorOf(code) }

// factorOf names the factor a code is for: a recovery code or a TOTP code.
func factorOf(code string) string {
	if isRecoveryCode(strings.TrimSpace(code)) {
		return FactorNameRecovery
	}
	return FactorNameTOTP
}

// A recovery code is 10 base32 characters (50 bits) shown as xxxxx-xxxxx.
// Its hash (SHA-256, bound to the user) suffices: together with the
// per-user attempt limit, 50 bits cannot be guessed online, and a code is
// single use.
func newRecoveryCode() string {
	b := make([]byte, 10)
	if _, err := rand.Read(b); err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	s := strings.ToLower(base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b))[:10]
	return s[:5] + "-" + s[5:]
}

func isRecoveryCode(code string) bool {
	return len(strings.ReplaceAll(code, "-", "")) == 10 && strings.ContainsAny(strings.ToLower(code), "abcdefghijklmnopqrstuvwxyz")
}

func recoveryHash(userID int64, code string) []byte {
	norm := strings.ToLower(strings.ReplaceAll(strings.TrimSpace(code), "-", ""))
	return core.HashSecret("recovery:" + strconv.FormatInt(userID, 10) + ":" + norm)
}
