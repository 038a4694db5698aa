// Package sms sends the bank door's OTP_SMS codes.
//
//   - The Outbox implements bank.SMSQueue: QueueSMS seals the text and
//     writes it to the one outbox (internal/outbox) in the caller's
//     transaction; Run delivers the queue through a Sender, retrying
//     temporary failures with backoff until the code expires.
//   - A Sender delivers one Message: the HTTP Gateway (a JSON POST to
//     GATEHOUSE_SMS_URL=https://…), Twilio's Messages API
//     (GATEHOUSE_SMS_URL=twilio://…) or the LogSender (log:, development).
//     FromURL builds one from the setting.
//
// Neither the text (it carries the code) nor the secret token is ever
// logged: errors name the status or the network failure, never a body.
package sms

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"sync"
	"time"
)

// Message is one text message to deliver.
type Message struct {
	ID      string    // stable across retries of this message: a gateway may drop a duplicate
	To      string    // E.164
	Text    string    // carries the code
	Expires time.Time // the code dies then; a provider may stop trying at that time
}

// Sender delivers one message. An error means the message may not have
// been delivered: the outbox retries it later, unless the error is
// outbox.Permanent (the gateway refused it for good).
type Sender interface {
	Send(ctx context.Context, m Message) error
}

// LogSender writes each message to a writer (stderr), outside the
// structured log, for the same reason as mail.LogSender: the log is
// shipped and kept, and must never carry a code. It is the sender of
// GATEHOUSE_SMS_URL=log:, for development.
type LogSender struct {
	mu   sync.Mutex
	w    io.Writer
	json bool
	now  func() time.Time
}

// NewLogSender returns a LogSender writing to w.
func NewLogSender(w io.Writer) *LogSender { return &LogSender{w: w} }

// NewJSONLogSender returns a LogSender writing each message as one JSON
// object on one line (GATEHOUSE_LOG_FORMAT=json), so that a JSON log
// parser reading stderr survives it: slog's time, level and msg, to, text.
func NewJSONLogSender(w io.Writer, now func() time.Time) *LogSender {
	if now == nil {
		now = time.Now
	}
	return &LogSender{w: w, json: true, now: now}
}

// Send writes the message. It fails only when the writer does.
func (s *LogSender) Send(_ context.Context, m Message) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.json {
		line, err := json.Marshal(struct {
			Time  time.Time `json:"time"`
			Level string    `json:"level"`
			Msg   string    `json:"msg"`
			To    string    `json:"to"`
			Text  string    `json:"text"`
		}{s.now(), "WARN", "sms not sent: GATEHOUSE_SMS_URL=log:", m.To, m.Text})
		if err == nil {
			_, err = s.w.Write(append(line, '\n'))
		}
		if err != nil {
			return fmt.Errorf("sms.LogSender.Send: %w", err)
		}
		return nil
	}
	if _, err := fmt.Fprintf(s.w, "----- sms (not sent: GATEHOUSE_SMS_URL=log:) -----\nTo: %s\n%s\n----- end of sms -----\n", m.To, m.Text); err != nil {
		return fmt.Errorf("sms.LogSender.Send: %w", err)
	}
	return nil
}
