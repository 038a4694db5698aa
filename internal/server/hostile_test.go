package server_test

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/gatehouse/gatehouse/internal/core/identity"
	"github.com/gatehouse/gatehouse/internal/testenv"
)

// Hostile bytes (SECURITY.md "Hostile bytes"): a header that is not UTF-8
// is stored sanitised, never refused and never a 500; on PostgreSQL an
// unsanitised one used to fail the audit insert, and with it the whole
// request, the lockout's count and a logout's revocation.

// cafe is "Café" in Latin-1: one byte that is not UTF-8. HTTP allows it in a
// header value (RFC 9110 §5.5, obs-text), so any client can send it.
const cafe = "Caf\xe9"

// cafeShown is how cafe is stored and shown: the bad byte replaced.
const cafeShown = "Caf\uFFFD"

func hostileUA(more ...string) []string { return append([]string{"User-Agent", cafe}, more...) }

// wantStatus fails unless r answered want (never a 5xx, which it reports
// as such).
func wantStatus(t *testing.T, what string, r *testenv.Response, want int) {
	t.Helper()
	if r.Status >= 500 {
		t.Fatalf("%s: %d (a server error) %s", what, r.Status, r.Body)
	}
	if r.Status != want {
		t.Fatalf("%s: %d %s, want %d", what, r.Status, r.Body, want)
	}
}

// clean reports whether s is what storage may hold: valid UTF-8 without
// a control character.
func clean(s string) bool {
	return utf8.ValidString(s) && !strings.ContainsFunc(s, unicode.IsControl)
}

// storedUserAgents reads the audit log and the sessions straight from the
// store (a JSON answer would hide raw bytes: encoding/json replaces them),
// fails unless every text they hold is clean, and returns the user agents.
func storedUserAgents(t *testing.T, e *testenv.Env) map[string]bool {
	t.Helper()
	ctx := context.Background()
	events, _, err := e.Store.ListAudit(ctx, identity.AuditFilter{Limit: 1000})
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, ev := range events {
		for k, v := range map[string]string{"subject": ev.Subject, "user_agent": ev.UserAgent, "ip": ev.IP, "actor": ev.Actor} {
			if !clean(v) {
				t.Fatalf("audit row %s: %s holds %q", ev.Type, k, v)
			}
		}
		for k, v := range ev.Detail {
			if !clean(v) {
				t.Fatalf("audit row %s: detail %s holds %q", ev.Type, k, v)
			}
		}
		seen[ev.UserAgent] = true
		if ev.UserID == 0 {
			continue
		}
		sessions, err := e.Store.SessionsOf(ctx, ev.UserID)
		if err != nil {
			t.Fatal(err)
		}
		for _, s := range sessions {
			if !clean(s.UserAgent) {
				t.Fatalf("session %s holds the user agent %q", s.ID, s.UserAgent)
			}
		}
	}
	return seen
}

func TestAUserAgentThatIsNotUTF8IsStoredSanitisedOnEveryStep(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		ua := hostileUA()
		// Sign-up and confirmation.
		signUp(t, e, "ann@example.com", "ann's password 1", ua...)
		// Login, a wrong password, refresh.
		p := mustLogin(t, e, "ann@example.com", "ann's password 1", ua...)
		wantStatus(t, "wrong password", loginAs(e, "ann@example.com", "wrong password", ua...), 401)
		r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}, ua...)
		wantStatus(t, "refresh", r, 200)
		var next pair
		r.JSON(t, &next)
		// Restore.
		wantStatus(t, "restore", e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "ann@example.com"}, ua...), 200)
		e.Mail.Next(t, testenv.MailTimeout)
		// The session shows the user agent sanitised.
		r = e.Do("GET", "/v1/user/sessions", nil, append(bearer(next.AccessToken), ua...)...)
		wantStatus(t, "sessions", r, 200)
		var list []map[string]any
		r.JSON(t, &list)
		if len(list) != 1 || list[0]["user_agent"] != cafeShown {
			t.Fatalf("sessions: %v, want one with user agent %q", list, cafeShown)
		}
		// Logout revokes the session, hostile header or not.
		wantStatus(t, "logout", e.Do("POST", "/v1/auth/logout", nil, append(bearer(next.AccessToken), ua...)...), 204)
		wantStatus(t, "the logged-out token", e.Do("GET", "/v1/user/profile", nil, bearer(next.AccessToken)...), 401)
		events := auditEvents(t, e, "")
		got := strings.Join(types(events), " ")
		for _, typ := range []string{"account.registered", "login.succeeded", "login.failed", "token.refreshed", "password.reset_requested", "session.revoked"} {
			if !strings.Contains(got, typ) {
				t.Fatalf("no %s in the audit log: %s", typ, got)
			}
		}
		if uas := storedUserAgents(t, e); !uas[cafeShown] {
			t.Fatalf("audit user agents %v, want %q", uas, cafeShown)
		}
	})
}

func TestWrongPasswordsWithAHostileUserAgentAreCountedUntilTheLockoutKicksIn(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, lockout(5, 20))
		signUp(t, e, "bob@example.com", "bob's password 1")
		// 30 wrong passwords from 30 addresses: every one is judged and
		// counted; the 20th starts the account lock, so the rest answer 429.
		for i := 0; i < 30; i++ {
			r := loginAs(e, "bob@example.com", fmt.Sprint("guess ", i), from(fmt.Sprint("203.0.113.", i+1), cafe)...)
			want := 401
			if i >= 20 {
				want = 429
			}
			wantStatus(t, fmt.Sprint("guess ", i), r, want)
		}
		// One more from the same IP, five times: the pair backoff too.
		for i := 0; i < 5; i++ {
			loginAs(e, "carl@example.com", "guess", from("198.51.100.9", cafe)...)
		}
		wantStatus(t, "sixth guess from one IP", loginAs(e, "carl@example.com", "guess", from("198.51.100.9", cafe)...), 429)
		// Locked: the right password from a new network is refused too.
		r := loginAs(e, "bob@example.com", "bob's password 1", from("192.0.2.77", "Firefox")...)
		if r.Status != 429 || errorCode(t, r) != "too_many_attempts" {
			t.Fatalf("locked account: %d %s", r.Status, r.Body)
		}
		failed := auditEvents(t, e, "&type=login.failed&user=bob@example.com")
		if len(failed) != 30 {
			t.Fatalf("%d login.failed rows for bob, want 30", len(failed))
		}
		if locks := auditEvents(t, e, "&type=lockout.account"); len(locks) != 1 {
			t.Fatalf("lockout.account rows: %d, want 1", len(locks))
		}
		storedUserAgents(t, e)
	})
}

func TestEveryDoorsSignInAndPasswordChangeTakeAHostileUserAgent(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		ua := hostileUA()
		// Cashdesk: authenticate, password change, logout.
		signUp(t, e, "ivan@example.com", "cashier secret 1")
		r := e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "ivan@example.com", "password": "cashier secret 1"}, ua...)
		wantStatus(t, "cashdesk authenticate", r, 200)
		tok := r.Map(t)["token"].(string)
		r = e.Do("POST", "/api/v2/password", map[string]string{"current_password": "cashier secret 1", "new_password": "cashier secret 2"},
			append([]string{"Authorization", tok}, ua...)...)
		wantStatus(t, "cashdesk password change", r, 204)
		wantStatus(t, "login with the new password", loginAs(e, "ivan@example.com", "cashier secret 2"), 200)
		r = e.Do("POST", "/api/v2/authenticate", map[string]string{"email": "ivan@example.com", "password": "cashier secret 2"}, ua...)
		tok = r.Map(t)["token"].(string)
		wantStatus(t, "cashdesk logout", e.Do("POST", "/api/v2/logout", nil, append([]string{"Authorization", tok}, ua...)...), 204)
		wantStatus(t, "the logged-out cashdesk token", e.Do("GET", "/api/v2/profile", nil, "Authorization", tok), 401)

		// Bank: step 1 with a hostile user agent and device fingerprint, step
		// 2, the code, then trusting the device names it after the agent.
		bf := newBankUser(t, e, "dana@example.com", "bank secret 1")
		fp := []string{"User-Agent", cafe, "Device-Fingerprint", "fp-\xff\xfe"}
		wantStatus(t, "bank step 1, wrong password", bf.step1(t, "dana@example.com", "wrong", fp...), 400)
		s2 := bf.toStep2(t, "dana@example.com", "bank secret 1", fp...)
		code := bf.sendSMS(t, s2, fp...)
		full := accessOf(t, bf.grant(s2, url.Values{"grant_type": {"otp"}, "factor": {"OTP_SMS"}, "otp": {code}}, fp...))
		r = e.Do("POST", "/auth/oauth/devices", "{}", append(bearer(full), fp...)...)
		wantStatus(t, "trust the device", r, 201)
		if name := r.Map(t)["name"]; name != cafeShown {
			t.Fatalf("device name %q, want %q", name, cafeShown)
		}
		wantStatus(t, "bank logout", e.Do("POST", "/auth/oauth/logout", "{}", append(bearer(full), fp...)...), 204)
		wantStatus(t, "the logged-out bank token", e.Do("GET", "/auth/oauth/devices", nil, bearer(full)...), 401)
		events := auditEvents(t, e, "")
		if uas := storedUserAgents(t, e); !uas[cafeShown] {
			t.Fatalf("audit user agents %v, want %q", uas, cafeShown)
		}
		got := strings.Join(types(events), " ")
		for _, typ := range []string{"password.changed", "login.failed", "factor.passed", "device.trusted"} {
			if !strings.Contains(got, typ) {
				t.Fatalf("no %s in the audit log: %s", typ, got)
			}
		}
	})
}
