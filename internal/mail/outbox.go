package mail

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Outbox queues mail in the store and delivers it in the background. It
// implements core.Mailer.
//
// Delivery is at least once: a mail whose sending succeeded but whose
// MarkMailSent failed is sent again after its lease. A duplicate
// confirmation mail is harmless; a lost one locks the user out.
type Outbox struct {
	sealer core.Sealer
	from   string
	now    func() time.Time
	wake   chan struct{} // capacity 1: a pending wake-up absorbs later ones

	// The tuning below is set by NewOutbox; change it before Run, not during.

	// Log receives one warning per failed delivery (never the body or the
	// code: only the id, kind, attempt and error). nil means slog.Default().
	Log *slog.Logger
	// Lease is how long a claimed mail is hidden from other workers. It
	// must exceed the sender's timeout, or two workers could send it.
	Lease time.Duration
	// Interval is how often Run looks for due mail without being woken.
	Interval time.Duration
	// Recheck is how soon after a wake-up Run looks once more: Queue wakes
	// the worker before the caller's transaction commits, so the first look
	// may not see the new row yet.
	Recheck time.Duration
	// BaseDelay and MaxDelay bound the retry backoff: BaseDelay·2^n, capped
	// at MaxDelay, minus up to a quarter of jitter.
	BaseDelay, MaxDelay time.Duration
	// Batch is how many mails one claim takes.
	Batch int
}

var _ core.Mailer = (*Outbox)(nil)

// NewOutbox returns an outbox that seals messages with sealer (they carry
// codes), sends them from from (GATEHOUSE_MAIL_FROM) and reads the time from now.
func NewOutbox(sealer core.Sealer, from string, now func() time.Time) *Outbox {
	return &Outbox{
		sealer:    sealer,
		from:      from,
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

// Queue renders the message (see Render), seals it and writes it to the
// outbox through st, so that it commits or rolls back with the caller's
// transaction; then it wakes the worker. It returns Render's errors for an
// unknown kind or missing data, and the store's error when the write fails.
func (o *Outbox) Queue(ctx context.Context, st core.Store, to, kind, locale string, data map[string]string) (err error) {
	defer core.Op(&err, "mail.Outbox.Queue")
	msg, err := Render(kind, locale, data)
	if err != nil {
		return err
	}
	plain, err := json.Marshal(msg)
	if err != nil {
		return err
	}
	sealed, err := o.sealer.Seal(plain)
	if err != nil {
		return fmt.Errorf("seal: %w", err)
	}
	now := o.now()
	m := &core.OutboxMail{To: to, Kind: kind, Sealed: sealed, NextAttempt: now, CreatedAt: now}
	if err := st.EnqueueMail(ctx, m); err != nil {
		return err
	}
	select {
	case o.wake <- struct{}{}:
	default: // a wake-up is already pending
	}
	return nil
}

// Run delivers due mail until ctx is done: at once, then whenever Queue
// wakes it, shortly after each wake-up (see Recheck) and every Interval.
// Failed deliveries are retried with backoff for as long as Run runs. When
// ctx ends, Run stops between mails: the one being sent is finished and
// recorded (the sender's own timeout bounds it), no other is begun, and
// the rest of a claimed batch comes back when its lease ends.
func (o *Outbox) Run(ctx context.Context, st core.Store, sender Sender) {
	tick := time.NewTicker(o.Interval)
	defer tick.Stop()
	var recheck <-chan time.Time
	for {
		if err := o.Flush(ctx, st, sender); err != nil && ctx.Err() == nil {
			o.logger().Error("mail outbox: flush failed", "error", err)
		}
		select {
		case <-ctx.Done():
			return
		case <-tick.C:
		case <-recheck:
			recheck = nil
		case <-o.wake:
			recheck = time.After(o.Recheck)
		}
	}
}

// Flush attempts every mail due now once: each is sent and marked sent, or
// marked failed with its next attempt pushed back. A failed send is not an
// error of Flush; the store's errors are (the first one is returned, after
// the rest of the batch was tried).
func (o *Outbox) Flush(ctx context.Context, st core.Store, sender Sender) (err error) {
	defer core.Op(&err, "mail.Outbox.Flush")
	var first error
	for {
		now := o.now()
		batch, err := st.ClaimMail(ctx, now, now.Add(o.Lease), o.Batch)
		if err != nil {
			return errors.Join(first, fmt.Errorf("claim: %w", err))
		}
		for _, m := range batch {
			if ctx.Err() != nil { // stopping: between mails
				return errors.Join(first, ctx.Err())
			}
			if err := o.deliver(ctx, st, sender, m); err != nil {
				if ctx.Err() != nil {
					return ctx.Err()
				}
				if first == nil {
					first = err
				}
			}
		}
		// Claimed mail is leased into the future, so the next claim sees
		// only other mail and the loop ends.
		if len(batch) < o.Batch {
			return first
		}
	}
}

// deliver opens and sends one claimed mail and records the outcome. A
// mail begun is finished even when ctx ends meanwhile (shutdown): cutting
// an SMTP session in the middle may deliver the mail and still send it
// again after the lease.
func (o *Outbox) deliver(ctx context.Context, st core.Store, sender Sender, m core.OutboxMail) error {
	ctx = context.WithoutCancel(ctx)
	msg, err := o.open(m.Sealed)
	if err == nil {
		err = sender.Send(ctx, o.from, m.To, msg)
	}
	now := o.now()
	if err == nil {
		if err := st.MarkMailSent(ctx, m.ID, now); err != nil {
			return fmt.Errorf("mark mail %d sent: %w", m.ID, err)
		}
		return nil
	}
	next := now.Add(o.backoff(m.Attempts))
	o.logger().Warn("mail outbox: delivery failed, will retry",
		"mail_id", m.ID, "kind", m.Kind, "attempt", m.Attempts+1, "next_attempt", next, "error", err)
	if err := st.MarkMailFailed(ctx, m.ID, truncate(err.Error(), 1000), next); err != nil {
		return fmt.Errorf("mark mail %d failed: %w", m.ID, err)
	}
	return nil
}

func (o *Outbox) open(sealed []byte) (Message, error) {
	plain, err := o.sealer.Open(sealed)
	if err != nil {
		return Message{}, fmt.Errorf("open sealed mail: %w", err)
	}
	var msg Message
	if err := json.Unmarshal(plain, &msg); err != nil {
		return Message{}, fmt.Errorf("decode sealed mail: %w", err)
	}
	return msg, nil
}

// backoff is the delay after the attempt-th failure (0 for the first):
// BaseDelay·2^attempt capped at MaxDelay, less up to a quarter at random so
// that mails that failed together (an SMTP outage) do not retry together.
func (o *Outbox) backoff(attempt int) time.Duration {
	d := max(o.BaseDelay, time.Millisecond)
	for i := 0; i < attempt && d < o.MaxDelay; i++ {
		d *= 2 // d < MaxDelay here, so this cannot overflow for any sane cap
	}
	d = min(d, o.MaxDelay)
	return d - rand.N(d/4+1)
}

func (o *Outbox) logger() *slog.Logger {
	if o.Log != nil {
		return o.Log
	}
	return slog.Default()
}

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
