package oidc_test

import (
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const callback = "https://app.example/callback"

// codeFlow is one relying party (golang.org/x/oauth2 configured by
// coreos/go-oidc from the discovery document) and the provider it found.
type codeFlow struct {
	provider *gooidc.Provider
	conf     oauth2.Config
	verifier *gooidc.IDTokenVerifier
}

func (r *rp) relyingParty(id, secret string, scopes ...string) codeFlow {
	r.t.Helper()
	ctx := gooidc.ClientContext(r.ctx(), r.spec)
	p, err := gooidc.NewProvider(ctx, r.URL) // checks the issuer equals the URL it was found at
	if err != nil {
		r.t.Fatalf("discovery: %v", err)
	}
	return codeFlow{provider: p,
		conf:     oauth2.Config{ClientID: id, ClientSecret: secret, Endpoint: p.Endpoint(), RedirectURL: callback, Scopes: scopes},
		verifier: p.Verifier(&gooidc.Config{ClientID: id, Now: r.Clock.Now})}
}

// authorize runs the browser's part: the authorization URL, the sign-in
// it is sent to, and the continuation back to the code.
func (r *rp) authorize(f codeFlow, state string, opts ...oauth2.AuthCodeOption) (code string) {
	r.t.Helper()
	to := location(r.t, r.browse(f.conf.AuthCodeURL(state, opts...), r.cookie != nil))
	if to.Path == "/login" {
		cont := to.Query().Get("continue")
		if !strings.HasPrefix(cont, "/oauth2/authorize?request_id=") {
			r.t.Fatalf("sign-in continuation %q", cont)
		}
		to = location(r.t, r.browse(cont, true))
	}
	if got := to.Scheme + "://" + to.Host + to.Path; got != callback {
		r.t.Fatalf("redirected to %s, want the callback", to)
	}
	q := to.Query()
	if q.Get("state") != state || q.Get("iss") != r.URL || q.Get("error") != "" {
		r.t.Fatalf("callback query %v: want state %q, iss %q, no error", q, state, r.URL)
	}
	return q.Get("code")
}

func TestARelyingPartyNobodyHereWroteSignsInRefreshesAndLogsOut(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		r := newRP(t, b)
		secret := r.client(bank.ClientSpec{ID: "app", Confidential: true,
			Metadata: bank.Metadata{RedirectURIs: []string{callback}, SkipConsent: true}})
		other := r.client(bank.ClientSpec{ID: "other", Confidential: true,
			Metadata: bank.Metadata{RedirectURIs: []string{callback}, SkipConsent: true}})
		f := r.relyingParty("app", secret, gooidc.ScopeOpenID, "email", "profile", gooidc.ScopeOfflineAccess)

		// Not signed in: the browser goes to the hosted sign-in page first.
		to := location(t, r.browse(f.conf.AuthCodeURL("s0", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())), false))
		if to.Path != "/login" {
			t.Fatalf("a browser without a sign-in went to %s, want /login", to)
		}
		uuid := r.signUp("ann@example.com", "correct horse 1")
		pkce := oauth2.GenerateVerifier()
		code := r.authorize(f, "s1", gooidc.Nonce("n-1"), oauth2.S256ChallengeOption(pkce))
		ctx := gooidc.ClientContext(r.ctx(), r.spec)
		tok, err := f.conf.Exchange(ctx, code, oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := f.verifier.Verify(ctx, raw)
		if err != nil {
			t.Fatalf("id_token: %v", err)
		}
		if idt.Subject != uuid || idt.Nonce != "n-1" {
			t.Fatalf("id_token sub %q nonce %q, want %q and n-1", idt.Subject, idt.Nonce, uuid)
		}
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil { // at_hash
			t.Fatalf("at_hash: %v", err)
		}
		var claims struct {
			AuthTime int64    `json:"auth_time"`
			AMR      []string `json:"amr"`
			SID      string   `json:"sid"`
		}
		if err := idt.Claims(&claims); err != nil || claims.AuthTime != r.Clock.Now().Unix() || !slices.Equal(claims.AMR, []string{"pwd"}) || claims.SID == "" {
			t.Fatalf("id_token claims %+v (%v): want auth_time of the sign-in, amr [pwd], a sid", claims, err)
		}
		checkAccessToken(t, tok.AccessToken, "app")

		info, err := f.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
		if err != nil || info.Subject != uuid || info.Email != "ann@example.com" || !info.EmailVerified {
			t.Fatalf("userinfo %+v (%v)", info, err)
		}

		// The access token is the client's, not Gatehouse's: its own APIs refuse it.
		if res := r.Do("GET", "/v1/user/profile", nil, "Authorization", "Bearer "+tok.AccessToken); res.Status != http.StatusUnauthorized {
			t.Fatalf("the platform door answered %d to a standard door's token, want 401", res.Status)
		}

		// Introspection: the client sees its token; another client sees nothing.
		if st, m := r.form("/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, "app", secret); st != 200 || m["active"] != true || m["sub"] != uuid {
			t.Fatalf("introspect own token: %d %v", st, m)
		}
		if st, m := r.form("/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, "other", other); st != 200 || m["active"] != false || len(m) != 1 {
			t.Fatalf("another client introspecting: %d %v, want only active:false", st, m)
		}

		// Refresh: the RP's token source spends the refresh token for a new pair.
		old := *tok
		tok.Expiry = time.Now().Add(-time.Minute)
		next, err := f.conf.TokenSource(ctx, tok).Token()
		if err != nil || next.AccessToken == old.AccessToken || next.RefreshToken == "" || next.RefreshToken == old.RefreshToken {
			t.Fatalf("refresh: %v (new access %t, new refresh %t)", err, next != nil && next.AccessToken != old.AccessToken, next != nil && next.RefreshToken != old.RefreshToken)
		}
		if st, m := r.form("/oauth2/introspect", url.Values{"token": {old.RefreshToken}}, "app", secret); st != 200 || m["active"] != false {
			t.Fatalf("a spent refresh token introspects %d %v, want inactive", st, m)
		}

		// Revocation ends the grant: its tokens stop working.
		if st, _ := r.form("/oauth2/revoke", url.Values{"token": {next.RefreshToken}}, "app", secret); st != 200 {
			t.Fatalf("revoke: %d", st)
		}
		if _, err := f.provider.UserInfo(ctx, oauth2.StaticTokenSource(next)); err == nil {
			t.Fatal("userinfo still answers the access token of a revoked grant")
		}
		if st, m := r.form("/oauth2/introspect", url.Values{"token": {next.AccessToken}}, "app", secret); st != 200 || m["active"] != false {
			t.Fatalf("a revoked grant's access token introspects %d %v", st, m)
		}
	})
}

// checkAccessToken checks RFC 9068's profile: typ at+jwt, aud, client_id, scope.
func checkAccessToken(t *testing.T, raw, aud string) {
	t.Helper()
	jws, err := jose.ParseSignedCompact(raw, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatalf("access token: %v", err)
	}
	if typ, _ := jws.Signatures[0].Protected.ExtraHeaders["typ"].(string); typ != "at+jwt" {
		t.Fatalf("access token typ %q, want at+jwt", typ)
	}
	claims := map[string]any{}
	if err := jsonUnmarshal(jws.UnsafePayloadWithoutVerification(), &claims); err != nil {
		t.Fatal(err)
	}
	audOK := claims["aud"] == aud
	if list, ok := claims["aud"].([]any); ok {
		audOK = len(list) == 1 && list[0] == aud
	}
	if !audOK || claims["client_id"] == nil || claims["scope"] == nil {
		t.Fatalf("access token claims %v: want aud %s, client_id, scope", claims, aud)
	}
}

func TestAServiceClientGetsATokenForItsResourceOnly(t *testing.T) {
	r := newRP(t, testenv.SQLite)
	secret := r.client(bank.ClientSpec{ID: "svc", Confidential: true, GrantTypes: []string{bank.GrantClientCredentials},
		Metadata: bank.Metadata{Resources: []string{"https://api.example"}, Scope: "read"}})
	ctx := gooidc.ClientContext(r.ctx(), r.spec)
	cc := clientcredentials.Config{ClientID: "svc", ClientSecret: secret, TokenURL: r.URL + "/oauth2/token", Scopes: []string{"read"},
		EndpointParams: url.Values{"resource": {"https://api.example"}}}
	tok, err := cc.Token(ctx)
	if err != nil {
		t.Fatalf("client credentials: %v", err)
	}
	checkAccessToken(t, tok.AccessToken, "https://api.example")
	if st, m := r.form("/oauth2/introspect", url.Values{"token": {tok.AccessToken}}, "svc", secret); st != 200 || m["active"] != true || m["sub"] != "svc" {
		t.Fatalf("introspect the service token: %d %v", st, m)
	}
	cc.EndpointParams = url.Values{"resource": {"https://elsewhere.example"}}
	_, err = cc.Token(ctx)
	if code := oauthCode(err); code != "invalid_target" {
		t.Fatalf("a resource the client may not name: %v, want invalid_target", err)
	}
	cc.ClientSecret = "wrong"
	if code := oauthCode(err2(cc.Token(ctx))); code != "invalid_client" {
		t.Fatalf("a wrong secret: want invalid_client")
	}
}

func err2[T any](_ T, err error) error { return err }

// oauthCode is the RFC 6749 error code of an x/oauth2 failure.
func oauthCode(err error) string {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		return re.ErrorCode
	}
	return ""
}
