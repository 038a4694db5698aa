package mail

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"sync"
	"time"
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
	mu   sync.Mutex // one message at a time, so that concurrent messages do not interleave
	w    io.Writer
	json bool
	now  func() time.Time
}

// NewLogSender returns a LogSender writing to w.
func NewLogSender(w io.Writer) *LogSender { return &LogSender{w: w} }

// NewJSONLogSender returns a LogSender writing each message to w as one
// JSON object on one line (GATEHOUSE_LOG_FORMAT=json): stderr is then read
// by a JSON log parser, which a plain-text block would break. The record
// has slog's time, level and msg keys, and from, to, subject and text.
func NewJSONLogSender(w io.Writer) *LogSender {
	return &LogSender{w: w, json: true, now: time.Now}
}

// devMailRecord is a message as NewJSONLogSender writes it.
type devMailRecord struct {
	Time    time.Time `json:"time"`
	Level   string    `json:"level"`
	Msg     string    `json:"msg"`
	From    string    `json:"from"`
	To      string    `json:"to"`
	Subject string    `json:"subject"`
	Text    string    `json:"text"`
}

// Send writes m to the writer. It fails only when the writer does.
func (s *LogSender) Send(_ context.Context, from, to string, m Message) error {
	if s.json {
		return s.sendJSON(from, to, m)
	}
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

func (s *LogSender) sendJSON(from, to string, m Message) error {
	line, err := json.Marshal(devMailRecord{Time: s.now(), Level: "WARN", Msg: "mail not sent: GATEHOUSE_SMTP_URL is empty",
		From: from, To: to, Subject: m.Subject, Text: strings.TrimRight(m.Text, "\n")})
	if err != nil {
		return fmt.Errorf("mail.LogSender.Send: %w", err)
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, err := s.w.Write(append(line, '\n')); err != nil {
		return fmt.Errorf("mail.LogSender.Send: %w", err)
	}
	return nil
}
