package server_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/config"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

func lockout(pair, acct int) func(*config.Config) {
	return func(c *config.Config) {
		c.LockoutPairThreshold, c.LockoutPairBackoff, c.LockoutPairBackoffMax = pair, time.Minute, time.Hour
		c.LockoutAccountThreshold, c.LockoutAccountDuration = acct, 15*time.Minute
	}
}

func errorCode(t *testing.T, r *testenv.Response) string {
	t.Helper()
	if len(r.Body) == 0 {
		return ""
	}
	return r.Map(t)["error"].(string)
}

func TestRepeatedFailuresSlowDownThatIPOnlyForThatLoginKnownOrNot(t *testing.T) {
	e := newEnv(t, testenv.SQLite, lockout(3, 100))
	signUp(t, e, "ann@example.com", "ann's password")
	for _, email := range []string{"ann@example.com", "ghost@example.com"} {
		for i := 0; i < 3; i++ {
			if r := loginAs(e, email, "guess "+strconv.Itoa(i), from("203.0.113.9", "bot")...); r.Status != 401 {
				t.Fatalf("%s guess %d: %d %s", email, i, r.Status, r.Body)
			}
		}
		// Now that IP waits a minute for this login, even with the right password.
		r := loginAs(e, email, "ann's password", from("203.0.113.9", "bot")...)
		if r.Status != 429 || errorCode(t, r) != "too_many_attempts" || r.Header.Get("Retry-After") != "60" {
			t.Fatalf("%s in backoff: %d %s Retry-After %q", email, r.Status, r.Body, r.Header.Get("Retry-After"))
		}
	}
	// The owner elsewhere is not slowed at all.
	mustLogin(t, e, "ann@example.com", "ann's password", from("198.51.100.20", "Firefox")...)
	// The backoff ends, and doubles after each further failure.
	e.Clock.Advance(61 * time.Second)
	if r := loginAs(e, "ann@example.com", "guess 4", from("203.0.113.9", "bot")...); r.Status != 401 {
		t.Fatalf("after the backoff: %d", r.Status)
	}
	if r := loginAs(e, "ann@example.com", "x", from("203.0.113.9", "bot")...); r.Header.Get("Retry-After") != "120" {
		t.Fatalf("second backoff: %d Retry-After %q, want 120", r.Status, r.Header.Get("Retry-After"))
	}
	types := types(auditEvents(t, e, "&type=lockout.pair"))
	if len(types) != 2 { // Ann's and the ghost's
		t.Fatalf("lockout.pair events: %v", types)
	}
}

func TestADistributedAttackLocksTheAccountButNotItsOwner(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, lockout(0, 4))
		signUp(t, e, "bob@example.com", "bob's password", from("198.51.100.7", "Firefox")...)
		mustLogin(t, e, "bob@example.com", "bob's password", from("198.51.100.7", "Firefox")...)

		for i := 0; i < 4; i++ { // four guesses from four addresses
			if r := loginAs(e, "bob@example.com", "guess", from("203.0.113."+strconv.Itoa(i+1), "bot")...); r.Status != 401 {
				t.Fatalf("guess %d: %d %s", i, r.Status, r.Body)
			}
		}
		// The lock is mailed to Bob.
		m := e.Mail.Next(t, testenv.MailTimeout)
		if m.To != "bob@example.com" || !strings.Contains(m.Subject, "locked") || !strings.Contains(m.Text, "UTC") {
			t.Fatalf("lock mail: to %s subject %q\n%s", m.To, m.Subject, m.Text)
		}
		// Locked: a new address gets 429 even with the right password.
		r := loginAs(e, "bob@example.com", "bob's password", from("203.0.113.50", "bot")...)
		if r.Status != 429 || errorCode(t, r) != "too_many_attempts" || r.Header.Get("Retry-After") != "900" {
			t.Fatalf("locked account, new IP: %d %s %q", r.Status, r.Body, r.Header.Get("Retry-After"))
		}
		// Bob, from the network he signed in from before, gets in.
		mustLogin(t, e, "bob@example.com", "bob's password", from("198.51.100.8", "Firefox")...)
		// A wrong password from his network is still refused as locked.
		if r := loginAs(e, "bob@example.com", "guess", from("198.51.100.8", "Firefox")...); r.Status != 429 {
			t.Fatalf("wrong password from the known network during the lock: %d", r.Status)
		}
		// An admin unlock lifts it at once.
		if r := e.Do("POST", "/admin/v1/users/bob@example.com/unlock", nil, bearer(adminToken)...); r.Status != 200 {
			t.Fatalf("unlock: %d %s", r.Status, r.Body)
		}
		mustLogin(t, e, "bob@example.com", "bob's password", from("203.0.113.50", "Firefox")...)
		got := types(auditEvents(t, e, "&user=bob@example.com&type=lockout."))
		if strings.Join(got, ",") != "lockout.account,lockout.cleared" {
			t.Fatalf("lockout events: %v", got)
		}
	})
}

func TestAnAccountLockEndsByItselfAndGrowsWhenTheAttackGoesOn(t *testing.T) {
	e := newEnv(t, testenv.SQLite, lockout(0, 3))
	signUp(t, e, "cy@example.com", "cy's password")
	guess := func(n int) {
		for i := 0; i < n; i++ {
			loginAs(e, "cy@example.com", "guess", from("203.0.113."+strconv.Itoa(i+1), "bot")...)
		}
	}
	guess(3)
	e.Mail.Next(t, testenv.MailTimeout)
	if r := loginAs(e, "cy@example.com", "cy's password", from("192.0.2.1", "x")...); r.Header.Get("Retry-After") != "900" {
		t.Fatalf("first lock: %d %q", r.Status, r.Header.Get("Retry-After"))
	}
	e.Clock.Advance(15*time.Minute + time.Second)
	guess(3) // the next round locks for twice as long
	e.Mail.Next(t, testenv.MailTimeout)
	if r := loginAs(e, "cy@example.com", "cy's password", from("192.0.2.1", "x")...); r.Header.Get("Retry-After") != "1800" {
		t.Fatalf("second lock: %d %q", r.Status, r.Header.Get("Retry-After"))
	}
	e.Clock.Advance(30*time.Minute + time.Second)
	mustLogin(t, e, "cy@example.com", "cy's password", from("192.0.2.1", "x")...)
}

func TestAPasswordResetClearsTheLockout(t *testing.T) {
	e := newEnv(t, testenv.SQLite, lockout(0, 2))
	signUp(t, e, "di@example.com", "di's password")
	for i := 0; i < 2; i++ {
		loginAs(e, "di@example.com", "guess", from("203.0.113."+strconv.Itoa(i+1), "bot")...)
	}
	e.Mail.Next(t, testenv.MailTimeout) // the lock notice
	e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "di@example.com"})
	token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "di's new password"}); r.Status != 200 {
		t.Fatalf("reset: %d %s", r.Status, r.Body)
	}
	mustLogin(t, e, "di@example.com", "di's new password", from("192.0.2.77", "x")...)
}

func TestLockoutIsOnByDefault(t *testing.T) {
	c := config.Default()
	if c.LockoutPairThreshold <= 0 || c.LockoutAccountThreshold <= 0 {
		t.Fatalf("lockout off by default: %+v", c)
	}
}
