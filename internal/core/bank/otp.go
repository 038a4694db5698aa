package bank

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"math/big"
	"slices"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// OTPSent describes a code that was sent, for the client's screen.
type OTPSent struct {
	Factor      string
	Destination string // masked: +7 *** *** 45 67, a***@example.com
	ExpiresIn   time.Duration
	ResendIn    time.Duration
	Attempts    int
}

// SendOTP sends a code for the bank door: Send through ByClient(c).
func (b *Service) SendOTP(ctx context.Context, p identity.Principal, c Client, factor string) (OTPSent, error) {
	return b.Send(ctx, ByClient(c), p, factor)
}

// Send sends a one-time code for a factor of a possible chain of the
// session of v (OTP_SMS to the profile's phone, OTP_EMAIL through the
// outbox). A new code replaces the previous one of the session and factor;
// codes are spaced by Policy.OTPResend and limited to Policy.OTPMaxSends
// (ErrOTPSendLimit with the wait). ErrFactorNotAllowed (ErrSMSUnavailable)
// for a factor that is not sent or not next; the step's errors as
// CheckOTPStep.
func (b *Service) Send(ctx context.Context, v Via, p identity.Principal, factor string) (sent OTPSent, err error) {
	defer core.Op(&err, "bank.SendOTP")
	st, m, err := b.otpStep(ctx, v, p)
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
	prev, err := b.store.OTPOf(ctx, p.Session.ID, factor)
	if err != nil && !errors.Is(err, core.ErrNotFound) {
		return OTPSent{}, err
	}
	if err == nil {
		if wait := prev.CreatedAt.Add(b.Policy.OTPResend).Sub(now); wait > 0 {
			return OTPSent{}, core.ErrOTPSendLimit.WithRetry(wait)
		}
		if prev.Sends >= b.Policy.OTPMaxSends {
			return OTPSent{}, core.ErrOTPSendLimit.WithRetry(p.Session.ExpiresAt.Sub(now))
		}
	}
	code := randomDigits(6)
	ch := OTPChallenge{
		SessionID: p.Session.ID, Factor: factor, CodeHash: otpHash(p.Session.ID, factor, code),
		MaxAttempts: b.Policy.OTPAttempts, Sends: prev.Sends + 1, CreatedAt: now, ExpiresAt: now.Add(b.Policy.OTPTTL),
	}
	sent = OTPSent{Factor: factor, ExpiresIn: b.Policy.OTPTTL, ResendIn: b.Policy.OTPResend, Attempts: ch.MaxAttempts}
	if err := b.deliver(ctx, p.User, &ch, code, &sent); err != nil {
		return OTPSent{}, err
	}
	return sent, nil
}

// deliver stores the challenge and queues its code in the same
// transaction (the outbox sends it, sealed until then): a code that
// arrives can always be checked, and a stored code always goes out. It
// fills the answer's masked destination; the reply kept for an
// Idempotency-Key commits with them.
func (b *Service) deliver(ctx context.Context, u identity.User, ch *OTPChallenge, code string, sent *OTPSent) error {
	queue := func(tx Store) error {
		return b.Identity.Mail.Queue(ctx, tx, u.Email, "otp_code", u.Locale, map[string]string{"code": code, "email": u.Email, "name": u.Name})
	}
	ch.Destination = u.Email
	if ch.Factor == FactorSMS {
		prof, err := b.store.BankProfileOf(ctx, u.ID)
		if err != nil || prof.Phone == "" {
			return core.ErrFactorUnavailable
		}
		ch.Destination = prof.Phone
		queue = func(tx Store) error {
			return b.SMS.QueueSMS(ctx, tx, prof.Phone, "Your "+b.Factors.Policy.Issuer+" code: "+code, ch.ExpiresAt)
		}
	}
	sent.Destination = mask(ch.Destination)
	return b.store.Tx(ctx, func(tx Store) error {
		if err := tx.PutOTP(ctx, ch); err != nil {
			return err
		}
		if err := queue(tx); err != nil {
			return err
		}
		return core.KeepReply(ctx, tx, *sent)
	})
}

// otpHash binds a code to its session and factor: the same six digits of
// another session never match.
func otpHash(sessionID, factor, code string) []byte {
	return core.HashSecret("otp:" + sessionID + ":" + factor + ":" + code)
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
// (identity.Judge): the code's own try (a sent code's attempts, a TOTP step,
// a recovery code), the lockout counters and the factor.passed or
// factor.failed row are one transaction.
func (b *Service) judgeFactor(ctx context.Context, p identity.Principal, factor, code string) error {
	return identity.Judge(ctx, b.Factors, b.store.Tx, p.User, factor, func(tx Store) error { return b.verifyFactor(ctx, tx, p, factor, code) }, nil)
}

// verifyFactor checks one factor's code for the session through st.
func (b *Service) verifyFactor(ctx context.Context, st Store, p identity.Principal, factor, code string) error {
	code = strings.TrimSpace(code)
	if code == "" || len(code) > 64 {
		return core.ErrOTPInvalid
	}
	if factor == FactorTOTP {
		return b.Factors.Verify(ctx, st, p.User, code)
	}
	now := b.now()
	ch, ok, err := st.AttemptOTP(ctx, p.Session.ID, factor, otpHash(p.Session.ID, factor, code), now)
	if errors.Is(err, core.ErrNotFound) {
		// No live challenge: none sent, expired, used, or out of attempts.
		if prev, err := st.OTPOf(ctx, p.Session.ID, factor); err == nil && prev.UsedAt == nil && prev.Attempts >= prev.MaxAttempts {
			return core.ErrOTPAttempts
		}
		return core.ErrOTPInvalid
	}
	if err != nil {
		return err
	}
	if !ok {
		if ch.Attempts >= ch.MaxAttempts {
			return core.ErrOTPAttempts
		}
		return core.ErrOTPInvalid
	}
	return nil
}
