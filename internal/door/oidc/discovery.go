package oidc

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// metadata is the provider's metadata (OIDC Discovery 1.0 §3, RFC 8414
// §2): what relying parties configure themselves from.
type metadata struct {
	Issuer                            string   `json:"issuer"`
	AuthorizationEndpoint             string   `json:"authorization_endpoint"`
	TokenEndpoint                     string   `json:"token_endpoint"`
	UserinfoEndpoint                  string   `json:"userinfo_endpoint"`
	JWKSURI                           string   `json:"jwks_uri"`
	RevocationEndpoint                string   `json:"revocation_endpoint"`
	IntrospectionEndpoint             string   `json:"introspection_endpoint"`
	EndSessionEndpoint                string   `json:"end_session_endpoint,omitempty"` // RP-Initiated Logout 1.0 §2.1
	DeviceAuthorizationEndpoint       string   `json:"device_authorization_endpoint"`  // RFC 8628 §4
	ScopesSupported                   []string `json:"scopes_supported"`
	ResponseTypesSupported            []string `json:"response_types_supported"`
	ResponseModesSupported            []string `json:"response_modes_supported"`
	GrantTypesSupported               []string `json:"grant_types_supported"`
	SubjectTypesSupported             []string `json:"subject_types_supported"`
	IDTokenSigningAlgValuesSupported  []string `json:"id_token_signing_alg_values_supported"`
	TokenEndpointAuthMethodsSupported []string `json:"token_endpoint_auth_methods_supported"`
	RevocationAuthMethodsSupported    []string `json:"revocation_endpoint_auth_methods_supported"`
	IntrospectionAuthMethodsSupported []string `json:"introspection_endpoint_auth_methods_supported"`
	// The algorithms of private_key_jwt assertions (RFC 8414 §2).
	TokenAuthSigningAlgs              []string `json:"token_endpoint_auth_signing_alg_values_supported"`
	RevocationAuthSigningAlgs         []string `json:"revocation_endpoint_auth_signing_alg_values_supported"`
	IntrospectionAuthSigningAlgs      []string `json:"introspection_endpoint_auth_signing_alg_values_supported"`
	CodeChallengeMethodsSupported     []string `json:"code_challenge_methods_supported"`
	ClaimsSupported                   []string `json:"claims_supported"`
	PromptValuesSupported             []string `json:"prompt_values_supported"`
	ACRValuesSupported                []string `json:"acr_values_supported"` // Discovery 1.0 §3; identity.ACR
	ClaimsParameterSupported          bool     `json:"claims_parameter_supported"`
	RequestParameterSupported         bool     `json:"request_parameter_supported"`
	RequestURIParameterSupported      bool     `json:"request_uri_parameter_supported"`
	AuthorizationResponseISSSupported bool     `json:"authorization_response_iss_parameter_supported"`
}

func (d *Door) discovery(w http.ResponseWriter, _ *http.Request) {
	secrets := []string{"client_secret_basic", "client_secret_post", "private_key_jwt"}
	var algs []string
	for _, a := range oauth.AssertionAlgs {
		algs = append(algs, string(a))
	}
	m := metadata{
		Issuer:                            d.Issuer,
		AuthorizationEndpoint:             d.Issuer + "/oauth2/authorize",
		TokenEndpoint:                     d.Issuer + "/oauth2/token",
		UserinfoEndpoint:                  d.Issuer + "/oauth2/userinfo",
		JWKSURI:                           d.Issuer + "/.well-known/jwks.json",
		RevocationEndpoint:                d.Issuer + "/oauth2/revoke",
		IntrospectionEndpoint:             d.Issuer + "/oauth2/introspect",
		DeviceAuthorizationEndpoint:       d.Issuer + "/oauth2/device_authorization",
		ScopesSupported:                   oauth.Scopes(),
		ResponseTypesSupported:            []string{"code"},
		ResponseModesSupported:            []string{"query"},
		GrantTypesSupported:               []string{"authorization_code", "refresh_token", "client_credentials", bank.GrantDeviceCode},
		SubjectTypesSupported:             []string{"public"},
		IDTokenSigningAlgValuesSupported:  idTokenAlgs(d.SigningAlg),
		TokenEndpointAuthMethodsSupported: append(secrets, "none"),
		RevocationAuthMethodsSupported:    append(secrets, "none"),
		IntrospectionAuthMethodsSupported: secrets,
		TokenAuthSigningAlgs:              algs,
		RevocationAuthSigningAlgs:         algs,
		IntrospectionAuthSigningAlgs:      algs,
		CodeChallengeMethodsSupported:     []string{"S256"},
		ClaimsSupported: []string{"iss", "sub", "aud", "exp", "iat", "auth_time", "nonce", "acr", "amr", "at_hash",
			"azp", "sid", "email", "email_verified", "name", "locale"},
		PromptValuesSupported:             []string{"none", "login", "consent"},
		ACRValuesSupported:                []string{"pwd", "mfa"},
		AuthorizationResponseISSSupported: true,
	}
	if d.EndSessionPath != "" {
		m.EndSessionEndpoint = d.Issuer + d.EndSessionPath
	}
	w.Header().Set("Cache-Control", "public, max-age=3600")
	writeJSON(w, http.StatusOK, m)
}

// idTokenAlgs are the id_token algorithms served: RS256 always (an RS256
// key is kept for id_tokens, OpenID Connect Core §3.1.3.7), and the
// signing ring's when it is another (a client's
// id_token_signed_response_alg may name it).
func idTokenAlgs(signing string) []string {
	if signing == "" || signing == "RS256" {
		return []string{"RS256"}
	}
	return []string{"RS256", signing}
}
