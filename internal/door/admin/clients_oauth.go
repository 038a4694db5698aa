package admin

import (
	"encoding/json"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// A client by RFC 7591 §2's metadata names, for the standard door
// (docs/oidc.md): the admin API accepts and shows them beside the bank
// door's own names, which stay as aliases (id = client_id, name =
// client_name, confidential = a secret method).

// Registration is the RFC 7591 view of a client.
type Registration struct {
	ClientID               string          `json:"client_id"`
	ClientName             string          `json:"client_name"`
	ClientSecret           string          `json:"client_secret,omitempty"` // only when just created or rotated
	RedirectURIs           []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris"`
	ResponseTypes          []string        `json:"response_types"`
	AuthMethod             string          `json:"token_endpoint_auth_method"`
	Scope                  string          `json:"scope"`
	JWKS                   json.RawMessage `json:"jwks,omitempty"`
	SkipConsent            bool            `json:"skip_consent"`
	Resources              []string        `json:"resources"`
	IDTokenAlg             string          `json:"id_token_signed_response_alg"` // OpenID Connect Registration §2
}

func registrationView(c bank.Client) Registration {
	r := Registration{ClientID: c.ID, ClientName: c.Name, RedirectURIs: nonNil(c.RedirectURIs),
		PostLogoutRedirectURIs: nonNil(c.PostLogoutRedirectURIs), ResponseTypes: nonNil(c.ResponseTypes),
		AuthMethod: c.Method(), Scope: c.Scope, SkipConsent: c.SkipConsent, Resources: nonNil(c.Resources), IDTokenAlg: c.IDTokenAlg}
	if r.IDTokenAlg == "" {
		r.IDTokenAlg = "RS256"
	}
	if c.JWKS != "" {
		r.JWKS = json.RawMessage(c.JWKS)
	}
	return r
}

// registrationRequest is the RFC 7591 part of a create or update request.
type registrationRequest struct {
	ClientID               string          `json:"client_id"`
	ClientName             string          `json:"client_name"`
	RedirectURIs           []string        `json:"redirect_uris"`
	PostLogoutRedirectURIs []string        `json:"post_logout_redirect_uris"`
	ResponseTypes          []string        `json:"response_types"`
	AuthMethod             string          `json:"token_endpoint_auth_method"`
	Scope                  string          `json:"scope"`
	JWKS                   json.RawMessage `json:"jwks"`
	SkipConsent            bool            `json:"skip_consent"`
	Resources              []string        `json:"resources"`
	IDTokenAlg             string          `json:"id_token_signed_response_alg"`
}

// apply merges the RFC 7591 names into s, refusing an alias that
// contradicts its twin.
func (r registrationRequest) apply(s *bank.ClientSpec) error {
	var err error
	if s.ID, err = alias("client_id", s.ID, r.ClientID); err != nil {
		return err
	}
	if s.Name, err = alias("client_name", s.Name, r.ClientName); err != nil {
		return err
	}
	switch r.AuthMethod {
	case bank.AuthSecretBasic, bank.AuthSecretPost:
		s.Confidential = true
	case bank.AuthNone, bank.AuthPrivateKeyJWT:
		if s.Confidential {
			return core.Invalid("invalid_client_metadata", "confidential", "confidential contradicts token_endpoint_auth_method "+r.AuthMethod)
		}
	}
	s.Metadata = bank.Metadata{RedirectURIs: r.RedirectURIs, PostLogoutRedirectURIs: r.PostLogoutRedirectURIs,
		ResponseTypes: r.ResponseTypes, AuthMethod: r.AuthMethod, Scope: r.Scope, SkipConsent: r.SkipConsent, Resources: r.Resources,
		IDTokenAlg: r.IDTokenAlg}
	if len(r.JWKS) > 0 && string(r.JWKS) != "null" {
		s.JWKS = string(r.JWKS)
	}
	return nil
}

func alias(field, bankValue, rfcValue string) (string, error) {
	switch {
	case rfcValue == "" || rfcValue == bankValue:
		return bankValue, nil
	case bankValue == "":
		return rfcValue, nil
	}
	return "", core.Invalid("invalid_client_metadata", field, field+" and its alias name different values")
}
