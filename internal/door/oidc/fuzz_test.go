package oidc_test

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	jose "github.com/go-jose/go-jose/v4"

	"github.com/gatehouse/gatehouse/internal/core/bank"
	"github.com/gatehouse/gatehouse/internal/keys/keystest"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// formEndpoints are the door's form decoders (RFC 6749 §3.2, RFC 7009,
// RFC 7662, RFC 8628 §3.1), the authorization endpoint's form and the logout endpoint's (RP-Initiated Logout §2).
var formEndpoints = []string{"/oauth2/token", "/oauth2/introspect", "/oauth2/revoke", "/oauth2/authorize", "/oauth2/logout", "/oauth2/device_authorization"}

// FuzzFormBodies sends arbitrary form bodies, with a client's Basic
// credentials or none, to every form endpoint through the whole server
// (SQLite, or PostgreSQL: testenv.FuzzBackend): the answer is never a
// 5xx and always matches api/openapi.yaml (an OAuth error or a page).
func FuzzFormBodies(f *testing.F) {
	for i := range formEndpoints {
		f.Add(uint8(i), true, "grant_type=authorization_code&code=abc&redirect_uri=https%3A%2F%2Fapp.example%2Fcallback&code_verifier=x")
		f.Add(uint8(i), false, "grant_type=client_credentials&client_id=app&client_secret=s&resource=https%3A%2F%2Fapi.example&resource=urn%3Ax")
		f.Add(uint8(i), true, "token=a.b.c&token_type_hint=access_token")
		f.Add(uint8(i), false, "client_id=app&response_type=code&scope=openid&redirect_uri=%00&code_challenge_method=plain")
		f.Add(uint8(i), true, "grant_type=refresh_token&refresh_token=%FF%FE&grant_type=x")
		f.Add(uint8(i), false, "id_token_hint=a.b.c&post_logout_redirect_uri=https%3A%2F%2Fapp.example%2F&state=%00&ui_locales=ru+uk")
		// private_key_jwt (RFC 7523 §2.2): go-jose parses the assertion; the
		// seeds exercise the form around it (type, client_id, a second
		// method beside it, a truncated or unsigned JWT).
		f.Add(uint8(i), false, "grant_type=client_credentials&client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=eyJhbGciOiJub25lIn0.eyJzdWIiOiJrZXkifQ.")
		f.Add(uint8(i), true, "client_assertion_type=urn%3Aietf%3Aparams%3Aoauth%3Aclient-assertion-type%3Ajwt-bearer&client_assertion=a.b.c&client_id=key")
		f.Add(uint8(i), false, "token=x&client_assertion=eyJhbGciOiJFUzI1NiIsImtpZCI6ImsifQ.eyJpc3MiOiJrZXkiLCJzdWIiOiJrZXkifQ.AAAA&client_id=app")
		f.Add(uint8(i), false, "client_assertion_type=x&client_assertion=&client_secret=s")
		f.Add(uint8(i), true, "grant_type=urn%3Aietf%3Aparams%3Aoauth%3Agrant-type%3Adevice_code&device_code=abc&scope=openid+email")
		f.Add(uint8(i), false, "client_id=app&scope=openid%20offline_access%20x")
	}
	br := &sessionBrowser{}
	e := testenv.New(f, testenv.Options{Backend: testenv.FuzzBackend(f), Browser: br})
	br.id.Store(e.Srv.Identity)
	r := &rp{Env: e, spec: &http.Client{Transport: specChecked{t: f, e: e}}}
	_, secret, err := e.Srv.Bank.CreateClient(r.ctx(), bank.ClientSpec{ID: "app", Confidential: true,
		GrantTypes: []string{bank.GrantAuthorizationCode, bank.GrantRefreshToken, bank.GrantClientCredentials, bank.GrantDeviceCode},
		Metadata:   bank.Metadata{RedirectURIs: []string{callback}, Resources: []string{"https://api.example"}}})
	if err != nil {
		f.Fatal(err)
	}
	k, err := keystest.Key("p256-4")
	if err != nil {
		f.Fatal(err)
	}
	set, _ := json.Marshal(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: k.Public(), KeyID: "k", Algorithm: "ES256", Use: "sig"}}})
	if _, _, err := e.Srv.Bank.CreateClient(r.ctx(), bank.ClientSpec{ID: "key", GrantTypes: []string{bank.GrantClientCredentials},
		Metadata: bank.Metadata{AuthMethod: bank.AuthPrivateKeyJWT, JWKS: string(set), Resources: []string{"https://api.example"}}}); err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, which uint8, basic bool, body string) {
		path := formEndpoints[int(which)%len(formEndpoints)]
		req, _ := http.NewRequest("POST", e.URL+path, strings.NewReader(body))
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		if basic {
			req.SetBasicAuth("app", secret)
		}
		res, err := (&http.Client{Transport: specChecked{t: t, e: e}, CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		}}).Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		if res.StatusCode >= 500 {
			t.Fatalf("POST %s answered %d to %q: %s", path, res.StatusCode, body, b)
		}
	})
}
