package server_test

import (
	"fmt"
	"net/url"
	"strconv"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// The bank and cashdesk doors' public endpoints, each limited per IP, per
// subject (the user tried, or the user of the step token) and per client.

// noLockout keeps the lockout out of the way of the request limits.
func noLockout(c *config.Config) { c.LockoutPairThreshold, c.LockoutAccountThreshold = 0, 0 }

// bankRequests are one request of each limited endpoint of the bank door
// and of the cashdesk's authenticate, each of which may be repeated (none
// succeeds, so none spends what the next one needs).
func bankRequests(t *testing.T, b *bankFixture, s1, s2 string) []struct {
	endpoint string
	do       func(hdr ...string) *testenv.Response
} {
	token := func(tok string, q url.Values) func(hdr ...string) *testenv.Response {
		return func(hdr ...string) *testenv.Response { return b.grant(tok, q, hdr...) }
	}
	basic := func(path string, q url.Values) func(hdr ...string) *testenv.Response {
		return func(hdr ...string) *testenv.Response {
			return b.e.Do("POST", path+"?"+q.Encode(), "{}", append([]string{"Authorization", webBasic}, hdr...)...)
		}
	}
	return []struct {
		endpoint string
		do       func(hdr ...string) *testenv.Response
	}{
		{"bank_login", func(hdr ...string) *testenv.Response { return b.step1(t, "nobody@example.com", "wrong", hdr...) }},
		{"bank_customer", token(s1, url.Values{"grant_type": {"customer"}, "customer_id": {"999"}})},
		{"bank_factor", token(s2, url.Values{"grant_type": {"otp"}, "factor": {"TOTP"}, "otp": {"123456"}})},
		{"bank_refresh", basic("/auth/oauth/token", url.Values{"grant_type": {"refresh_token"}, "refresh_token": {"not-a-token"}})},
		{"bank_revoke", basic("/auth/oauth/revoke", url.Values{"token": {"not-a-token"}})},
		{"bank_otp", func(hdr ...string) *testenv.Response {
			return b.e.Do("POST", "/auth/oauth/otp?factor=TOTP", nil, append(bearer(s2), hdr...)...)
		}},
		{"login", func(hdr ...string) *testenv.Response {
			return b.e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "nobody@example.com", "password": "wrong"}, hdr...)
		}},
	}
}

func TestEveryBankAndCashdeskEndpointIsLimitedPerIP(t *testing.T) {
	rules := "bank_login=2/0/0,bank_customer=2/0/0,bank_factor=2/0/0,bank_refresh=2/0/0,bank_revoke=2/0/0,bank_otp=2/0/0,login=2/0/0"
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { limited(rules)(c); noLockout(c) })
	b := newBankUser(t, e, "ivy@example.com", "ivy's password")
	s1 := accessOf(t, b.step1(t, "ivy@example.com", "ivy's password"))
	s2 := b.toStep2(t, "ivy@example.com", "ivy's password")
	for _, q := range bankRequests(t, b, s1, s2) {
		t.Run(q.endpoint, func(t *testing.T) {
			b.e = e.For(t)
			for i := 0; i < 2; i++ {
				if r := q.do(from("198.51.100.1", "ua")...); r.Status == 429 {
					t.Fatalf("request %d of 2 refused: %s", i+1, r.Body)
				}
			}
			assert429(t, q.do(from("198.51.100.1", "ua")...))
			if r := q.do(from("198.51.100.2", "ua")...); r.Status == 429 {
				t.Fatal("another IP shares the count")
			}
		})
	}
}

func TestBankStepsAreLimitedPerUserAndPerTheTokensClient(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		limited("bank_user=100/2/0")(c)
		noLockout(c)
	})
	b := newBankUser(t, e, "jo@example.com", "jo's password")
	// Step 1 per decrypted username, even with the right password.
	for i := 0; i < 2; i++ {
		b.step1(t, "Jo@Example.com", "a guess", from("192.0.2."+strconv.Itoa(i+1), "ua")...)
	}
	assert429(t, b.step1(t, "jo@example.com", "jo's password", from("192.0.2.3", "ua")...))
	if r := b.step1(t, "someone-else@example.com", "a guess", from("192.0.2.3", "ua")...); r.Status != 400 {
		t.Fatalf("another username: %d %s", r.Status, r.Body)
	}

	e2 := newEnv(t, testenv.SQLite, func(c *config.Config) {
		limited("bank_factor=100/2/100,bank_customer=100/100/2")(c)
		noLockout(c)
	})
	b = newBankUser(t, e2, "jo@example.com", "jo's password")
	s2 := b.toStep2(t, "jo@example.com", "jo's password")
	// Codes per user of the token, from any address.
	wrong := url.Values{"grant_type": {"otp"}, "factor": {"TOTP"}, "otp": {"123456"}}
	for i := 0; i < 2; i++ {
		b.grant(s2, wrong, from("192.0.2."+strconv.Itoa(i+1), "ua")...)
	}
	assert429(t, b.grant(s2, wrong, from("192.0.2.3", "ua")...))
	// Steps per client: the token names it, the request does not. The
	// setup's step 2 spent one; one more passes, the next is refused.
	s1 := accessOf(t, b.step1(t, "jo@example.com", "jo's password", from("192.0.2.10", "ua")...))
	choose := url.Values{"grant_type": {"customer"}, "customer_id": {fmt.Sprint(bankCustomer)}}
	if r := b.grant(s1, choose, from("192.0.2.11", "ua")...); r.Status != 200 {
		t.Fatalf("within the client's limit: %d %s", r.Status, r.Body)
	}
	s1 = accessOf(t, b.step1(t, "jo@example.com", "jo's password", from("192.0.2.12", "ua")...))
	assert429(t, b.grant(s1, choose, from("192.0.2.13", "ua")...))
}

func TestCashdeskAuthenticateIsLimitedPerAddressTried(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { limited("login=100/2/0")(c); noLockout(c) })
	signUp(t, e, "kai@example.com", "kai's password")
	auth := func(email, pw, ip string) *testenv.Response {
		return e.Do("POST", "/api/v2/authenticate", map[string]string{"email": email, "password": pw}, from(ip, "ua")...)
	}
	for i := 0; i < 2; i++ {
		if r := auth("kai@example.com", "a guess", "192.0.2."+strconv.Itoa(i+1)); r.Status != 401 {
			t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
		}
	}
	assert429(t, auth("KAI@example.com", "kai's password", "192.0.2.9"))
	if r := auth("other@example.com", "a guess", "192.0.2.9"); r.Status != 401 {
		t.Fatalf("another address: %d", r.Status)
	}
}
