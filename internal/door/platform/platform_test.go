package platform_test

import (
	"crypto/x509"
	"encoding/pem"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v4"
	"github.com/go-jose/go-jose/v4/jwt"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

const evmAddress = "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed" // EIP-55's own example

type pair struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
}

func bearer(tok string) []string { return []string{"Authorization", "Bearer " + tok} }

// signUp registers and confirms a user through the door, returning a login pair.
func signUp(t *testing.T, e *testenv.Env, email, password string) pair {
	t.Helper()
	if r := e.Do("POST", "/v1/user", map[string]string{"login": email, "password": password}); r.Status != 201 {
		t.Fatalf("register: %d %s", r.Status, r.Body)
	}
	code := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	if r := e.Do("GET", "/v1/user/confirm/"+code, nil); r.Status != 200 {
		t.Fatalf("confirm: %d %s", r.Status, r.Body)
	}
	return login(t, e, email, password)
}

func login(t *testing.T, e *testenv.Env, email, password string) pair {
	t.Helper()
	r := e.Do("POST", "/v1/auth/login", map[string]string{"username": email, "password": password})
	if r.Status != 200 {
		t.Fatalf("login: %d %s", r.Status, r.Body)
	}
	var p pair
	r.JSON(t, &p)
	return p
}

func TestANewUserFollowsTheWholeStory(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := testenv.New(t, testenv.Options{Backend: b})

		r := e.Do("POST", "/v1/user", map[string]string{"login": "Ann@Example.com", "password": "correct horse 1", "locale": "ru", "source": "voting"})
		if r.Status != http.StatusCreated {
			t.Fatalf("register: %d %s", r.Status, r.Body)
		}
		id := r.Map(t)["id"].(string)

		m := e.Mail.Next(t, testenv.MailTimeout)
		if m.To != "Ann@Example.com" || !strings.Contains(m.Subject, "Подтвердите") && !strings.Contains(m.Subject, "одтвер") {
			t.Fatalf("confirmation mail to %q subject %q, want Russian to Ann@Example.com, the spelling given", m.To, m.Subject)
		}
		code := m.Secret(t)
		if !strings.Contains(m.Text, e.URL+"/v1/user/confirm/"+code) {
			t.Fatalf("mail lacks the confirmation link:\n%s", m.Text)
		}

		if r := e.Do("POST", "/v1/auth/login", map[string]string{"username": "ann@example.com", "password": "correct horse 1"}); r.Status != 403 || r.Map(t)["error"] != "email_not_confirmed" {
			t.Fatalf("login before confirmation: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/v1/user/confirm/"+code, nil); r.Status != 200 || r.Map(t)["status"] != "confirmed" {
			t.Fatalf("confirm: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/v1/user/confirm/"+code, nil); r.Status != 400 || r.Map(t)["error"] != "invalid_or_expired_code" {
			t.Fatalf("confirm twice: %d %s", r.Status, r.Body)
		}

		p := login(t, e, "ANN@example.com", "correct horse 1")
		if p.TokenType != "Bearer" || p.AccessToken == "" || p.RefreshToken == "" {
			t.Fatalf("login pair: %+v", p)
		}

		r = e.Do("POST", "/v1/user/address", map[string]string{"address": evmAddress, "name": "wallet"}, bearer(p.AccessToken)...)
		if r.Status != 200 || r.Map(t)["addressId"] == "" {
			t.Fatalf("add address: %d %s", r.Status, r.Body)
		}
		r = e.Do("GET", "/v1/user/profile", nil, bearer(p.AccessToken)...)
		var prof struct {
			ID        string   `json:"id"`
			Locale    string   `json:"locale"`
			Addresses []string `json:"addresses"`
			Roles     []string `json:"roles"`
		}
		r.JSON(t, &prof)
		if r.Status != 200 || prof.ID != id || prof.Locale != "ru" || len(prof.Addresses) != 1 || prof.Addresses[0] != evmAddress {
			t.Fatalf("profile: %d %s", r.Status, r.Body)
		}

		verifyWithPublicKey(t, e, p.AccessToken, id)

		r = e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken})
		var next pair
		r.JSON(t, &next)
		if r.Status != 200 || next.RefreshToken == p.RefreshToken || next.AccessToken == "" {
			t.Fatalf("refresh: %d %s", r.Status, r.Body)
		}
		if r := e.Do("GET", "/v1/user/profile", nil, bearer(next.AccessToken)...); r.Status != 200 {
			t.Fatalf("profile with refreshed token: %d %s", r.Status, r.Body)
		}
	})
}

// verifyWithPublicKey checks the token the way an external service would:
// the PEM from /v1/auth/publicKey and a standard JOSE library, nothing of ours.
func verifyWithPublicKey(t *testing.T, e *testenv.Env, token, subject string) {
	t.Helper()
	r := e.Do("GET", "/v1/auth/publicKey", nil)
	if r.Status != 200 || r.Header.Get("Content-Type") != "application/x-pem-file" {
		t.Fatalf("publicKey: %d %s", r.Status, r.Header.Get("Content-Type"))
	}
	block, _ := pem.Decode(r.Body)
	if block == nil || block.Type != "PUBLIC KEY" {
		t.Fatalf("publicKey is not SPKI PEM: %s", r.Body)
	}
	pub, err := x509.ParsePKIXPublicKey(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := jwt.ParseSigned(token, []jose.SignatureAlgorithm{jose.RS256})
	if err != nil {
		t.Fatal(err)
	}
	var c jwt.Claims
	if err := tok.Claims(pub, &c); err != nil {
		t.Fatalf("access token does not verify with the published key: %v", err)
	}
	if c.Subject != subject || c.Issuer != e.URL {
		t.Fatalf("claims sub=%q iss=%q, want %q and %q", c.Subject, c.Issuer, subject, e.URL)
	}
	if err := c.ValidateWithLeeway(jwt.Expected{Issuer: e.URL, Time: e.Clock.Now()}, 0); err != nil {
		t.Fatalf("claims do not validate at the server's time: %v", err)
	}
}

func TestARefreshTokenIsSingleUseAndReuseRevokesTheFamily(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	p := signUp(t, e, "bob@example.com", "bob's password")

	r := e.Do("POST", "/v1/auth/refresh", map[string]string{"refresh_token": p.RefreshToken})
	var child pair
	r.JSON(t, &child)
	if r.Status != 200 {
		t.Fatalf("first refresh: %d %s", r.Status, r.Body)
	}
	// A retry inside the grace window gets the same refresh token (with a
	// fresh access token), not a logout and not a second chain.
	r = e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken})
	var retry pair
	r.JSON(t, &retry)
	if r.Status != 200 || retry.RefreshToken != child.RefreshToken || retry.AccessToken == child.AccessToken {
		t.Fatalf("retry within grace: %d %s", r.Status, r.Body)
	}
	e.Clock.Advance(e.Config.RequestTimeout + e.Config.RefreshGrace + time.Second)
	if r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}); r.Status != 401 {
		t.Fatalf("reuse after grace: %d %s, want 401", r.Status, r.Body)
	}
	// The whole family is gone: the child and both access tokens.
	if r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": child.RefreshToken}); r.Status != 401 {
		t.Fatalf("family member still refreshes: %d %s", r.Status, r.Body)
	}
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(retry.AccessToken)...); r.Status != 401 {
		t.Fatalf("access token of a revoked family: %d", r.Status)
	}
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(child.AccessToken)...); r.Status != 401 {
		t.Fatalf("access token of a revoked family: %d", r.Status)
	}
}

func TestPasswordResetIsSingleUseAndLogsEveryoneOut(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	p := signUp(t, e, "cat@example.com", "first password")

	if r := e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "nobody@example.com"}); r.Status != 200 {
		t.Fatalf("restore of an unknown address must look the same: %d", r.Status)
	}
	if r := e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "cat@example.com"}); r.Status != 200 || r.Map(t)["email"] != "cat@example.com" {
		t.Fatalf("restore: %d %s", r.Status, r.Body)
	}
	m := e.Mail.Next(t, testenv.MailTimeout)
	token := m.Secret(t)
	if m.To != "cat@example.com" || !strings.Contains(m.Text, "?token="+token) {
		t.Fatalf("reset mail to %s:\n%s", m.To, m.Text)
	}
	e.Mail.None(t) // nothing was sent for the unknown address

	if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "short"}); r.Status != 400 || r.Map(t)["error"] != "weak_password" {
		t.Fatalf("weak password: %d %s", r.Status, r.Body)
	}
	r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "second password"})
	if r.Status != 200 || r.Map(t)["userId"] == "" {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "third password"}); r.Status != 400 {
		t.Fatalf("reset token reused: %d", r.Status)
	}
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(p.AccessToken)...); r.Status != 401 {
		t.Fatalf("old session survives a reset: %d", r.Status)
	}
	if r := e.Do("POST", "/v1/auth/login", map[string]string{"username": "cat@example.com", "password": "first password"}); r.Status != 401 {
		t.Fatalf("old password still works: %d", r.Status)
	}
	login(t, e, "cat@example.com", "second password")
}

func TestResetTokensExpire(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	signUp(t, e, "dan@example.com", "dan's password")
	e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "dan@example.com"})
	token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	e.Clock.Advance(e.Config.ResetTTL + time.Second)
	if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "another password"}); r.Status != 400 || r.Map(t)["error"] != "invalid_or_expired_code" {
		t.Fatalf("expired reset token: %d %s", r.Status, r.Body)
	}
}

func TestAnExternalServiceGetsItsOwnRevocableSession(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	p := signUp(t, e, "eve@example.com", "eve's password")
	r := e.Do("POST", "/v1/auth/token", nil, bearer(p.AccessToken)...)
	var ext pair
	r.JSON(t, &ext)
	if r.Status != 200 || ext.AccessToken == "" {
		t.Fatalf("external token: %d %s", r.Status, r.Body)
	}
	// Its refresh token was issued at this door and refreshes here.
	r = e.Do("POST", "/v1/auth/refresh", map[string]string{"token": ext.RefreshToken})
	r.JSON(t, &ext)
	if r.Status != 200 || ext.AccessToken == "" {
		t.Fatalf("refresh of the external session: %d %s", r.Status, r.Body)
	}
	if r := e.Do("POST", "/v1/auth/logout", nil, bearer(ext.AccessToken)...); r.Status != 204 {
		t.Fatalf("logout external: %d", r.Status)
	}
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(ext.AccessToken)...); r.Status != 401 {
		t.Fatalf("revoked external token still works: %d", r.Status)
	}
	if r := e.Do("GET", "/v1/user/profile", nil, bearer(p.AccessToken)...); r.Status != 200 {
		t.Fatalf("user's own session must survive: %d", r.Status)
	}
}

func TestResendAndExistsAnswerAsDocumented(t *testing.T) {
	e := testenv.New(t, testenv.Options{})
	e.Do("POST", "/v1/user", map[string]string{"login": "fay@example.com", "password": "fay's password"})
	first := e.Mail.Next(t, testenv.MailTimeout).Secret(t)

	if r := e.Do("POST", "/v1/user/resendEmail", map[string]string{"email": "fay@example.com", "source": "license"}); r.Status != 429 || r.Header.Get("Retry-After") == "" {
		t.Fatalf("resend inside the interval: %d %s", r.Status, r.Body)
	}
	e.Clock.Advance(e.Config.MailResendInterval)
	if r := e.Do("POST", "/v1/user/resendEmail", map[string]string{"email": "fay@example.com"}); r.Status != 200 {
		t.Fatalf("resend: %d %s", r.Status, r.Body)
	}
	second := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	if first == second {
		t.Fatal("resend reused the code")
	}
	if r := e.Do("GET", "/v1/user/confirm/"+first, nil); r.Status != 400 {
		t.Fatalf("superseded code still confirms: %d", r.Status)
	}
	if r := e.Do("GET", "/v1/user/confirm/"+second, nil); r.Status != 200 {
		t.Fatalf("new code: %d", r.Status)
	}
	for email, want := range map[string]bool{"fay@example.com": true, "FAY@example.com": true, "gus@example.com": false} {
		r := e.Do("GET", "/v1/user/address/exists?email="+email, nil)
		if r.Status != 200 || r.Map(t)["exist"] != want {
			t.Fatalf("exists(%s): %d %s", email, r.Status, r.Body)
		}
	}
}
