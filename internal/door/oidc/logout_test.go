package oidc_test

import (
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0) in
// Chromium, with golang.org/x/oauth2 and coreos/go-oidc as the relying
// party that signed in through the hosted page.
func TestARelyingPartyLogsTheBrowserOutAndItsGrantEnds(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	r := &rp{Env: b.Env, t: t, spec: &http.Client{Transport: specChecked{t: t, e: b.Env}}}
	app := newBrowserRP(t)
	redirect := app.url() + "/callback"
	bye := app.url() + "/callback?signed_out=1"
	secret := r.client(bank.ClientSpec{ID: "app", Name: "The App", Confidential: true,
		Metadata: bank.Metadata{RedirectURIs: []string{redirect}, PostLogoutRedirectURIs: []string{bye}, SkipConsent: true}})
	f := r.relyingParty("app", secret, gooidc.ScopeOpenID, gooidc.ScopeOfflineAccess)
	f.conf.RedirectURL = redirect
	ctx := gooidc.ClientContext(r.ctx(), r.spec)
	var meta struct {
		EndSession string `json:"end_session_endpoint"`
	}
	if err := f.provider.Claims(&meta); err != nil || meta.EndSession != r.URL+"/oauth2/logout" {
		t.Fatalf("discovery's end_session_endpoint %q (%v)", meta.EndSession, err)
	}
	password := webtest.Account(t, b.Env, "ann@example.com")

	// signIn runs the code flow through the hosted sign-in page and
	// returns the grant's tokens.
	signIn := func(state string) (*oauth2.Token, string) {
		t.Helper()
		pkce := oauth2.GenerateVerifier()
		app.start(b, f.conf.AuthCodeURL(state, oauth2.S256ChallengeOption(pkce)))
		if got := b.Path(); !strings.HasPrefix(got, "/login?continue=") {
			t.Fatalf("the authorization is at %q, want the sign-in page", got)
		}
		b.Field("Email", "ann@example.com")
		b.Field("Password", password)
		b.Press("Sign in")
		q := app.callback(t)
		if q.Get("state") != state || q.Get("code") == "" {
			t.Fatalf("callback %v", q)
		}
		tok, err := f.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		if _, err := f.verifier.Verify(ctx, raw); err != nil || tok.RefreshToken == "" {
			t.Fatalf("id_token %v, refresh token %q", err, tok.RefreshToken)
		}
		return tok, raw
	}
	// refresh spends the grant's refresh token (x/oauth2 refreshes a token
	// that has expired).
	refresh := func(tok *oauth2.Token) (*oauth2.Token, error) {
		stale := &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}
		return f.conf.TokenSource(ctx, stale).Token()
	}
	refused := func(tok *oauth2.Token) bool {
		_, err := refresh(tok)
		return oauthCode(err) == "invalid_grant"
	}
	logoutURL := func(v url.Values) string { return r.URL + "/oauth2/logout?" + v.Encode() }

	tok, idToken := signIn("s1")

	// No hint: the page asks; nothing ends until the person confirms.
	b.Open("/oauth2/logout")
	if !b.HasButton("Sign out") || b.Text("h1") != "Sign out?" {
		t.Fatalf("a logout without a hint shows %q, want the confirmation page", b.Text("h1"))
	}
	b.Audit()
	b.Open("/oauth2/logout?ui_locales=ru%20en")
	if got := b.Text("h1"); got != "Выйти?" {
		t.Errorf("ui_locales=ru: h1 %q, want the Russian page", got)
	}
	tok, err := refresh(tok)
	if err != nil {
		t.Fatalf("the confirmation page alone ended the grant: %v", err)
	}

	// An unregistered post_logout_redirect_uri: an error page, no redirect.
	app.start(b, logoutURL(url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {app.url() + "/elsewhere"}}))
	if got := b.Path(); !strings.HasPrefix(got, "/oauth2/logout?") || !strings.Contains(b.Text("[role=alert]"), "not registered") {
		t.Fatalf("an unregistered post_logout_redirect_uri is at %q (%q), want the error page", got, b.Text("[role=alert]"))
	}
	b.Audit()

	// The relying party's logout with its id_token and a registered URI:
	// straight back to it with the state, the web session gone, the grant
	// ended.
	app.start(b, logoutURL(url.Values{"id_token_hint": {idToken}, "post_logout_redirect_uri": {bye}, "state": {"bye-1"}}))
	if q := app.callback(t); q.Get("state") != "bye-1" || q.Get("signed_out") != "1" {
		t.Fatalf("after the logout the app got %v, want state bye-1 at the registered URI", q)
	}
	if !refused(tok) {
		t.Error("the grant's refresh token still works after the logout")
	}
	app.start(b, f.conf.AuthCodeURL("s2", oauth2.S256ChallengeOption(oauth2.GenerateVerifier())))
	if got := b.Path(); !strings.HasPrefix(got, "/login?continue=") {
		t.Fatalf("after the logout an authorization is at %q, want the sign-in page", got)
	}

	// client_id instead of a hint: asked, confirmed, then back with the state.
	tok, _ = signIn("s3")
	app.start(b, logoutURL(url.Values{"client_id": {"app"}, "post_logout_redirect_uri": {bye}, "state": {"bye-2"}}))
	if !strings.Contains(b.Text("main p"), "The App") {
		t.Fatalf("the confirmation names %q, want the client's name", b.Text("main p"))
	}
	b.Press("Sign out")
	if q := app.callback(t); q.Get("state") != "bye-2" {
		t.Fatalf("after confirming the app got %v, want state bye-2", q)
	}
	if !refused(tok) {
		t.Error("the grant's refresh token still works after a confirmed logout")
	}

	// Signed out already, no redirect: the signed-out page.
	b.Open("/oauth2/logout")
	if got := b.Path(); got != "/oauth2/logout/done" || b.Text("h1") != "Signed out" {
		t.Fatalf("a logout with nothing to end is at %q (%q), want the signed-out page", got, b.Text("h1"))
	}
	b.Audit()
}

// A relying party's cross-site POST (RP-Initiated Logout §2) is read as
// its GET: with a hint and no web session in the browser it ends the
// hinted sign-in's grant and goes back with the state; the confirmation
// form refuses a post without its CSRF token; a forged hint is a page.
func TestALogoutPostedByARelyingPartyIsJudgedAsItsGet(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		r := newRP(t, b)
		const bye = "https://app.example/bye"
		secret := r.client(bank.ClientSpec{ID: "app", Confidential: true, Metadata: bank.Metadata{
			RedirectURIs: []string{callback}, PostLogoutRedirectURIs: []string{bye}, SkipConsent: true}})
		f := r.relyingParty("app", secret, gooidc.ScopeOpenID, gooidc.ScopeOfflineAccess)
		r.signUp("ann@example.com", "correct horse 1")
		pkce := oauth2.GenerateVerifier()
		code := r.authorize(f, "s1", oauth2.S256ChallengeOption(pkce))
		ctx := gooidc.ClientContext(r.ctx(), r.spec)
		tok, err := f.conf.Exchange(ctx, code, oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatal(err)
		}
		hint, _ := tok.Extra("id_token").(string)

		post := func(path string, v url.Values) *http.Response {
			t.Helper()
			req, _ := http.NewRequest("POST", r.URL+path, strings.NewReader(v.Encode()))
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
			req.Header.Set("Origin", "https://app.example") // a cross-site form
			req.Header.Set("Sec-Fetch-Site", "cross-site")
			res, err := (&http.Client{Transport: r.spec.Transport, CheckRedirect: func(*http.Request, []*http.Request) error {
				return http.ErrUseLastResponse
			}}).Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			return res
		}
		// A browser with no sign-in is signed out at once; the signed-out
		// page is in the relying party's language.
		done, err := (&http.Client{Transport: r.spec.Transport}).Get(r.URL + "/oauth2/logout?ui_locales=ru")
		if err != nil {
			t.Fatal(err)
		}
		page, _ := io.ReadAll(done.Body)
		done.Body.Close()
		if done.Request.URL.Path != "/oauth2/logout/done" || !strings.Contains(string(page), `lang="ru"`) {
			t.Errorf("a logout with ui_locales=ru ends at %s, page in ru: %v", done.Request.URL, strings.Contains(string(page), `lang="ru"`))
		}
		forged := hint[:strings.LastIndexByte(hint, '.')+1] + "AAAA"
		if res := post("/oauth2/logout", url.Values{"id_token_hint": {forged}, "post_logout_redirect_uri": {bye}}); res.StatusCode != http.StatusBadRequest {
			t.Errorf("a forged hint: %d, want the 400 page", res.StatusCode)
		}
		v := url.Values{"id_token_hint": {hint}, "post_logout_redirect_uri": {bye}, "state": {"st"}}
		if res := post("/oauth2/logout/confirm", v); res.StatusCode != http.StatusForbidden {
			t.Errorf("the confirmation form without its CSRF token: %d, want 403", res.StatusCode)
		}
		if _, err := f.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token(); err != nil {
			t.Fatalf("refused requests ended the grant: %v", err)
		}
		to := location(t, post("/oauth2/logout", v))
		if got := to.Scheme + "://" + to.Host + to.Path; got != bye || to.Query().Get("state") != "st" {
			t.Fatalf("the posted logout went to %s, want %s with state st", to, bye)
		}
		// The grant's refresh token was spent once above; its successor
		// and every other token of the grant are refused now.
		_, err = f.conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken, Expiry: time.Now().Add(-time.Hour)}).Token()
		if oauthCode(err) != "invalid_grant" {
			t.Errorf("after the logout the grant refreshes: %v, want invalid_grant", err)
		}
	})
}
