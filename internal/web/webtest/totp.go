package webtest

import (
	"net/http"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// EnrolTOTP enrols an authenticator app on the account through the
// platform API and returns its secret; the clock then moves past the
// 30-second step of the code that confirmed it.
func EnrolTOTP(t testing.TB, env *testenv.Env, email, password string) string {
	t.Helper()
	e := env.For(t)
	r := e.Do("POST", "/v1/auth/login", map[string]string{"username": email, "password": password})
	if r.Status != http.StatusOK {
		t.Fatalf("login %s: %d %s", email, r.Status, r.Body)
	}
	bearer := []string{"Authorization", "Bearer " + r.Map(t)["access_token"].(string)}
	r = e.Do("POST", "/v1/user/factors/totp", map[string]string{"password": password}, bearer...)
	if r.Status != http.StatusOK {
		t.Fatalf("enrol totp: %d %s", r.Status, r.Body)
	}
	secret := r.Map(t)["secret"].(string)
	r = e.Do("POST", "/v1/user/factors/totp/confirm", map[string]string{"otp": TOTP(t, env, secret)}, bearer...)
	if r.Status != http.StatusOK {
		t.Fatalf("confirm totp: %d %s", r.Status, r.Body)
	}
	env.Clock.Advance(30 * time.Second)
	return secret
}

// TOTP is the code of secret at the server's clock.
func TOTP(t testing.TB, env *testenv.Env, secret string) string {
	t.Helper()
	code, err := totp.GenerateCode(secret, env.Clock.Now())
	if err != nil {
		t.Fatal(err)
	}
	return code
}
