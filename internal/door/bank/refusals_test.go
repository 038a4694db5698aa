package bank_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/base64"
	"fmt"
	"net/url"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func TestStepOneRefusals(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	user, pass := k.enc(k.email), k.enc(password)
	creds := "&username=" + user + "&password=" + pass
	wrongPw := k.oauthErr(k.token("grant_type=password&user_type=customer&username="+k.enc(k.email)+"&password="+k.enc("wrong password"), "Authorization", webBasic), 400, "invalid_grant")

	t.Run("an unknown client", func(t *testing.T) {
		k := k.forT(t)
		r := k.token("grant_type=password&user_type=customer"+creds, "Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("NOPE:")))
		k.oauthErr(r, 401, "invalid_client")
		if !strings.HasPrefix(r.Header.Get("WWW-Authenticate"), "Basic") {
			t.Fatalf("WWW-Authenticate %q", r.Header.Get("WWW-Authenticate"))
		}
	})
	t.Run("the public client with a secret", func(t *testing.T) {
		k := k.forT(t)
		k.oauthErr(k.token("grant_type=password&user_type=customer&username="+k.enc(k.email)+"&password="+k.enc(password),
			"Authorization", "Basic "+base64.StdEncoding.EncodeToString([]byte("WEB:guess"))), 401, "invalid_client")
	})
	t.Run("no client at all", func(t *testing.T) {
		k := k.forT(t)
		k.oauthErr(k.token("grant_type=password&user_type=customer&username="+k.enc(k.email)+"&password="+k.enc(password)), 401, "invalid_client")
	})
	t.Run("a user type the door does not know", func(t *testing.T) {
		k := k.forT(t)
		k.oauthErr(k.token("grant_type=password&user_type=employee&username="+k.enc(k.email)+"&password="+k.enc(password), "Authorization", webBasic), 400, "unauthorized_client")
	})
	t.Run("an unsupported grant type", func(t *testing.T) {
		k := k.forT(t)
		k.oauthErr(k.token("grant_type=client_credentials", "Authorization", webBasic), 400, "unsupported_grant_type")
		k.oauthErr(k.token("user_type=customer", "Authorization", webBasic), 400, "invalid_request")
	})
	badCiphertexts := map[string]string{
		"not base64":         "username=" + k.enc(k.email) + "&password=%21%21%21",
		"tampered":           "username=" + k.enc(k.email) + "&password=" + flip(t, k.enc(password)),
		"another key":        "username=" + k.enc(k.email) + "&password=" + foreign(t, password),
		"plaintext password": "username=" + k.enc(k.email) + "&password=" + url.QueryEscape(password),
	}
	for name, c := range badCiphertexts {
		t.Run("a bad ciphertext: "+name, func(t *testing.T) {
			k := k.forT(t)
			got := k.oauthErr(k.token("grant_type=password&user_type=customer&"+c, "Authorization", webBasic), 400, "invalid_grant")
			if got["error_description"] != wrongPw["error_description"] {
				t.Fatalf("description %q differs from a wrong password's %q", got["error_description"], wrongPw["error_description"])
			}
		})
	}
	t.Run("a replayed ciphertext", func(t *testing.T) {
		k := k.forT(t)
		query := "grant_type=password&user_type=customer&username=" + k.enc(k.email) + "&password=" + k.enc(password)
		k.ok(k.token(query, "Authorization", webBasic), 200)
		k.oauthErr(k.token(query, "Authorization", webBasic), 400, "invalid_grant")
	})
	t.Run("PKCS#1 v1.5 while only OAEP is enabled", func(t *testing.T) {
		k := k.forT(t)
		k.oauthErr(k.token("grant_type=password&user_type=customer&username="+k.pkcs1(k.email)+"&password="+k.pkcs1(password), "Authorization", webBasic), 400, "invalid_grant")
	})
}

func TestPKCS1IsAcceptedWhenEnabled(t *testing.T) {
	k := newBank(t, testenv.SQLite, func(c *config.Config) { c.CredentialPaddings = "oaep,PKCS1" })
	k.ok(k.token("grant_type=password&user_type=customer&username="+k.pkcs1(k.email)+"&password="+k.pkcs1(password), "Authorization", webBasic), 200)
}

func TestFormBodiesWork(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	body := q("grant_type", "password", "user_type", "customer", "username", k.enc(k.email), "password", k.enc(password))
	k.ok(k.Do("POST", "/auth/oauth/token", body, "Authorization", webBasic, "Content-Type", "application/x-www-form-urlencoded"), 200)
}

func TestFactorRefusals(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		// The code's own attempt limit is under test here; the lockout,
		// which wrong codes also feed, is lockout_test.go's.
		k := newBank(t, b, func(c *config.Config) { c.LockoutPairThreshold = 0 })
		s2 := k.customer(custA, nil)
		code := k.smsCode(s2)
		wrong := fmt.Sprintf("%06d", (atoi(code)+1)%1000000)
		r := k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", wrong)), 400, "invalid_grant")
		if r["error_description"] != "code is invalid or expired" {
			t.Fatalf("wrong code: %v", r)
		}
		for range 4 {
			k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", wrong)), 400, "invalid_grant")
		}
		r = k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", code)), 400, "invalid_grant")
		if !strings.Contains(r["error_description"].(string), "too many attempts") {
			t.Fatalf("the right code after five wrong ones: %v", r)
		}
		// A new code is not granted within the resend interval.
		k.oauthErr(k.Do("POST", "/auth/oauth/otp?factor=OTP_SMS", nil, bearer(s2)...), 429, "otp_send_limit")
		// A factor that is not in a possible chain.
		k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "TOTP", "otp", "123456")), 400, "invalid_grant")
		// A customer the user is not a member of.
		s1 := k.ok(k.login(k.email), 200)
		k.oauthErr(k.step(s1, q("grant_type", "customer", "customer_id", "999999")), 400, "invalid_grant")
		// Factors before a customer is chosen.
		k.oauthErr(k.step(s1, q("grant_type", "otp", "factor", "OTP_SMS", "otp", code)), 400, "invalid_grant")
	})
}

func TestAHalfFinishedTokenIsRefusedByProtectedEndpointsOfEveryDoor(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		k := newBank(t, b)
		for _, tok := range []map[string]any{k.ok(k.login(k.email), 200), k.customer(custA, nil)} {
			k.oauthErr(k.Do("GET", "/auth/oauth/devices", nil, bearer(tok)...), 403, "insufficient_scope")
			k.oauthErr(k.Do("POST", "/auth/oauth/totp", nil, bearer(tok)...), 403, "insufficient_scope")
			r := k.Do("GET", "/v1/user/profile", nil, bearer(tok)...)
			if r.Status != 403 || r.Map(t)["error"] != "auth_incomplete" {
				t.Fatalf("platform door: %d %s", r.Status, r.Body)
			}
			if r := k.Do("POST", "/v1/auth/token", nil, bearer(tok)...); r.Status != 403 {
				t.Fatalf("platform token exchange: %d %s", r.Status, r.Body)
			}
		}
	})
}

func TestAChangedRoleEndsLoginsStartedUnderTheOldPolicy(t *testing.T) {
	k := newBank(t, testenv.SQLite)
	s2 := k.customer(custA, nil)
	roles := k.ok(k.Do("GET", "/admin/v1/customer-roles", nil, "Authorization", "Bearer "+adminToken), 200)["roles"].([]any)
	id := roles[0].(map[string]any)["id"]
	up := k.ok(k.Do("PUT", fmt.Sprintf("/admin/v1/customer-roles/%v", id), map[string]any{"code": "DIRECTOR", "chains": [][]string{{"TOTP"}}},
		"Authorization", "Bearer "+adminToken), 200)
	if up["version"] != 2.0 {
		t.Fatalf("version %v after an update", up["version"])
	}
	k.oauthErr(k.step(s2, q("grant_type", "otp", "factor", "OTP_SMS", "otp", "000000")), 400, "invalid_grant")
	k.oauthErr(k.Do("GET", "/auth/oauth/devices", nil, bearer(s2)...), 401, "invalid_token")
}

func (k *bank) forT(t *testing.T) *bank {
	c := *k
	c.Env = k.Env.For(t)
	c.t = t
	return &c
}

func (k *bank) pkcs1(s string) string {
	//lint:ignore SA1019 the padding JSEncrypt sends, which the door may accept
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, k.pub, []byte(s))
	if err != nil {
		k.t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(ct)
}

func flip(t *testing.T, b64 string) string {
	b, err := base64.StdEncoding.DecodeString(b64)
	if err != nil {
		t.Fatal(err)
	}
	b[len(b)/2] ^= 0x40
	return base64.RawURLEncoding.EncodeToString(b)
}

func foreign(t *testing.T, s string) string {
	k, err := rsa.GenerateKey(rand.Reader, 1024)
	if err != nil {
		t.Fatal(err)
	}
	//lint:ignore SA1019 the padding JSEncrypt sends, which the door may accept
	ct, err := rsa.EncryptPKCS1v15(rand.Reader, &k.PublicKey, []byte(s))
	if err != nil {
		t.Fatal(err)
	}
	return base64.RawURLEncoding.EncodeToString(ct)
}

func atoi(s string) int {
	n := 0
	for _, c := range s {
		n = n*10 + int(c-'0')
	}
	return n
}
