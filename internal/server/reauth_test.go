package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/password"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Every check of a password a signed-in user re-enters (a password change,
// the re-entry that lets an older session mint a key) passes the login's
// lockout and rate limits before any hashing, and its failures count as
// the login's.

// newCounter is the test hasher wrapped to count its work.
func newCounter(t *testing.T) *countingHasher {
	t.Helper()
	h, err := password.New(password.Options{Params: password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}})
	if err != nil {
		t.Fatal(err)
	}
	return &countingHasher{PasswordHasher: h}
}

func (c *countingHasher) work() int64 { return c.verifies.Load() + c.hashes.Load() }

// cashdeskSignIn signs in at the cashdesk door and returns the header the
// cashier sends back (the published API's token is already "Bearer …").
func cashdeskSignIn(t *testing.T, e *testenv.Env, email, password string, hdr ...string) []string {
	t.Helper()
	r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": email, "password": password}, hdr...)
	if r.Status != 200 {
		t.Fatalf("cashdesk authenticate %s: %d %s", email, r.Status, r.Body)
	}
	return []string{"Authorization", r.Map(t)["token"].(string)}
}

func TestWrongCurrentPasswordsAtAPasswordChangeMeetTheLockoutBeforeAnyHashing(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		counter := newCounter(t)
		e := newEnv(t, b, lockout(5, 100), func(o *testenv.Options) { o.Hasher = counter })
		signUp(t, e, "ola@example.com", "ola's password")
		thief := from("203.0.113.7", "thief")
		// A stolen cashdesk token: it lasts a shift.
		cash := append(cashdeskSignIn(t, e, "ola@example.com", "ola's password", thief...), thief...)
		change := func(current string) (*testenv.Response, int64) {
			before := counter.work()
			r := e.Do("POST", "/api/v2/password", map[string]string{"current_password": current, "new_password": "the thief's password"}, cash...)
			return r, counter.work() - before
		}
		for i := range 5 {
			if r, _ := change("guess " + strconv.Itoa(i)); r.Status != 401 || errorCode(t, r) != "invalid_credentials" {
				t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
			}
		}
		// The sixth and later tries wait out the backoff, unhashed, and
		// the right password inside it is refused too.
		for _, pw := range []string{"guess 6", "ola's password"} {
			r, work := change(pw)
			if r.Status != 429 || errorCode(t, r) != "too_many_attempts" || r.Header.Get("Retry-After") != "60" {
				t.Fatalf("%q in the backoff: %d %s Retry-After %q", pw, r.Status, r.Body, r.Header.Get("Retry-After"))
			}
			if work != 0 {
				t.Fatalf("%q in the backoff cost %d hashes, want none", pw, work)
			}
		}
		// The failures are the login's: a sign-in from there waits too,
		// the owner elsewhere signs in with the unchanged password.
		if r := loginAs(e, "ola@example.com", "ola's password", thief...); r.Status != 429 {
			t.Fatalf("login from the guessing IP: %d %s", r.Status, r.Body)
		}
		mustLogin(t, e, "ola@example.com", "ola's password", from("198.51.100.3", "Firefox")...)
		got := types(auditEvents(t, e, "&user=ola@example.com&type=lockout.pair"))
		if len(got) != 1 {
			t.Fatalf("lockout.pair events: %v", got)
		}
		// After the backoff the owner's password is judged again.
		e.Clock.Advance(61 * time.Second)
		if r, work := change("ola's password"); r.Status != 204 || work != 2 {
			t.Fatalf("after the backoff: %d %s, %d hashes (want the check and the new hash)", r.Status, r.Body, work)
		}
	})
}

func TestAPasswordChangeCountsUnderTheLoginRateLimitOfTheAddress(t *testing.T) {
	e := newEnv(t, testenv.SQLite, func(c *config.Config) { limited("login=100/3/0")(c); noLockout(c) })
	signUp(t, e, "pia@example.com", "pia's password")
	cash := cashdeskSignIn(t, e, "pia@example.com", "pia's password", from("192.0.2.1", "ua")...) // one
	for i := range 2 {                                                                            // two, three
		r := e.Do("POST", "/api/v2/password", map[string]string{"current_password": "guess", "new_password": "pia's new password"}, append(cash, from("192.0.2."+strconv.Itoa(i+2), "ua")...)...)
		if r.Status != 401 {
			t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
		}
	}
	r := e.Do("POST", "/api/v2/password", map[string]string{"current_password": "pia's password", "new_password": "pia's new password"}, append(cash, from("192.0.2.9", "ua")...)...)
	assert429(t, r)
	if !strings.Contains(string(r.Body), "rate_limited") {
		t.Fatalf("want the rate limit's answer: %s", r.Body)
	}
}
