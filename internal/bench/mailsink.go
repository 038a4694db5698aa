package bench

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"mime/quotedprintable"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"sync"
	"time"

	"github.com/emersion/go-smtp"
)

// MailSink is a small SMTP server that takes the server's mail (start the
// server with GATEHOUSE_SMTP_URL=smtp://<sink address>) and hands the
// confirmation codes to the register+confirm scenario.
type MailSink struct {
	Addr string
	srv  *smtp.Server

	mu      sync.Mutex
	waiting map[string]chan string // recipient → its code
}

// StartMailSink listens on addr (e.g. 127.0.0.1:2525).
func StartMailSink(addr string) (*MailSink, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("mail sink: %w", err)
	}
	m := &MailSink{Addr: ln.Addr().String(), waiting: map[string]chan string{}}
	m.srv = smtp.NewServer(sinkBackend{m})
	m.srv.Domain = "bench.local"
	m.srv.AllowInsecureAuth = true
	m.srv.ReadTimeout, m.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = m.srv.Serve(ln) }()
	return m, nil
}

// Close stops the sink.
func (m *MailSink) Close() error { return m.srv.Close() }

func (m *MailSink) box(to string) chan string {
	m.mu.Lock()
	defer m.mu.Unlock()
	c := m.waiting[to]
	if c == nil {
		c = make(chan string, 1)
		m.waiting[to] = c
	}
	return c
}

// Code waits for the confirmation code mailed to to.
func (m *MailSink) Code(ctx context.Context, to string, timeout time.Duration) (string, error) {
	c := m.box(strings.ToLower(to))
	defer func() {
		m.mu.Lock()
		delete(m.waiting, strings.ToLower(to))
		m.mu.Unlock()
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case code := <-c:
		return code, nil
	case <-t.C:
		return "", fmt.Errorf("mail sink: no code for %s within %v", to, timeout)
	case <-ctx.Done():
		return "", ctx.Err()
	}
}

func (m *MailSink) deliver(to string, raw []byte) error {
	text, err := plainText(raw)
	if err != nil {
		return err
	}
	got := confirmLink.FindStringSubmatch(text)
	if got == nil {
		return nil // some other mail
	}
	select {
	case m.box(strings.ToLower(to)) <- got[1]:
	default: // a resend; the first code is enough
	}
	return nil
}

var confirmLink = regexp.MustCompile(`/v1/user/confirm/([A-Za-z0-9_-]+)`)

// plainText returns the message's text/plain part, decoded.
func plainText(raw []byte) (string, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return "", err
	}
	return walkText(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body)
}

func walkText(ctype, enc string, body io.Reader) (string, error) {
	mt, params, err := mime.ParseMediaType(ctype)
	if err != nil {
		return "", err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return "", nil
			}
			if err != nil {
				return "", err
			}
			if t, err := walkText(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p); err != nil || t != "" {
				return t, err
			}
		}
	}
	if mt != "text/plain" {
		return "", nil
	}
	switch strings.ToLower(enc) {
	case "quoted-printable":
		body = quotedprintable.NewReader(body)
	case "base64":
		body = base64.NewDecoder(base64.StdEncoding, body)
	}
	b, err := io.ReadAll(body)
	return string(b), err
}

type sinkBackend struct{ m *MailSink }

func (b sinkBackend) NewSession(*smtp.Conn) (smtp.Session, error) { return &sinkSession{m: b.m}, nil }

type sinkSession struct {
	m  *MailSink
	to []string
}

func (s *sinkSession) Reset()                               { s.to = nil }
func (s *sinkSession) Logout() error                        { return nil }
func (s *sinkSession) Mail(string, *smtp.MailOptions) error { return nil }
func (s *sinkSession) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.to = append(s.to, to)
	return nil
}

func (s *sinkSession) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	for _, to := range s.to {
		if err := s.m.deliver(to, raw); err != nil {
			return err
		}
	}
	return nil
}
