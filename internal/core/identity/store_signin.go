package identity

import (
	"context"
	"time"

	"github.com/gatehouse/gatehouse/internal/outbox"
)

// SessionOpening is everything a sign-in writes when it opens a session
// (sessionOpened, signin.go), handed to the store as one call so that the
// store can write it in one round trip: on PostgreSQL one statement of
// data-modifying WITH queries, elsewhere a transaction.
type SessionOpening struct {
	Session *Session      // inserted as it is (its ID set)
	Refresh *RefreshToken // the session's first refresh token, inserted
	Audit   *AuditEvent   // the sign-in's row, as Audit would store it; its ID is filled
	// Clear are lockout counters deleted: the pair's, when the owner got in.
	Clear []string
	// Mail, when not nil, is queued whatever the store holds (an external
	// token's notice).
	Mail *outbox.Message
	// NewDevice, when not nil, makes the new-device mail, which is queued
	// only when the user has signed in before but never from
	// Session.Device, as DeviceSeen would answer (signedIn and not seen)
	// before Session is inserted: the very first sign-in is not news, nor
	// a device already seen. The store calls it at most once, when it may
	// need the mail: a store that decides in the statement that writes
	// (PostgreSQL) makes it first, one that reads first only for a new
	// device, so that SQLite's sign-ins do not render a mail they drop.
	NewDevice func() (outbox.Message, error)
	// TouchedAt is the user's new LastSeenAt.
	TouchedAt time.Time
}

// SessionOpener writes a sign-in's session; Records embeds it.
type SessionOpener interface {
	// OpenSession writes o in one atomic step: the audit row (filling its
	// ID), the counters cleared, the mail and the new-device mail as o
	// says, the session, its refresh token and the user's last-seen time —
	// all of them or, on any error, none. newDevice reports whether
	// o.NewDevice was queued. ErrNotFound when the user does not exist; a
	// session ID or refresh-token hash already taken is an internal error
	// (both are random). Outside Tx it needs no transaction of the
	// caller's; on PostgreSQL it is one statement, one round trip.
	OpenSession(ctx context.Context, o *SessionOpening) (newDevice bool, err error)
}
