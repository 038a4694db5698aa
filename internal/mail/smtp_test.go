package mail

import (
	"bytes"
	"context"
	"encoding/base64"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net"
	"net/mail"
	"strings"
	"testing"
	"time"
)

// parsedMail is a received message taken apart as a mail client would.
type parsedMail struct {
	Subject, ContentType string
	Parts                map[string]string // media type → decoded body
	Charsets             map[string]string // media type → charset parameter
}

func parseMIME(t *testing.T, raw []byte) parsedMail {
	t.Helper()
	msg, err := mail.ReadMessage(bytes.NewReader(raw))
	if err != nil {
		t.Fatalf("read message: %v\n%s", err, raw)
	}
	subject, err := new(mime.WordDecoder).DecodeHeader(msg.Header.Get("Subject"))
	if err != nil {
		t.Fatalf("decode subject: %v", err)
	}
	mt, params, err := mime.ParseMediaType(msg.Header.Get("Content-Type"))
	if err != nil {
		t.Fatalf("content type: %v", err)
	}
	p := parsedMail{Subject: subject, ContentType: mt, Parts: map[string]string{}, Charsets: map[string]string{}}
	if !strings.HasPrefix(mt, "multipart/") {
		return p
	}
	mr := multipart.NewReader(msg.Body, params["boundary"])
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			return p
		}
		if err != nil {
			t.Fatalf("next part: %v", err)
		}
		// NextPart already undoes quoted-printable; base64 is left to us.
		var body io.Reader = part
		if strings.EqualFold(part.Header.Get("Content-Transfer-Encoding"), "base64") {
			body = base64.NewDecoder(base64.StdEncoding, part)
		}
		b, err := io.ReadAll(body)
		if err != nil {
			t.Fatalf("read part: %v", err)
		}
		pmt, pparams, _ := mime.ParseMediaType(part.Header.Get("Content-Type"))
		p.Parts[pmt] = string(b)
		p.Charsets[pmt] = strings.ToLower(pparams["charset"])
	}
}

// waitDelivery waits for the server to accept a message. The deadline only
// turns a hang into a failure; it synchronises nothing.
func waitDelivery(t *testing.T, ts *testServer) received {
	t.Helper()
	select {
	case r := <-ts.delivered:
		return r
	case <-time.After(10 * time.Second):
		t.Fatal("no message reached the server")
		return received{}
	}
}

func smtpURL(scheme, userinfo, addr string) string {
	if userinfo != "" {
		userinfo += "@"
	}
	return fmt.Sprintf("%s://%s%s", scheme, userinfo, addr)
}

func TestSMTPUpgradesWithSTARTTLSAuthenticatesAndSendsBothParts(t *testing.T) {
	ts := startServer(t, serverConfig{StartTLS: true, User: "gate", Pass: "s3cr%t p@ss"})
	s, err := NewSMTP(smtpURL("smtp", "gate:s3cr%25t%20p%40ss", ts.Addr), SMTPOptions{TLSConfig: trustFixture(t), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	code := "Xc7pQ2mZr9Lk4vB8nT3wYaQ"
	m, err := Render(KindConfirmEmail, "ru", map[string]string{"code": code, "link": "https://id.example.com/v1/user/confirm/" + code})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Send(context.Background(), "Gatehouse <no-reply@example.com>", "ivan@example.com", m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := waitDelivery(t, ts)
	if !r.TLS {
		t.Error("the client did not upgrade to TLS before MAIL FROM")
	}
	if r.User != "gate" {
		t.Errorf("authenticated user = %q, want gate", r.User)
	}
	if r.From != "no-reply@example.com" || r.To != "ivan@example.com" {
		t.Errorf("envelope %q → %q", r.From, r.To)
	}
	p := parseMIME(t, r.Data)
	if p.Subject != "Подтвердите адрес электронной почты" || p.Subject != m.Subject {
		t.Errorf("subject decodes to %q", p.Subject)
	}
	if p.ContentType != "multipart/alternative" {
		t.Fatalf("content type %q, want multipart/alternative", p.ContentType)
	}
	text, html := p.Parts["text/plain"], p.Parts["text/html"]
	if !hasLine(text, code) {
		t.Errorf("the code is not on a line of its own in the text part:\n%s", text)
	}
	if !strings.Contains(text, "введите код") {
		t.Errorf("text part is not the Russian body:\n%s", text)
	}
	if !strings.Contains(html, code) || !strings.Contains(html, "<html") {
		t.Errorf("HTML part lacks the code or markup:\n%s", html)
	}
	for mt, cs := range p.Charsets {
		if cs != "utf-8" {
			t.Errorf("%s charset %q, want utf-8", mt, cs)
		}
	}
}

func TestSMTPSpeaksImplicitTLSForSmtps(t *testing.T) {
	ts := startServer(t, serverConfig{Implicit: true, User: "gate", Pass: "pw"})
	s, err := NewSMTP(smtpURL("smtps", "gate:pw", ts.Addr), SMTPOptions{TLSConfig: trustFixture(t), Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Render(KindOTPCode, "uk", map[string]string{"code": "482913"})
	if err := s.Send(context.Background(), "no-reply@example.com", "olena@example.com", m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	r := waitDelivery(t, ts)
	if !r.TLS || r.User != "gate" {
		t.Errorf("TLS=%v user=%q, want an authenticated TLS session", r.TLS, r.User)
	}
	if p := parseMIME(t, r.Data); p.Subject != "Ваш код для входу" {
		t.Errorf("subject %q", p.Subject)
	}
}

func TestSMTPSendsInTheClearWhenSTARTTLSIsNotOfferedAndNoPasswordIsAtStake(t *testing.T) {
	ts := startServer(t, serverConfig{})
	s, err := NewSMTP(smtpURL("smtp", "", ts.Addr), SMTPOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Render(KindPasswordChanged, "en", nil)
	if err := s.Send(context.Background(), "no-reply@example.com", "bob@example.com", m); err != nil {
		t.Fatalf("Send: %v", err)
	}
	if r := waitDelivery(t, ts); r.TLS {
		t.Error("session claims TLS on a server that offers none")
	}
}

func TestSMTPNeverSendsThePasswordOverAPlainConnection(t *testing.T) {
	ts := startServer(t, serverConfig{User: "gate", Pass: "pw", PlainAuth: true})
	s, err := NewSMTP(smtpURL("smtp", "gate:pw", ts.Addr), SMTPOptions{Timeout: 10 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Render(KindPasswordChanged, "en", nil)
	if err := s.Send(context.Background(), "no-reply@example.com", "bob@example.com", m); err == nil {
		t.Fatal("Send succeeded without TLS")
	}
	if n := ts.authAttempts(); n != 0 {
		t.Errorf("the client tried AUTH %d times over a plain connection", n)
	}
	if len(ts.messages()) != 0 {
		t.Error("a message was delivered")
	}
}

func TestSMTPFailsOnAWrongPasswordAndAnUntrustedCertificate(t *testing.T) {
	ts := startServer(t, serverConfig{StartTLS: true, User: "gate", Pass: "right"})
	m, _ := Render(KindPasswordChanged, "en", nil)
	cases := map[string]SMTPOptions{
		"wrong password":        {TLSConfig: trustFixture(t), Timeout: 10 * time.Second},
		"untrusted certificate": {Timeout: 10 * time.Second},
	}
	for name, opts := range cases {
		t.Run(name, func(t *testing.T) {
			pass := "wrong"
			if name == "untrusted certificate" {
				pass = "right"
			}
			s, err := NewSMTP(smtpURL("smtp", "gate:"+pass, ts.Addr), opts)
			if err != nil {
				t.Fatal(err)
			}
			err = s.Send(context.Background(), "no-reply@example.com", "bob@example.com", m)
			if err == nil {
				t.Fatal("Send succeeded")
			}
			if strings.Contains(err.Error(), pass) && pass != "right" {
				t.Errorf("error quotes the password: %v", err)
			}
		})
	}
	if len(ts.messages()) != 0 {
		t.Error("a message was delivered")
	}
}

func TestSMTPReportsAnUnreachableServer(t *testing.T) {
	s, err := NewSMTP(smtpURL("smtp", "", closedAddr(t)), SMTPOptions{Timeout: 5 * time.Second})
	if err != nil {
		t.Fatal(err)
	}
	m, _ := Render(KindPasswordChanged, "en", nil)
	if err := s.Send(context.Background(), "no-reply@example.com", "bob@example.com", m); err == nil {
		t.Fatal("Send to a closed port succeeded")
	}
}

// closedAddr returns a loopback address on which nothing listens.
func closedAddr(t *testing.T) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close()
	return addr
}

func TestNewSMTPRejectsBadURLsWithoutQuotingThePassword(t *testing.T) {
	for _, raw := range []string{
		"http://user:hunter2@mail.example.com",
		"smtp://user:hunter2@",
		"smtp://user:hunter2@mail.example.com:99999",
		"smtp://user:hunter2@mail.example.com:port",
		"smtp://user:hunter2@mail.example.com/%zz",
		"",
	} {
		_, err := NewSMTP(raw, SMTPOptions{})
		if err == nil {
			t.Errorf("NewSMTP(%q) accepted", raw)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("NewSMTP(%q) error quotes the password: %v", raw, err)
		}
	}
}

func TestRedactHidesThePassword(t *testing.T) {
	cases := map[string]string{
		"smtp://user:hunter2@mail.example.com:587": "smtp://user:xxxxx@mail.example.com:587",
		"smtps://mail.example.com":                 "smtps://mail.example.com",
		"smtp://user@mail.example.com":             "smtp://user@mail.example.com",
		"":                                         "",
		"smtp://user:hunter2@mail.example.com/%zz": "(unparsable URL)",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}
