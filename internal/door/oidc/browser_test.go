package oidc_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/chromedp/cdproto/network"
	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// browserRP is a relying party on a real listener of its own, on another
// site than Gatehouse's (localhost, Gatehouse being at 127.0.0.1): /start
// sends the browser to the authorization URL the test set last, /callback
// captures the query it comes back with.
type browserRP struct {
	srv       *httptest.Server
	mu        sync.Mutex
	next      string
	callbacks chan url.Values
}

func newBrowserRP(t *testing.T) *browserRP {
	rp := &browserRP{callbacks: make(chan url.Values, 4)}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /start", func(w http.ResponseWriter, r *http.Request) {
		rp.mu.Lock()
		defer rp.mu.Unlock()
		http.Redirect(w, r, rp.next, http.StatusFound)
	})
	mux.HandleFunc("GET /callback", func(w http.ResponseWriter, r *http.Request) {
		rp.callbacks <- r.URL.Query()
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		fmt.Fprint(w, `<!doctype html><html lang="en"><head><title>Back at the app</title></head><body><h1>Back at the app</h1></body></html>`)
	})
	rp.srv = httptest.NewServer(mux)
	t.Cleanup(rp.srv.Close)
	return rp
}

// url is the relying party's address on its own site.
func (rp *browserRP) url() string {
	return strings.Replace(rp.srv.URL, "127.0.0.1", "localhost", 1)
}

// start has the browser open the app's /start, which redirects to u.
func (rp *browserRP) start(b *webtest.Browser, u string) {
	rp.mu.Lock()
	rp.next = u
	rp.mu.Unlock()
	b.Run(chromedp.Navigate(rp.url()+"/start"), chromedp.WaitReady("body", chromedp.ByQuery))
}

// callback is the query the browser came back to the app with.
func (rp *browserRP) callback(t *testing.T) url.Values {
	t.Helper()
	select {
	case q := <-rp.callbacks:
		return q
	case <-time.After(time.Minute):
		t.Fatal("the browser never came back to the app's redirect URI")
		return nil
	}
}

// documents records the paths of Gatehouse's pages the browser requests
// (redirects included).
type documents struct {
	mu    sync.Mutex
	paths []string
}

func (d *documents) take() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	p := d.paths
	d.paths = nil
	return p
}

func recordDocuments(b *webtest.Browser) *documents {
	d := &documents{}
	chromedp.ListenTarget(b.Ctx, func(ev any) {
		e, ok := ev.(*network.EventRequestWillBeSent)
		if !ok || e.Type != network.ResourceTypeDocument || !strings.HasPrefix(e.Request.URL, b.Env.URL+"/") {
			return
		}
		u, err := url.Parse(e.Request.URL)
		if err != nil {
			return
		}
		d.mu.Lock()
		d.paths = append(d.paths, u.Path)
		d.mu.Unlock()
	})
	b.Run(network.Enable())
	return d
}

// signInWithCode fills the hosted sign-in page and its TOTP step.
func signInWithCode(t *testing.T, b *webtest.Browser, email, password, secret string) {
	t.Helper()
	b.Field("Email", email)
	b.Field("Password", password)
	b.Press("Sign in")
	if got := b.Path(); !strings.HasPrefix(got, "/login/code?continue=%2Foauth2%2Fauthorize%3Frequest_id%3D") {
		t.Fatalf("the right password of an account with TOTP leads to %q, want the code step keeping the authorization", got)
	}
	b.Audit()
	b.Field("Code", webtest.TOTP(t, b.Env, secret))
	b.Press("Verify")
}

type idClaims struct {
	AuthTime int64    `json:"auth_time"`
	AMR      []string `json:"amr"`
	ACR      string   `json:"acr"`
	SID      string   `json:"sid"`
}

func TestABrowserSignsInWithTOTPThroughTheHostedPageForARelyingParty(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	r := &rp{Env: b.Env, t: t, spec: &http.Client{Transport: specChecked{t: t, e: b.Env}}}
	app := newBrowserRP(t)
	redirect := app.url() + "/callback"
	secret := r.client(bank.ClientSpec{ID: "app", Confidential: true,
		Metadata: bank.Metadata{RedirectURIs: []string{redirect}, SkipConsent: true}})
	f := r.relyingParty("app", secret, gooidc.ScopeOpenID, "email")
	f.conf.RedirectURL = redirect
	ctx := gooidc.ClientContext(r.ctx(), r.spec)

	password := webtest.Account(t, b.Env, "ann@example.com")
	// The account's UUID, from the platform door's profile (before the
	// factor: a password alone then signs in).
	login := r.Do("POST", "/v1/auth/login", map[string]string{"username": "ann@example.com", "password": password})
	if login.Status != http.StatusOK {
		t.Fatalf("login: %d %s", login.Status, login.Body)
	}
	profile := r.Do("GET", "/v1/user/profile", nil, "Authorization", "Bearer "+login.Map(t)["access_token"].(string))
	if profile.Status != http.StatusOK {
		t.Fatalf("profile: %d %s", profile.Status, profile.Body)
	}
	uuid, _ := profile.Map(t)["id"].(string)
	totp := webtest.EnrolTOTP(t, b.Env, "ann@example.com", password)
	docs := recordDocuments(b)

	// exchange spends a callback's code and checks the id_token.
	exchange := func(q url.Values, state, nonce, pkce string) (*oauth2.Token, *gooidc.IDToken, idClaims) {
		t.Helper()
		if q.Get("state") != state || q.Get("iss") != r.URL || q.Get("error") != "" || q.Get("code") == "" {
			t.Fatalf("callback query %v: want a code, state %q, iss %q, no error", q, state, r.URL)
		}
		tok, err := f.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
		if err != nil {
			t.Fatalf("exchange: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		idt, err := f.verifier.Verify(ctx, raw)
		if err != nil {
			t.Fatalf("id_token: %v", err)
		}
		if idt.Nonce != nonce {
			t.Fatalf("id_token nonce %q, want %q", idt.Nonce, nonce)
		}
		var c idClaims
		if err := idt.Claims(&c); err != nil {
			t.Fatal(err)
		}
		if !slices.Contains(c.AMR, "pwd") || !(slices.Contains(c.AMR, "otp") || slices.Contains(c.AMR, "mfa")) || c.SID == "" || c.ACR != "mfa" {
			t.Fatalf("id_token claims %+v: want amr with pwd and otp (or mfa), acr mfa, a sid", c)
		}
		return tok, idt, c
	}

	// Not signed in: the authorization goes to the hosted sign-in page,
	// which continues to it after the password and the code.
	pkce := oauth2.GenerateVerifier()
	app.start(b, f.conf.AuthCodeURL("s1", gooidc.Nonce("n-1"), oauth2.S256ChallengeOption(pkce)))
	if got := b.Path(); !strings.HasPrefix(got, "/login?continue=%2Foauth2%2Fauthorize%3Frequest_id%3D") {
		t.Fatalf("a browser without a sign-in is at %q, want the sign-in page with the continuation", got)
	}
	b.Audit()
	signedInAt := b.Env.Clock.Now()
	signInWithCode(t, b, "ann@example.com", password, totp)
	if got := b.Location(); !strings.HasPrefix(got, redirect+"?") {
		t.Fatalf("after the code the browser is at %q, want the app's redirect URI", got)
	}
	tok, idt, claims := exchange(app.callback(t), "s1", "n-1", pkce)
	if claims.AuthTime != signedInAt.Unix() {
		t.Fatalf("auth_time %d, want the sign-in's %d", claims.AuthTime, signedInAt.Unix())
	}
	info, err := f.provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject || info.Email != "ann@example.com" || !info.EmailVerified {
		t.Fatalf("userinfo %+v (%v)", info, err)
	}
	if idt.Subject != uuid {
		t.Fatalf("id_token sub %q, want the account's UUID %s", idt.Subject, uuid)
	}
	docs.take()

	// Signed in: a second authorization in the same browser comes back to
	// the app without the sign-in page, on the same web session.
	pkce = oauth2.GenerateVerifier()
	app.start(b, f.conf.AuthCodeURL("s2", gooidc.Nonce("n-2"), oauth2.S256ChallengeOption(pkce)))
	if got := b.Location(); !strings.HasPrefix(got, redirect+"?") {
		t.Fatalf("a signed-in browser is at %q, want the app's redirect URI", got)
	}
	if seen := docs.take(); !slices.Equal(seen, []string{"/oauth2/authorize"}) {
		t.Fatalf("a signed-in browser opened %v, want only /oauth2/authorize", seen)
	}
	_, idt2, claims2 := exchange(app.callback(t), "s2", "n-2", pkce)
	if idt2.Subject != idt.Subject || claims2.SID != claims.SID || claims2.AuthTime != claims.AuthTime {
		t.Fatalf("the second authorization's id_token (sub %q, %+v) is not the first sign-in's (sub %q, %+v)", idt2.Subject, claims2, idt.Subject, claims)
	}

	// prompt=login asks for the sign-in again, even though one is live.
	b.Env.Clock.Advance(30 * time.Second) // a new TOTP step: a code is good once
	pkce = oauth2.GenerateVerifier()
	app.start(b, f.conf.AuthCodeURL("s3", gooidc.Nonce("n-3"), oauth2.S256ChallengeOption(pkce), oauth2.SetAuthURLParam("prompt", "login")))
	if got := b.Path(); !strings.HasPrefix(got, "/login?continue=%2Foauth2%2Fauthorize%3Frequest_id%3D") || !strings.Contains(got, "prompt=login") {
		t.Fatalf("prompt=login is at %q, want the sign-in page again", got)
	}
	signedInAt = b.Env.Clock.Now()
	signInWithCode(t, b, "ann@example.com", password, totp)
	if got := b.Location(); !strings.HasPrefix(got, redirect+"?") {
		t.Fatalf("after signing in again the browser is at %q, want the app's redirect URI", got)
	}
	_, idt3, claims3 := exchange(app.callback(t), "s3", "n-3", pkce)
	if idt3.Subject != idt.Subject || claims3.AuthTime != signedInAt.Unix() || claims3.SID == claims.SID {
		t.Fatalf("after prompt=login the id_token has sub %q, %+v: want the same account, auth_time %d, a new sid", idt3.Subject, claims3, signedInAt.Unix())
	}
}
