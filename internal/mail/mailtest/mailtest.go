// Package mailtest runs a real SMTP server in a test (emersion/go-smtp on
// 127.0.0.1) and hands each received message to the test, parsed.
package mailtest

import (
	"bytes"
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received mail.
type Message struct {
	From, To string
	Subject  string
	Text     string // the text/plain part
	HTML     string // the text/html part
	Raw      []byte
}

// Server is an SMTP server living as long as the test.
type Server struct {
	Addr     string
	received chan Message
	srv      *smtp.Server
}

// Start listens on a free port and serves until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), received: make(chan Message, 64)}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() { s.srv.Close() })
	return s
}

// URL is the GATEHOUSE_SMTP_URL of this server.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// Next waits for the next message, failing the test after timeout.
func (s *Server) Next(t testing.TB, timeout time.Duration) Message {
	t.Helper()
	select {
	case m := <-s.received:
		return m
	case <-time.After(timeout):
		t.Fatalf("no mail arrived within %v", timeout)
		return Message{}
	}
}

// None asserts that no message is waiting right now.
func (s *Server) None(t testing.TB) {
	t.Helper()
	select {
	case m := <-s.received:
		t.Fatalf("unexpected mail to %s: %q", m.To, m.Subject)
	default:
	}
}

var lineSecret = regexp.MustCompile(`(?m)^\s*([A-Za-z0-9_-]{40,})\s*$`)

// Secret returns the code or token the message carries on a line of its own.
func (m Message) Secret(t testing.TB) string {
	t.Helper()
	got := lineSecret.FindStringSubmatch(m.Text)
	if got == nil {
		t.Fatalf("no code on a line of its own in:\n%s", m.Text)
	}
	return got[1]
}

type backend struct{ s *Server }

func (b backend) NewSession(*smtp.Conn) (smtp.Session, error) { return &session{s: b.s}, nil }

type session struct {
	s        *Server
	from, to string
}

func (x *session) Reset()        {}
func (x *session) Logout() error { return nil }
func (x *session) Mail(from string, _ *smtp.MailOptions) error {
	x.from = from
	return nil
}
func (x *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	x.to = to
	return nil
}

func (x *session) Data(r io.Reader) error {
	raw, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	m, err := parse(raw)
	if err != nil {
		return err
	}
	m.From, m.To = x.from, x.to
	x.s.received <- m
	return nil
}

func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	m := Message{Subject: subject, Raw: raw}
	err = walk(msg.Header.Get("Content-Type"), msg.Header.Get("Content-Transfer-Encoding"), msg.Body, &m)
	return m, err
}

func walk(contentType, encoding string, body io.Reader, m *Message) error {
	mt, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return err
	}
	if strings.HasPrefix(mt, "multipart/") {
		mr := multipart.NewReader(body, params["boundary"])
		for {
			p, err := mr.NextRawPart()
			if errors.Is(err, io.EOF) {
				return nil
			}
			if err != nil {
				return err
			}
			if err := walk(p.Header.Get("Content-Type"), p.Header.Get("Content-Transfer-Encoding"), p, m); err != nil {
				return err
			}
		}
	}
	text, err := decodeBody(encoding, body)
	if err != nil {
		return err
	}
	switch mt {
	case "text/plain":
		m.Text = text
	case "text/html":
		m.HTML = text
	}
	return nil
}
