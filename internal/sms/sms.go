// Package sms holds the text-message senders of the bank door's OTP_SMS
// factor (core.SMSSender): a LogSender for development that writes to
// stderr (tests use smstest.Memory). A real SMS gateway is one more
// implementation of the same one-method interface.
package sms

import (
	"context"
	"fmt"
	"io"
	"sync"
)

// LogSender writes each message to a writer (stderr), outside the
// structured log, for the same reason as mail.LogSender: the log is
// shipped and kept, and must never carry a code.
type LogSender struct {
	mu sync.Mutex
	w  io.Writer
}

// NewLogSender returns a LogSender writing to w.
func NewLogSender(w io.Writer) *LogSender { return &LogSender{w: w} }

// SendSMS writes the message.
func (s *LogSender) SendSMS(_ context.Context, phone, text string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := fmt.Fprintf(s.w, "----- sms (not sent: no SMS gateway) -----\nTo: %s\n%s\n----- end of sms -----\n", phone, text); err != nil {
		return fmt.Errorf("sms.LogSender.SendSMS: %w", err)
	}
	return nil
}
