package core

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/totp"
)

// OTPSent describes a code that was sent, for the client's screen.
type OTPSent struct {
	Factor      string
	Destination string // masked: +7 *** *** 45 67, a***@example.com
	ExpiresIn   time.Duration
	ResendIn    time.Duration
	Attempts    int
}

// ErrOTPSendLimit answers a code asked for too soon or too often.
func errOTPSendLimit(retry time.Duration) *Error {
	return &Error{Kind: KindRateLimited, Code: "otp_send_limit", Message: "a code was sent recently; wait before asking again", RetryAfter: retry}
}

// SendOTP sends a one-time code for a factor of a possible chain of the
// session (OTP_SMS to the profile's phone, OTP_EMAIL through the outbox).
// A new code replaces the previous one of the session and factor; codes
// are spaced by Policy.OTPResend and limited to Policy.OTPMaxSends.
func (b *Bank) SendOTP(ctx context.Context, p Principal, c Client, factor string) (sent OTPSent, err error) {
	defer Op(&err, "Bank.SendOTP")
	if err := bankSession(p, c); err != nil {
		return OTPSent{}, err
	}
	st := BankStateOf(p.Session)
	if st.CustomerID == 0 || !p.Session.Pending {
		return OTPSent{}, ErrWrongStep
	}
	m, err := b.currentRole(ctx, p, st)
	if err != nil {
		return OTPSent{}, err
	}
	chains, err := b.possibleChains(ctx, p.User, m.Role.Chains)
	if err != nil {
		return OTPSent{}, err
	}
	factor = strings.ToUpper(strings.TrimSpace(factor))
	if (factor != FactorSMS && factor != FactorEmail) || !slices.Contains(nextFactors(chains, st.Passed), factor) {
		return OTPSent{}, b.notAllowed(factor)
	}
	now := b.now()
	prev, err := b.st().OTPOf(ctx, p.Session.ID, factor)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return OTPSent{}, err
	}
	if err == nil {
		if wait := prev.CreatedAt.Add(b.Policy.OTPResend).Sub(now); wait > 0 {
			return OTPSent{}, errOTPSendLimit(wait)
		}
		if prev.Sends >= b.Policy.OTPMaxSends {
			return OTPSent{}, errOTPSendLimit(p.Session.ExpiresAt.Sub(now))
		}
	}
	code := randomDigits(6)
	ch := OTPChallenge{
		SessionID: p.Session.ID, Factor: factor, CodeHash: otpHash(p.Session.ID, factor, code),
		MaxAttempts: b.Policy.OTPAttempts, Sends: prev.Sends + 1, CreatedAt: now, ExpiresAt: now.Add(b.Policy.OTPTTL),
	}
	if err := b.deliver(ctx, p.User, &ch, code); err != nil {
		return OTPSent{}, err
	}
	return OTPSent{Factor: factor, Destination: mask(ch.Destination), ExpiresIn: b.Policy.OTPTTL,
		ResendIn: b.Policy.OTPResend, Attempts: ch.MaxAttempts}, nil
}

// deliver stores the challenge and queues its code in the same
// transaction (the outbox sends it, sealed until then): a code that
// arrives can always be checked, and a stored code always goes out.
func (b *Bank) deliver(ctx context.Context, u User, ch *OTPChallenge, code string) error {
	queue := func(tx Store) error {
		return b.Core.Mail.Queue(ctx, tx, u.Email, "otp_code", u.Locale, map[string]string{"code": code, "email": u.Email, "name": u.Name})
	}
	ch.Destination = u.Email
	if ch.Factor == FactorSMS {
		prof, err := b.st().BankProfileOf(ctx, u.ID)
		if err != nil || prof.Phone == "" {
			return ErrFactorUnavailable
		}
		ch.Destination = prof.Phone
		queue = func(tx Store) error {
			return b.SMS.QueueSMS(ctx, tx, prof.Phone, "Your "+b.Policy.TOTPIssuer+" code: "+code, ch.ExpiresAt)
		}
	}
	return b.st().Tx(ctx, func(tx Store) error {
		if err := tx.PutOTP(ctx, ch); err != nil {
			return err
		}
		return queue(tx)
	})
}

// otpHash binds a code to its session and factor: the same six digits of
// another session never match.
func otpHash(sessionID, factor, code string) []byte {
	return HashSecret("otp:" + sessionID + ":" + factor + ":" + code)
}

func randomDigits(n int) string {
	v, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		panic("crypto/rand failed: " + err.Error())
	}
	return fmt.Sprintf("%0*d", n, v.Int64())
}

// mask keeps the first and last characters of a destination.
func mask(d string) string {
	if at := strings.IndexByte(d, '@'); at > 0 {
		return d[:1] + "***" + d[at:]
	}
	if len(d) <= 6 {
		return "***"
	}
	return d[:2] + strings.Repeat("*", len(d)-6) + d[len(d)-4:]
}

// judgeFactor checks one factor's code under the password's lockout
// (lockout.go): codes are guessed like passwords, so a user in a backoff
// or lock is refused before the code is judged, and a wrong code counts
// toward the same counters. The code's own try (a sent code's attempts, a
// TOTP step, a recovery code), the lockout counters and the factor.passed
// or factor.failed row are one transaction.
func (b *Bank) judgeFactor(ctx context.Context, p Principal, factor, code string) error {
	if err := b.Core.CheckFactorAttempt(ctx, p.User); err != nil {
		return err
	}
	var verdict error
	err := b.st().Tx(ctx, func(tx Store) error {
		verdict = b.verifyFactor(ctx, tx, p, factor, code)
		if verdict != nil && !errors.Is(verdict, ErrOTPInvalid) && !errors.Is(verdict, ErrOTPAttempts) {
			return verdict // not a judged code (no TOTP enrolled, a failing database): nothing to count
		}
		return b.Core.RecordFactorAttemptTx(ctx, tx, p.User, factor, verdict == nil)
	})
	if err != nil {
		return err
	}
	return verdict
}

// verifyFactor checks one factor's code for the session through st.
func (b *Bank) verifyFactor(ctx context.Context, st Store, p Principal, factor, code string) error {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		return ErrOTPInvalid
	}
	if factor == FactorTOTP {
		return b.verifyTOTP(ctx, st, p.User, code)
	}
	now := b.now()
	ch, ok, err := st.AttemptOTP(ctx, p.Session.ID, factor, otpHash(p.Session.ID, factor, code), now)
	if errors.Is(err, ErrNotFound) {
		// No live challenge: none sent, expired, used, or out of attempts.
		if prev, err := st.OTPOf(ctx, p.Session.ID, factor); err == nil && prev.UsedAt == nil && prev.Attempts >= prev.MaxAttempts {
			return ErrOTPAttempts
		}
		return ErrOTPInvalid
	}
	if err != nil {
		return err
	}
	if !ok {
		if ch.Attempts >= ch.MaxAttempts {
			return ErrOTPAttempts
		}
		return ErrOTPInvalid
	}
	return nil
}

var totpOpts = totp.ValidateOpts{Period: 30, Skew: 1, Digits: otp.DigitsSix, Algorithm: otp.AlgorithmSHA1}

// verifyTOTP accepts a code of the previous, current or next 30-second
// step (RFC 6238 §5.2 clock drift), each step once, or an unused recovery
// code. Tries are limited per user by Policy.OTPAttempts per TOTPWindow.
func (b *Bank) verifyTOTP(ctx context.Context, st Store, u User, code string) error {
	ok, retry, err := b.Core.Limits.Allow(ctx, "bank:totp:"+strconv.FormatInt(u.ID, 10), b.Policy.OTPAttempts, b.Policy.TOTPWindow)
	if err != nil {
		return err
	}
	if !ok {
		e := *ErrOTPAttempts
		e.RetryAfter = retry
		return &e
	}
	t, err := st.TOTPOf(ctx, u.ID)
	if err != nil || t.ConfirmedAt == nil {
		return ErrFactorUnavailable
	}
	if isRecoveryCode(code) {
		if err := st.UseRecoveryCode(ctx, u.ID, recoveryHash(u.ID, code), b.now()); err != nil {
			return ErrOTPInvalid
		}
		return nil
	}
	secret, err := b.Sealer.Open(t.Sealed)
	if err != nil {
		return fmt.Errorf("open totp secret: %w", err)
	}
	step, ok := matchTOTP(string(secret), code, b.now())
	if !ok {
		return ErrOTPInvalid
	}
	if fresh, err := st.UseTOTPStep(ctx, u.ID, step); err != nil || !fresh {
		if err != nil {
			return err
		}
		return ErrOTPInvalid // the same code again
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
