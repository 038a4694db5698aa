package mail

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"io"
	"log"
	"net"
	"os"
	"sync"
	"testing"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the test server saw it.
type received struct {
	From, To string
	Data     []byte
	TLS      bool   // the session was encrypted when MAIL FROM arrived
	User     string // the user that authenticated, "" when none
}

// serverConfig describes the in-process SMTP server.
type serverConfig struct {
	StartTLS  bool   // offer STARTTLS with the fixture certificate
	Implicit  bool   // TLS from the first byte (smtps)
	User      string // require AUTH PLAIN with User/Pass when non-empty
	Pass      string
	PlainAuth bool // offer AUTH PLAIN over a plain connection too
}

// testServer is a real SMTP server on 127.0.0.1:0 (emersion/go-smtp).
type testServer struct {
	Addr string
	cfg  serverConfig

	mu        sync.Mutex
	got       []received
	failMail  int // answer the next failMail MAIL FROM commands with 451
	authTries int
	delivered chan received
}

func fixtureTLS(t *testing.T) *tls.Config {
	t.Helper()
	cert, err := tls.LoadX509KeyPair("testdata/cert.pem", "testdata/key.pem")
	if err != nil {
		t.Fatalf("load fixture certificate: %v", err)
	}
	return &tls.Config{Certificates: []tls.Certificate{cert}}
}

// trustFixture is the client side: a TLS config whose only root is the fixture.
func trustFixture(t *testing.T) *tls.Config {
	t.Helper()
	pem, err := os.ReadFile("testdata/cert.pem")
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(pem) {
		t.Fatal("fixture certificate did not parse")
	}
	return &tls.Config{RootCAs: pool}
}

func startServer(t *testing.T, cfg serverConfig) *testServer {
	t.Helper()
	ts := &testServer{cfg: cfg, delivered: make(chan received, 16)}
	s := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		return &session{srv: ts, conn: c}, nil
	}))
	s.Domain = "localhost"
	s.AllowInsecureAuth = cfg.PlainAuth
	s.ErrorLog = log.New(io.Discard, "", 0)
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	switch {
	case cfg.Implicit:
		l = tls.NewListener(l, fixtureTLS(t))
	case cfg.StartTLS:
		s.TLSConfig = fixtureTLS(t)
	}
	ts.Addr = l.Addr().String()
	go s.Serve(l) //nolint:errcheck // returns when Close runs at cleanup
	t.Cleanup(func() { s.Close() })
	return ts
}

func (ts *testServer) failNext(n int) {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	ts.failMail = n
}

func (ts *testServer) messages() []received {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return append([]received(nil), ts.got...)
}

func (ts *testServer) authAttempts() int {
	ts.mu.Lock()
	defer ts.mu.Unlock()
	return ts.authTries
}

// session implements smtp.Session and smtp.AuthSession.
type session struct {
	srv  *testServer
	conn *smtp.Conn
	user string
	cur  received
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }

func (s *session) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		s.srv.mu.Lock()
		s.srv.authTries++
		s.srv.mu.Unlock()
		if user != s.srv.cfg.User || pass != s.srv.cfg.Pass {
			return errors.New("invalid credentials")
		}
		s.user = user
		return nil
	}), nil
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.cfg.User != "" && s.user == "" {
		return smtp.ErrAuthRequired
	}
	s.srv.mu.Lock()
	defer s.srv.mu.Unlock()
	if s.srv.failMail > 0 {
		s.srv.failMail--
		return &smtp.SMTPError{Code: 451, EnhancedCode: smtp.EnhancedCode{4, 3, 0}, Message: "try again later"}
	}
	_, isTLS := s.conn.TLSConnectionState()
	s.cur = received{From: from, TLS: isTLS, User: s.user}
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.To = to
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	s.cur.Data = b
	s.srv.mu.Lock()
	s.srv.got = append(s.srv.got, s.cur)
	s.srv.mu.Unlock()
	s.srv.delivered <- s.cur
	return nil
}

func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }
