package oidc_test

import (
	"net/http"
	"regexp"
	"slices"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
	"github.com/gatehouse/gatehouse/internal/web/webtest"
)

// An account with a customer signs in for a relying party through the
// hosted page's bank-style steps (its one company chosen at once, the
// role's SMS code): the authorization continues after the chain, and the
// id_token's amr names the texted code (RFC 8176: sms, mfa).
func TestTheChainOfACustomersRoleContinuesTheAuthorizationAndShowsInTheAMR(t *testing.T) {
	const admin = "oidc-chain-admin-token-0123456789"
	b := webtest.New(t, testenv.Options{Config: func(c *config.Config) { c.AdminToken = admin }})
	r := &rp{Env: b.Env, t: t, spec: &http.Client{Transport: specChecked{t: t, e: b.Env}}}
	app := newBrowserRP(t)
	redirect := app.url() + "/callback"
	secret := r.client(bank.ClientSpec{ID: "app", Confidential: true,
		Metadata: bank.Metadata{RedirectURIs: []string{redirect}, SkipConsent: true}})
	f := r.relyingParty("app", secret, gooidc.ScopeOpenID, "email")
	f.conf.RedirectURL = redirect
	ctx := gooidc.ClientContext(r.ctx(), r.spec)

	password := webtest.Account(t, b.Env, "ola@example.com")
	auth := []string{"Authorization", "Bearer " + admin}
	must := func(res *testenv.Response, want int) map[string]any {
		t.Helper()
		if res.Status != want {
			t.Fatalf("admin API: %d %s", res.Status, res.Body)
		}
		return res.Map(t)
	}
	must(b.Env.Do("PUT", "/admin/v1/users/ola@example.com/bank-profile", map[string]any{"iin": "900101300126", "phone": "+77011234567"}, auth...), 200)
	role := must(b.Env.Do("POST", "/admin/v1/customer-roles", map[string]any{"code": "TELLER", "chains": [][]string{{"OTP_SMS"}}}, auth...), 201)
	must(b.Env.Do("POST", "/admin/v1/customers", map[string]any{"id": 424242, "name": "Teller LLP"}, auth...), 201)
	must(b.Env.Do("PUT", "/admin/v1/customers/424242/members/ola@example.com", map[string]any{"role_id": role["id"]}, auth...), 200)

	pkce := oauth2.GenerateVerifier()
	app.start(b, f.conf.AuthCodeURL("s1", gooidc.Nonce("n-1"), oauth2.S256ChallengeOption(pkce)))
	b.Field("Email", "ola@example.com")
	b.Field("Password", password)
	b.Press("Sign in")
	if got := b.Path(); !strings.HasPrefix(got, "/login/chain?") || !strings.Contains(got, "continue=%2Foauth2%2Fauthorize%3Frequest_id%3D") {
		t.Fatalf("after the password the browser is at %q, want the chain keeping the authorization", got)
	}
	code := regexp.MustCompile(`\b(\d{6})\b`).FindStringSubmatch(b.Env.SMS.Next(t).Text)
	if code == nil {
		t.Fatal("the text carries no code")
	}
	b.Field("Code", code[1])
	b.Press("Verify")
	if got := b.Location(); !strings.HasPrefix(got, redirect+"?") {
		t.Fatalf("after the chain the browser is at %q, want the app's redirect URI", got)
	}
	q := app.callback(t)
	if q.Get("state") != "s1" || q.Get("code") == "" {
		t.Fatalf("callback %v", q)
	}
	tok, err := f.conf.Exchange(ctx, q.Get("code"), oauth2.VerifierOption(pkce))
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := f.verifier.Verify(ctx, raw)
	if err != nil {
		t.Fatal(err)
	}
	var c idClaims
	if err := idt.Claims(&c); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(c.AMR, []string{"pwd", "sms", "mfa"}) {
		t.Fatalf("the id_token's amr %v, want pwd sms mfa", c.AMR)
	}
}
