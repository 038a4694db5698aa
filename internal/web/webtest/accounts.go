package webtest

import (
	"net/http"
	"strings"
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Account registers and confirms an account through the platform API (the
// pages' own sign-up has its own tests) and returns its password.
func Account(t testing.TB, env *testenv.Env, email string) (password string) {
	t.Helper()
	password = "correct horse " + strings.Split(email, "@")[0]
	r := env.For(t).Do("POST", "/v1/user", map[string]any{"login": email, "password": password, "locale": "en"})
	if r.Status != http.StatusCreated {
		t.Fatalf("register %s: %d %s", email, r.Status, r.Body)
	}
	code := env.Mail.NextTo(t, email, testenv.MailTimeout).Secret(t)
	if r := env.For(t).Do("GET", "/v1/user/confirm/"+code, nil); r.Status != http.StatusOK {
		t.Fatalf("confirm %s: %d %s", email, r.Status, r.Body)
	}
	return password
}
