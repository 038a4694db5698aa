package admin

import (
	"encoding/json"

	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// ClientForm is a client's RFC 7591 §2 metadata as the CLI (`gatehouse
// client`) and the admin console's form give it: the fields of a POST
// /admin/v1/clients body, without JSON. Apply reads it exactly as the
// admin API reads that body, so the three ways to register a client agree.
type ClientForm struct {
	ClientID               string   // client_id
	ClientName             string   // client_name
	RedirectURIs           []string // redirect_uris
	PostLogoutRedirectURIs []string // post_logout_redirect_uris
	GrantTypes             []string // grant_types; nil: the defaults (bank.ClientSpec)
	ResponseTypes          []string // response_types
	AuthMethod             string   // token_endpoint_auth_method; a secret method gives a secret
	Scope                  string   // scope, space-separated
	JWKS                   string   // jwks, a JWK Set (RFC 7517 §5) as JSON; "": none
	SkipConsent            bool     // skip_consent
	Resources              []string // resources (RFC 8707 audiences)
}

// Apply merges the form into s (whose ID, bank grants and lifetimes it
// keeps unless the form names them): core.Invalid "invalid_client_metadata"
// when an alias contradicts its twin, as the admin API answers.
func (f ClientForm) Apply(s *bank.ClientSpec) error {
	r := registrationRequest{ClientID: f.ClientID, ClientName: f.ClientName, RedirectURIs: f.RedirectURIs,
		PostLogoutRedirectURIs: f.PostLogoutRedirectURIs, ResponseTypes: f.ResponseTypes, AuthMethod: f.AuthMethod,
		Scope: f.Scope, SkipConsent: f.SkipConsent, Resources: f.Resources}
	if f.JWKS != "" {
		r.JWKS = json.RawMessage(f.JWKS)
	}
	if f.GrantTypes != nil {
		s.GrantTypes = f.GrantTypes
	}
	return r.apply(s)
}

// FormOf is a registered client as a ClientForm, and the spec of its bank
// fields: what an update starts from, to change only what is named.
func FormOf(c bank.Client) (ClientForm, bank.ClientSpec) {
	f := ClientForm{ClientID: c.ID, ClientName: c.Name, RedirectURIs: c.RedirectURIs,
		PostLogoutRedirectURIs: c.PostLogoutRedirectURIs, GrantTypes: c.GrantTypes, ResponseTypes: c.ResponseTypes,
		AuthMethod: c.AuthMethod, Scope: c.Scope, JWKS: c.JWKS, SkipConsent: c.SkipConsent, Resources: c.Resources}
	s := bank.ClientSpec{ID: c.ID, GrantTypes: c.GrantTypes, UserTypes: c.UserTypes, AccessTTL: c.AccessTTL,
		RefreshTTL: c.RefreshTTL, Origins: c.Origins}
	return f, s
}
