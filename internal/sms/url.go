package sms

import (
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"regexp"
	"strings"
	"time"

	"github.com/gatehouse/gatehouse/internal/phone"
)

// Options are what FromURL's senders need besides the setting.
type Options struct {
	Stderr io.Writer        // where log: writes
	Now    func() time.Time // the clock of the messages' expiries
	JSON   bool             // log: writes one JSON record per message (GATEHOUSE_LOG_FORMAT=json)
}

// FromURL returns the Sender that GATEHOUSE_SMS_URL names, with the
// secret GATEHOUSE_SMS_TOKEN, or nil when raw is empty (no gateway):
//
//	log:                                       the LogSender, writing to opts.Stderr (development)
//	https://sms.example.com/send               Gateway: JSON POST with Authorization: Bearer TOKEN
//	twilio://ACCOUNT_SID@api.twilio.com?from=+15551234567
//	twilio://ACCOUNT_SID@api.twilio.com?messaging_service=MG…
//	                                           Twilio, TOKEN being the account's auth token
//
// Plain http:// (and twilio+http://) is accepted only to a loopback host
// (a relay on the same machine, a test's fake): the token and the codes
// must not cross a network in clear. The token never goes in the URL,
// which is logged at start. In a twilio:// query a literal + is kept as
// a plus (no need to write %2B).
func FromURL(raw, token string, opts Options) (Sender, error) {
	s, err := parseURL(raw, token, opts)
	if err != nil {
		return nil, fmt.Errorf("GATEHOUSE_SMS_URL: %w", err)
	}
	return s, nil
}

func parseURL(raw, token string, opts Options) (Sender, error) {
	switch raw = strings.TrimSpace(raw); {
	case raw == "":
		return nil, nil
	case raw == "log:" && opts.JSON:
		return NewJSONLogSender(opts.Stderr, opts.Now), nil
	case raw == "log:":
		return NewLogSender(opts.Stderr), nil
	}
	u, err := url.Parse(raw)
	if err != nil {
		return nil, errors.New("not a URL") // url's error would repeat the URL
	}
	if u.Host == "" || u.Opaque != "" || u.Fragment != "" {
		return nil, errors.New("want log:, https://HOST/PATH or twilio://ACCOUNT_SID@HOST?from=NUMBER")
	}
	if _, has := u.User.Password(); has {
		return nil, errors.New("the URL carries a password: put the secret in GATEHOUSE_SMS_TOKEN")
	}
	var s Sender
	switch u.Scheme {
	case "https", "http":
		if u.User != nil {
			return nil, errors.New("the URL carries a user name: put the secret in GATEHOUSE_SMS_TOKEN")
		}
		if err := checkPlain(u, "http"); err != nil {
			return nil, err
		}
		s = NewGateway(u.String(), token)
	case "twilio", "twilio+http":
		c, err := parseTwilio(u, token)
		if err != nil {
			return nil, err
		}
		s = NewTwilio(c, opts.Now)
	default:
		return nil, fmt.Errorf("unknown scheme %q (want log:, https:// or twilio://)", u.Scheme)
	}
	if token == "" {
		return nil, errors.New("GATEHOUSE_SMS_TOKEN is required with an SMS gateway")
	}
	return s, nil
}

// checkPlain refuses the plain-text scheme plain to a host that is not
// loopback.
func checkPlain(u *url.URL, plain string) error {
	if u.Scheme != plain {
		return nil
	}
	host := u.Hostname()
	if ip := net.ParseIP(host); host == "localhost" || (ip != nil && ip.IsLoopback()) {
		return nil
	}
	return fmt.Errorf("%s:// only to a loopback host (the token and the codes would cross the network in clear); use https", plain)
}

var (
	twilioSID     = regexp.MustCompile(`^[A-Za-z0-9-]{2,64}$`)                 // AC + 32 hex at Twilio; other forms at compatible APIs
	twilioService = regexp.MustCompile(`^MG[0-9a-fA-F]{32}$`)                  // a Messaging Service SID
	shortCode     = regexp.MustCompile(`^[0-9]{3,8}$`)                         // a short code
	alphanumeric  = regexp.MustCompile(`^[A-Za-z0-9 ]*[A-Za-z][A-Za-z0-9 ]*$`) // an alphanumeric sender id (with a letter)
)

// parseTwilio reads twilio://ACCOUNT_SID@HOST[:PORT]?from=…|messaging_service=….
func parseTwilio(u *url.URL, token string) (TwilioConfig, error) {
	if err := checkPlain(u, "twilio+http"); err != nil {
		return TwilioConfig{}, err
	}
	c := TwilioConfig{BaseURL: "https://" + u.Host, AccountSID: u.User.Username(), AuthToken: token}
	if u.Scheme == "twilio+http" {
		c.BaseURL = "http://" + u.Host
	}
	if !twilioSID.MatchString(c.AccountSID) {
		return TwilioConfig{}, errors.New("twilio:// needs the account SID as the user name: twilio://AC…@api.twilio.com")
	}
	if u.Path != "" && u.Path != "/" {
		return TwilioConfig{}, errors.New("twilio:// takes no path: the Messages API's path is built from the account SID")
	}
	// A literal + in a query is a space to url.ParseQuery; here it is
	// the plus of an E.164 number.
	q, err := url.ParseQuery(strings.ReplaceAll(u.RawQuery, "+", "%2B"))
	if err != nil {
		return TwilioConfig{}, errors.New("malformed query")
	}
	for k, v := range q {
		if (k != "from" && k != "messaging_service") || len(v) != 1 {
			return TwilioConfig{}, fmt.Errorf("unknown or repeated parameter %q (want from= or messaging_service=)", k)
		}
	}
	c.From, c.MessagingService = q.Get("from"), q.Get("messaging_service")
	switch {
	case (c.From == "") == (c.MessagingService == ""):
		return TwilioConfig{}, errors.New("twilio:// needs exactly one of from=NUMBER and messaging_service=MG…")
	case c.MessagingService != "" && !twilioService.MatchString(c.MessagingService):
		return TwilioConfig{}, errors.New("messaging_service must be a Messaging Service SID (MG and 32 hex digits)")
	case c.From != "":
		if c.From, err = senderID(c.From); err != nil {
			return TwilioConfig{}, err
		}
	}
	return c, nil
}

// senderID checks a From: an international number (normalised to E.164),
// a short code, or an alphanumeric sender id of at most 11 characters.
func senderID(from string) (string, error) {
	if strings.HasPrefix(from, "+") {
		e164, err := phone.Parse(from, "")
		if err != nil {
			return "", fmt.Errorf("from: %w", err)
		}
		return e164, nil
	}
	if shortCode.MatchString(from) || (len(from) <= 11 && alphanumeric.MatchString(from)) {
		return from, nil
	}
	return "", errors.New("from must be +COUNTRY NUMBER, a short code or an alphanumeric sender id of at most 11 characters")
}
