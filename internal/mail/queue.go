package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"net/mail"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/outbox"
)

// Outbox queues mail in the store and delivers it in the background
// through the outbox's mail worker (internal/outbox: sealed at rest, at
// least once, retried with backoff forever, because the user is waiting
// for a code). It implements identity.Mailer; the worker's tuning (Log,
// BaseDelay, …) is reachable through the embedded Worker.
type Outbox struct {
	*outbox.Worker
	from string
}

var _ identity.Mailer = (*Outbox)(nil)

// NewOutbox returns an outbox that seals messages with sealer (they carry
// codes), sends them from from (GATEHOUSE_MAIL_FROM) and reads the time from now.
func NewOutbox(sealer core.Sealer, from string, now func() time.Time) *Outbox {
	return &Outbox{Worker: outbox.New(outbox.ChannelMail, sealer, now), from: from}
}

// Queue renders the message (see Render), seals it and writes it to the
// outbox through st, so that it commits or rolls back with the caller's
// transaction; then it wakes the worker. It returns Render's errors for an
// unknown kind or missing data, and the store's error when the write fails.
func (o *Outbox) Queue(ctx context.Context, st outbox.Enqueuer, to, kind, locale string, data map[string]string) (err error) {
	defer core.Op(&err, "mail.Outbox.Queue")
	m, plain, err := render(to, kind, locale, data)
	if err != nil {
		return err
	}
	return o.Enqueue(ctx, st, m, plain)
}

// Prepare renders and seals the message as Queue does, without writing it
// (identity.Mailer): the caller's store writes it, and the caller calls
// Wake (outbox.Worker) once it has been written.
func (o *Outbox) Prepare(to, kind, locale string, data map[string]string) (m outbox.Message, err error) {
	defer core.Op(&err, "mail.Outbox.Prepare")
	m, plain, err := render(to, kind, locale, data)
	if err != nil {
		return outbox.Message{}, err
	}
	return o.Seal(m, plain)
}

// render is the outbox message of a mail and its plain JSON body.
func render(to, kind, locale string, data map[string]string) (outbox.Message, []byte, error) {
	msg, err := Render(kind, locale, data)
	if err != nil {
		return outbox.Message{}, nil, err
	}
	plain, err := json.Marshal(msg)
	if err != nil {
		return outbox.Message{}, nil, err
	}
	return outbox.Message{To: to, Kind: kind}, plain, nil
}

// Run delivers due mail through sender until ctx is done (outbox.Worker.Run).
func (o *Outbox) Run(ctx context.Context, st outbox.Store, sender Sender) {
	o.Worker.Run(ctx, st, o.deliver(sender))
}

// Flush attempts every mail due now once (outbox.Worker.Flush).
func (o *Outbox) Flush(ctx context.Context, st outbox.Store, sender Sender) error {
	return o.Worker.Flush(ctx, st, o.deliver(sender))
}

// deliver sends one opened mail through sender.
func (o *Outbox) deliver(sender Sender) outbox.Deliver {
	return func(ctx context.Context, m outbox.Message, body []byte) error {
		msg, err := decode(body)
		if err != nil {
			return err
		}
		msg.ID = messageID(m, o.from)
		return sender.Send(ctx, o.from, m.To, msg)
	}
}

// messageID is the stable Message-ID of an outbox mail: its row's id and
// creation time (unique in one database, and across a restored backup)
// at the sender's domain, which every node of a deployment shares.
func messageID(m outbox.Message, from string) string {
	domain := "localhost"
	if a, err := mail.ParseAddress(from); err == nil {
		if _, d, ok := strings.Cut(a.Address, "@"); ok && d != "" {
			domain = d
		}
	}
	return fmt.Sprintf("gatehouse.%d.%d@%s", m.ID, m.CreatedAt.UnixMicro(), domain)
}

// decode reads the JSON of a queued message.
func decode(body []byte) (Message, error) {
	var msg Message
	if err := json.Unmarshal(body, &msg); err != nil {
		return Message{}, fmt.Errorf("decode sealed mail: %w", err)
	}
	return msg, nil
}
