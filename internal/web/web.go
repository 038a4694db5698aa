// Package web is the hosted pages: server-rendered HTML (html/template,
// every template, stylesheet, script and message catalogue embedded; no
// CDN, no build step) served by the same binary as the doors. It is a door:
// each page makes the same core calls as the JSON doors (sign-in through
// identity's lockout and the bank door's credential decryption, sign-up,
// confirmation, reset) and maps their typed errors to a page once
// (errors.go). The browser holds a core session of door "web" in an
// HttpOnly cookie (session.go); every form carries a CSRF token (csrf.go);
// every answer carries a strict Content-Security-Policy (headers.go).
// Other areas (the cabinet, the admin console, the OpenID door's consent
// and device pages) add their templates, catalogues and routes as an Area
// without editing this package's files (area.go). docs/pages.md describes
// the pages, their paths and security choices.
package web

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/nicksnyder/go-i18n/v2/i18n"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/identity"
)

// Credentials opens what the browser encrypted with the bank door's
// credential key (RSA-OAEP SHA-256, docs/bank.md step 1): the core's one
// decryption and replay path (bank.Service).
type Credentials interface {
	OpenCredentials(ctx context.Context, encLogin, encPassword string) (login, password string, ok bool)
	OpenPassword(ctx context.Context, enc string) (password string, ok bool, err error)
}

// Brand is what the operator shows of themselves (GATEHOUSE_BRAND_*).
type Brand struct {
	Name     string
	LogoURL  string // an https URL or a path on this server; "" with a Logo file or none
	Logo     []byte // GATEHOUSE_BRAND_LOGO_FILE's bytes, served at /assets/logo
	LogoType string // Logo's Content-Type
}

// Pages serves the hosted pages. Build it with New.
type Pages struct {
	Identity    *identity.Service
	Factors     *identity.Factors
	Credentials Credentials
	// Chain runs the bank-style steps of an account with customers (the
	// company, the role's factor chains, trusted devices, the required
	// action) on a web session; nil: such accounts sign in as any other.
	Chain Chain
	// Sealer (the master key) seals the CSRF tokens: every node makes and
	// checks them alike (csrf.go).
	Sealer core.Sealer
	// CredentialPEM is the credential key's public half (SPKI PEM) the
	// sign-in form encrypts with; the bank door publishes the same key.
	CredentialPEM func() []byte
	// Limit counts a request against the doors' rate limits (the JSON
	// doors' endpoints: a page is limited as its API is); nil: none.
	Limit func(r *http.Request, e core.Endpoint, subject string) error
	// PublicURL is GATEHOUSE_PUBLIC_URL: https makes every cookie Secure
	// and __Host- prefixed.
	PublicURL string
	Sources   []string // GATEHOUSE_SOURCES: the first is a sign-up's source
	// PasswordMin is GATEHOUSE_PASSWORD_MIN_LENGTH, told on the forms.
	PasswordMin int
	Brand       Brand
	Log         *slog.Logger
	Now         func() time.Time

	areas  []Area
	pages  map[string]*page // page name → its set (layout + partials + page), parsed on first use
	bundle *i18n.Bundle
	secure bool // Secure cookies with the __Host- prefix
	assets http.Handler
	csp    string
}

// Login is who is signed in in a browser: a live, complete web session
// (the seam the OpenID door adapts: it declares its own copy).
type Login struct {
	AccountID string    // the account's UUID (sub)
	SessionID string    // the core session (sid)
	AuthTime  time.Time // when the sign-in proved the owner (auth_time)
	AMR       []string  // RFC 8176 methods passed: pwd, otp, mfa, …
	ACR       string    // identity.ACR of AMR: "mfa" or the one method ("pwd")
}

// SignedIn is the person signed in in this browser: the web session its
// cookie names, when that session is active and complete and its user not
// locked; false otherwise.
func (p *Pages) SignedIn(r *http.Request) (Login, bool) {
	pr, ok := p.principal(r)
	if !ok {
		return Login{}, false
	}
	amr := identity.AMR(pr.Session)
	return Login{AccountID: pr.User.UUID, SessionID: pr.Session.ID, AuthTime: identity.AuthTime(pr.Session),
		AMR: amr, ACR: identity.ACR(amr)}, true
}
