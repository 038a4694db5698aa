package oidc_test

import (
	"net/http"
	"testing"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

const adminToken = "admin-token-for-the-oidc-tests-0123456789"

func TestAnOperatorRegistersAClientByRFC7591NamesAndRotatesItsSecret(t *testing.T) {
	br := &sessionBrowser{}
	e := testenv.New(t, testenv.Options{Browser: br, Config: func(c *config.Config) { c.AdminToken = adminToken }})
	br.id.Store(e.Srv.Identity)
	r := &rp{Env: e, t: t, spec: &http.Client{Transport: specChecked{t: t, e: e}}}
	admin := []string{"Authorization", "Bearer " + adminToken}

	res := r.Do("POST", "/admin/v1/clients", map[string]any{"client_id": "grafana", "client_name": "Grafana",
		"redirect_uris": []string{callback}, "token_endpoint_auth_method": "client_secret_post", "skip_consent": true,
		"scope": "openid email profile offline_access"}, admin...)
	if res.Status != http.StatusCreated {
		t.Fatalf("create: %d %s", res.Status, res.Body)
	}
	m := res.Map(t)
	secret, _ := m["client_secret"].(string)
	grants, _ := m["grant_types"].([]any)
	if secret == "" || m["secret"] != secret || len(grants) != 2 || grants[0] != "authorization_code" || grants[1] != "refresh_token" {
		t.Fatalf("created %v: want a secret shown once under both names and authorization_code + refresh_token", m)
	}
	if res := r.Do("GET", "/admin/v1/clients/grafana", nil, admin...); res.Status != 200 || res.Map(t)["client_secret"] != nil ||
		res.Map(t)["token_endpoint_auth_method"] != "client_secret_post" {
		t.Fatalf("show: %d %s", res.Status, res.Body)
	}
	if res := r.Do("POST", "/admin/v1/clients", map[string]any{"id": "x", "client_id": "y", "redirect_uris": []string{callback}}, admin...); res.Status != 400 {
		t.Fatalf("two different ids: %d %s, want 400", res.Status, res.Body)
	}
	if res := r.Do("POST", "/admin/v1/clients", map[string]any{"client_id": "z", "redirect_uris": []string{"https://app.example/cb#frag"}}, admin...); res.Status != 400 {
		t.Fatalf("a redirect URI with a fragment: %d %s, want 400", res.Status, res.Body)
	}

	// The registered client signs ann in with client_secret_post.
	r.signUp("ann@example.com", "correct horse 1")
	f := r.relyingParty("grafana", secret, gooidc.ScopeOpenID)
	f.conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	v := oauth2.GenerateVerifier()
	ctx := gooidc.ClientContext(r.ctx(), r.spec)
	if _, err := f.conf.Exchange(ctx, r.authorize(f, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("exchange with client_secret_post: %v", err)
	}
	// Basic is not the method it registered.
	f.conf.Endpoint.AuthStyle = oauth2.AuthStyleInHeader
	if _, err := f.conf.Exchange(ctx, r.authorize(f, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v)); oauthCode(err) != "invalid_client" {
		t.Fatalf("client_secret_basic for a client_secret_post client: %v, want invalid_client", err)
	}

	// A rotated secret replaces the old one at once.
	res = r.Do("POST", "/admin/v1/clients/grafana/secret", nil, admin...)
	fresh, _ := res.Map(t)["client_secret"].(string)
	if res.Status != 200 || fresh == "" || fresh == secret {
		t.Fatalf("rotate: %d %s", res.Status, res.Body)
	}
	f.conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
	if _, err := f.conf.Exchange(ctx, r.authorize(f, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v)); oauthCode(err) != "invalid_client" {
		t.Fatalf("the old secret after rotation: %v, want invalid_client", err)
	}
	f.conf.ClientSecret = fresh
	if _, err := f.conf.Exchange(ctx, r.authorize(f, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v)); err != nil {
		t.Fatalf("the new secret: %v", err)
	}
}
