package identity

import (
	"errors"
	"net/mail"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/net/idna"
	"golang.org/x/text/secure/precis"

	"github.com/gatehouse/gatehouse/internal/core"
)

// The identity of an e-mail address (SECURITY.md "E-mail identity"): one
// mailbox may be typed in many spellings — "José" with a precomposed é or
// with e + U+0301, full-width letters, upper case, a Unicode or an A-label
// domain — and every spelling must reach the same account. The key is
//
//	precis.UsernameCaseMapped(local) + "@" + idna.Lookup.ToASCII(domain)
//
// RFC 8265 §3.3 (width mapping, NFC, lower case — not Unicode case
// folding, which would merge "straße" and "strasse", two mailboxes) and
// RFC 5891 A-labels (non-transitional, UTS #46 mapping for lookup).
// Storage holds the key in a unique column; every look-up, rate-limit
// subject and lockout counter uses it; mail goes to the stored spelling.

// Limits of RFC 5321 §4.5.3.1.1 (local part) and of a forward-path less
// its angle brackets (RFC 5321 §4.5.3.1.3, errata 1690).
const (
	maxLocalOctets   = 64
	maxAddressOctets = 254
)

// EmailKey returns the key of an address, or an error saying why the
// address is refused for a new account: it is not one plain mailbox, it
// holds control, format (zero-width, bidi) or other characters PRECIS or
// IDNA refuse, or it is too long, as given or as its key.
func EmailKey(addr string) (string, error) {
	key, why := emailKey(addr)
	if why != "" {
		return "", errors.New("e-mail address " + why)
	}
	return key, nil
}

// LookupKey is the key a look-up, a rate limit or a lockout counter uses
// for what a client typed. It never fails: input EmailKey refuses keeps
// the old key (trimmed and lower-cased), under which an account stored
// before the key existed still signs in, and garbage finds no account.
func LookupKey(login string) string {
	if key, why := emailKey(login); why == "" {
		return key
	}
	// The old key is the lower-cased spelling; where that one is an
	// address after all (a letter whose lower case is shorter brought it
	// under the length limits), its own key, so that LookupKey of a key
	// is that key.
	old := strings.ToLower(strings.TrimSpace(login))
	if key, why := emailKey(old); why == "" {
		return key
	}
	return old
}

// ValidateEmail returns a KindInvalid error naming field unless s (as
// trimmed) is an address EmailKey accepts.
func ValidateEmail(field, s string) error {
	if strings.TrimSpace(s) == "" {
		return core.Invalid("missing_field", field, field+" is required")
	}
	if _, why := emailKey(s); why != "" {
		return core.Invalid("invalid_email", field, field+" "+why)
	}
	return nil
}

// ValidateLogin returns a KindInvalid error naming field unless s could
// name an account: an address EmailKey accepts, or one stored before the
// key existed (one plain mailbox of at most 254 octets, the rules then).
// Restore, resend and exists take it, so that such an account keeps its
// way back in; new addresses take ValidateEmail.
func ValidateLogin(field, s string) error {
	err := ValidateEmail(field, s)
	if err == nil {
		return nil
	}
	old := strings.ToLower(strings.TrimSpace(s))
	if old == "" || len(old) > maxAddressOctets || !utf8.ValidString(old) {
		return err
	}
	a, perr := mail.ParseAddress(old)
	if perr != nil || a.Address != old || a.Name != "" || !strings.Contains(old[strings.LastIndexByte(old, '@')+1:], ".") {
		return err
	}
	return nil
}

func emailKey(addr string) (key, why string) {
	addr = strings.TrimSpace(addr)
	if why := plainMailbox(addr); why != "" {
		return "", why
	}
	at := strings.LastIndexByte(addr, '@')
	local, err := precis.UsernameCaseMapped.String(addr[:at])
	if err != nil {
		return "", "has a local part PRECIS refuses (RFC 8265)"
	}
	domain, err := idna.Lookup.ToASCII(addr[at+1:])
	if err != nil {
		return "", "has a domain IDNA refuses (RFC 5891)"
	}
	key = local + "@" + domain
	// The key must itself be a plain mailbox: width mapping can turn a
	// full-width "＠" or "＂" into ASCII syntax, and a key that is not an
	// address would not be its own key.
	if why := plainMailbox(key); why != "" {
		return "", "maps to a key that " + why
	}
	return key, ""
}

// plainMailbox says why s is not one addr-spec (RFC 5322 §3.4.1 with the
// UTF-8 of RFC 6532) within the lengths of RFC 5321, or "" when it is.
func plainMailbox(s string) string {
	if !utf8.ValidString(s) {
		return "is not valid UTF-8"
	}
	for _, r := range s {
		// Cc and Cf: controls, zero-width characters, bidi controls, the
		// soft hyphen, the BOM. IDNA's lookup mapping would silently drop
		// some of them, so they are refused before it.
		if unicode.In(r, unicode.Cc, unicode.Cf) {
			return "contains invisible or control characters"
		}
	}
	at := strings.LastIndexByte(s, '@')
	if at < 0 {
		return "is not a valid e-mail address"
	}
	if at > maxLocalOctets {
		return "has a local part longer than 64 octets"
	}
	if len(s) > maxAddressOctets {
		return "is longer than 254 octets"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "is not a valid e-mail address"
	}
	domain := s[at+1:]
	if !strings.Contains(domain, ".") || strings.HasSuffix(domain, ".") || strings.Contains(domain, "..") {
		return "is not a valid e-mail address"
	}
	return ""
}
