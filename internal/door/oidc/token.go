package oidc

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// tokenAnswer is RFC 6749 §5.1's (and OpenID Connect Core §3.1.3.3's)
// successful token response.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int64  `json:"expires_in"`
	RefreshToken string `json:"refresh_token,omitempty"`
	IDToken      string `json:"id_token,omitempty"`
	Scope        string `json:"scope,omitempty"`
}

// token is the token endpoint (RFC 6749 §3.2): the form is read once, the
// client authenticated in one place, then one domain call per grant.
// Every refusal is audited.
func (d *Door) token(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := postForm(r)
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	grant := f.Get("grant_type")
	client, err := d.OAuth.AuthenticateClient(ctx, clientAuth(r, f))
	if err == nil {
		var t oauth.Tokens
		t, err = d.grant(r, client, grant, f)
		if err == nil {
			w.Header().Set("Pragma", "no-cache")
			w.Header().Set("Cache-Control", "no-store")
			writeJSON(w, http.StatusOK, tokenAnswer{AccessToken: t.Access, TokenType: "Bearer",
				ExpiresIn: int64(t.ExpiresIn.Seconds()), RefreshToken: t.Refresh, IDToken: t.IDToken, Scope: t.Scope})
			return
		}
	}
	if !deviceWait(err) {
		d.OAuth.Refused(ctx, core.DisplayText(clientAuth(r, f).ID, 64), core.DisplayText(grant, 64), err)
	}
	d.writeError(w, r, err)
}

// grant runs one grant for an authenticated client.
func (d *Door) grant(r *http.Request, c bank.Client, grant string, f url.Values) (oauth.Tokens, error) {
	ctx := r.Context()
	switch grant {
	case "":
		return oauth.Tokens{}, core.Invalid("invalid_request", "grant_type", "grant_type is required")
	case bank.GrantAuthorizationCode:
		if !c.Allows(grant, "") {
			return oauth.Tokens{}, core.ErrUnauthorizedClient
		}
		return d.OAuth.Exchange(ctx, c, f.Get("code"), f.Get("redirect_uri"), f.Get("code_verifier"))
	case bank.GrantRefreshToken:
		return d.OAuth.Refresh(ctx, c, f.Get("refresh_token"))
	case bank.GrantDeviceCode: // RFC 8628 §3.4 (device.go)
		return d.OAuth.DeviceToken(ctx, c, f.Get("device_code"))
	case bank.GrantClientCredentials:
		return d.OAuth.ClientCredentials(ctx, c, f.Get("scope"), append(f["resource"], f["audience"]...))
	}
	return oauth.Tokens{}, core.ErrUnsupportedGrant
}

// clientAuth reads how the request authenticates its client (RFC 6749
// §2.3.1): HTTP Basic, whose id and secret are form-encoded before base64,
// client_id (and client_secret) in the form, or a client_assertion (RFC
// 7523 §2.2, private_key_jwt); two of them at once, or a Basic header that
// does not decode, is malformed. Every endpoint that authenticates
// clients reads them here and hands them to oauth.AuthenticateClient.
func clientAuth(r *http.Request, f url.Values) oauth.ClientAuth {
	formID, formSecret := f.Get("client_id"), f.Get("client_secret")
	if f.Has("client_assertion") || f.Has("client_assertion_type") {
		return oauth.ClientAuth{Method: bank.AuthPrivateKeyJWT, ID: formID, Endpoint: r.URL.Path,
			Assertion: f.Get("client_assertion"), AssertionType: f.Get("client_assertion_type"),
			Malformed: formSecret != "" || r.Header.Get("Authorization") != ""}
	}
	if h := r.Header.Get("Authorization"); h != "" {
		id, secret, ok := r.BasicAuth()
		if ok {
			var err1, err2 error
			id, err1 = url.QueryUnescape(id)
			secret, err2 = url.QueryUnescape(secret)
			ok = err1 == nil && err2 == nil
		}
		malformed := !ok || formSecret != "" || formID != "" && formID != id
		return oauth.ClientAuth{Method: bank.AuthSecretBasic, ID: id, Secret: secret, Malformed: malformed}
	}
	if formSecret != "" {
		return oauth.ClientAuth{Method: bank.AuthSecretPost, ID: formID, Secret: formSecret}
	}
	return oauth.ClientAuth{Method: bank.AuthNone, ID: formID, Malformed: formID == ""}
}

// bearer reads an RFC 6750 §2.1 access token; "" when none.
func bearer(r *http.Request) string {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		return strings.TrimSpace(h[7:])
	}
	return ""
}
