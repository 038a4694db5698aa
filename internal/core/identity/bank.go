package identity

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
)

// SMSQueue queues a text message to an E.164 number through st, so that
// it commits with the caller's transaction, for delivery in the background
// (internal/sms: through the outbox, like mail). The text is useless after
// expires (its code dies) and is then dropped unsent.
type SMSQueue interface {
	QueueSMS(ctx context.Context, st outbox.Enqueuer, to, text string, expires time.Time) error
}

// BankPolicy holds the bank door's tunables.
type BankPolicy struct {
	Zone          *time.Location // where "created" is told (GATEHOUSE_BANK_ZONE)
	OTPTTL        time.Duration  // lifetime of a sent code
	OTPAttempts   int            // wrong codes allowed per sent code
	OTPResend     time.Duration  // at most one code per session and factor per interval
	OTPMaxSends   int            // codes per session and factor in all
	StepTTL       time.Duration  // lifetime of a session whose chain is not complete
	CiphertextTTL time.Duration  // how long a credential ciphertext is remembered against replay
}

// DefaultBankPolicy returns the documented defaults.
func DefaultBankPolicy() BankPolicy {
	return BankPolicy{
		Zone: time.UTC, OTPTTL: 5 * time.Minute, OTPAttempts: 5, OTPResend: time.Minute, OTPMaxSends: 5,
		StepTTL: 30 * time.Minute, CiphertextTTL: 26 * time.Hour,
	}
}

// Bank is the bank door's part of the identity core: the login as a chain
// of steps over the one Service (its users, sessions, tokens and mail).
// Build it as a struct literal; all fields are required but SMS.
type Bank struct {
	Core *Service
	// SMS queues OTP_SMS codes; nil when no SMS gateway is configured:
	// OTP_SMS is then never a possible factor (the roles' policies stay as
	// they are, so a role whose every chain needs it cannot be signed in to).
	SMS     SMSQueue
	Factors *Factors // the account's TOTP and recovery codes, one of a chain's factors
	Policy  BankPolicy
}

// BankDoor is the Session.Door of bank sessions.
const BankDoor = "bank"

func (b *Bank) now() time.Time { return b.Core.now() }
func (b *Bank) st() Store      { return b.Core.Store }
