package config

import (
	"fmt"
	"net/url"
	"strings"
)

// The words a redacted value is replaced by in the start-up log.
const (
	redactedSecret   = "[redacted]"
	redactedUnparsed = "(unparsed, redacted)"
)

// Redacted lists the effective settings for the start-up log, with secrets
// and every password a URL or connection string can carry replaced. A
// value that must be a URL and does not parse as one is logged as
// "(unparsed, redacted)" and nothing else: which part of it is a password
// only its parser knows (a key=value DSN, a password with a raw "/").
func (c Config) Redacted() []any {
	var out []any
	for _, s := range settings {
		val := fmt.Sprint(fieldOf(&c, s).Elem().Interface())
		isURL := strings.HasSuffix(s.key, "-url")
		switch {
		case val == "":
		case s.key == "database-url" && strings.HasPrefix(val, "sqlite:"):
			// A file name; SQLite has no password to carry.
		case isURL && (s.secret || s.file), strings.Contains(val, "://") && !s.secret:
			// A URL (the database's, Redis's, SMTP's, the SMS gateway's): a
			// postgres:// URL, or the key=value form pgx also reads, may
			// carry a password.
			val = redactURL(val)
		case s.secret:
			val = redactedSecret
		}
		out = append(out, s.key, val)
	}
	return out
}

// secretWords are parts of the names of URL query parameters whose value
// is (or may be) a secret: libpq's password and sslpassword, the SMS
// gateway's token, and the like. Over-redacting a file name (passfile,
// sslkey) costs nothing in a log.
var secretWords = []string{"pass", "pwd", "secret", "token", "key", "auth", "cred", "sig"}

func secretName(s string) bool {
	s = strings.ToLower(s)
	for _, w := range secretWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

// redactURL is s with the password of its user part and the values of its
// secret query parameters replaced, or "(unparsed, redacted)" when s is no
// URL with an authority, or is ambiguous: an "@" after the authority means
// a password with a raw "/", "?" or "#" that a parser may split anywhere.
func redactURL(s string) string {
	scheme, rest, ok := strings.Cut(s, "://")
	if !ok || scheme == "" {
		return redactedUnparsed
	}
	if i := strings.IndexAny(rest, "/?#"); i >= 0 && strings.Contains(rest[i:], "@") {
		return redactedUnparsed
	}
	u, err := url.Parse(s)
	if err != nil || u.Opaque != "" {
		return redactedUnparsed
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			u.User = url.UserPassword(u.User.Username(), "redacted")
		}
	}
	if u.RawQuery != "" || u.ForceQuery {
		q, err := url.ParseQuery(u.RawQuery)
		if err != nil {
			return redactedUnparsed
		}
		for k, vs := range q {
			for i, v := range vs {
				if secretName(k) || secretName(v) {
					vs[i] = "redacted"
				}
			}
		}
		u.RawQuery = q.Encode()
	}
	if u.Fragment != "" || u.RawFragment != "" {
		u.Fragment, u.RawFragment = "redacted", ""
	}
	return u.String()
}
