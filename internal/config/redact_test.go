package config

import (
	"net/url"
	"strings"
	"testing"
	"unicode/utf8"
)

func TestRedactedHidesEveryFormOfADatabasePassword(t *testing.T) {
	for given, want := range map[string]string{
		"postgres://u@h/db?password=x9secret":                    "postgres://u@h/db?password=redacted",
		"postgres://u@h/db?sslmode=require&sslpassword=x9secret": "postgres://u@h/db?sslmode=require&sslpassword=redacted",
		"postgres://u:x9secret@h/db?sslmode=disable":             "postgres://u:redacted@h/db?sslmode=disable",
		"postgres://u:x9%2Fsecret@h/db":                          "postgres://u:redacted@h/db",
		"postgres://u:x9/secret@h/db":                            redactedUnparsed, // the raw "/" makes the host u:x9
		"postgres://u:12/x9secret@h/db":                          redactedUnparsed,
		"postgres://u:12?x9secret@h/db":                          redactedUnparsed,
		"postgres://u@h/db#x9secret":                             "postgres://u@h/db#redacted",
		"host=h user=u password=x9secret dbname=db":              redactedUnparsed,
		"host=h password='x9 secret'":                            redactedUnparsed,
		"postgres://u@h/db?pool_max_conns=5":                     "postgres://u@h/db?pool_max_conns=5",
		"sqlite://./gatehouse.db":                                "sqlite://./gatehouse.db",
	} {
		c := Default()
		c.DatabaseURL = given
		if got := logged(c, "database-url"); got != want {
			t.Errorf("%s is logged as %q, want %q", given, got, want)
		}
	}
	c := Default()
	c.RedisURL, c.SMTPURL, c.SMSURL = "redis://:x9redis@h:6379/0", "smtps://user:x9smtp@h:465", "https://sms.example/send?token=x9sms&to=1"
	c.AdminToken = "x9://admin" // a secret is never treated as a URL unless it is a URL setting
	for key, want := range map[string]string{"redis-url": "redis://:redacted@h:6379/0", "smtp-url": "smtps://user:redacted@h:465",
		"sms-url": "https://sms.example/send?to=1&token=redacted", "admin-token": redactedSecret} {
		if got := logged(c, key); got != want {
			t.Errorf("%s is logged as %q, want %q", key, got, want)
		}
	}
}

// logged is the value of one key in the start-up log's list.
func logged(c Config, key string) string {
	kv := c.Redacted()
	for i := 0; i+1 < len(kv); i += 2 {
		if kv[i] == key {
			return kv[i+1].(string)
		}
	}
	return "(no key " + key + ")"
}

// passwordForms are the ways an operator writes a password into the URL
// settings: raw and escaped, in the user part and the query, and libpq's
// key=value form. raw tells whether the password is pasted as is (only a
// password free of the syntax's delimiters is one there).
var passwordForms = []struct {
	key string
	raw bool
	f   func(p string) string
}{
	{"database-url", true, func(p string) string { return "postgres://u:" + p + "@h:5432/db" }},
	{"database-url", false, func(p string) string {
		return (&url.URL{Scheme: "postgres", User: url.UserPassword("u", p), Host: "h", Path: "/db"}).String()
	}},
	{"database-url", true, func(p string) string { return "postgres://u@h/db?sslmode=disable&password=" + p }},
	{"database-url", false, func(p string) string { return "postgres://u@h/db?password=" + url.QueryEscape(p) }},
	{"database-url", true, func(p string) string { return "postgresql://u@h/db?sslpassword=" + p + "&sslmode=verify-full" }},
	{"database-url", false, func(p string) string { return "host=h user=u password=" + p + " dbname=db" }},
	{"database-url", false, func(p string) string { return "host=h password='" + strings.ReplaceAll(p, "'", `\'`) + "'" }},
	{"redis-url", true, func(p string) string { return "redis://:" + p + "@h:6379/0" }},
	{"redis-url", false, func(p string) string { return "rediss://default:" + url.QueryEscape(p) + "@h:6380" }},
	{"smtp-url", true, func(p string) string { return "smtp://user:" + p + "@h:587" }},
	{"smtp-url", false, func(p string) string {
		return (&url.URL{Scheme: "smtps", User: url.UserPassword("user", p), Host: "h:465"}).String()
	}},
	{"sms-url", true, func(p string) string { return "https://sms.example/send?token=" + p }},
}

func withSetting(key, val string) Config {
	c := Default()
	switch key {
	case "database-url":
		c.DatabaseURL = val
	case "redis-url":
		c.RedisURL = val
	case "smtp-url":
		c.SMTPURL = val
	case "sms-url":
		c.SMSURL = val
	}
	return c
}

// FuzzRedactedNeverShowsThePassword: whatever the password, written in any
// of the forms above into a setting, the start-up log's line holds neither
// it nor its escaped forms. A password made only of characters the log's
// own words hold ("postgres", "redacted", …) could be found there by
// chance, so the password must hold at least one character that the
// redacted line of a neutral password never shows.
func FuzzRedactedNeverShowsThePassword(f *testing.F) {
	for _, p := range []string{"hunter2!", "x9secret", "p@ss/word?#", "with space'quote", "ünïcødé", "%41%42", "a&password=b", "Q:12/x", "12?x@h", "----"} {
		f.Add(p)
	}
	f.Fuzz(func(t *testing.T, p string) {
		if !utf8.ValidString(p) || len(p) < 4 || len(p) > 256 || strings.ContainsAny(p, "\x00\r\n") {
			return
		}
		for _, form := range passwordForms {
			if form.raw && strings.ContainsAny(p, "@/?#&= '\\%:;+") {
				continue // not one password in that syntax: its parser splits it
			}
			skeleton := fmtAll(withSetting(form.key, form.f("x")).Redacted()) + "%0123456789ABCDEF"
			if !strings.ContainsFunc(p, func(r rune) bool { return !strings.ContainsRune(skeleton, r) }) {
				continue
			}
			got := fmtAll(withSetting(form.key, form.f(p)).Redacted())
			for _, leak := range []string{p, url.QueryEscape(p), url.PathEscape(p)} {
				if strings.Contains(got, leak) {
					t.Fatalf("%s=%q is logged with %q:\n%s", form.key, form.f(p), leak, got)
				}
			}
		}
	})
}

// FuzzRedactURL: any value either keeps its form as a URL or is logged as
// the unparsed marker; nothing panics, and a value with a password in its
// user part never keeps it.
func FuzzRedactURL(f *testing.F) {
	for _, s := range []string{"postgres://u:p@h/db", "host=h password=p", "postgres://u@h/db?password=p", "redis://:p@h", "x://", "://", "a://b@c@d/e?f=g#h", "postgres://[::1]:5432/db"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := redactURL(s)
		if got == redactedUnparsed {
			return
		}
		u, err := url.Parse(s)
		if err != nil {
			t.Fatalf("%q does not parse but is logged as %q", s, got)
		}
		if pw, has := u.User.Password(); has && pw != "redacted" && len(pw) >= 4 && strings.Contains(got, pw) && !strings.Contains(u.Redacted(), pw) {
			t.Fatalf("%q is logged with its password: %q", s, got)
		}
	})
}
