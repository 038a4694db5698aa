package oidc_test

import (
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// es256RP is a Gatehouse whose signing ring is ES256 (GATEHOUSE_SIGNING_ALG),
// on database url when it is not empty (a second node).
func es256RP(t *testing.T, b testenv.Backend, url string) *rp {
	br := &sessionBrowser{}
	e := testenv.New(t, testenv.Options{Backend: b, Browser: br, Config: func(c *config.Config) {
		c.SigningAlg, c.AdminToken = "ES256", adminToken
		if url != "" {
			c.DatabaseURL = url
		}
	}})
	br.id.Store(e.Srv.Identity)
	return &rp{Env: e, t: t, spec: &http.Client{Transport: specChecked{t: t, e: e}}}
}

// headerOf returns the JOSE header of a compact JWS.
func headerOf(t *testing.T, token string) jose.Header {
	t.Helper()
	jws, err := jose.ParseSignedCompact(token, []jose.SignatureAlgorithm{jose.RS256, jose.ES256, jose.EdDSA})
	if err != nil {
		t.Fatalf("parse %q: %v", token, err)
	}
	return jws.Signatures[0].Header
}

// codeFlowTokens runs the code flow of client id and returns its tokens.
func (r *rp) codeFlowTokens(f codeFlow) *oauth2.Token {
	r.t.Helper()
	v := oauth2.GenerateVerifier()
	tok, err := f.conf.Exchange(gooidc.ClientContext(r.ctx(), r.spec), r.authorize(f, "s", oauth2.S256ChallengeOption(v)), oauth2.VerifierOption(v))
	if err != nil {
		r.t.Fatalf("exchange: %v", err)
	}
	return tok
}

func TestAnES256ServerIssuesRS256IDTokensThatSurviveRotationOnEveryNode(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		r := es256RP(t, b, "")
		var disc struct {
			Algs []string `json:"id_token_signing_alg_values_supported"`
		}
		if res := r.Do("GET", "/.well-known/openid-configuration", nil); res.Status != 200 || json.Unmarshal(res.Body, &disc) != nil ||
			!slices.Equal(disc.Algs, []string{"RS256", "ES256"}) {
			t.Fatalf("discovery: %d, id_token algorithms %v, want [RS256 ES256]", res.Status, disc.Algs)
		}
		secret := r.client(bank.ClientSpec{ID: "app", Confidential: true,
			Metadata: bank.Metadata{RedirectURIs: []string{callback}, SkipConsent: true}})
		r.signUp("ann@example.com", "correct horse 1")
		// go-oidc with its default settings accepts RS256 alone.
		f := r.relyingParty("app", secret, gooidc.ScopeOpenID)
		ctx := gooidc.ClientContext(r.ctx(), r.spec)
		tok := r.codeFlowTokens(f)
		raw, _ := tok.Extra("id_token").(string)
		idt, err := f.verifier.Verify(ctx, raw)
		if err != nil {
			t.Fatalf("go-oidc (default settings) refused the id_token: %v", err)
		}
		if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
			t.Fatalf("at_hash: %v", err)
		}
		first := headerOf(t, raw)
		if first.Algorithm != "RS256" || headerOf(t, tok.AccessToken).Algorithm != "ES256" {
			t.Fatalf("id_token %s, access token %s: want RS256 and ES256", first.Algorithm, headerOf(t, tok.AccessToken).Algorithm)
		}
		if _, err := r.Srv.Identity.VerifyAccess(r.ctx(), raw, identity.VerifyOptions{AnyAudience: true}); err == nil {
			t.Fatal("an id_token passed as an access token")
		}
		// The RS256 id_token is a hint RP-initiated logout accepts (a request
		// with no sign-in of its own is done at once: 303 to the signed-out
		// page), where the signing ring alone would not verify it (400).
		noFollow := &http.Client{Transport: r.spec.Transport, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
		res, err := noFollow.Get(r.URL + "/oauth2/logout?" + url.Values{"id_token_hint": {raw}}.Encode())
		if err != nil {
			t.Fatal(err)
		}
		res.Body.Close()
		if res.StatusCode != http.StatusSeeOther {
			t.Fatalf("logout with the RS256 id_token as hint: %d, want 303", res.StatusCode)
		}

		// A rotation rotates the RS256 ring too: its new key is published
		// at once and signs once every node and verifier has it.
		admin := []string{"Authorization", "Bearer " + adminToken}
		if res := r.Do("POST", "/admin/v1/keys/rotate", nil, admin...); res.Status != 200 {
			t.Fatalf("rotate: %d %s", res.Status, res.Body)
		}
		rs256 := func(e *rp) []string {
			var set jose.JSONWebKeySet
			res := e.Do("GET", "/.well-known/jwks.json", nil)
			if err := json.Unmarshal(res.Body, &set); err != nil {
				t.Fatal(err)
			}
			var kids []string
			for _, k := range set.Keys {
				if k.Algorithm == "RS256" && k.Use == "sig" {
					kids = append(kids, k.KeyID)
				}
			}
			return kids
		}
		if kids := rs256(r); len(kids) != 2 || !slices.Contains(kids, first.KeyID) {
			t.Fatalf("RS256 keys published after the rotation: %v, want the old %s and a new one", kids, first.KeyID)
		}
		lead := r.Config.JWKSMaxAge + r.Config.KeySyncInterval + time.Second
		r.Clock.Advance(lead)
		tok = r.codeFlowTokens(f)
		raw, _ = tok.Extra("id_token").(string)
		next := headerOf(t, raw)
		if _, err := f.verifier.Verify(ctx, raw); err != nil || next.Algorithm != "RS256" || next.KeyID == first.KeyID {
			t.Fatalf("after the rotation: id_token kid %s alg %s (%v), want a new RS256 key that verifies", next.KeyID, next.Algorithm, err)
		}

		// A second node on the same database has the RS256 ring, and signs
		// with the key the first one does.
		r2 := es256RP(t, b, r.Config.DatabaseURL)
		r2.Clock.Advance(r.Clock.Now().Sub(r2.Clock.Now()))
		if err := r2.Srv.IDTokens.Ensure(r2.ctx()); err != nil {
			t.Fatal(err)
		}
		cur, err := r2.Srv.IDTokens.Current()
		if err != nil || cur.KID != next.KeyID || cur.Alg != "RS256" || !slices.Contains(rs256(r2), next.KeyID) {
			t.Fatalf("the second node's RS256 key: %+v (%v), want %s published and signing", cur, err, next.KeyID)
		}
	})
}

func TestAClientMayAskForIDTokensInTheSigningRingsAlgorithm(t *testing.T) {
	r := es256RP(t, testenv.SQLite, "")
	admin := []string{"Authorization", "Bearer " + adminToken}
	if res := r.Do("POST", "/admin/v1/clients", map[string]any{"client_id": "ed", "redirect_uris": []string{callback},
		"id_token_signed_response_alg": "EdDSA"}, admin...); res.Status != 400 || res.Map(t)["error"] != "invalid_client_metadata" {
		t.Fatalf("an algorithm the server does not sign with: %d %s, want 400 invalid_client_metadata", res.Status, res.Body)
	}
	res := r.Do("POST", "/admin/v1/clients", map[string]any{"client_id": "es", "redirect_uris": []string{callback},
		"skip_consent": true, "id_token_signed_response_alg": "ES256"}, admin...)
	if res.Status != 201 || res.Map(t)["id_token_signed_response_alg"] != "ES256" {
		t.Fatalf("register ES256 id_tokens: %d %s", res.Status, res.Body)
	}
	secret, _ := res.Map(t)["client_secret"].(string)
	r.signUp("ann@example.com", "correct horse 1")
	f := r.relyingParty("es", secret, gooidc.ScopeOpenID)
	f.verifier = f.provider.Verifier(&gooidc.Config{ClientID: "es", Now: r.Clock.Now, SupportedSigningAlgs: []string{"ES256"}})
	tok := r.codeFlowTokens(f)
	raw, _ := tok.Extra("id_token").(string)
	idt, err := f.verifier.Verify(gooidc.ClientContext(r.ctx(), r.spec), raw)
	if err != nil || headerOf(t, raw).Algorithm != "ES256" {
		t.Fatalf("ES256 id_token: %v (alg %s)", err, headerOf(t, raw).Algorithm)
	}
	if err := idt.VerifyAccessToken(tok.AccessToken); err != nil {
		t.Fatalf("at_hash: %v", err)
	}
}
