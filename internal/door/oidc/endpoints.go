package oidc

import (
	"net/http"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
)

// userinfo is OpenID Connect Core §5.3's endpoint: the claims of the
// bearer's granted scopes. A bad token is RFC 6750 §3.1's 401.
func (d *Door) userinfo(w http.ResponseWriter, r *http.Request) {
	claims, err := d.OAuth.UserInfo(r.Context(), bearer(r))
	if err != nil {
		if status, _, _ := d.oauthError(err); status >= 500 {
			d.writeError(w, r, err)
			return
		}
		w.Header().Set("WWW-Authenticate", `Bearer error="invalid_token"`)
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusUnauthorized, errorBody{"invalid_token", "the access token is invalid, expired or revoked"})
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	writeJSON(w, http.StatusOK, claims)
}

// introspection is RFC 7662 §2.2's answer.
type introspection struct {
	Active    bool   `json:"active"`
	Scope     string `json:"scope,omitempty"`
	ClientID  string `json:"client_id,omitempty"`
	Sub       string `json:"sub,omitempty"`
	Aud       string `json:"aud,omitempty"`
	Iss       string `json:"iss,omitempty"`
	TokenType string `json:"token_type,omitempty"`
	Exp       int64  `json:"exp,omitempty"`
	Iat       int64  `json:"iat,omitempty"`
	Sid       string `json:"sid,omitempty"`
}

// introspect is RFC 7662's endpoint: confidential clients only (§2.1,
// the endpoint is protected); a token that is not the caller's is
// {"active":false}.
func (d *Door) introspect(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := postForm(r)
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	a := clientAuth(r, f)
	if a.Method == bank.AuthNone {
		d.writeError(w, r, core.ErrInvalidClient)
		return
	}
	client, err := d.OAuth.AuthenticateClient(ctx, a)
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	in, err := d.OAuth.Introspect(ctx, client, f.Get("token"))
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	if !in.Active {
		writeJSON(w, http.StatusOK, introspection{})
		return
	}
	writeJSON(w, http.StatusOK, introspection{Active: true, Scope: in.Scope, ClientID: in.ClientID, Sub: in.Subject,
		Aud: in.Audience, Iss: d.Issuer, TokenType: in.TokenType, Exp: in.ExpiresAt.Unix(), Iat: in.IssuedAt.Unix(),
		Sid: in.SessionID})
}

// revoke is RFC 7009's endpoint: 200 with an empty body whether or not
// the token was known (§2.2); a public client names itself by client_id.
func (d *Door) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	f, err := postForm(r)
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	client, err := d.OAuth.AuthenticateClient(ctx, clientAuth(r, f))
	if err != nil {
		d.writeError(w, r, err)
		return
	}
	if err := d.OAuth.Revoke(ctx, client, f.Get("token")); err != nil {
		d.writeError(w, r, err)
		return
	}
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
}
