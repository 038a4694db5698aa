package server_test

import (
	"net/url"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestFactorChangesCountUnderTheLoginRateLimitWithTheLockoutOff: enrolling,
// confirming and removing an authenticator on every door count under the
// login rate limit of the account's address, like a password change, so
// that with the lockout off (thresholds 0) they still meet a limit: a
// guesser of the current password gets 429, not endless 401s.
func TestFactorChangesCountUnderTheLoginRateLimitWithTheLockoutOff(t *testing.T) {
	const perAddress = 4
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		limited("login=0/4/0")(c)
		c.LockoutPairThreshold, c.LockoutAccountThreshold = 0, 0
		c.MailResendInterval = 0
	})
	wrong := map[string]string{"password": "a wrong password"}
	json := func(path string, body any) func(auth []string) *testenv.Response {
		return func(auth []string) *testenv.Response { return e.Do("POST", path, body, auth...) }
	}
	bankCall := func(method, path string, k **bankFixture, enc bool) func(auth []string) *testenv.Response {
		return func(auth []string) *testenv.Response {
			q := url.Values{"otp": {"000000"}}
			if enc {
				q = url.Values{"password": {(*k).enc(t, "a wrong password")}}
			}
			return e.Do(method, path+"?"+q.Encode(), nil, auth...)
		}
	}
	var bk *bankFixture
	bankSignIn := func(email string) []string {
		bk = newBankUser(t, e, email, email+" pw")
		s2 := bk.toStep2(t, email, email+" pw")
		return bearer(accessOf(t, bk.grant(s2, url.Values{"grant_type": {"otp"}, "otp": {bk.sendSMS(t, s2)}})))
	}
	platformSignIn := func(email string) []string {
		signUp(t, e, email, email+" pw")
		return enrolDoors["platform"].signIn(t, e, email, email+" pw")
	}
	cashdeskSignIn := func(email string) []string {
		signUp(t, e, email, email+" pw")
		return enrolDoors["cashdesk"].signIn(t, e, email, email+" pw")
	}
	cases := []struct {
		name   string
		signIn func(email string) []string
		call   func(auth []string) *testenv.Response
	}{
		{"platform enrol", platformSignIn, json("/v1/user/factors/totp", wrong)},
		{"platform confirm", platformSignIn, json("/v1/user/factors/totp/confirm", map[string]string{"otp": "000000"})},
		{"platform remove", platformSignIn, json("/v1/user/factors/totp/remove", wrong)},
		{"cashdesk enrol", cashdeskSignIn, json("/api/v2/factors/totp", wrong)},
		{"cashdesk remove", cashdeskSignIn, json("/api/v2/factors/totp/remove", wrong)},
		{"bank enrol", bankSignIn, bankCall("POST", "/auth/oauth/totp", &bk, true)},
		{"bank confirm", bankSignIn, bankCall("POST", "/auth/oauth/totp/confirm", &bk, false)},
		{"bank remove", bankSignIn, bankCall("DELETE", "/auth/oauth/totp", &bk, true)},
	}
	for i, c := range cases {
		auth := c.signIn("f" + string(rune('a'+i)) + "@example.com")
		for n := 1; ; n++ {
			r := c.call(auth)
			if r.Status == 429 {
				assert429(t, r)
				break
			}
			if r.Status < 400 || n > perAddress+1 {
				t.Fatalf("%s: attempt %d answered %d %s, want a 429 within the login limit of %d per address", c.name, n, r.Status, r.Body, perAddress)
			}
		}
	}
}
