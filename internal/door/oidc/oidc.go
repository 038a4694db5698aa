// Package oidc is the standard OAuth 2 / OpenID Connect door (docs/oidc.md):
// discovery, the authorization, token, userinfo, introspection and
// revocation endpoints, as a thin mapping of RFC 6749, RFC 7636, RFC 7009,
// RFC 7662, RFC 8707, RFC 9068 and OpenID Connect Core 1.0 onto the oauth
// domain. The sign-in itself is the hosted pages' (Browser).
package oidc

import (
	"log/slog"
	"net/http"
	"time"

	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// Login is the person signed in in a browser, as the hosted pages tell it:
// the account's UUID, the browser's core session, when they signed in and
// the factors they passed (RFC 8176 amr values), and the acr.
type Login struct {
	AccountID, SessionID string
	AuthTime             time.Time
	AMR                  []string
	ACR                  string
}

// Browser is what the door needs of the hosted pages: who is signed in in
// the browser making r (a live, fully authenticated session), or false.
// internal/server adapts the pages to it (pagesBrowser); the door never
// imports them.
type Browser interface {
	SignedIn(r *http.Request) (Login, bool)
}

// Door serves the standard endpoints. Build it as a struct literal with
// exactly these dependencies, then Mount.
type Door struct {
	OAuth *oauth.Service
	// Browser tells the signed-in person; nil while no sign-in page is
	// served: the authorization endpoint then answers an error page (503)
	// and every other endpoint works.
	Browser Browser
	// LoginPath is the hosted sign-in page (default /login), continued to
	// the kept authorization request after the sign-in.
	LoginPath string
	// ConsentPath is the hosted consent page (default /oauth2/consent,
	// internal/web/consent), given ?request_id= of the kept request.
	ConsentPath string
	Issuer      string
	// SigningAlg is the algorithm of the signing ring (RS256, ES256,
	// EdDSA); id_tokens are RS256 beside it (discovery's
	// id_token_signing_alg_values_supported lists both).
	SigningAlg string
	// EndSessionPath is where the hosted pages serve RP-initiated logout
	// (internal/web/signout), advertised as end_session_endpoint; "": not
	// served, not advertised.
	EndSessionPath string
	ClientIP       func(*http.Request) string
	Log            *slog.Logger
}

// Mount registers the door's routes (OIDC Discovery 1.0 §4, RFC 8414 §3
// for the metadata; the paths are docs/oidc.md's).
func (d *Door) Mount(mux *http.ServeMux) {
	mux.HandleFunc("GET /.well-known/openid-configuration", d.discovery)
	mux.HandleFunc("GET /.well-known/oauth-authorization-server", d.discovery)
	mux.HandleFunc("GET /oauth2/authorize", d.authorize)
	mux.HandleFunc("POST /oauth2/authorize", d.authorize)
	mux.HandleFunc("POST /oauth2/token", d.token)
	mux.HandleFunc("GET /oauth2/userinfo", d.userinfo)
	mux.HandleFunc("POST /oauth2/userinfo", d.userinfo)
	mux.HandleFunc("POST /oauth2/introspect", d.introspect)
	mux.HandleFunc("POST /oauth2/revoke", d.revoke)
	mux.HandleFunc("POST /oauth2/device_authorization", d.deviceAuthorization)
}

func (d *Door) loginPath() string {
	if d.LoginPath == "" {
		return "/login"
	}
	return d.LoginPath
}

func (d *Door) consentPath() string {
	if d.ConsentPath == "" {
		return "/oauth2/consent"
	}
	return d.ConsentPath
}
