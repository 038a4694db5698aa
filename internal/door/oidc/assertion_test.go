package oidc_test

import (
	"crypto"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	gooidc "github.com/coreos/go-oidc/v3/oidc"
	jose "github.com/go-jose/go-jose/v4"
	"golang.org/x/oauth2"
	"golang.org/x/oauth2/clientcredentials"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/core/oauth"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// clientKey is a private_key_jwt client's key pair (RFC 7523 §2.2): the
// fixture signs its assertions, the public half is its registered jwks.
type clientKey struct {
	kid    string
	alg    jose.SignatureAlgorithm
	signer crypto.Signer
}

func fixtureKey(t *testing.T, fixture, kid string, alg jose.SignatureAlgorithm) clientKey {
	t.Helper()
	k, err := keystest.Key(fixture)
	if err != nil {
		t.Fatal(err)
	}
	return clientKey{kid: kid, alg: alg, signer: k}
}

// jwks is the key set a client registers: public keys only.
func jwks(t *testing.T, ks ...clientKey) string {
	t.Helper()
	set := jose.JSONWebKeySet{}
	for _, k := range ks {
		set.Keys = append(set.Keys, jose.JSONWebKey{Key: k.signer.Public(), KeyID: k.kid, Algorithm: string(k.alg), Use: "sig"})
	}
	b, err := json.Marshal(set)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// sign makes a compact JWS of claims with k.
func (k clientKey) sign(t *testing.T, claims map[string]any) string {
	t.Helper()
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: k.alg, Key: jose.JSONWebKey{Key: k.signer, KeyID: k.kid}},
		(&jose.SignerOptions{}).WithType("JWT"))
	if err != nil {
		t.Fatal(err)
	}
	payload, _ := json.Marshal(claims)
	jws, err := s.Sign(payload)
	if err != nil {
		t.Fatal(err)
	}
	out, err := jws.CompactSerialize()
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// claims are a good assertion's claims for client id at the server's now.
func (r *rp) claims(id, aud string) map[string]any {
	now := r.Clock.Now()
	return map[string]any{"iss": id, "sub": id, "aud": aud, "jti": rand.Text(),
		"iat": now.Unix(), "exp": now.Add(time.Minute).Unix()}
}

// assertionForm is the client authentication of a form (RFC 7521 §4.2).
func assertionForm(v url.Values, assertion string) url.Values {
	v.Set("client_assertion_type", oauth.AssertionType)
	v.Set("client_assertion", assertion)
	return v
}

// keyClient registers a private_key_jwt client with the service and code grants.
func (r *rp) keyClient(id string, ks ...clientKey) {
	r.t.Helper()
	if secret := r.client(bank.ClientSpec{ID: id,
		GrantTypes: []string{bank.GrantAuthorizationCode, bank.GrantRefreshToken, bank.GrantClientCredentials},
		Metadata: bank.Metadata{RedirectURIs: []string{callback}, SkipConsent: true, AuthMethod: bank.AuthPrivateKeyJWT,
			JWKS: jwks(r.t, ks...), Resources: []string{"https://api.example"}}}); secret != "" {
		r.t.Fatalf("a private_key_jwt client was given a secret")
	}
}

func TestAPrivateKeyJWTClientAuthenticatesAtTheTokenIntrospectionAndRevocationEndpoints(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		r := newRP(t, b)
		rsa := fixtureKey(t, "rsa2048-8", "rsa", jose.RS256)
		r.keyClient("app", rsa)
		r.signUp("ann@example.com", "correct horse 1")
		ctx := gooidc.ClientContext(r.ctx(), r.spec)

		// The code flow through golang.org/x/oauth2 and go-oidc, the client
		// authenticated by an assertion whose aud is the token endpoint URL
		// (OpenID Connect Core §9).
		f := r.relyingParty("app", "", gooidc.ScopeOpenID, gooidc.ScopeOfflineAccess)
		f.conf.Endpoint.AuthStyle = oauth2.AuthStyleInParams
		tokenURL := f.provider.Endpoint().TokenURL
		v := oauth2.GenerateVerifier()
		code := r.authorize(f, "s1", oauth2.S256ChallengeOption(v), oauth2.SetAuthURLParam("nonce", "n1"))
		tok, err := f.conf.Exchange(ctx, code, oauth2.VerifierOption(v),
			oauth2.SetAuthURLParam("client_assertion_type", oauth.AssertionType),
			oauth2.SetAuthURLParam("client_assertion", rsa.sign(t, r.claims("app", tokenURL))))
		if err != nil {
			t.Fatalf("code exchange with private_key_jwt: %v", err)
		}
		raw, _ := tok.Extra("id_token").(string)
		if _, err := f.verifier.Verify(ctx, raw); err != nil || tok.RefreshToken == "" {
			t.Fatalf("id_token %v, refresh token %q", err, tok.RefreshToken)
		}

		// Introspection, aud the issuer.
		status, m := r.form("/oauth2/introspect", assertionForm(url.Values{"token": {tok.AccessToken}},
			rsa.sign(t, r.claims("app", r.URL))), "", "")
		if status != 200 || m["active"] != true || m["client_id"] != "app" {
			t.Fatalf("introspection with private_key_jwt: %d %v", status, m)
		}
		// Revocation, aud the revocation endpoint's own URL: the grant ends.
		status, m = r.form("/oauth2/revoke", assertionForm(url.Values{"token": {tok.RefreshToken}},
			rsa.sign(t, r.claims("app", r.URL+"/oauth2/revoke"))), "", "")
		if status != 200 {
			t.Fatalf("revocation with private_key_jwt: %d %v", status, m)
		}
		status, m = r.form("/oauth2/introspect", assertionForm(url.Values{"token": {tok.AccessToken}},
			rsa.sign(t, r.claims("app", r.URL))), "", "")
		if status != 200 || m["active"] != false {
			t.Fatalf("the access token after revoking its grant: %d %v", status, m)
		}
	})
}

func TestEachAllowedAlgorithmSignsAClientCredentialsAssertion(t *testing.T) {
	r := newRP(t, testenv.SQLite)
	for _, k := range []clientKey{
		fixtureKey(t, "rsa2048-8", "rs", jose.RS256), fixtureKey(t, "rsa2048-7", "ps", jose.PS256),
		fixtureKey(t, "p256-4", "es", jose.ES256), fixtureKey(t, "ed25519-4", "ed", jose.EdDSA),
	} {
		id := "svc-" + k.kid
		r.keyClient(id, k)
		// golang.org/x/oauth2's client-credentials client carries the
		// assertion as extra parameters, with no secret.
		cc := clientcredentials.Config{ClientID: id, TokenURL: r.URL + "/oauth2/token", AuthStyle: oauth2.AuthStyleInParams,
			EndpointParams: assertionForm(url.Values{"resource": {"https://api.example"}}, k.sign(t, r.claims(id, r.URL+"/oauth2/token")))}
		tok, err := cc.Token(gooidc.ClientContext(r.ctx(), r.spec))
		if err != nil || tok.AccessToken == "" {
			t.Fatalf("%s: client credentials: %v", k.alg, err)
		}
	}
}

// noneAssertion is an unsigned JWT (RFC 7519 §6): alg none, no signature.
func noneAssertion(claims map[string]any) string {
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`))
	p, _ := json.Marshal(claims)
	return h + "." + base64.RawURLEncoding.EncodeToString(p) + "."
}

// hmacAssertion signs with HS256 under the client's public key's bytes: the
// confusion attack on verifiers that let the token choose the algorithm.
func hmacAssertion(t *testing.T, k clientKey, claims map[string]any) string {
	t.Helper()
	secret := []byte(jwks(t, k))
	s, err := jose.NewSigner(jose.SigningKey{Algorithm: jose.HS256, Key: secret}, (&jose.SignerOptions{}).WithHeader("kid", k.kid))
	if err != nil {
		t.Fatal(err)
	}
	p, _ := json.Marshal(claims)
	jws, err := s.Sign(p)
	if err != nil {
		t.Fatal(err)
	}
	out, _ := jws.CompactSerialize()
	return out
}

func TestBadClientAssertionsAreRefusedAsInvalidClient(t *testing.T) {
	r := newRP(t, testenv.SQLite)
	good := fixtureKey(t, "p256-4", "k1", jose.ES256)
	r.keyClient("svc", good)
	r.client(bank.ClientSpec{ID: "other", Confidential: true, GrantTypes: []string{bank.GrantClientCredentials},
		Metadata: bank.Metadata{Resources: []string{"https://api.example"}}})
	wrong := fixtureKey(t, "p256-3", "k1", jose.ES256) // another key under the registered kid
	tokenURL := r.URL + "/oauth2/token"
	with := func(change func(map[string]any)) map[string]any {
		c := r.claims("svc", tokenURL)
		change(c)
		return c
	}
	now := r.Clock.Now()
	replayed := good.sign(t, r.claims("svc", tokenURL))
	cases := []struct {
		name      string
		form      url.Values
		id, basic string // HTTP Basic
	}{
		{"signed by a key the client did not register", assertionForm(url.Values{}, wrong.sign(t, r.claims("svc", tokenURL))), "", ""},
		{"alg none", assertionForm(url.Values{}, noneAssertion(r.claims("svc", tokenURL))), "", ""},
		{"HS256 under the public key", assertionForm(url.Values{}, hmacAssertion(t, good, r.claims("svc", tokenURL))), "", ""},
		{"expired", assertionForm(url.Values{}, good.sign(t, with(func(c map[string]any) {
			c["iat"], c["exp"] = now.Add(-5*time.Minute).Unix(), now.Add(-2*time.Minute).Unix()
		}))), "", ""},
		{"living longer than five minutes", assertionForm(url.Values{}, good.sign(t, with(func(c map[string]any) {
			c["exp"] = now.Add(time.Hour).Unix()
		}))), "", ""},
		{"without exp", assertionForm(url.Values{}, good.sign(t, with(func(c map[string]any) { delete(c, "exp") }))), "", ""},
		{"not valid yet", assertionForm(url.Values{}, good.sign(t, with(func(c map[string]any) {
			c["nbf"] = now.Add(3 * time.Minute).Unix()
		}))), "", ""},
		{"for another audience", assertionForm(url.Values{}, good.sign(t, r.claims("svc", "https://elsewhere.example/token"))), "", ""},
		{"without jti", assertionForm(url.Values{}, good.sign(t, with(func(c map[string]any) { delete(c, "jti") }))), "", ""},
		{"iss not the client", assertionForm(url.Values{}, good.sign(t, with(func(c map[string]any) { c["iss"] = "other" }))), "", ""},
		{"naming another client_id", assertionForm(url.Values{"client_id": {"other"}}, good.sign(t, r.claims("svc", tokenURL))), "", ""},
		{"of the wrong type", func() url.Values {
			v := assertionForm(url.Values{}, good.sign(t, r.claims("svc", tokenURL)))
			v.Set("client_assertion_type", "urn:ietf:params:oauth:client-assertion-type:saml2-bearer")
			return v
		}(), "", ""},
		{"by a secret client", assertionForm(url.Values{}, good.sign(t, r.claims("other", tokenURL))), "", ""},
		{"the same assertion a second time", assertionForm(url.Values{}, replayed), "", ""},
		{"with a secret beside it", assertionForm(url.Values{"client_secret": {"x"}}, good.sign(t, r.claims("svc", tokenURL))), "", ""},
		{"a secret from a private_key_jwt client (Basic)", url.Values{}, "svc", "guessed-secret"},
		{"a secret from a private_key_jwt client (form)", url.Values{"client_id": {"svc"}, "client_secret": {"guessed-secret"}}, "", ""},
		{"the client_id alone", url.Values{"client_id": {"svc"}}, "", ""},
	}
	ok := assertionForm(url.Values{"grant_type": {"client_credentials"}}, replayed)
	if status, m := r.form("/oauth2/token", ok, "", ""); status != 200 {
		t.Fatalf("the good assertion: %d %v", status, m)
	}
	for _, c := range cases {
		c.form.Set("grant_type", "client_credentials")
		status, m := r.form("/oauth2/token", c.form, c.id, c.basic)
		if status != 401 || m["error"] != "invalid_client" || m["access_token"] != nil {
			t.Errorf("%s: %d %v, want 401 invalid_client", c.name, status, m)
		}
	}
	// A refused assertion was not spent: the signature failed first, so
	// the same jti in a good assertion still passes.
	c := r.claims("svc", tokenURL)
	if status, m := r.form("/oauth2/token", assertionForm(url.Values{"grant_type": {"client_credentials"}}, wrong.sign(t, c)), "", ""); status != 401 {
		t.Fatalf("the wrong key: %d %v", status, m)
	}
	if status, m := r.form("/oauth2/token", assertionForm(url.Values{"grant_type": {"client_credentials"}}, good.sign(t, c)), "", ""); status != 200 {
		t.Fatalf("the same jti, rightly signed, after a refusal: %d %v", status, m)
	}
}

func TestRacingPresentationsOfOneAssertionGetOneToken(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		r := newRP(t, b)
		k := fixtureKey(t, "ed25519-4", "k", jose.EdDSA)
		r.keyClient("svc", k)
		form := assertionForm(url.Values{"grant_type": {"client_credentials"}}, k.sign(t, r.claims("svc", r.URL)))
		const racers = 8
		var wg sync.WaitGroup
		var ok, refused atomic.Int32
		start := make(chan struct{})
		for range racers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-start
				status, m := r.form("/oauth2/token", form, "", "")
				switch {
				case status == 200:
					ok.Add(1)
				case status == 401 && m["error"] == "invalid_client":
					refused.Add(1)
				}
			}()
		}
		close(start)
		wg.Wait()
		if ok.Load() != 1 || refused.Load() != racers-1 {
			t.Fatalf("%d racing presentations of one assertion: %d tokens, %d refused; want 1 and %d", racers, ok.Load(), refused.Load(), racers-1)
		}
	})
}

func TestAnOperatorRegistersAndRotatesAPrivateKeyJWTClientsKeys(t *testing.T) {
	r := newAdminRP(t)
	admin := []string{"Authorization", "Bearer " + adminToken}
	old := fixtureKey(t, "rsa2048-8", "2026-11", jose.RS256)
	fresh := fixtureKey(t, "p256-4", "2026-12", jose.ES256)
	var set map[string]any
	_ = json.Unmarshal([]byte(jwks(t, old)), &set)

	for _, c := range []struct {
		name string
		body map[string]any
	}{
		{"without jwks", map[string]any{"client_id": "svc", "token_endpoint_auth_method": "private_key_jwt", "grant_types": []string{"client_credentials"}}},
		{"with a secret", map[string]any{"client_id": "svc", "token_endpoint_auth_method": "private_key_jwt", "confidential": true,
			"jwks": set, "grant_types": []string{"client_credentials"}}},
		{"with a private key in jwks", map[string]any{"client_id": "svc", "token_endpoint_auth_method": "private_key_jwt",
			"jwks": privateSet(t, old), "grant_types": []string{"client_credentials"}}},
	} {
		if res := r.Do("POST", "/admin/v1/clients", c.body, admin...); res.Status != 400 || res.Map(t)["error"] != "invalid_client_metadata" {
			t.Errorf("a private_key_jwt client %s: %d %s, want 400 invalid_client_metadata", c.name, res.Status, res.Body)
		}
	}
	body := map[string]any{"client_id": "svc", "token_endpoint_auth_method": "private_key_jwt", "jwks": set,
		"grant_types": []string{"client_credentials"}, "resources": []string{"https://api.example"}}
	res := r.Do("POST", "/admin/v1/clients", body, admin...)
	if res.Status != 201 || res.Map(t)["client_secret"] != nil || res.Map(t)["token_endpoint_auth_method"] != "private_key_jwt" {
		t.Fatalf("create: %d %s, want 201 without a secret", res.Status, res.Body)
	}
	if res := r.Do("POST", "/admin/v1/clients/svc/secret", nil, admin...); res.Status != 400 {
		t.Fatalf("a secret for a private_key_jwt client: %d %s, want 400", res.Status, res.Body)
	}
	grant := func(k clientKey) int {
		status, _ := r.form("/oauth2/token", assertionForm(url.Values{"grant_type": {"client_credentials"}}, k.sign(t, r.claims("svc", r.URL))), "", "")
		return status
	}
	if s := grant(old); s != 200 {
		t.Fatalf("the registered key: %d", s)
	}
	// Key rotation: PUT replaces the jwks; the old key stops at once.
	_ = json.Unmarshal([]byte(jwks(t, fresh)), &set)
	body["jwks"] = set
	if res := r.Do("PUT", "/admin/v1/clients/svc", body, admin...); res.Status != 200 {
		t.Fatalf("update jwks: %d %s", res.Status, res.Body)
	}
	if s := grant(old); s != 401 {
		t.Fatalf("the replaced key: %d, want 401", s)
	}
	if s := grant(fresh); s != 200 {
		t.Fatalf("the new key: %d, want 200", s)
	}
}

// privateSet is a key set holding k's private half, which a client must
// never register.
func privateSet(t *testing.T, k clientKey) map[string]any {
	t.Helper()
	b, err := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.signer, KeyID: k.kid, Algorithm: string(k.alg)}}})
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	_ = json.Unmarshal(b, &m)
	if !strings.Contains(string(b), `"d":`) {
		t.Fatal("the private set has no private part")
	}
	return m
}

// newAdminRP is a server with the admin token set, for the admin API.
func newAdminRP(t *testing.T) *rp {
	br := &sessionBrowser{}
	e := testenv.New(t, testenv.Options{Browser: br, Config: func(c *config.Config) { c.AdminToken = adminToken }})
	br.id.Store(e.Srv.Identity)
	return &rp{Env: e, t: t, spec: &http.Client{Transport: specChecked{t: t, e: e}}}
}
