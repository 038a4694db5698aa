package oidc

import (
	"errors"
	"html/template"
	"net/http"
	"net/url"
	"strconv"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
)

// authorize is the authorization endpoint (RFC 6749 §4.1.1, OpenID
// Connect Core §3.1.2): a request that names no registered client and
// redirect URI is answered with a page; every other refusal goes back to
// the redirect URI (§4.1.2.1). A browser not signed in (or not freshly
// enough: prompt=login, max_age) is sent to the hosted sign-in page, which
// continues to the request kept server-side (/oauth2/authorize?request_id=);
// a client not marked skip_consent is sent on to the hosted consent page
// first, which continues the same way once answered.
func (d *Door) authorize(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	q, err := requestParams(r)
	if err != nil {
		d.errorPage(w, http.StatusBadRequest, "The request is malformed: "+errMessage(err))
		return
	}
	req, err := d.request(r, q)
	if err != nil {
		d.errorPage(w, http.StatusBadRequest, "This sign-in request is unknown or has expired. Start again from the application.")
		return
	}
	client, err := d.OAuth.Check(ctx, &req)
	switch {
	case errors.Is(err, core.ErrInvalidClient):
		d.errorPage(w, http.StatusBadRequest, "The application that sent you here is not registered.")
		return
	case errors.Is(err, core.ErrRedirectURI):
		d.errorPage(w, http.StatusBadRequest, "The application asked to send you to an address it has not registered.")
		return
	case err != nil:
		d.redirectError(w, r, req, err)
		return
	}
	if d.Browser == nil {
		d.errorPage(w, http.StatusServiceUnavailable, "Signing in through this server is not available yet.")
		return
	}
	login, ok := d.Browser.SignedIn(r)
	next, err := d.OAuth.Decide(ctx, client, req, oauth.Login{AccountID: login.AccountID, AuthTime: login.AuthTime}, ok)
	if err != nil {
		d.redirectError(w, r, req, err)
		return
	}
	switch next {
	case oauth.NextSignIn:
		d.toSignIn(w, r, req, ok)
	case oauth.NextConsent:
		d.toConsent(w, r, req)
	default:
		code, err := d.OAuth.IssueCode(ctx, req, oauth.Login{AccountID: login.AccountID, SessionID: login.SessionID,
			AuthTime: login.AuthTime, AMR: login.AMR, ACR: login.ACR, UserAgent: r.UserAgent(), IP: d.ClientIP(r)})
		if err != nil {
			d.redirectError(w, r, req, err)
			return
		}
		d.redirect(w, r, req, url.Values{"code": {code}})
	}
}

// request reads the authorization request: a kept one by request_id (the
// sign-in's continuation), else the parameters.
func (d *Door) request(r *http.Request, q url.Values) (oauth.Request, error) {
	if id := q.Get("request_id"); id != "" {
		return d.OAuth.Kept(r.Context(), id)
	}
	req := oauth.Request{ClientID: q.Get("client_id"), RedirectURI: q.Get("redirect_uri"),
		ResponseType: q.Get("response_type"), Scope: q.Get("scope"), State: q.Get("state"), Nonce: q.Get("nonce"),
		CodeChallenge: q.Get("code_challenge"), CodeChallengeMethod: q.Get("code_challenge_method"),
		Prompt: q.Get("prompt"), LoginHint: q.Get("login_hint"), MaxAge: -1}
	if v := q.Get("max_age"); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil || n < 0 {
			n = 0 // a max_age that is no number asks for a fresh sign-in
		}
		req.MaxAge = n
	}
	return req, nil
}

// toSignIn keeps the request and sends the browser to the sign-in page
// with the continuation, asking for a new sign-in when one is live but not
// fresh enough.
func (d *Door) toSignIn(w http.ResponseWriter, r *http.Request, req oauth.Request, live bool) {
	if req.ID == "" {
		var err error
		if req, err = d.OAuth.Keep(r.Context(), req); err != nil {
			d.redirectError(w, r, req, err)
			return
		}
	}
	q := url.Values{"continue": {"/oauth2/authorize?request_id=" + req.ID}}
	if live || req.Prompt == "login" {
		q.Set("prompt", "login")
	}
	if req.LoginHint != "" {
		q.Set("login_hint", req.LoginHint)
	}
	http.Redirect(w, r, d.loginPath()+"?"+q.Encode(), http.StatusSeeOther)
}

// toConsent keeps the request and sends the browser to the hosted consent
// page, whose answer continues to the kept request (the request's
// parameters never travel through the page's form).
func (d *Door) toConsent(w http.ResponseWriter, r *http.Request, req oauth.Request) {
	if req.ID == "" {
		var err error
		if req, err = d.OAuth.Keep(r.Context(), req); err != nil {
			d.redirectError(w, r, req, err)
			return
		}
	}
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, d.consentPath()+"?"+url.Values{"request_id": {req.ID}}.Encode(), http.StatusSeeOther)
}

// redirectError sends an error to the client's redirect URI (RFC 6749
// §4.1.2.1), with the state and the issuer (RFC 9207).
func (d *Door) redirectError(w http.ResponseWriter, r *http.Request, req oauth.Request, err error) {
	_, body, _ := d.oauthError(err)
	if body.Error == "server_error" || body.Error == "temporarily_unavailable" {
		body.Description = ""
	}
	v := url.Values{"error": {body.Error}}
	if body.Description != "" {
		v.Set("error_description", body.Description)
	}
	d.redirect(w, r, req, v)
}

// redirect answers 303 to the request's (registered, exactly matched)
// redirect URI with v, state and iss added to its query.
func (d *Door) redirect(w http.ResponseWriter, r *http.Request, req oauth.Request, v url.Values) {
	u, err := url.Parse(req.RedirectURI)
	if err != nil { // registered URIs parse (bank.Metadata); never redirect blindly
		d.errorPage(w, http.StatusBadRequest, "The application's address is malformed.")
		return
	}
	q := u.Query()
	for k, vs := range v {
		q[k] = vs
	}
	if req.State != "" {
		q.Set("state", req.State)
	}
	q.Set("iss", d.Issuer)
	u.RawQuery = q.Encode()
	w.Header().Set("Cache-Control", "no-store")
	http.Redirect(w, r, u.String(), http.StatusSeeOther)
}

func errMessage(err error) string {
	var e *core.Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "invalid request"
}

// errorPageTemplate is the page of a refusal that must not redirect. The
// hosted pages' layout replaces it once they exist (docs/oidc.md).
var errorPageTemplate = template.Must(template.New("error").Parse(`<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Sign-in error</title>
<meta name="viewport" content="width=device-width, initial-scale=1"></head>
<body><main><h1>Sign-in error</h1><p role="alert">{{.}}</p></main></body></html>
`))

func (d *Door) errorPage(w http.ResponseWriter, status int, msg string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Content-Security-Policy", "default-src 'none'")
	w.WriteHeader(status)
	_ = errorPageTemplate.Execute(w, msg)
}
