package core

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Hostile bytes (SECURITY.md "Hostile bytes"). Every text Gatehouse stores
// is valid UTF-8 without NUL: PostgreSQL refuses anything else, and what
// an operator reads in the audit log or a user in a session list must not
// carry terminal escapes, forged line breaks or bidi overrides. Three
// rules, each applied in one place:
//
//   - text kept for display that the client does not choose to send
//     (User-Agent, a device's name, a certificate's subject) is sanitised
//     by DisplayText, never refused: a browser's odd header must not cost
//     a sign-in, its audit row or a lockout count;
//   - a field or parameter of a request is refused when it is not Text
//     (400 invalid_text naming it, CheckText), before anything is read or
//     written;
//   - a look-up by a key that is not Text answers as unknown (ErrNotFound
//     or the door's own not-found), without asking the store.

// MaxUserAgent caps a stored User-Agent, in bytes.
const MaxUserAgent = 512

// IsText reports whether s may be stored and shown as it is: valid UTF-8
// without control characters (Unicode Cc: C0, DEL, C1).
func IsText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// IsMultilineText is IsText allowing tabs and line breaks (a PEM block).
func IsMultilineText(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, func(r rune) bool {
		return unicode.IsControl(r) && r != '\t' && r != '\n' && r != '\r'
	})
}

// InvalidText is the refusal of a field or parameter that is not text.
func InvalidText(field string) *Error {
	return ErrInvalidText.WithField(field, field+" "+ErrInvalidText.Message)
}

// CheckText returns InvalidText(field) unless s IsText.
func CheckText(field, s string) error {
	if !IsText(s) {
		return InvalidText(field)
	}
	return nil
}

// DisplayText makes s fit to store and show: each run of bytes that are
// not UTF-8 becomes U+FFFD, control characters and bidi controls (which
// can make a log line read backwards) are dropped, and the result is cut
// at a rune boundary to at most max bytes.
func DisplayText(s string, max int) string {
	if !IsText(s) || strings.ContainsFunc(s, isBidiControl) {
		s = strings.Map(func(r rune) rune {
			if unicode.IsControl(r) || isBidiControl(r) {
				return -1
			}
			return r
		}, strings.ToValidUTF8(s, "\uFFFD"))
	}
	return cut(s, max)
}

func isBidiControl(r rune) bool { return unicode.Is(unicode.Bidi_Control, r) }

// cut shortens s to at most max bytes without splitting a rune.
func cut(s string, max int) string {
	if len(s) <= max {
		return s
	}
	for max > 0 && !utf8.RuneStart(s[max]) {
		max--
	}
	return s[:max]
}
