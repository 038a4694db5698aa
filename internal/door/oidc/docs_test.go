package oidc_test

import (
	"bufio"
	"encoding/json"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// docHost is the example issuer docs/oidc.md writes.
const docHost = "https://gatehouse.example"

// TestTheGrafanaAndOAuth2ProxySettingsOfTheDocsFitTheDiscoveryDocument
// reads both configurations from docs/oidc.md and checks every URL, scope,
// method and claim they rely on against what a running server publishes.
func TestTheGrafanaAndOAuth2ProxySettingsOfTheDocsFitTheDiscoveryDocument(t *testing.T) {
	r := newRP(t, testenv.SQLite)
	res := r.Do("GET", "/.well-known/openid-configuration", nil)
	var md struct {
		Issuer        string   `json:"issuer"`
		Authorization string   `json:"authorization_endpoint"`
		Token         string   `json:"token_endpoint"`
		UserInfo      string   `json:"userinfo_endpoint"`
		Scopes        []string `json:"scopes_supported"`
		AuthMethods   []string `json:"token_endpoint_auth_methods_supported"`
		PKCE          []string `json:"code_challenge_methods_supported"`
		Claims        []string `json:"claims_supported"`
		Algs          []string `json:"id_token_signing_alg_values_supported"`
	}
	res.JSON(t, &md)
	if md.Issuer != r.URL || !slices.Equal(md.Algs, []string{"RS256"}) {
		t.Fatalf("issuer %q algs %v: want %q and RS256", md.Issuer, md.Algs, r.URL)
	}
	doc, err := os.ReadFile("../../../docs/oidc.md")
	if err != nil {
		t.Fatal(err)
	}
	local := func(v string) string { return strings.Replace(v, docHost, r.URL, 1) }

	g := grafanaSettings(t, string(doc))
	for key, want := range map[string]string{"auth_url": md.Authorization, "token_url": md.Token, "api_url": md.UserInfo} {
		if got := local(g[key]); got != want {
			t.Errorf("grafana %s = %q; discovery says %q", key, got, want)
		}
	}
	checkScopes(t, "grafana scopes", g["scopes"], md.Scopes)
	method := map[string]string{"InParams": "client_secret_post", "InHeader": "client_secret_basic"}[g["auth_style"]]
	if !slices.Contains(md.AuthMethods, method) {
		t.Errorf("grafana auth_style %q (%s) is not among %v", g["auth_style"], method, md.AuthMethods)
	}
	if g["use_pkce"] == "true" && !slices.Contains(md.PKCE, "S256") {
		t.Error("grafana uses PKCE; discovery offers no S256")
	}
	for _, k := range []string{"email_attribute_path", "login_attribute_path", "name_attribute_path"} {
		if !slices.Contains(md.Claims, g[k]) {
			t.Errorf("grafana %s = %q is not a claim the server states", k, g[k])
		}
	}

	p := proxyFlags(t, string(doc))
	if got := local(p["--oidc-issuer-url"]); got != md.Issuer {
		t.Errorf("oauth2-proxy --oidc-issuer-url %q; the issuer is %q", got, md.Issuer)
	}
	checkScopes(t, "oauth2-proxy --scope", strings.Trim(p["--scope"], `"`), md.Scopes)
	if !slices.Contains(md.PKCE, p["--code-challenge-method"]) || p["--provider"] != "oidc" {
		t.Errorf("oauth2-proxy --provider %q --code-challenge-method %q", p["--provider"], p["--code-challenge-method"])
	}
	if !slices.Contains(md.AuthMethods, "client_secret_basic") || !slices.Contains(md.Claims, "email") {
		t.Error("oauth2-proxy needs client_secret_basic and the email claim")
	}
	// The registration the page shows is one the admin API's client model accepts.
	reg := regexp.MustCompile(`(?s)-d '(\{.*?\})'`).FindStringSubmatch(string(doc))
	if reg == nil || !json.Valid([]byte(strings.ReplaceAll(reg[1], "\n", " "))) {
		t.Fatalf("the registration example is no JSON object: %q", reg)
	}
}

func checkScopes(t *testing.T, what, scopes string, supported []string) {
	t.Helper()
	for _, sc := range strings.Fields(scopes) {
		if !slices.Contains(supported, sc) {
			t.Errorf("%s names %q, which the server does not offer", what, sc)
		}
	}
	if !slices.Contains(strings.Fields(scopes), "openid") {
		t.Errorf("%s lacks openid", what)
	}
}

// grafanaSettings reads the keys of the [auth.generic_oauth] block.
func grafanaSettings(t *testing.T, doc string) map[string]string {
	t.Helper()
	m := map[string]string{}
	in := false
	sc := bufio.NewScanner(strings.NewReader(doc))
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		switch {
		case line == "[auth.generic_oauth]":
			in = true
		case in && line == "```":
			return m
		case in:
			if k, v, ok := strings.Cut(line, "="); ok {
				m[strings.TrimSpace(k)] = strings.TrimSpace(v)
			}
		}
	}
	t.Fatal("docs/oidc.md has no [auth.generic_oauth] block")
	return nil
}

// proxyFlags reads the --flag=value arguments of the oauth2-proxy command.
func proxyFlags(t *testing.T, doc string) map[string]string {
	t.Helper()
	m := map[string]string{}
	for _, f := range regexp.MustCompile(`(--[a-z-]+)=("[^"]*"|'[^']*'|\S+)`).FindAllStringSubmatch(doc, -1) {
		m[f[1]] = f[2]
	}
	if m["--provider"] == "" {
		t.Fatal("docs/oidc.md has no oauth2-proxy command")
	}
	return m
}
