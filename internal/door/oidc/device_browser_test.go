package oidc_test

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/chromedp"
	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/core"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// TestACommandLineToolSignsInThroughTheDevicePageInTheBrowser is the device
// flow end to end: golang.org/x/oauth2 asks for the codes (DeviceAuth) as
// a public client, the person opens verification_uri_complete in
// Chromium, signs in through the hosted page, finds the code prefilled
// (nothing approved yet), presses Continue, sees the client and the
// scopes and approves; DeviceAccessToken then gets tokens whose id_token
// coreos/go-oidc verifies. A mistyped code is refused on the page, and a
// second request denied there is access_denied for the tool. axe-core
// audits every page of the way.
func TestACommandLineToolSignsInThroughTheDevicePageInTheBrowser(t *testing.T) {
	b := webtest.New(t, testenv.Options{})
	r := &rp{Env: b.Env, t: t, spec: &http.Client{Transport: specChecked{t: t, e: b.Env}}}
	r.client(bank.ClientSpec{ID: "cli", Name: "Deploy CLI", GrantTypes: []string{bank.GrantDeviceCode, bank.GrantRefreshToken},
		Metadata: bank.Metadata{AuthMethod: bank.AuthNone}})
	password := webtest.Account(t, b.Env, "ann@example.com")
	ctx := gooidc.ClientContext(r.ctx(), r.spec)
	provider, err := gooidc.NewProvider(ctx, r.URL)
	if err != nil {
		t.Fatalf("discovery: %v", err)
	}
	endpoint := provider.Endpoint()
	if endpoint.DeviceAuthURL != r.URL+"/oauth2/device_authorization" {
		t.Fatalf("discovery's device_authorization_endpoint is %q", endpoint.DeviceAuthURL)
	}
	endpoint.AuthStyle = oauth2.AuthStyleInParams // a public client: client_id in the form
	conf := oauth2.Config{ClientID: "cli", Endpoint: endpoint, Scopes: []string{gooidc.ScopeOpenID, "email", gooidc.ScopeOfflineAccess}}

	da, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatalf("DeviceAuth: %v", err)
	}
	complete, err := url.Parse(da.VerificationURIComplete)
	if err != nil || da.VerificationURI != r.URL+"/device" || complete.Query().Get("user_code") != da.UserCode {
		t.Fatalf("verification URIs %q, %q for %q", da.VerificationURI, da.VerificationURIComplete, da.UserCode)
	}

	// Not signed in: the page sends the browser to sign in, and back.
	b.Open(strings.TrimPrefix(da.VerificationURIComplete, r.URL))
	if got := b.Path(); !strings.HasPrefix(got, "/login?continue=%2Fdevice%3Fuser_code%3D") {
		t.Fatalf("a browser without a sign-in is at %q, want the sign-in continuing to /device", got)
	}
	b.Field("Email", "ann@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	if got := b.Path(); !strings.HasPrefix(got, "/device?user_code=") {
		t.Fatalf("after the sign-in the browser is at %q, want the device page", got)
	}
	b.Audit()
	var prefilled string
	b.Run(chromedp.Value("#code", &prefilled, chromedp.ByQuery))
	if prefilled != da.UserCode {
		t.Fatalf("the Code field holds %q, want the prefilled %q", prefilled, da.UserCode)
	}
	if _, err := r.Srv.OAuth.PendingDevice(r.ctx(), da.UserCode); err != nil {
		t.Fatalf("opening verification_uri_complete answered the request: %v", err)
	}

	// A mistyped code: the form again, with the error next to the field.
	b.Field("Code", "BBBB-BBBB")
	b.Press("Continue")
	if msg := b.Text("#code-error"); !strings.Contains(msg, "No pending request has this code") {
		t.Fatalf("a mistyped code shows %q", msg)
	}
	b.Audit()

	b.Field("Code", strings.ToLower(da.UserCode))
	b.Press("Continue")
	if h := b.Text("h1"); !strings.Contains(h, "Deploy CLI") {
		t.Fatalf("the question names %q, want the client's name", h)
	}
	if scopes := b.Text("main ul"); !strings.Contains(scopes, "see your e-mail address") || !strings.Contains(scopes, "keep access while you are away") {
		t.Fatalf("the scopes shown: %q", scopes)
	}
	b.Audit()
	b.Press("Approve")
	if got := b.Path(); got != "/device/done?result=approved" {
		t.Fatalf("after Approve the browser is at %q", got)
	}
	b.Audit()

	tctx, cancel := context.WithTimeout(ctx, time.Minute)
	defer cancel()
	tok, err := conf.DeviceAccessToken(tctx, da)
	if err != nil {
		t.Fatalf("DeviceAccessToken: %v", err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := provider.Verifier(&gooidc.Config{ClientID: "cli", Now: r.Clock.Now}).Verify(ctx, raw)
	if err != nil {
		t.Fatalf("id_token: %v", err)
	}
	info, err := provider.UserInfo(ctx, oauth2.StaticTokenSource(tok))
	if err != nil || info.Subject != idt.Subject || info.Email != "ann@example.com" || tok.RefreshToken == "" {
		t.Fatalf("userinfo %+v (%v), refresh token %q", info, err, tok.RefreshToken)
	}

	// A second request, denied on the page: the tool is told access_denied.
	da2, err := conf.DeviceAuth(ctx)
	if err != nil {
		t.Fatalf("DeviceAuth: %v", err)
	}
	b.Open("/device")
	b.Field("Code", da2.UserCode)
	b.Press("Continue")
	b.Press("Deny")
	if got := b.Path(); got != "/device/done?result=denied" {
		t.Fatalf("after Deny the browser is at %q", got)
	}
	b.Audit()
	_, err = conf.DeviceAccessToken(tctx, da2)
	var re *oauth2.RetrieveError
	if !errors.As(err, &re) || re.ErrorCode != "access_denied" {
		t.Fatalf("a denied request: %v, want access_denied", err)
	}
	if _, err := r.Srv.OAuth.PendingDevice(r.ctx(), da2.UserCode); !errors.Is(err, core.ErrUserCode) {
		t.Fatalf("a denied code is still pending: %v", err)
	}
}
