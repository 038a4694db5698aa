package server_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The audience rule (SECURITY.md "Token audience"): a token Gatehouse
// mints for another service never opens Gatehouse's own endpoints, except
// the logout of its own session; first-party tokens name Gatehouse.

const partner = "https://partner.example"

// jwtParts decodes a compact JWT's header and claims without verifying it
// (the server verified it; the test reads what it says).
func jwtParts(t *testing.T, tok string) (header, claims map[string]any) {
	t.Helper()
	parts := strings.Split(tok, ".")
	if len(parts) != 3 {
		t.Fatalf("not a compact JWT: %q", tok)
	}
	dec := func(s string) map[string]any {
		raw, err := base64.RawURLEncoding.DecodeString(s)
		if err != nil {
			t.Fatalf("JWT part: %v", err)
		}
		m := map[string]any{}
		if err := json.Unmarshal(raw, &m); err != nil {
			t.Fatalf("JWT part: %v", err)
		}
		return m
	}
	return dec(parts[0]), dec(parts[1])
}

// exchange asks POST /v1/auth/token for a token of audience (none when "").
func exchange(t *testing.T, e *testenv.Env, access, audience string) pair {
	t.Helper()
	path := "/v1/auth/token"
	if audience != "" {
		path += "?audience=" + url.QueryEscape(audience)
	}
	r := e.Do("POST", path, nil, bearer(access)...)
	if r.Status != 200 {
		t.Fatalf("exchange for %q: %d %s", audience, r.Status, r.Body)
	}
	var p pair
	r.JSON(t, &p)
	return p
}

func TestATokenForAnotherAudienceOpensNoGatehouseEndpointButItsOwnLogout(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		newBankUser(t, e, "ida@example.com", "ida's password")
		if r := e.Do("PUT", "/admin/v1/users/ida@example.com/roles", map[string]any{"roles": []string{"admin"}}, bearer(adminToken)...); r.Status != 200 {
			t.Fatalf("roles: %d %s", r.Status, r.Body)
		}
		own := mustLogin(t, e, "ida@example.com", "ida's password")
		for _, aud := range []string{partner, ""} { // named, and the default external audience
			ext := exchange(t, e, own.AccessToken, aud)
			tok := bearer(ext.AccessToken)
			var sessions []map[string]any
			e.Do("GET", "/v1/user/sessions", nil, bearer(own.AccessToken)...).JSON(t, &sessions)
			ownID := ""
			for _, s := range sessions {
				if s["current"] == true {
					ownID = s["id"].(string)
				}
			}
			mustBeRefused(t, "profile", e.Do("GET", "/v1/user/profile", nil, tok...))
			mustBeRefused(t, "address", e.Do("POST", "/v1/user/address", map[string]string{"address": "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed", "name": "w"}, tok...))
			mustBeRefused(t, "sessions list", e.Do("GET", "/v1/user/sessions", nil, tok...))
			mustBeRefused(t, "revoking the user's session", e.Do("DELETE", "/v1/user/sessions/"+ownID, nil, tok...))
			mustBeRefused(t, "another external token", e.Do("POST", "/v1/auth/token?audience="+url.QueryEscape("https://other.example"), nil, tok...))
			mustBeRefused(t, "admin user list", e.Do("GET", "/admin/v1/users", nil, tok...))
			mustBeRefused(t, "admin key rotation", e.Do("POST", "/admin/v1/keys/rotate", nil, tok...))
			mustBeRefused(t, "cashdesk profile", e.Do("GET", "/api/v2/profile", nil, tok...))
			mustBeRefused(t, "API key creation", e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "forever"}, tok...))
			mustBeRefused(t, "cashdesk password", e.Do("POST", "/api/v2/password", map[string]string{"current_password": "ida's password", "new_password": "stolen for good"}, tok...))
			for _, ep := range [][2]string{{"GET", "/auth/oauth/devices"}, {"POST", "/auth/oauth/otp?factor=OTP_SMS"}, {"POST", "/auth/oauth/totp"}, {"POST", "/auth/oauth/logout"},
				{"POST", "/auth/oauth/token?grant_type=customer&customer_id=" + fmt.Sprint(bankCustomer)}} {
				if r := e.Do(ep[0], ep[1], nil, tok...); r.Status != 401 || r.Map(t)["error"] != "invalid_token" {
					t.Errorf("bank %s %s: %d %s, want 401 invalid_token", ep[0], ep[1], r.Status, r.Body)
				}
			}
			// The refresh of an external session stays external.
			r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": ext.RefreshToken})
			if r.Status != 200 {
				t.Fatalf("refresh of the external session: %d %s", r.Status, r.Body)
			}
			var next pair
			r.JSON(t, &next)
			mustBeRefused(t, "profile after refresh", e.Do("GET", "/v1/user/profile", nil, bearer(next.AccessToken)...))

			// Its own logout works, and ends its session only.
			if r := e.Do("POST", "/v1/auth/logout", nil, bearer(next.AccessToken)...); r.Status != 204 {
				t.Fatalf("logout of its own session: %d %s", r.Status, r.Body)
			}
			if r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": next.RefreshToken}); r.Status != 401 {
				t.Fatalf("the external session survived its logout: %d %s", r.Status, r.Body)
			}
			if r := e.Do("GET", "/v1/user/profile", nil, bearer(own.AccessToken)...); r.Status != 200 {
				t.Fatalf("the user's own session must survive: %d %s", r.Status, r.Body)
			}
		}
		if keys := e.Do("GET", "/api/v2/api-keys", nil, bearer(own.AccessToken)...).Map(t)["keys"].([]any); len(keys) != 0 {
			t.Fatalf("an external token minted API keys: %v", keys)
		}
	})
}

func TestAnExternalTokenEndsItsSessionAtTheCashdeskLogoutToo(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	signUp(t, e, "jon@example.com", "jon's password")
	own := mustLogin(t, e, "jon@example.com", "jon's password")
	ext := exchange(t, e, own.AccessToken, partner)
	if r := e.Do("POST", "/api/v2/logout", nil, bearer(ext.AccessToken)...); r.Status != 204 {
		t.Fatalf("cashdesk logout of the external session: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/auth/logout", nil, bearer(ext.AccessToken)...); r.Status != 401 {
		t.Fatalf("the external session survived its logout: %d %s", r.Status, r.Body)
	}
}

func TestFirstPartyTokensNameGatehouseAndExternalOnesNameTheirServiceOnly(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		bank := newBankUser(t, e, "kim@example.com", "kim's password")
		own := mustLogin(t, e, "kim@example.com", "kim's password")
		var refreshed pair
		e.Do("POST", "/v1/auth/refresh", map[string]string{"token": own.RefreshToken}).JSON(t, &refreshed)
		cash := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "kim@example.com", "password": "kim's password"}).Map(t)
		s2 := bank.toStep2(t, "kim@example.com", "kim's password")
		full := bank.e.Do("POST", "/auth/oauth/token?"+url.Values{"grant_type": {"otp"}, "factor": {"OTP_SMS"}, "otp": {bank.sendSMS(t, s2)}}.Encode(), "{}", bearer(s2)...).Map(t)
		bankRefreshed := e.Do("POST", "/auth/oauth/token?"+url.Values{"grant_type": {"refresh_token"}, "refresh_token": {full["refresh_token"].(string)}}.Encode(), "{}", "Authorization", webBasic).Map(t)

		firstParty := map[string]string{
			"platform login": own.AccessToken, "platform refresh": refreshed.AccessToken,
			"cashdesk authenticate": strings.TrimPrefix(cash["token"].(string), "Bearer "),
			"bank step 2":           s2, "bank login": full["access_token"].(string), "bank refresh": bankRefreshed["access_token"].(string),
		}
		for what, tok := range firstParty {
			h, c := jwtParts(t, tok)
			if h["typ"] != "JWT" || c["aud"] != e.URL || c["iss"] != e.URL {
				t.Errorf("%s: typ %v aud %v iss %v, want typ JWT and aud = iss = %s", what, h["typ"], c["aud"], c["iss"], e.URL)
			}
		}
		for aud, want := range map[string]string{partner + "/api": partner + "/api", "": identity.ExternalAudience} {
			_, c := jwtParts(t, exchange(t, e, own.AccessToken, aud).AccessToken)
			if c["aud"] != want {
				t.Errorf("external token for %q: aud %v, want %q only", aud, c["aud"], want)
			}
		}
	})
}

// legacyToken signs, with the server's key, a token as Gatehouse signed
// them before the audience rule: the claims of tok without aud.
func legacyToken(t *testing.T, e *testenv.Env, tok string) string {
	t.Helper()
	p, err := e.Srv.Identity.VerifyAccess(t.Context(), tok, identity.VerifyOptions{AnyAudience: true})
	if err != nil {
		t.Fatal(err)
	}
	c := p.Claims
	c.Audience = ""
	legacy, err := e.Srv.Signing.Sign(t.Context(), c)
	if err != nil {
		t.Fatal(err)
	}
	if _, claims := jwtParts(t, legacy); claims["aud"] != nil {
		t.Fatalf("the legacy token names an audience: %v", claims)
	}
	return legacy
}

func TestATokenWithoutAudienceIsFirstPartyOnlyForASessionOfAFirstPartyDoor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, "lea@example.com", "lea's password")
		own := mustLogin(t, e, "lea@example.com", "lea's password")
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(legacyToken(t, e, own.AccessToken))...); r.Status != 200 {
			t.Fatalf("a platform token issued before the audience rule: %d %s", r.Status, r.Body)
		}
		ext := exchange(t, e, own.AccessToken, "")
		mustBeRefused(t, "a legacy external token at the profile", e.Do("GET", "/v1/user/profile", nil, bearer(legacyToken(t, e, ext.AccessToken))...))
	})
}

func TestTheAudienceParameterNeverNamesGatehouseItself(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		signUp(t, e, "max@example.com", "max's password")
		own := mustLogin(t, e, "max@example.com", "max's password")
		u, _ := url.Parse(e.URL) // http://127.0.0.1:PORT
		host, port := u.Hostname(), u.Port()
		p, err := strconv.Atoi(port)
		if err != nil {
			t.Fatal(err)
		}
		otherPort := strconv.Itoa(p + 1)
		refused := []string{
			e.URL, e.URL + "/", e.URL + "//", e.URL + "/v1/user/profile", e.URL + "?x=1",
			"HTTP://" + host + ":" + port, "http://" + host + ":0" + port, "http://" + host + ".:" + port,
			"http://[::ffff:" + host + "]:" + port, "https://" + host + ":" + port, "ws://" + host + ":" + port,
			e.URL + "/%76%31/user", e.URL + "/a/../v1", e.URL + "/%2e%2e/",
			// malformed
			"http://gatehouse@" + host + ":" + port, "https://gatehouse@evil.example", e.URL + "#x",
			"http:" + host + ":" + port, `http:\\` + host + ":" + port, "http://" + host + ":" + port + `\@evil.example`,
			"http://2130706433:" + port, "http://0x7f.0.0.1:" + port, "http://127.1:" + port, "http://g%61te.example",
			"partner", "https://partner.example/a b", "\xff", "https://partner.example/\x00", "https://partner.example/é",
			"https://", "https://partner.example:99999", partner + "/" + strings.Repeat("a", 200),
		}
		for _, aud := range refused {
			r := e.Do("POST", "/v1/auth/token?audience="+url.QueryEscape(aud), nil, bearer(own.AccessToken)...)
			want := "invalid_audience"
			if !utf8.ValidString(aud) || strings.ContainsRune(aud, 0) {
				want = "invalid_text" // refused by the adapter's text rule before the audience rule
			}
			if m := r.Map(t); r.Status != 400 || m["error"] != want || m["field"] != "audience" {
				t.Errorf("audience %q: %d %s, want 400 %s naming the field", aud, r.Status, r.Body, want)
			}
		}
		r := e.Do("POST", "/v1/auth/token?audience="+url.QueryEscape(partner)+"&audience="+url.QueryEscape(e.URL), nil, bearer(own.AccessToken)...)
		if r.Status != 400 || r.Map(t)["field"] != "audience" {
			t.Errorf("two audiences: %d %s", r.Status, r.Body)
		}
		var sessions []any
		if e.Do("GET", "/v1/user/sessions", nil, bearer(own.AccessToken)...).JSON(t, &sessions); len(sessions) != 1 {
			t.Fatalf("refused audiences opened sessions: %d sessions", len(sessions))
		}
		for _, aud := range []string{partner, partner + "/api/v1", "urn:partner:billing", "http://" + host + ":" + otherPort, "https://" + host + ".partner.example"} {
			if _, c := jwtParts(t, exchange(t, e, own.AccessToken, aud).AccessToken); c["aud"] != aud {
				t.Errorf("audience %q: aud %v", aud, c["aud"])
			}
		}
	})
}
