package consent_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// app is a relying party on a listener of its own, on another site than
// Gatehouse's (localhost, Gatehouse being at 127.0.0.1): /start sends the
// browser to the authorization URL the test set last, /callback captures
// the query the browser comes back with.
type app struct {
	srv       *httptest.Server
	mu        sync.Mutex
	next      string
	callbacks chan url.Values
}

func newApp(t *testing.T) *app {
	a := &app{callbacks: make(chan url.Values, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /start", func(w http.ResponseWriter, r *http.Request) {
		a.mu.Lock()
		defer a.mu.Unlock()
		http.Redirect(w, r, a.next, http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		a.callbacks <- r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Back at the app</title></head><body><h1>Back at the app</h1></body></html>`)
	})
	a.srv = httptest.NewServer(mux)
	t.Cleanup(a.srv.Close)
	return a
}

func (a *app) url() string { return strings.Replace(a.srv.URL, "127.0.0.1", "localhost", 1) }

// start has the browser open the app's /start, which redirects to u.
func (a *app) start(b *webtest.Browser, u string) {
	a.mu.Lock()
	a.next = u
	a.mu.Unlock()
	b.Run(chromedp.Navigate(a.url()+"/start"), chromedp.WaitReady("body", chromedp.ByQuery))
}

// callback is the query the browser came back to the app with.
func (a *app) callback(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-a.callbacks:
		return q
	case <-time.After(time.Minute):
		t.Fatal("the browser never came back to the app's redirect URI")
		return nil
	}
}

// none fails if the browser came back to the app.
func (a *app) none(t *testing.T, what string) {
	t.Helper()
	select {
	case q := <-a.callbacks:
		t.Fatalf("%s: the browser came back to the app with %v", what, q)
	default:
	}
}

// count is the number of elements matching a CSS selector.
func count(b *webtest.Browser, sel string) int {
	var n int
	b.Run(chromedp.Evaluate(fmt.Sprintf(`document.querySelectorAll(%q).length`, sel), &n))
	return n
}

func TestAUserAllowsDeniesAndRevokesAnApplicationOnTheConsentPage(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	a := newApp(t)
	redirect := a.url() + "/callback"
	ctx := context.Background()
	_, secret, err := b.Env.Srv.Bank.CreateClient(ctx, bank.ClientSpec{ID: "album", Name: "Photo Album", Confidential: true,
		Metadata: bank.Metadata{RedirectURIs: []string{redirect}}})
	if err != nil {
		t.Fatal(err)
	}
	provider, err := gooidc.NewProvider(ctx, b.Env.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	conf := oauth2.Config{ClientID: "album", ClientSecret: secret, Endpoint: provider.Endpoint(), RedirectURL: redirect,
		Scopes: []string{gooidc.ScopeOpenID, "email"}}
	verifier := provider.Verifier(&gooidc.Config{ClientID: "album", Now: b.Env.Clock.Now})
	password := webtest.Account(t, b.Env, "ann@example.com")

	// authorize starts an authorization in the browser and returns its
	// PKCE verifier.
	authorize := func(state string, opts ...oauth2.AuthCodeOption) string {
		t.Helper()
		pkce := oauth2.GenerateVerifier()
		a.start(b, conf.AuthCodeURL(state, append(opts, gooidc.Nonce("n-"+state), oauth2.S256ChallengeOption(pkce))...))
		return pkce
	}
	atConsent := func(what string) {
		t.Helper()
		if got := b.Path(); !strings.HasPrefix(got, "/oauth2/consent?request_id=") {
			t.Fatalf("%s: the browser is at %q, want the consent page", what, got)
		}
	}
	// exchange spends the code the browser came back with.
	exchange := func(state, pkce string) *oauth2.Token {
		t.Helper()
		q := a.callback(t)
		if q.Get("state") != state || q.Get("iss") != b.Env.URL || q.Get("error") != "" || q.Get("code") == "" {
			t.Fatalf("callback %v: want a code, state %q, iss %q", q, state, b.Env.URL)
		}
		tok, err := conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := verifier.Verify(ctx, raw)
		if err != nil || idt.Nonce != "n-"+state {
			t.Fatalf("id_token: %v (nonce %v)", err, idt)
		}
		return tok
	}
	refused := func(q url.Values, state, code string) {
		t.Helper()
		if q.Get("error") != code || q.Get("state") != state || q.Get("iss") != b.Env.URL || q.Get("code") != "" {
			t.Fatalf("callback %v: want error %s with state %q and iss", q, code, state)
		}
	}

	// A client without skip_consent: the sign-in, then the consent page,
	// naming the client, the scopes in plain words and the account.
	pkce := authorize("s1")
	b.Field("Email", "ann@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	atConsent("after the sign-in")
	if h := b.Text("h1"); !strings.Contains(h, "Photo Album") {
		t.Errorf("the consent page's heading %q does not name the client", h)
	}
	if main := b.Text("main"); !strings.Contains(main, "ann@example.com") || !strings.Contains(main, "see your e-mail address") ||
		!strings.Contains(main, "know who you are") || !strings.Contains(main, "Use another account") {
		t.Errorf("the consent page says %q: want the account, the scopes in words and another account's link", main)
	}
	if n := count(b, `a[href^="/login?"][href*="prompt=login"]`); n != 1 {
		t.Errorf("%d links to sign in as another account, want 1", n)
	}
	b.Audit()
	b.Press("Allow")
	exchange("s1", pkce)

	// A second authorization is not asked again.
	pkce = authorize("s2")
	if got := b.Location(); !strings.HasPrefix(got, redirect+"?") {
		t.Fatalf("a second authorization is at %q, want the app's redirect URI", got)
	}
	exchange("s2", pkce)

	// A wider scope asks again, for the new scope.
	pkce = authorize("s3", oauth2.SetAuthURLParam("scope", "openid email offline_access"))
	atConsent("a wider scope")
	if n, all := count(b, "li[data-new]"), count(b, "main li.item"); n != 1 || all != 3 {
		t.Errorf("a wider scope marks %d of %d scopes new, want 1 of 3", n, all)
	}
	b.Press("Allow")
	tok := exchange("s3", pkce)
	if tok.RefreshToken == "" {
		t.Fatal("offline_access allowed, but no refresh token")
	}

	// prompt=consent asks again; Deny sends access_denied with the state.
	pkce = authorize("s4", oauth2.SetAuthURLParam("prompt", "consent"))
	atConsent("prompt=consent")
	if n := count(b, "li[data-new]"); n != 0 {
		t.Errorf("prompt=consent with everything granted marks %d scopes new", n)
	}
	b.Press("Allow")
	exchange("s4", pkce)
	authorize("s5", oauth2.SetAuthURLParam("prompt", "consent"))
	atConsent("prompt=consent again")
	b.Press("Deny")
	refused(a.callback(t), "s5", "access_denied")

	// Each language renders the page.
	s6 := authorize("s6", oauth2.SetAuthURLParam("prompt", "consent"))
	atConsent("prompt=consent for the languages")
	page := b.Path()
	// English last: the choice is remembered for the pages that follow.
	for _, l := range []struct{ lang, allow string }{{"ru", "Разрешить"}, {"uk", "Дозволити"}, {"en", "Allow"}} {
		lang, allow := l.lang, l.allow
		b.Open(page + "&lang=" + lang)
		if !b.HasButton(allow) {
			t.Errorf("the consent page in %s has no %q button", lang, allow)
		}
		if got := b.Text("html"); got == "" {
			t.Errorf("the consent page in %s is empty", lang)
		}
		var htmlLang string
		b.Run(chromedp.AttributeValue("html", "lang", &htmlLang, nil, chromedp.ByQuery))
		if htmlLang != lang {
			t.Errorf("the consent page asked in %s is in %q", lang, htmlLang)
		}
		b.Audit()
	}

	// The cabinet lists the consent; Revoke ends the client's grants.
	b.Open("/account/applications")
	if main := b.Text("main"); !strings.Contains(main, "Photo Album") || !strings.Contains(main, "keep access while you are away") {
		t.Fatalf("the cabinet's applications say %q: want Photo Album with its scopes", main)
	}
	b.Audit()
	b.Press("Revoke")
	if main := b.Text("main"); !strings.Contains(main, "Access is revoked") || strings.Contains(main, "Photo Album") {
		t.Fatalf("after Revoke the applications say %q", main)
	}
	_, err = conf.TokenSource(ctx, &oauth2.Token{RefreshToken: tok.RefreshToken}).Token()
	if err == nil || !strings.Contains(err.Error(), "invalid_grant") {
		t.Fatalf("the refresh token after the revocation: %v, want invalid_grant", err)
	}

	// After the revocation prompt=none answers consent_required, and the
	// next authorization asks again.
	authorize("s7", oauth2.SetAuthURLParam("prompt", "none"))
	refused(a.callback(t), "s7", "consent_required")
	authorize("s8")
	atConsent("after the revocation")

	// A consent form with a forged CSRF token is refused and changes
	// nothing; an unknown request is not found.
	b.Run(chromedp.SetValue(`input[name="csrf"]`, "forged", chromedp.ByQuery))
	b.Press("Allow")
	if main := b.Text("main"); !strings.Contains(main, "This form has expired or came from another site") {
		t.Errorf("a forged CSRF token: the page says %q", main)
	}
	a.none(t, "a forged CSRF token")
	b.Open("/account/applications")
	if main := b.Text("main"); !strings.Contains(main, "You have not allowed any application") {
		t.Errorf("after a forged consent the applications say %q", main)
	}
	b.Open("/oauth2/consent?request_id=2b1c8f0e-0000-4000-8000-000000000000")
	if main := b.Text("main"); !strings.Contains(main, "There is no such page") {
		t.Errorf("an unknown request's consent page says %q", main)
	}

	// Another account: the link signs bob in and asks bob, whose Allow
	// answers the kept request with bob's code.
	bob := webtest.Account(t, b.Env, "bob@example.com")
	b.Open(page)
	atConsent("back at the page")
	b.Run(chromedp.Click(`//a[normalize-space(.)="Use another account"]`, chromedp.BySearch),
		chromedp.WaitVisible("#email", chromedp.ByQuery))
	b.Field("Email", "bob@example.com")
	b.Field("Password", bob)
	b.Press("Sign in")
	atConsent("signed in as another account")
	if main := b.Text("main"); !strings.Contains(main, "bob@example.com") {
		t.Errorf("after signing in as bob the consent page says %q", main)
	}
	b.Press("Allow")
	q := a.callback(t)
	if q.Get("state") != "s6" || q.Get("code") == "" {
		t.Fatalf("the kept request allowed by bob came back with %v, want a code for s6", q)
	}
	tok, err = conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(s6))
	if err != nil {
		t.Fatalf("bob's exchange: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	var claims struct {
		Email string `json:"email"`
	}
	if idt, err := verifier.Verify(ctx, raw); err != nil || idt.Claims(&claims) != nil || claims.Email != "bob@example.com" {
		t.Errorf("bob's id_token: %v, email %q", err, claims.Email)
	}
}
