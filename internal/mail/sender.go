package mail

import (
	"context"
	"fmt"
	"io"
	"strings"
	"sync"
)

// Sender delivers one rendered message. from is an RFC 5322 address,
// optionally with a display name ("Gatehouse <no-reply@example.com>").
// An error means the message may not have been delivered; the outbox
// retries it later.
type Sender interface {
	Send(ctx context.Context, from, to string, m Message) error
}

// LogSender is the Sender used when GATEHOUSE_SMTP_URL is empty: it writes
// the whole message (recipient, subject, plain-text body) to a writer,
// stderr in production, so a developer can read the confirmation code.
//
// It deliberately bypasses slog. The structured log is shipped, indexed
// and kept; it must never carry codes or reset tokens, and a rule that
// holds "except in dev" does not hold. Stderr written outside the logger
// is a console convenience that nobody ships by accident as a log record.
type LogSender struct {
	mu sync.Mutex // one message at a time, so that concurrent messages do not interleave
	w  io.Writer
}

// NewLogSender returns a LogSender writing to w.
func NewLogSender(w io.Writer) *LogSender { return &LogSender{w: w} }

// Send writes m to the writer. It fails only when the writer does.
func (s *LogSender) Send(_ context.Context, from, to string, m Message) error {
	var b strings.Builder
	fmt.Fprintf(&b, "----- mail (not sent: GATEHOUSE_SMTP_URL is empty) -----\n")
	fmt.Fprintf(&b, "From: %s\nTo: %s\nSubject: %s\n\n", from, to, m.Subject)
	b.WriteString(strings.TrimRight(m.Text, "\n"))
	b.WriteString("\n----- end of mail -----\n")

	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := io.WriteString(s.w, b.String()); err != nil {
		return fmt.Errorf("mail.LogSender.Send: %w", err)
	}
	return nil
}
