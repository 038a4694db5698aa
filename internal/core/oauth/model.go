// Package oauth is the domain of the standard OAuth 2 / OpenID Connect
// door (docs/oidc.md): authorization requests, codes, consents and the
// grants of the token endpoint, over identity's accounts and sessions (one
// core session per grant, refreshed by identity's rotation) and the bank
// domain's client registry (one registry for both doors). It knows no
// HTTP: internal/door/oidc parses the wire and calls it.
package oauth

import "time"

// Scopes of OpenID Connect Core 1.0 §5.4 and §11 that Gatehouse serves.
const (
	ScopeOpenID        = "openid"
	ScopeProfile       = "profile"
	ScopeEmail         = "email"
	ScopeOfflineAccess = "offline_access"
)

// Scopes lists every scope the server offers (discovery's scopes_supported).
func Scopes() []string {
	return []string{ScopeOpenID, ScopeProfile, ScopeEmail, ScopeOfflineAccess}
}

// Request is an authorization request (RFC 6749 §4.1.1, OpenID Connect
// Core 1.0 §3.1.2.1) as the door parsed it; Check judges it.
type Request struct {
	ID                  string // set once kept (Keep): the continuation's request_id
	ClientID            string
	RedirectURI         string
	ResponseType        string
	Scope               string
	State               string
	Nonce               string
	CodeChallenge       string
	CodeChallengeMethod string
	Prompt              string // "", login, none, consent (§3.1.2.1)
	MaxAge              int64  // seconds; -1 when absent
	LoginHint           string
	// ConsentedBy and DeniedBy are the account (UUID) that answered the
	// consent page for this request (AnswerConsent): the answer counts
	// only for a browser still signed in to that account.
	ConsentedBy string
	DeniedBy    string
	CreatedAt   time.Time
	ExpiresAt   time.Time
}

// Login is the person signed in in the browser that makes a request: the
// hosted pages' sign-in, a core session of its own.
type Login struct {
	AccountID string // the account's UUID
	SessionID string // the browser's core session (the id_token's sid)
	AuthTime  time.Time
	AMR       []string // RFC 8176 values of the factors passed
	ACR       string
	UserAgent string
	IP        string
}

// Code is an issued authorization code (RFC 6749 §4.1.2), kept as the
// SHA-256 of the code. UsedAt is its one redemption; ReusedAt a later
// presentation; SessionID the grant's session its redemption opened.
type Code struct {
	Hash        []byte
	ClientID    string
	UserID      int64
	RedirectURI string
	Scope       string
	Nonce       string
	Challenge   string // PKCE S256 code_challenge (RFC 7636 §4.2); "" when none
	AuthTime    time.Time
	AMR         []string
	ACR         string
	BrowserSID  string
	UserAgent   string
	IP          string
	CreatedAt   time.Time
	ExpiresAt   time.Time
	UsedAt      *time.Time
	ReusedAt    *time.Time
	SessionID   string
}

// Consent is what a user granted a client: the scopes, until revoked.
type Consent struct {
	UserID    int64
	ClientID  string
	Scope     string
	CreatedAt time.Time
	UpdatedAt time.Time
}
