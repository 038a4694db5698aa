package server_test

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/hex"
	"net"
	"strconv"
	"testing"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/limit"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func limited(rules string) func(*config.Config) {
	return func(c *config.Config) { c.RateLimits = "on"; c.RateLimitRules = rules }
}

// assert429 checks a refusal by a rate limit: 429 with a Retry-After in
// seconds within the minute window.
func assert429(t *testing.T, r *testenv.Response) {
	t.Helper()
	if r.Status != 429 {
		t.Fatalf("status %d, want 429: %s", r.Status, r.Body)
	}
	if s, err := strconv.Atoi(r.Header.Get("Retry-After")); err != nil || s < 1 || s > 60 {
		t.Fatalf("Retry-After %q", r.Header.Get("Retry-After"))
	}
}

func TestEachEndpointIsLimitedPerIP(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		limited("exists=3/0/0,restore=2/0/0,resend=2/0/0,confirm=2/0/0,register=2/0/0,login=2/0/0,reset=2/0/0,refresh=2/0/0")(c)
		c.MailResendInterval = 0 // only the request limits here
	})
	reqs := []struct {
		name, method, path string
		body               any
		n                  int
	}{
		{"exists", "GET", "/v1/user/address/exists?email=a@example.com", nil, 3},
		{"restore", "POST", "/v1/user/password/restore", map[string]string{"email": "a@example.com"}, 2},
		{"resend", "POST", "/v1/user/resendEmail", map[string]string{"email": "b@example.com"}, 2},
		{"confirm", "GET", "/v1/user/confirm/nope", nil, 2},
		{"register", "POST", "/v1/user", map[string]string{"login": "c@example.com", "password": "x"}, 2},
		{"login", "POST", "/v1/auth/login", map[string]string{"username": "d@example.com", "password": "x"}, 2},
		{"reset", "POST", "/v1/user/password/reset", map[string]string{"token": "x", "password": "long enough"}, 2},
		{"refresh", "POST", "/v1/auth/refresh", map[string]string{"token": "x"}, 2},
	}
	for _, q := range reqs {
		t.Run(q.name, func(t *testing.T) {
			e := e.For(t)
			for i := 0; i < q.n; i++ {
				if r := e.Do(q.method, q.path, q.body, from("198.51.100.1", "ua")...); r.Status == 429 {
					t.Fatalf("request %d of %d refused", i+1, q.n)
				}
			}
			assert429(t, e.Do(q.method, q.path, q.body, from("198.51.100.1", "ua")...))
			// Another client address has its own count.
			if r := e.Do(q.method, q.path, q.body, from("198.51.100.2", "ua")...); r.Status == 429 {
				t.Fatal("another IP shares the count")
			}
		})
	}
}

func TestXForwardedForIsBelievedOnlyFromTrustedProxies(t *testing.T) {
	e := testenv.New(t, testenv.Options{Config: limited("exists=2/0/0")})
	// No trusted proxy: a client that varies X-Forwarded-For is still one IP.
	for i := 0; i < 2; i++ {
		e.Do("GET", "/v1/user/address/exists?email=a@example.com", nil, "X-Forwarded-For", "203.0.113."+strconv.Itoa(i))
	}
	assert429(t, e.Do("GET", "/v1/user/address/exists?email=a@example.com", nil, "X-Forwarded-For", "203.0.113.99"))
}

func TestLimitsPerSubjectAreKeyedOnTheAddressStringKnownOrNot(t *testing.T) {
	e := newEnv(t, testenv.SQLite, limited("login=100/3/0,restore=100/2/0,exists=100/2/0"))
	signUp(t, e, "known@example.com", "known password")
	for _, email := range []string{"known@example.com", "unknown@example.com"} {
		var statuses []int
		for i := 0; i < 4; i++ { // from four addresses: the subject limit is what bites
			r := loginAs(e, email, "wrong password", from("192.0.2."+strconv.Itoa(i+1), "ua")...)
			statuses = append(statuses, r.Status)
		}
		if statuses[0] != 401 || statuses[2] != 401 || statuses[3] != 429 {
			t.Fatalf("%s: statuses %v, want 401 ×3 then 429", email, statuses)
		}
	}
	for i := 0; i < 2; i++ {
		e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "nobody@example.com"}, from("192.0.2."+strconv.Itoa(10+i), "ua")...)
		e.Do("GET", "/v1/user/address/exists?email=Nobody@Example.com", nil, from("192.0.2."+strconv.Itoa(10+i), "ua")...)
	}
	assert429(t, e.Do("GET", "/v1/user/address/exists?email=nobody@example.com", nil, from("192.0.2.20", "ua")...))
	// The restore mail interval (one per minute) or the subject limit: 429 either way.
	assert429(t, e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "nobody@example.com"}, from("192.0.2.20", "ua")...))
}

func TestLimitsPerClientCountTheBasicAuthClient(t *testing.T) {
	e := newEnv(t, testenv.SQLite, limited("login=100/100/2"))
	basic := "Basic " + base64.StdEncoding.EncodeToString([]byte("WEB:"))
	for i := 0; i < 2; i++ {
		loginAs(e, "x"+strconv.Itoa(i)+"@example.com", "wrong password", from("192.0.2."+strconv.Itoa(i+1), "ua", "Authorization", basic)...)
	}
	assert429(t, loginAs(e, "y@example.com", "wrong password", from("192.0.2.9", "ua", "Authorization", basic)...))
	if r := loginAs(e, "y@example.com", "wrong password", from("192.0.2.9", "ua")...); r.Status != 401 {
		t.Fatalf("without the client: %d", r.Status)
	}
}

func TestLimitsAreOnByDefaultAndCanBeSwitchedOff(t *testing.T) {
	if config.Default().RateLimits != "on" {
		t.Fatal("GATEHOUSE_RATE_LIMITS is not on by default")
	}
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { c.RateLimits = "off"; c.RateLimitRules = "exists=1/1/1" })
	for i := 0; i < 5; i++ {
		if r := e.Do("GET", "/v1/user/address/exists?email=a@example.com", nil); r.Status != 200 {
			t.Fatalf("limits off, request %d: %d", i+1, r.Status)
		}
	}
}

func redisOrSkip(t *testing.T) string {
	t.Helper()
	r, err := limit.NewRedis("redis://127.0.0.1:6379/0", "probe:")
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if err := r.Ping(t.Context()); err != nil {
		if testenvRequire() {
			t.Fatalf("Redis unreachable and GATEHOUSE_TEST_SERVICES=require: %v", err)
		}
		t.Skipf("Redis unreachable: %v", err)
	}
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return "gatehouse-test:" + hex.EncodeToString(b) + ":"
}

func TestTwoNodesWithRedisShareOneCount(t *testing.T) {
	prefix := redisOrSkip(t)
	withRedis := func(c *config.Config) {
		limited("exists=3/0/0")(c)
		c.RedisURL, c.RedisPrefix = "redis://127.0.0.1:6379/0", prefix
	}
	a := newEnv(t, testenv.SQLite, withRedis)
	b := newEnv(t, testenv.SQLite, withRedis)
	for _, e := range []*testenv.Env{a, b, a} {
		if r := e.Do("GET", "/v1/user/address/exists?email=a@example.com", nil, from("198.51.100.5", "ua")...); r.Status != 200 {
			t.Fatalf("within the limit: %d", r.Status)
		}
	}
	assert429(t, b.Do("GET", "/v1/user/address/exists?email=a@example.com", nil, from("198.51.100.5", "ua")...))
}

func TestWithRedisDownLimitsFallBackToThisNodeAndNothingFails(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	dead := ln.Addr().String()
	ln.Close()
	e := newEnv(t, testenv.SQLite, func(c *config.Config) {
		limited("exists=2/0/0")(c)
		c.RedisURL = "redis://" + dead
	})
	for i := 0; i < 2; i++ {
		if r := e.Do("GET", "/v1/user/address/exists?email=a@example.com", nil); r.Status != 200 {
			t.Fatalf("request %d with Redis down: %d %s", i+1, r.Status, r.Body)
		}
	}
	assert429(t, e.Do("GET", "/v1/user/address/exists?email=a@example.com", nil))
}
