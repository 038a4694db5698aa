package outbox

import (
	"context"
	"time"
)

// Message is a message waiting to be sent: a mail or a text message
// (Channel). Its body is sealed with the master key (it carries codes) and
// cleared once sent or dropped.
type Message struct {
	ID          int64
	Channel     string // ChannelMail or ChannelSMS: which worker delivers it
	To          string // an e-mail address or an E.164 phone number
	Kind        string // confirm_email, reset_password, otp_sms, …; the resend interval is per (To, Kind)
	Sealed      []byte // the sealed, rendered message
	Attempts    int
	NextAttempt time.Time
	CreatedAt   time.Time
	ExpiresAt   *time.Time // past it the message is useless (its code expired) and is dropped unsent; nil: never
	SentAt      *time.Time
	DroppedAt   *time.Time // given up: refused for good by the receiving server, or expired
	LastError   string
}

// Outbox channels.
const (
	ChannelMail = "mail"
	ChannelSMS  = "sms"
)

// Enqueuer writes a message to the outbox: a store, or the transaction of
// the change the message tells of (a mailed code commits with its code).
type Enqueuer interface {
	EnqueueMail(ctx context.Context, m *Message) error
}

// Store keeps the outbox (internal/store/sqlstore; outboxtest in memory).
type Store interface {
	Enqueuer
	// LastMailAt is the creation time of the newest message of kind to the
	// address, or the zero time when none.
	LastMailAt(ctx context.Context, to, kind string) (time.Time, error)
	// ClaimMail returns up to limit unsent, undropped messages of the channel
	// due at now and pushes their NextAttempt to leaseUntil, so that another
	// worker does not take them.
	ClaimMail(ctx context.Context, channel string, now, leaseUntil time.Time, limit int) ([]Message, error)
	// MarkMailSent sets SentAt and clears the sealed body.
	MarkMailSent(ctx context.Context, id int64, at time.Time) error
	// MarkMailFailed counts an attempt, records the error and schedules the next try.
	MarkMailFailed(ctx context.Context, id int64, errText string, next time.Time) error
	// DropMail gives a message up: counts the attempt, records the error,
	// sets DroppedAt and clears the sealed body; it is never claimed again.
	DropMail(ctx context.Context, id int64, errText string, at time.Time) error
}
