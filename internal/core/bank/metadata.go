package bank

import (
	"encoding/json"
	"net/url"
	"slices"
	"strings"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/core"
)

// Client authentication methods of the standard door (RFC 7591 §2,
// token_endpoint_auth_method; RFC 7523 §2.2 for private_key_jwt).
const (
	AuthSecretBasic   = "client_secret_basic"
	AuthSecretPost    = "client_secret_post"
	AuthPrivateKeyJWT = "private_key_jwt"
	AuthNone          = "none"
)

// Metadata is what the OAuth 2 / OpenID Connect door reads of a client, by
// RFC 7591 §2's names (docs/oidc.md). The bank door ignores it. Lists are
// exact strings: redirect URIs are compared byte for byte (RFC 6749
// §3.1.2.3, OAuth 2.0 Security BCP §4.1.3), never as patterns.
type Metadata struct {
	RedirectURIs           []string // redirect_uris
	PostLogoutRedirectURIs []string // post_logout_redirect_uris
	ResponseTypes          []string // response_types; only "code" is served
	// AuthMethod is token_endpoint_auth_method; "" (a client registered
	// before the standard door) reads as client_secret_basic for a client
	// with a secret and none without (Method).
	AuthMethod  string
	Scope       string // scope: the space-separated scopes it may ask for; "" any the server offers
	JWKS        string // jwks: the JSON Web Key Set of a private_key_jwt client (RFC 7517 §5)
	SkipConsent bool   // skip_consent: a first-party application, never asks its users
	// IDTokenAlg is id_token_signed_response_alg (OpenID Connect
	// Registration §2): "" or RS256 (a key is always kept for it), or the
	// signing ring's algorithm (Service.IDTokenAlgs).
	IDTokenAlg string
	// Resources are the audiences (RFC 8707 resource, or audience) its
	// tokens may be asked for; each an absolute URI that is not Gatehouse.
	Resources []string
}

// maxURIs caps each list of URIs; maxURI each URI's length.
const (
	maxURIs = 20
	maxURI  = 2000
)

// Method is the client's token_endpoint_auth_method, derived for clients
// registered without one.
func (c Client) Method() string {
	switch {
	case c.AuthMethod != "":
		return c.AuthMethod
	case c.Public():
		return AuthNone
	}
	return AuthSecretBasic
}

// checkMethod refuses a method that contradicts the client's secret: none
// with a secret, a secret method without one; and a service grant for a
// client that cannot authenticate.
func (c Client) checkMethod() error {
	if c.Method() == AuthNone && slices.Contains(c.GrantTypes, GrantClientCredentials) {
		return invalidMetadata("grant_types", "client_credentials needs a confidential client")
	}
	// A service token names its audience (RFC 8707), one of these: without
	// any, every token request of the client would answer invalid_target.
	if slices.Contains(c.GrantTypes, GrantClientCredentials) && len(c.Resources) == 0 {
		return invalidMetadata("resources", "client_credentials needs at least one resource (the audience of its tokens)")
	}
	switch c.AuthMethod {
	case AuthNone:
		if !c.Public() {
			return invalidMetadata("token_endpoint_auth_method", "none is for a public client, which has no secret")
		}
	case AuthPrivateKeyJWT:
		if !c.Public() { // RFC 7523 §2.2: a key pair stands in for the secret
			return invalidMetadata("token_endpoint_auth_method", "private_key_jwt authenticates with the client's jwks, never a secret")
		}
	case AuthSecretBasic, AuthSecretPost:
		if c.Public() {
			return invalidMetadata("token_endpoint_auth_method", c.AuthMethod+" needs a confidential client (a secret)")
		}
	}
	return nil
}

func invalidMetadata(field, msg string) *core.Error {
	return core.Invalid("invalid_client_metadata", field, field+": "+msg)
}

// normalize checks m against RFC 7591 §2 and fills its defaults: response
// type code for a client that may use the authorization code grant.
func (m *Metadata) normalize(grants []string) error {
	for _, l := range []struct {
		field string
		uris  []string
	}{{"redirect_uris", m.RedirectURIs}, {"post_logout_redirect_uris", m.PostLogoutRedirectURIs}} {
		if len(l.uris) > maxURIs {
			return invalidMetadata(l.field, "at most 20")
		}
		for _, u := range l.uris {
			if err := checkRedirectURI(u); err != nil {
				return invalidMetadata(l.field, err.Error())
			}
		}
	}
	code := slices.Contains(grants, GrantAuthorizationCode)
	if code && len(m.RedirectURIs) == 0 {
		return invalidMetadata("redirect_uris", "the authorization_code grant needs at least one redirect URI")
	}
	if len(m.ResponseTypes) == 0 && code {
		m.ResponseTypes = []string{"code"}
	}
	for _, r := range m.ResponseTypes {
		if r != "code" {
			return invalidMetadata("response_types", "only code is served (the authorization code flow)")
		}
	}
	switch m.AuthMethod {
	case "", AuthSecretBasic, AuthSecretPost, AuthNone:
	case AuthPrivateKeyJWT:
		if err := checkJWKS(m.JWKS); err != nil {
			return err
		}
	default:
		return invalidMetadata("token_endpoint_auth_method", "one of client_secret_basic, client_secret_post, private_key_jwt, none")
	}
	if len(m.Scope) > 1000 || !core.IsText(m.Scope) || strings.ContainsAny(m.Scope, "\"\\") {
		return invalidMetadata("scope", "space-separated scope tokens, at most 1000 characters")
	}
	m.Scope = strings.Join(strings.Fields(m.Scope), " ")
	if len(m.Resources) > maxURIs {
		return invalidMetadata("resources", "at most 20")
	}
	return nil
}

// checkRedirectURI accepts an absolute URI without fragment (RFC 6749
// §3.1.2): https, http (for loopback and development, as RFC 8252 §7.3
// allows native apps), or a private-use scheme of a native app (RFC 8252
// §7.1).
func checkRedirectURI(s string) error {
	if s == "" || len(s) > maxURI || !core.IsText(s) || strings.ContainsAny(s, " \\") {
		return errString("a redirect URI is an absolute URI of at most 2000 characters")
	}
	u, err := url.Parse(s)
	switch {
	case err != nil || !u.IsAbs():
		return errString("not an absolute URI: " + s)
	case u.Fragment != "" || strings.Contains(s, "#"):
		return errString("a redirect URI has no fragment: " + s)
	case (u.Scheme == "http" || u.Scheme == "https") && u.Host == "":
		return errString("no host: " + s)
	case u.User != nil:
		return errString("no user information: " + s)
	}
	return nil
}

type errString string

func (e errString) Error() string { return string(e) }

// checkJWKS parses a client's key set (RFC 7517 §5): at least one public
// signing key, no private ones.
func checkJWKS(s string) error {
	if s == "" || len(s) > 20000 {
		return invalidMetadata("jwks", "private_key_jwt needs the client's public keys, at most 20000 bytes")
	}
	var set jose.JSONWebKeySet
	if err := json.Unmarshal([]byte(s), &set); err != nil || len(set.Keys) == 0 {
		return invalidMetadata("jwks", "a JSON Web Key Set with at least one key")
	}
	for _, k := range set.Keys {
		if !k.IsPublic() || !k.Valid() {
			return invalidMetadata("jwks", "public keys only")
		}
	}
	return nil
}
