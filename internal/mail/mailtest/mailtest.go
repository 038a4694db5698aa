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
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-smtp"
)

// Message is one received mail.
type Message struct {
	From, To  string
	Subject   string
	Text      string // the text/plain part
	HTML      string // the text/html part
	MessageID string // the Message-ID header, angle brackets included
	Raw       []byte
}

// Server is an SMTP server living as long as the test.
type Server struct {
	Addr string
	srv  *smtp.Server

	mu       sync.Mutex
	pending  []Message                // received, not yet taken by Next or NextTo
	arrived  chan struct{}            // closed (and replaced) when a message arrives
	hold     map[string]chan Message  // HoldTo: the held message goes here
	holdDone map[string]chan struct{} // closed by the hold's release
	releases []func()
}

// Start listens on a free port and serves until the test ends.
func Start(t testing.TB) *Server {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	s := &Server{Addr: ln.Addr().String(), arrived: make(chan struct{}),
		hold: map[string]chan Message{}, holdDone: map[string]chan struct{}{}}
	s.srv = smtp.NewServer(backend{s})
	s.srv.Domain = "mailtest.local"
	s.srv.AllowInsecureAuth = true
	s.srv.ReadTimeout, s.srv.WriteTimeout = 10*time.Second, 10*time.Second
	go func() { _ = s.srv.Serve(ln) }()
	t.Cleanup(func() {
		s.mu.Lock()
		for _, release := range s.releases {
			release()
		}
		s.mu.Unlock()
		s.srv.Close()
	})
	return s
}

// URL is the GATEHOUSE_SMTP_URL of this server.
func (s *Server) URL() string { return "smtp://" + s.Addr }

// HoldTo makes the next delivery to the address to stop once its data
// has arrived, before the server answers it, as a sender killed in the
// middle of a delivery leaves it: the message (its envelope sender names
// the node sending it) is handed to held, and the sender waits until
// release, when it is refused with a temporary error and not received.
// Deliveries after the held one are received as usual.
func (s *Server) HoldTo(to string) (held <-chan Message, release func()) {
	s.mu.Lock()
	defer s.mu.Unlock()
	done, ch := make(chan struct{}), make(chan Message, 1)
	s.hold[to] = ch
	var once sync.Once
	release = func() { once.Do(func() { close(done) }) }
	s.releases = append(s.releases, release)
	s.holdDone[to] = done
	return ch, release
}

// Next waits for the next message, failing the test after timeout.
func (s *Server) Next(t testing.TB, timeout time.Duration) Message {
	t.Helper()
	return s.next(t, timeout, "", func(Message) bool { return true })
}

// NextTo waits for the next message to the address to, leaving messages to
// others for their own Next or NextTo; it fails the test after timeout.
func (s *Server) NextTo(t testing.TB, to string, timeout time.Duration) Message {
	t.Helper()
	return s.next(t, timeout, " to "+to, func(m Message) bool { return m.To == to })
}

func (s *Server) next(t testing.TB, timeout time.Duration, what string, match func(Message) bool) Message {
	t.Helper()
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		for i, m := range s.pending {
			if match(m) {
				s.pending = append(s.pending[:i:i], s.pending[i+1:]...)
				s.mu.Unlock()
				return m
			}
		}
		arrived := s.arrived
		s.mu.Unlock()
		select {
		case <-arrived:
		case <-deadline:
			t.Fatalf("no mail%s arrived within %v", what, timeout)
			return Message{}
		}
	}
}

// None asserts that no message is waiting right now.
func (s *Server) None(t testing.TB) {
	t.Helper()
	s.mu.Lock()
	defer s.mu.Unlock()
	if len(s.pending) > 0 {
		t.Fatalf("unexpected mail to %s: %q", s.pending[0].To, s.pending[0].Subject)
	}
}

// receive keeps m for Next and NextTo.
func (s *Server) receive(m Message) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.pending = append(s.pending, m)
	close(s.arrived)
	s.arrived = make(chan struct{})
}

// holding takes the hold of the next delivery to to, if any.
func (s *Server) holding(to string) (chan Message, chan struct{}) {
	s.mu.Lock()
	defer s.mu.Unlock()
	held, done := s.hold[to], s.holdDone[to]
	delete(s.hold, to)
	return held, done
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
	if held, done := x.s.holding(x.to); held != nil {
		held <- m
		<-done
		return &smtp.SMTPError{Code: 451, Message: "mailtest: held, then dropped"}
	}
	x.s.receive(m)
	return nil
}

func parse(raw []byte) (Message, error) {
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		return Message{}, err
	}
	dec := new(mime.WordDecoder)
	subject, _ := dec.DecodeHeader(msg.Header.Get("Subject"))
	m := Message{Subject: subject, Raw: raw, MessageID: msg.Header.Get("Message-Id")}
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
