// Package outbox delivers queued messages in the background: mail
// (internal/mail) and text messages (internal/sms) share one table and this
// one worker, each channel with a Worker of its own.
//
// A message is written through the caller's store, in the caller's
// transaction, with its body sealed under the master key (it carries
// codes), so a request that commits always has its message and a database
// dump shows no code. The Worker claims due messages of its channel under
// a lease, hands each opened body to the channel's Deliver, and records
// the outcome: sent (the body cleared), failed (retried with a capped
// exponential backoff), or dropped — refused for good (Permanent) or past
// its expiry, the body cleared too.
package outbox

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Deliver sends the opened body of one claimed message. An error means the
// message may not have been delivered: it is retried later, unless the
// error is Permanent.
type Deliver func(ctx context.Context, m Message, body []byte) error

// Worker queues and delivers the messages of one channel.
//
// Delivery is at least once: a message whose sending succeeded but whose
// MarkMailSent failed is sent again after its lease. A duplicate code is
// harmless; a lost one locks the user out.
type Worker struct {
	channel string
	sealer  core.Sealer
	now     func() time.Time
	wake    chan struct{} // capacity 1: a pending wake-up absorbs later ones

	// The tuning below is set by New; change it before Run, not during.

	// Log receives one warning per failed delivery (never the body or a
	// code: only the id, kind, attempt and error). nil means slog.Default().
	Log *slog.Logger
	// Lease is how long a claimed message is hidden from other workers. It
	// must exceed the sender's timeout, or two workers could send it.
	Lease time.Duration
	// Interval is how often Run looks for due messages without being woken.
	Interval time.Duration
	// Recheck is how soon after a wake-up Run looks once more: Enqueue
	// wakes the worker before the caller's transaction commits, so the
	// first look may not see the new row yet.
	Recheck time.Duration
	// BaseDelay and MaxDelay bound the retry backoff: BaseDelay·2^n, capped
	// at MaxDelay, minus up to a quarter of jitter.
	BaseDelay, MaxDelay time.Duration
	// Batch is how many messages one claim takes.
	Batch int
}

// New returns a worker of channel (ChannelMail, ChannelSMS) that
// seals bodies with sealer and reads the time from now.
func New(channel string, sealer core.Sealer, now func() time.Time) *Worker {
	return &Worker{
		channel:   channel,
		sealer:    sealer,
		now:       now,
		wake:      make(chan struct{}, 1),
		Lease:     time.Minute,
		Interval:  5 * time.Second,
		Recheck:   time.Second,
		BaseDelay: 5 * time.Second,
		MaxDelay:  time.Hour,
		Batch:     50,
	}
}

// Enqueue seals body and writes m (To, Kind and ExpiresAt filled by the
// caller; a nil ExpiresAt never expires) to the outbox through st, so
// that it commits or rolls back with the caller's transaction; then it
// wakes the worker. It returns the store's error when the write fails.
func (w *Worker) Enqueue(ctx context.Context, st Enqueuer, m Message, body []byte) (err error) {
	defer core.Op(&err, "outbox.Enqueue")
	if m, err = w.Seal(m, body); err != nil {
		return err
	}
	if err := st.EnqueueMail(ctx, &m); err != nil {
		return err
	}
	w.Wake()
	return nil
}

// Seal is m as Enqueue would write it (the body sealed, the channel and
// times filled), without writing it: for a store that writes the message
// in one statement with the change it tells of, and perhaps not at all (a
// sign-in's new-device notice). The caller calls Wake once it is written.
func (w *Worker) Seal(m Message, body []byte) (Message, error) {
	sealed, err := w.sealer.Seal(body)
	if err != nil {
		return Message{}, fmt.Errorf("seal: %w", err)
	}
	now := w.now()
	m.Channel, m.Sealed, m.NextAttempt, m.CreatedAt = w.channel, sealed, now, now
	return m, nil
}

// Wake tells Run a message was written; a wake-up already pending absorbs it.
func (w *Worker) Wake() {
	select {
	case w.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
}

// Open returns the body of a sealed message.
func (w *Worker) Open(sealed []byte) ([]byte, error) {
	body, err := w.sealer.Open(sealed)
	if err != nil {
		return nil, fmt.Errorf("open sealed %s: %w", w.channel, err)
	}
	return body, nil
}

// Run delivers due messages until ctx is done: at once, then whenever
// Enqueue wakes it, shortly after each wake-up (see Recheck) and every
// Interval. Failed deliveries are retried with backoff for as long as Run
// runs. When ctx ends, Run stops between messages: the one being sent is
// finished and recorded (the sender's own timeout bounds it), no other is
// begun, and the rest of a claimed batch comes back when its lease ends.
func (w *Worker) Run(ctx context.Context, st Store, deliver Deliver) {
	tick := time.NewTicker(w.Interval)
	defer tick.Stop()
	var recheck <-chan time.Time
	for {
		if err := w.Flush(ctx, st, deliver); err != nil && ctx.Err() == nil {
			w.logger().Error("outbox: flush failed", "channel", w.channel, "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-recheck:
			recheck = nil
		case <-w.wake:
			recheck = time.After(w.Recheck)
		}
	}
}

// Flush attempts every message due now once: each is sent and marked
// sent, marked failed with its next attempt pushed back, or dropped. A
// failed send is not an error of Flush; the store's errors are (the first
// one is returned, after the rest of the batch was tried).
func (w *Worker) Flush(ctx context.Context, st Store, deliver Deliver) (err error) {
	defer core.Op(&err, "outbox.Flush")
	var first error
	for {
		now := w.now()
		batch, err := st.ClaimMail(ctx, w.channel, now, now.Add(w.Lease), w.Batch)
		if err != nil {
			return errors.Join(first, fmt.Errorf("claim: %w", err))
		}
		for _, m := range batch {
			if ctx.Err() != nil { // stopping: between messages
				return errors.Join(first, ctx.Err())
			}
			if err := w.deliver(ctx, st, deliver, m); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if first == nil {
					first = err
				}
			}
		}
		// Claimed messages are leased into the future, so the next claim
		// sees only others and the loop ends.
		if len(batch) < w.Batch {
			return first
		}
	}
}

// deliver opens and sends one claimed message and records the outcome. A
// message begun is finished even when ctx ends meanwhile (shutdown):
// cutting an SMTP session or a gateway request in the middle may deliver
// the message and still send it again after the lease.
func (w *Worker) deliver(ctx context.Context, st Store, deliver Deliver, m Message) error {
	ctx = context.WithoutCancel(ctx)
	if m.ExpiresAt != nil && !w.now().Before(*m.ExpiresAt) {
		return w.drop(ctx, st, m, errors.New("expired before it could be delivered"))
	}
	body, err := w.Open(m.Sealed)
	if err == nil {
		err = deliver(ctx, m, body)
	}
	now := w.now()
	if err == nil {
		if err := st.MarkMailSent(ctx, m.ID, now); err != nil {
			return fmt.Errorf("mark %s %d sent: %w", w.channel, m.ID, err)
		}
		return nil
	}
	if IsPermanent(err) {
		return w.drop(ctx, st, m, err)
	}
	next := now.Add(w.backoff(m.Attempts))
	w.logger().Warn("outbox: delivery failed, will retry", "channel", w.channel,
		"id", m.ID, "kind", m.Kind, "attempt", m.Attempts+1, "next_attempt", next, "error", err)
	if err := st.MarkMailFailed(ctx, m.ID, truncate(err.Error(), 1000), next); err != nil {
		return fmt.Errorf("mark %s %d failed: %w", w.channel, m.ID, err)
	}
	return nil
}

// drop gives m up for good and says so in the log, where an operator
// looks for a gateway that refuses every message.
func (w *Worker) drop(ctx context.Context, st Store, m Message, cause error) error {
	w.logger().Error("outbox: delivery given up", "channel", w.channel,
		"id", m.ID, "kind", m.Kind, "attempt", m.Attempts+1, "error", cause)
	if err := st.DropMail(ctx, m.ID, truncate(cause.Error(), 1000), w.now()); err != nil {
		return fmt.Errorf("drop %s %d: %w", w.channel, m.ID, err)
	}
	return nil
}

// backoff is the delay after the attempt-th failure (0 for the first):
// BaseDelay·2^attempt capped at MaxDelay, less up to a quarter at random so
// that messages that failed together (an outage) do not retry together.
func (w *Worker) backoff(attempt int) time.Duration {
	d := max(w.BaseDelay, time.Millisecond)
	for i := 0; i < attempt && d < w.MaxDelay; i++ {
		d *= 2 // d < MaxDelay here, so this cannot overflow for any sane cap
	}
	d = min(d, w.MaxDelay)
	return d - rand.N(d/4+1)
}

func (w *Worker) logger() *slog.Logger {
	if w.Log != nil {
		return w.Log
	}
	return slog.Default()
}

// permanent marks an error that retrying cannot fix.
type permanent struct{ err error }

func (p permanent) Error() string { return p.err.Error() }
func (p permanent) Unwrap() error { return p.err }

// Permanent marks err as a refusal that retrying cannot fix (a gateway's
// 400: a malformed number, bad credentials): the worker drops the message
// instead of retrying it.
func Permanent(err error) error { return permanent{err} }

// IsPermanent reports whether err, or an error it wraps, was marked
// Permanent.
func IsPermanent(err error) bool { return errors.As(err, new(permanent)) }

// truncate cuts s to at most n bytes without splitting a UTF-8 sequence.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && s[n]&0xC0 == 0x80 {
		n--
	}
	return s[:n]
}
