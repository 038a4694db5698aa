package oidc_test

import (
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAPublicURLWithATrailingSlashGivesOneIssuerEverywhere: the setting
// is loaded as an operator writes it (GATEHOUSE_PUBLIC_URL=http://host/),
// and discovery, the platform's access token and the id_token must all
// name the same issuer, with no "//" in the endpoints.
func TestAPublicURLWithATrailingSlashGivesOneIssuerEverywhere(t *testing.T) {
	br := &sessionBrowser{}
	e := testenv.New(t, testenv.Options{Browser: br, Config: func(c *config.Config) {
		slashed := c.PublicURL + "/"
		loaded, err := config.Load(nil, func(k string) string {
			if k == "GATEHOUSE_PUBLIC_URL" {
				return slashed
			}
			return ""
		})
		if err != nil {
			t.Fatal(err)
		}
		c.PublicURL = loaded.PublicURL
	}})
	br.id.Store(e.Srv.Identity)
	r := &rp{Env: e, t: t, spec: &http.Client{Transport: specChecked{t: t, e: e}}}

	res := r.Do("GET", "/.well-known/openid-configuration", nil)
	disc := res.Map(t)
	if disc["issuer"] != r.URL {
		t.Fatalf("discovery's issuer %q, want %q", disc["issuer"], r.URL)
	}
	for k, v := range disc {
		if s, ok := v.(string); ok && strings.Contains(strings.TrimPrefix(s, "http://"), "//") {
			t.Errorf("discovery's %s is %q", k, s)
		}
	}

	secret := r.client(bank.ClientSpec{ID: "app", Confidential: true,
		Metadata: bank.Metadata{RedirectURIs: []string{callback}, SkipConsent: true}})
	r.signUp("ann@example.com", "correct horse 1")
	if iss := claim(t, r.cookie.Value, "iss"); iss != r.URL {
		t.Fatalf("the platform's access token has iss %q, want %q", iss, r.URL)
	}
	f := r.relyingParty("app", secret, gooidc.ScopeOpenID) // go-oidc compares discovery's issuer with the URL
	tok := r.codeFlowTokens(f)
	raw, _ := tok.Extra("id_token").(string)
	if _, err := f.verifier.Verify(gooidc.ClientContext(r.ctx(), r.spec), raw); err != nil {
		t.Fatalf("the id_token does not verify against discovery's issuer: %v", err)
	}
	if iss := claim(t, raw, "iss"); iss != r.URL {
		t.Fatalf("the id_token has iss %q, want %q", iss, r.URL)
	}
	if iss := claim(t, tok.AccessToken, "iss"); iss != r.URL {
		t.Fatalf("the OpenID door's access token has iss %q, want %q", iss, r.URL)
	}
}

// claim reads one string claim of a JWT's payload (unverified: the
// signature is another test's business).
func claim(t *testing.T, jwt, name string) string {
	t.Helper()
	parts := strings.Split(jwt, ".")
	if len(parts) != 3 {
		t.Fatalf("not a JWT: %q", jwt)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatal(err)
	}
	s, _ := m[name].(string)
	return s
}
