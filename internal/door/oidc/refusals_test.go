package oidc_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// refusalRP has a confidential client "app" and a public client "spa",
// and ann signed in.
func refusalRP(t *testing.T) (r *rp, app, spa codeFlow) {
	r = newRP(t, testenv.SQLite)
	secret := r.client(bank.ClientSpec{ID: "app", Confidential: true,
		Metadata: bank.Metadata{RedirectURIs: []string{callback}, SkipConsent: true}})
	r.client(bank.ClientSpec{ID: "spa", Metadata: bank.Metadata{RedirectURIs: []string{callback}, SkipConsent: true}})
	r.signUp("ann@example.com", "correct horse 1")
	return r, r.relyingParty("app", secret, gooidc.ScopeOpenID, gooidc.ScopeOfflineAccess), r.relyingParty("spa", "", gooidc.ScopeOpenID)
}

// redirectedError is the error an authorization request was sent back with.
func redirectedError(t *testing.T, r *rp, u string) string {
	t.Helper()
	to := location(t, r.browse(u, true))
	if got := to.Scheme + "://" + to.Host + to.Path; got != callback {
		t.Fatalf("redirected to %s, want the callback", to)
	}
	return to.Query().Get("error")
}

func TestAnUnregisteredRedirectURIIsAPageNeverARedirect(t *testing.T) {
	r, app, _ := refusalRP(t)
	for _, uri := range []string{"https://evil.example/callback", callback + "/", callback + "?x=1", "https://APP.example/callback"} {
		c := app.conf
		c.RedirectURL = uri
		res := r.browse(c.AuthCodeURL("s"), true)
		if res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" || !strings.HasPrefix(res.Header.Get("Content-Type"), "text/html") {
			t.Fatalf("redirect_uri %s: %d Location %q, want a 400 page", uri, res.StatusCode, res.Header.Get("Location"))
		}
	}
	c := app.conf
	c.ClientID = "nobody"
	if res := r.browse(c.AuthCodeURL("s"), true); res.StatusCode != http.StatusBadRequest || res.Header.Get("Location") != "" {
		t.Fatalf("an unknown client: %d, want a 400 page", res.StatusCode)
	}
}

func TestAPublicClientMustUsePKCEWithS256(t *testing.T) {
	r, _, spa := refusalRP(t)
	if e := redirectedError(t, r, spa.conf.AuthCodeURL("s")); e != "invalid_request" {
		t.Fatalf("a public client without PKCE: error %q, want invalid_request", e)
	}
	plain := spa.conf.AuthCodeURL("s", oauth2.SetAuthURLParam("code_challenge", oauth2.GenerateVerifier()),
		oauth2.SetAuthURLParam("code_challenge_method", "plain"))
	if e := redirectedError(t, r, plain); e != "invalid_request" {
		t.Fatalf("PKCE plain: error %q, want invalid_request", e)
	}
	// With S256 the public client signs in and exchanges with client_id alone.
	v := oauth2.GenerateVerifier()
	code := r.authorize(spa, "s", oauth2.S256ChallengeOption(v))
	if _, err := spa.conf.Exchange(gooidc.ClientContext(r.ctx(), r.spec), code, oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("a public client's exchange with PKCE: %v", err)
	}
}

func TestAWrongVerifierAWrongSecretAndAnExpiredCodeAreRefused(t *testing.T) {
	r, app, _ := refusalRP(t)
	ctx := gooidc.ClientContext(r.ctx(), r.spec)
	v := oauth2.GenerateVerifier()

	code := r.authorize(app, "s", oauth2.S256ChallengeOption(v))
	if _, err := app.conf.Exchange(ctx, code, oauth2.VerifierOption(oauth2.GenerateVerifier())); oauthCode(err) != "invalid_grant" {
		t.Fatalf("a wrong verifier: %v, want invalid_grant", err)
	}
	if _, err := app.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); oauthCode(err) != "invalid_grant" {
		t.Fatalf("the code after a wrong verifier spent it: %v, want invalid_grant", err)
	}

	code = r.authorize(app, "s", oauth2.S256ChallengeOption(v))
	wrong := app.conf
	wrong.ClientSecret = "not-the-secret"
	if _, err := wrong.Exchange(ctx, code, oauth2.VerifierOption(v)); oauthCode(err) != "invalid_client" {
		t.Fatalf("a wrong secret: %v, want invalid_client", err)
	}
	if _, err := app.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("a wrong secret must not spend the code: %v", err)
	}

	code = r.authorize(app, "s", oauth2.S256ChallengeOption(v))
	r.Clock.Advance(61 * time.Second) // a code lives a minute
	if _, err := app.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); oauthCode(err) != "invalid_grant" {
		t.Fatalf("an expired code: %v, want invalid_grant", err)
	}
}

func TestAReusedCodeRevokesWhatItsFirstUseIssued(t *testing.T) {
	r, app, _ := refusalRP(t)
	ctx := gooidc.ClientContext(r.ctx(), r.spec)
	v := oauth2.GenerateVerifier()
	code := r.authorize(app, "s", oauth2.S256ChallengeOption(v))
	tok, err := app.conf.Exchange(ctx, code, oauth2.VerifierOption(v))
	if err != nil {
		t.Fatalf("exchange: %v", err)
	}
	if _, err := app.conf.Exchange(ctx, code, oauth2.VerifierOption(v)); oauthCode(err) != "invalid_grant" {
		t.Fatalf("a reused code: %v, want invalid_grant", err)
	}
	if _, err := app.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok)); err == nil {
		t.Fatal("the first use's access token still works after the code came back")
	}
	if st, m := r.form("/oauth2/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {tok.RefreshToken}},
		"app", app.conf.ClientSecret); st != http.StatusBadRequest || m["error"] != "invalid_grant" {
		t.Fatalf("the first use's refresh token: %d %v, want invalid_grant", st, m)
	}
}

func TestPromptNoneAndLoginAreHonoured(t *testing.T) {
	r, app, _ := refusalRP(t)
	v := oauth2.S256ChallengeOption(oauth2.GenerateVerifier())
	// prompt=none without a sign-in: login_required, back to the client.
	to := location(t, r.browse(app.conf.AuthCodeURL("s", v, oauth2.SetAuthURLParam("prompt", "none")), false))
	if to.Query().Get("error") != "login_required" || to.Query().Get("state") != "s" {
		t.Fatalf("prompt=none without a sign-in: %s", to)
	}
	// prompt=login with a live sign-in: the sign-in page, asked to sign in anew.
	to = location(t, r.browse(app.conf.AuthCodeURL("s", v, oauth2.SetAuthURLParam("prompt", "login"),
		oauth2.SetAuthURLParam("login_hint", "ann@example.com")), true))
	if to.Path != "/login" || to.Query().Get("prompt") != "login" || to.Query().Get("login_hint") != "ann@example.com" {
		t.Fatalf("prompt=login: %s", to)
	}
	// max_age shorter than the sign-in's age: sign in again.
	r.Clock.Advance(2 * time.Minute)
	to = location(t, r.browse(app.conf.AuthCodeURL("s", v, oauth2.SetAuthURLParam("max_age", "60")), true))
	if to.Path != "/login" || to.Query().Get("prompt") != "login" {
		t.Fatalf("max_age exceeded: %s", to)
	}
}

func TestTheTokenEndpointRefusesMalformedRequests(t *testing.T) {
	r, app, _ := refusalRP(t)
	for _, c := range []struct {
		name string
		form url.Values
		want string
	}{
		{"no grant type", url.Values{}, "invalid_request"},
		{"a grant this endpoint does not serve", url.Values{"grant_type": {"password"}}, "unsupported_grant_type"},
		{"a parameter twice", url.Values{"grant_type": {"authorization_code", "authorization_code"}}, "invalid_request"},
		{"an unknown code", url.Values{"grant_type": {"authorization_code"}, "code": {"nope"}, "redirect_uri": {callback}}, "invalid_grant"},
	} {
		st, m := r.form("/oauth2/token", c.form, "app", app.conf.ClientSecret)
		if st != http.StatusBadRequest || m["error"] != c.want {
			t.Errorf("%s: %d %v, want 400 %s", c.name, st, m, c.want)
		}
	}
}
