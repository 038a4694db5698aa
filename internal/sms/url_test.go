package sms

import (
	"io"
	"net/netip"
	"net/url"
	"strings"
	"testing"
	"time"
)

func TestFromURLNamesEachSender(t *testing.T) {
	opts := Options{Stderr: io.Discard, Now: time.Now}
	cases := []struct {
		raw, token string
		want       string // the sender's type, "" for none
		check      func(t *testing.T, s Sender)
	}{
		{"", "", "", nil},
		{"log:", "", "*sms.LogSender", nil},
		{"https://sms.example.com/v1/send", testToken, "*sms.Gateway", func(t *testing.T, s Sender) {
			if g := s.(*Gateway); g.url != "https://sms.example.com/v1/send" || g.token != testToken {
				t.Errorf("gateway %q with token %q", g.url, g.token)
			}
		}},
		{"http://127.0.0.1:9000/sms", testToken, "*sms.Gateway", nil},
		{"http://localhost:9000/sms", testToken, "*sms.Gateway", nil},
		{"http://[::1]:9000/sms", testToken, "*sms.Gateway", nil},
		{"twilio://" + testSID + "@api.twilio.com?from=+12025550143", testToken, "*sms.Twilio", func(t *testing.T, s Sender) {
			tw := s.(*Twilio)
			if tw.endpoint != "https://api.twilio.com/2010-04-01/Accounts/"+testSID+"/Messages.json" || tw.from != "+12025550143" ||
				tw.account != testSID || tw.token != testToken {
				t.Errorf("twilio %+v", tw)
			}
		}},
		{"twilio://" + testSID + "@api.twilio.com/?from=%2B1%20202%20555%200143", testToken, "*sms.Twilio", func(t *testing.T, s Sender) {
			if tw := s.(*Twilio); tw.from != "+12025550143" {
				t.Errorf("from %q, want it in E.164", tw.from)
			}
		}},
		{"twilio://" + testSID + "@api.dublin.ie1.twilio.com?messaging_service=" + testService, testToken, "*sms.Twilio", func(t *testing.T, s Sender) {
			if tw := s.(*Twilio); tw.service != testService || tw.from != "" || !strings.HasPrefix(tw.endpoint, "https://api.dublin.ie1.twilio.com/") {
				t.Errorf("twilio %+v", tw)
			}
		}},
		{"twilio://" + testSID + "@api.twilio.com?from=12345", testToken, "*sms.Twilio", nil},
		{"twilio+http://" + testSID + "@127.0.0.1:8081?from=Gatehouse", testToken, "*sms.Twilio", func(t *testing.T, s Sender) {
			if tw := s.(*Twilio); !strings.HasPrefix(tw.endpoint, "http://127.0.0.1:8081/2010-04-01/") {
				t.Errorf("endpoint %q", tw.endpoint)
			}
		}},
	}
	for _, c := range cases {
		s, err := FromURL(c.raw, c.token, opts)
		if err != nil {
			t.Errorf("FromURL(%q): %v", c.raw, err)
			continue
		}
		if got := typeName(s); got != c.want {
			t.Errorf("FromURL(%q) = %s, want %s", c.raw, got, c.want)
			continue
		}
		if c.check != nil {
			c.check(t, s)
		}
	}
}

func typeName(s Sender) string {
	switch s.(type) {
	case nil:
		return ""
	case *LogSender:
		return "*sms.LogSender"
	case *Gateway:
		return "*sms.Gateway"
	case *Twilio:
		return "*sms.Twilio"
	}
	return "?"
}

func TestFromURLRefusesWhatItCannotUseSafely(t *testing.T) {
	cases := map[string]struct{ raw, token, says string }{
		"no token":               {"https://sms.example.com/send", "", "GATEHOUSE_SMS_TOKEN is required"},
		"no token for Twilio":    {"twilio://" + testSID + "@api.twilio.com?from=Gatehouse", "", "GATEHOUSE_SMS_TOKEN is required"},
		"plain HTTP on the net":  {"http://sms.example.com/send", testToken, "loopback"},
		"plain HTTP to a LAN IP": {"http://10.0.0.5/send", testToken, "loopback"},
		"plain Twilio elsewhere": {"twilio+http://" + testSID + "@api.twilio.com?from=Gatehouse", testToken, "loopback"},
		"a password in the URL":  {"https://user:hunter2@sms.example.com/send", testToken, "GATEHOUSE_SMS_TOKEN"},
		"a user in the URL":      {"https://user@sms.example.com/send", testToken, "user name"},
		"Twilio's token inline":  {"twilio://" + testSID + ":hunter2@api.twilio.com?from=Gatehouse", testToken, "GATEHOUSE_SMS_TOKEN"},
		"an unknown scheme":      {"smpp://sms.example.com", testToken, "unknown scheme"},
		"no host":                {"https:///send", testToken, "want log:"},
		"a relative URL":         {"sms.example.com/send", testToken, "want log:"},
		"a fragment":             {"https://sms.example.com/send#x", testToken, "want log:"},
		"log with more":          {"log:stderr", testToken, "want log:"},
		"not a URL":              {"https://sms.example.com:port/", testToken, "not a URL"},
		"no account SID":         {"twilio://api.twilio.com?from=Gatehouse", testToken, "account SID"},
		"a SID with a slash":     {"twilio://AC%2F..@api.twilio.com?from=Gatehouse", testToken, "account SID"},
		"a path":                 {"twilio://" + testSID + "@api.twilio.com/2010-04-01?from=Gatehouse", testToken, "no path"},
		"neither from nor MG":    {"twilio://" + testSID + "@api.twilio.com", testToken, "exactly one"},
		"both from and MG":       {"twilio://" + testSID + "@api.twilio.com?from=Gatehouse&messaging_service=" + testService, testToken, "exactly one"},
		"a typo":                 {"twilio://" + testSID + "@api.twilio.com?form=Gatehouse", testToken, `"form"`},
		"from twice":             {"twilio://" + testSID + "@api.twilio.com?from=A&from=B", testToken, "repeated"},
		"a bad service SID":      {"twilio://" + testSID + "@api.twilio.com?messaging_service=MG12", testToken, "Messaging Service SID"},
		"an invalid number":      {"twilio://" + testSID + "@api.twilio.com?from=+1555", testToken, "from"},
		"a long sender id":       {"twilio://" + testSID + "@api.twilio.com?from=GatehouseBank", testToken, "at most 11"},
	}
	for name, c := range cases {
		s, err := FromURL(c.raw, c.token, Options{Stderr: io.Discard, Now: time.Now})
		if err == nil || s != nil {
			t.Errorf("%s: FromURL(%q) = %v, nil; want a refusal", name, c.raw, typeName(s))
			continue
		}
		if !strings.HasPrefix(err.Error(), "GATEHOUSE_SMS_URL: ") || !strings.Contains(err.Error(), c.says) {
			t.Errorf("%s: %v; want it to name GATEHOUSE_SMS_URL and say %q", name, err, c.says)
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("%s: the refusal %q repeats the password", name, err)
		}
	}
}

// FuzzFromURL: any setting either names a sender or is refused with an
// error naming the setting, never a panic, and never repeats the token;
// a plain-text sender is only ever built for a loopback host.
func FuzzFromURL(f *testing.F) {
	for _, s := range []string{"", "log:", "https://sms.example.com/send", "http://127.0.0.1:9/x", "http://10.0.0.1/x",
		"twilio://" + testSID + "@api.twilio.com?from=+12025550143", "twilio+http://" + testSID + "@[::1]:80?messaging_service=" + testService,
		"twilio://a@b?from=%2", "https://u:p@h/", "twilio://AC1@h?from=+", "http://localhost./x", "http://0x7f.1/x",
		"http://[::ffff:127.0.0.1]:9/x", "twilio+http://a@[::1%25lo]:1?from=X"} {
		f.Add(s, "tok-SECRET")
	}
	f.Fuzz(func(t *testing.T, raw, token string) {
		s, err := FromURL(raw, token, Options{Stderr: io.Discard, Now: time.Now})
		if err != nil {
			if s != nil || !strings.HasPrefix(err.Error(), "GATEHOUSE_SMS_URL: ") {
				t.Fatalf("FromURL(%q) = %v, %v", raw, s, err)
			}
			if len(token) >= 4 && !strings.Contains(raw, token) && strings.Contains(err.Error(), token) {
				t.Fatalf("the refusal %q repeats the token", err)
			}
			return
		}
		switch v := s.(type) {
		case nil:
			if strings.TrimSpace(raw) != "" {
				t.Fatalf("FromURL(%q) built nothing without an error", raw)
			}
		case *Gateway:
			if strings.HasPrefix(v.url, "http:") && !isLoopbackURL(v.url) {
				t.Fatalf("FromURL(%q): plain HTTP to %q", raw, v.url)
			}
		case *Twilio:
			if strings.HasPrefix(v.endpoint, "http:") && !isLoopbackURL(v.endpoint) {
				t.Fatalf("FromURL(%q): plain HTTP to %q", raw, v.endpoint)
			}
		}
	})
}

// isLoopbackURL reports whether u's host is localhost or a loopback address.
func isLoopbackURL(u string) bool {
	p, err := url.Parse(u)
	if err != nil {
		return false
	}
	addr, err := netip.ParseAddr(p.Hostname())
	return p.Hostname() == "localhost" || (err == nil && addr.Unmap().IsLoopback())
}
