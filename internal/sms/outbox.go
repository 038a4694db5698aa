package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/google/uuid"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// KindOTP is the outbox kind of a text message carrying a factor code.
const KindOTP = "otp_sms"

// Outbox queues text messages in the one outbox and delivers them through
// its SMS worker. It implements bank.SMSQueue; the worker's tuning is
// reachable through the embedded Worker.
type Outbox struct{ *outbox.Worker }

var _ bank.SMSQueue = (*Outbox)(nil)

// NewOutbox returns an outbox that seals texts with sealer (they carry
// codes) and reads the time from now. A code lives minutes, not hours:
// retries start after 2 s and are at most 30 s apart, and a text still
// undelivered when its code expires is dropped.
func NewOutbox(sealer core.Sealer, now func() time.Time) *Outbox {
	w := outbox.New(outbox.ChannelSMS, sealer, now)
	w.BaseDelay, w.MaxDelay = 2*time.Second, 30*time.Second
	return &Outbox{w}
}

// queued is the sealed body of a queued text.
type queued struct {
	ID   string `json:"id"`
	Text string `json:"text"`
}

// QueueSMS seals text with a new message id and writes it to the outbox
// through st, in the caller's transaction; it is dropped unsent after
// expires. to is an E.164 number.
func (o *Outbox) QueueSMS(ctx context.Context, st outbox.Enqueuer, to, text string, expires time.Time) (err error) {
	defer core.Op(&err, "sms.Outbox.QueueSMS")
	// The id is made once here and sealed with the text, so every retry
	// of this message carries the same one.
	body, err := json.Marshal(queued{ID: uuid.NewString(), Text: text})
	if err != nil {
		return err
	}
	return o.Enqueue(ctx, st, outbox.Message{To: to, Kind: KindOTP, ExpiresAt: &expires}, body)
}

// Run delivers due texts through sender until ctx is done (outbox.Worker.Run).
func (o *Outbox) Run(ctx context.Context, st outbox.Store, sender Sender) {
	o.Worker.Run(ctx, st, deliver(sender))
}

// Flush attempts every text due now once (outbox.Worker.Flush).
func (o *Outbox) Flush(ctx context.Context, st outbox.Store, sender Sender) error {
	return o.Worker.Flush(ctx, st, deliver(sender))
}

// deliver sends one opened text through sender.
func deliver(sender Sender) outbox.Deliver {
	return func(ctx context.Context, m outbox.Message, body []byte) error {
		var q queued
		if err := json.Unmarshal(body, &q); err != nil {
			return outbox.Permanent(fmt.Errorf("decode sealed text: %w", err))
		}
		msg := Message{ID: q.ID, To: m.To, Text: q.Text}
		if m.ExpiresAt != nil {
			msg.Expires = *m.ExpiresAt
		}
		return sender.Send(ctx, msg)
	}
}
