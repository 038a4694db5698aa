package identity

import (
	"net/netip"
	"net/url"
	"path"
	"slices"
	"strconv"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Token audience (RFC 7519 §4.1.3, RFC 9068 §4). Every access token names
// its audience: first-party tokens name the issuer and act as the user on
// Gatehouse's own APIs; a token minted for another service names that
// service only and opens nothing here but the logout of its own session.
// FirstParty is the one rule; VerifyAccess applies it to every bearer.

// ExternalAudience is the aud of a token minted for another service that
// named none (POST /v1/auth/token without ?audience=, as the platform seed
// calls it): a service, but never Gatehouse. A URN, so that no verifier can
// mistake it for a URL of Gatehouse or of any service.
const ExternalAudience = "urn:gatehouse:external"

// firstPartyDoors are the doors whose sessions speak for the user on
// Gatehouse's own APIs.
var firstPartyDoors = []string{"platform", "bank", "cashdesk", "web"}

// FirstParty reports whether an access token with claims c, of session
// sess, may act on Gatehouse's own APIs: header typ JWT, aud exactly the
// issuer, and a session of a first-party door. A token without aud was
// signed before every token named its audience; it counts as first-party
// when its session is of a first-party door, until it expires (at most
// the longest access lifetime). API keys are first-party (VerifyBearer).
func (s *Service) FirstParty(c Claims, sess Session) bool {
	// RFC 7515 §4.1.9: typ is a media type name, compared without case.
	if !strings.EqualFold(c.Type, "JWT") || !slices.Contains(firstPartyDoors, sess.Door) {
		return false
	}
	return c.Audience == s.Policy.Issuer || c.Audience == ""
}

// audienceOf is the aud of the access tokens of sess: the audience its
// session was opened for, else the issuer for a first-party door (also for
// sessions opened before the rule), else ExternalAudience.
func (s *Service) audienceOf(sess Session) string {
	switch {
	case sess.Audience != "":
		return sess.Audience
	case slices.Contains(firstPartyDoors, sess.Door):
		return s.Policy.Issuer
	}
	return ExternalAudience
}

// audienceMax bounds a requested audience: a URI naming a service.
const audienceMax = 200

// CheckAudience judges an audience a client asks a token for (field names
// the parameter: ?audience=, or an RFC 8707 resource). It must be an
// absolute URI (RFC 3986 §4.3) of at most 200 ASCII characters, without
// user information or fragment (RFC 8707 §2), and must not name Gatehouse:
// the issuer or any URL under it (underIssuer). Returns an invalid_audience
// error naming field.
func (s *Service) CheckAudience(field, aud string) error {
	u, ok := parseAudience(aud)
	if !ok {
		return core.Invalid("invalid_audience", field, field+" must be an absolute URI (https://service.example/… or urn:…) "+
			"of at most 200 characters, without user name or fragment")
	}
	if s.underIssuer(u) {
		return core.Invalid("invalid_audience", field, field+" names Gatehouse itself: a token for Gatehouse's own APIs comes from a sign-in")
	}
	return nil
}

// authoritySchemes are the schemes that WHATWG URL parsers read with an
// authority even when written without "//" (https:host): such a URI is
// refused, since another parser would see a host where we see none.
var authoritySchemes = []string{"http", "https", "ws", "wss", "ftp"}

// parseAudience parses aud as an absolute URI, refusing what parsers read
// differently: characters outside RFC 3986 §2 (spaces, controls, non-ASCII,
// backslashes), user information (https://gatehouse@evil), fragments,
// authority schemes without an authority, malformed ports, and numeric
// host names that are no canonical IP address (http://2130706433/,
// http://127.1/, http://0x7f.0.0.1/), which browsers read as IPv4.
func parseAudience(aud string) (*url.URL, bool) {
	if aud == "" || len(aud) > audienceMax || strings.ContainsFunc(aud, notURIChar) {
		return nil, false
	}
	u, err := url.Parse(aud)
	if err != nil || u.Scheme == "" || u.User != nil {
		return nil, false
	}
	if slices.Contains(authoritySchemes, strings.ToLower(u.Scheme)) && (u.Opaque != "" || u.Host == "") {
		return nil, false
	}
	if u.Host == "" {
		return u, true
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n > 65535 {
			return nil, false
		}
	}
	host := strings.TrimSuffix(u.Hostname(), ".")
	if host == "" {
		return nil, false
	}
	last := host[strings.LastIndexByte(host, '.')+1:]
	if numericLabel(last) {
		if _, err := netip.ParseAddr(host); err != nil {
			return nil, false
		}
	}
	return u, true
}

// notURIChar reports a character RFC 3986 §2 does not allow in a URI, and
// "#": an audience has no fragment.
func notURIChar(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	return !strings.ContainsRune("-._~:/?[]@!$&'()*+,;=%", r)
}

// numericLabel reports a last host label that WHATWG parsers take for an
// IPv4 number (decimal, or hexadecimal with 0x).
func numericLabel(l string) bool {
	if l == "" {
		return false
	}
	if h, ok := strings.CutPrefix(strings.ToLower(l), "0x"); ok {
		return !strings.ContainsFunc(h, func(r rune) bool { return !strings.ContainsRune("0123456789abcdef", r) })
	}
	return !strings.ContainsFunc(l, func(r rune) bool { return r < '0' || r > '9' })
}

// underIssuer reports whether u names the issuer or a URL under it. Hosts
// compare without case or trailing dot, IP addresses in canonical form
// (IPv4-mapped IPv6 as IPv4). The scheme is not compared: ports match as
// numbers (an absent one is the scheme's default), and two URLs on their
// schemes' default ports match too (https://host is the server of
// http://host, which usually redirects there). Paths compare after
// percent-decoding and dot-segment removal (RFC 3986 §5.2.4), without case,
// as a prefix ending at a segment boundary. Names that merely resolve to
// the issuer's address (localhost for 127.0.0.1) are not detected: DNS is
// not consulted.
func (s *Service) underIssuer(u *url.URL) bool {
	iss, err := url.Parse(s.Policy.Issuer)
	if err != nil || u.Host == "" || canonHost(u.Hostname()) != canonHost(iss.Hostname()) {
		return false
	}
	pu, du := portOf(u)
	pi, di := portOf(iss)
	if pu != pi && !(du && di) {
		return false
	}
	p, base := canonPath(u.Path), canonPath(iss.Path)
	return base == "/" || p == base || strings.HasPrefix(p, base+"/")
}

func canonHost(h string) string {
	h = strings.ToLower(strings.TrimSuffix(h, "."))
	if a, err := netip.ParseAddr(h); err == nil {
		return a.Unmap().WithZone("").String()
	}
	return h
}

// portOf is u's port as a number (absent: its scheme's default, -1 when
// the scheme has none) and whether that is the scheme's default port.
func portOf(u *url.URL) (port int, isDefault bool) {
	def := -1
	switch strings.ToLower(u.Scheme) {
	case "http", "ws":
		def = 80
	case "https", "wss":
		def = 443
	case "ftp":
		def = 21
	}
	port = def
	if p := u.Port(); p != "" {
		n, err := strconv.Atoi(p)
		if err != nil {
			return -1, false
		}
		port = n
	}
	return port, port == def && def != -1
}

func canonPath(p string) string {
	return strings.ToLower(path.Clean("/" + p))
}
