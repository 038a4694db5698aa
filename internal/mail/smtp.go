package mail

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"time"

	gomail "github.com/wneessen/go-mail"
)

// SMTPOptions tune the SMTP sender. The zero value is production's.
type SMTPOptions struct {
	// TLSConfig verifies the server for STARTTLS and smtps. nil means the
	// system roots; ServerName defaults to the URL's host. Tests inject a
	// config that trusts their fixture certificate.
	TLSConfig *tls.Config
	// Timeout bounds one delivery: dial, TLS handshake and the whole SMTP
	// conversation. 0 means 30 seconds.
	Timeout time.Duration
	// HELO is the name announced in EHLO; empty means the machine's hostname.
	HELO string
	// Now stamps the Date header; nil means time.Now.
	Now func() time.Time
}

// SMTP delivers messages to one SMTP server, one connection per message
// (Gatehouse sends few mails, and a fresh connection never finds itself
// half-closed by the server's idle timeout).
type SMTP struct {
	client *gomail.Client
	now    func() time.Time
}

// Default ports: submission (RFC 6409) with STARTTLS, and implicit TLS
// submission (RFC 8314).
const (
	defaultSMTPPort  = 587
	defaultSMTPSPort = 465
)

// NewSMTP returns a sender for rawURL, GATEHOUSE_SMTP_URL:
//
//	smtp://user:pass@host:port   plain connection, upgraded with STARTTLS
//	                             whenever the server offers it (port 587 by default)
//	smtps://user:pass@host:port  implicit TLS from the first byte (port 465 by default)
//
// User and password are optional and percent-encoded. When given, the
// strongest mechanism the server offers is used, and PLAIN or LOGIN only
// over TLS: the password never crosses the wire in the clear. Errors never
// contain the password.
func NewSMTP(rawURL string, opts SMTPOptions) (*SMTP, error) {
	u, err := parseSMTPURL(rawURL)
	if err != nil {
		return nil, fmt.Errorf("mail.NewSMTP: %w", err)
	}
	host := u.Hostname()
	port := defaultSMTPPort
	if u.Scheme == "smtps" {
		port = defaultSMTPSPort
	}
	if p := u.Port(); p != "" {
		if port, err = strconv.Atoi(p); err != nil || port < 1 || port > 65535 {
			return nil, fmt.Errorf("mail.NewSMTP: invalid port %q", p)
		}
	}
	timeout := opts.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	options := []gomail.Option{
		gomail.WithPort(port),
		gomail.WithTimeout(timeout),
		gomail.WithTLSConfig(tlsConfigFor(opts.TLSConfig, host)),
	}
	if u.Scheme == "smtps" {
		options = append(options, gomail.WithSSL())
	} else {
		options = append(options, gomail.WithTLSPolicy(gomail.TLSOpportunistic))
	}
	if opts.HELO != "" {
		options = append(options, gomail.WithHELO(opts.HELO))
	}
	if u.User != nil && u.User.Username() != "" {
		pass, _ := u.User.Password()
		// Auto-discovery prefers SCRAM and CRAM-MD5, and offers PLAIN and
		// LOGIN only on an encrypted connection.
		options = append(options, gomail.WithSMTPAuth(gomail.SMTPAuthAutoDiscover),
			gomail.WithUsername(u.User.Username()), gomail.WithPassword(pass))
	}
	client, err := gomail.NewClient(host, options...)
	if err != nil {
		return nil, fmt.Errorf("mail.NewSMTP: %w", err)
	}
	now := opts.Now
	if now == nil {
		now = time.Now
	}
	return &SMTP{client: client, now: now}, nil
}

// parseSMTPURL checks the scheme and host. It drops url.Parse's own error
// text, which quotes the whole URL, password included.
func parseSMTPURL(rawURL string) (*url.URL, error) {
	u, err := url.Parse(rawURL)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, fmt.Errorf("invalid SMTP URL: %w", err)
	}
	if u.Scheme != "smtp" && u.Scheme != "smtps" {
		return nil, fmt.Errorf("invalid SMTP URL: scheme %q, want smtp or smtps", u.Scheme)
	}
	if u.Hostname() == "" {
		return nil, errors.New("invalid SMTP URL: no host")
	}
	return u, nil
}

func tlsConfigFor(base *tls.Config, host string) *tls.Config {
	c := &tls.Config{}
	if base != nil {
		c = base.Clone()
	}
	if c.ServerName == "" {
		c.ServerName = host
	}
	if c.MinVersion == 0 {
		c.MinVersion = tls.VersionTLS12
	}
	return c
}

// Send delivers m from from to to as multipart/alternative (plain text
// first, HTML second, as RFC 2046 orders them by increasing preference),
// UTF-8 throughout, the subject encoded per RFC 2047.
func (s *SMTP) Send(ctx context.Context, from, to string, m Message) error {
	msg := gomail.NewMsg(gomail.WithCharset(gomail.CharsetUTF8), gomail.WithEncoding(gomail.EncodingQP),
		gomail.WithNoDefaultUserAgent()) // no need to advertise the library and version
	if err := msg.From(from); err != nil {
		return fmt.Errorf("mail.SMTP.Send: from: %w", err)
	}
	if err := msg.To(to); err != nil {
		return fmt.Errorf("mail.SMTP.Send: to: %w", err)
	}
	msg.Subject(m.Subject)
	msg.SetDateWithValue(s.now())
	if m.ID != "" {
		msg.SetMessageIDWithValue(m.ID) // the outbox's: the same on every attempt
	} else {
		msg.SetMessageID()
	}
	msg.SetBodyString(gomail.TypeTextPlain, m.Text)
	msg.AddAlternativeString(gomail.TypeTextHTML, m.HTML)
	if err := s.client.DialAndSendWithContext(ctx, msg); err != nil {
		return fmt.Errorf("mail.SMTP.Send: %w", err)
	}
	return nil
}

// Redact returns rawURL fit for the configuration log: the password is
// replaced by "xxxxx". A URL that does not parse is not echoed at all,
// since it may still hold a password.
func Redact(rawURL string) string {
	if rawURL == "" {
		return ""
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return "(unparsable URL)"
	}
	return u.Redacted()
}
