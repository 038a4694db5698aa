package server_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestTheAuditTrailTellsTheWholeLoginRefreshResetStory follows one user
// through sign-up, a failed and a good login, a refresh, a replayed refresh
// token and a password reset, and reads the trail back as an admin.
func TestTheAuditTrailTellsTheWholeLoginRefreshResetStory(t *testing.T) {
	testenv.Backends(t, func(t *testing.T, b testenv.Backend) {
		e := newEnv(t, b, nil)
		ua := "Mozilla/5.0 (story)"
		at := func(ip string) []string { return from(ip, ua) }
		signUp(t, e, "lea@example.com", "lea's password", at("198.51.100.10")...)
		if r := loginAs(e, "lea@example.com", "wrong password", at("198.51.100.11")...); r.Status != 401 {
			t.Fatal(r.Status)
		}
		p := mustLogin(t, e, "lea@example.com", "lea's password", at("198.51.100.12")...)
		r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}, at("198.51.100.13")...)
		if r.Status != 200 {
			t.Fatalf("refresh: %d", r.Status)
		}
		e.Clock.Advance(time.Minute) // past the grace window: a replay is theft
		if r := e.Do("POST", "/v1/auth/refresh", map[string]string{"token": p.RefreshToken}, at("203.0.113.66")...); r.Status != 401 {
			t.Fatalf("replay: %d", r.Status)
		}
		e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "lea@example.com"}, at("198.51.100.14")...)
		token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
		if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "lea's new password"}, at("198.51.100.15")...); r.Status != 200 {
			t.Fatalf("reset: %d", r.Status)
		}
		e.Mail.Next(t, testenv.MailTimeout) // the change notice

		events := auditEvents(t, e, "&user=lea@example.com")
		want := []struct{ typ, outcome, ip string }{
			{"account.registered", "ok", "198.51.100.10"},
			{"account.confirmed", "ok", "198.51.100.10"},
			{"login.failed", "failed", "198.51.100.11"},
			{"login.succeeded", "ok", "198.51.100.12"},
			{"token.refreshed", "ok", "198.51.100.13"},
			{"token.reuse", "refused", "203.0.113.66"},
			{"password.reset_requested", "ok", "198.51.100.14"},
			{"password.reset", "ok", "198.51.100.15"},
			{"lockout.cleared", "ok", "198.51.100.15"},
		}
		if len(events) != len(want) {
			t.Fatalf("trail: %v", types(events))
		}
		var last string
		for i, w := range want {
			ev := events[i]
			if ev["type"] != w.typ || ev["outcome"] != w.outcome || ev["ip"] != w.ip || ev["user_agent"] != ua {
				t.Errorf("event %d: %v, want %s %s from %s with the user agent", i, ev, w.typ, w.outcome, w.ip)
			}
			if ev["at"].(string) < last {
				t.Errorf("event %d out of order", i)
			}
			last = ev["at"].(string)
			for _, secret := range []string{"lea's password", "lea's new password", token, p.RefreshToken, p.AccessToken} {
				if strings.Contains(string(mustJSON(t, ev)), secret) {
					t.Fatalf("event %d carries a secret: %v", i, ev)
				}
			}
		}
		if events[2]["subject"] != "lea@example.com" || events[3]["actor"] == "anonymous" {
			t.Errorf("subject or actor missing: %v %v", events[2], events[3])
		}
		// Admin actions are in the trail too, with their actor.
		e.Do("POST", "/admin/v1/users/lea@example.com/lock", nil, bearer(adminToken)...)
		if ev := auditEvents(t, e, "&type=admin.lock"); len(ev) != 1 || ev[0]["actor"] != "admin:token" {
			t.Fatalf("admin action: %v", ev)
		}
		// A type with an underscore is a type like any other.
		if ev := auditEvents(t, e, "&type=password.reset_requested"); len(ev) != 1 || ev[0]["ip"] != "198.51.100.14" {
			t.Fatalf("?type=password.reset_requested: %v", ev)
		}
		// …and found by their actor, exactly.
		byToken := auditEvents(t, e, "&actor=admin:token")
		if len(byToken) == 0 || byToken[len(byToken)-1]["type"] != "admin.lock" {
			t.Fatalf("the admin token's events: %v", types(byToken))
		}
		for _, ev := range byToken {
			if ev["actor"] != "admin:token" {
				t.Fatalf("?actor=admin:token listed %v", ev)
			}
		}
		if ev := auditEvents(t, e, "&actor=admin:"); len(ev) != 0 {
			t.Fatalf("?actor= matched a prefix: %v", types(ev))
		}
		if r := e.Do("GET", "/admin/v1/audit?actor="+strings.Repeat("a", 129), nil, bearer(adminToken)...); r.Status != 400 || r.Map(t)["error"] != "invalid_actor" {
			t.Fatalf("an overlong actor: %d %s", r.Status, r.Body)
		}
		// Only admins read it.
		signUp(t, e, "mo@example.com", "mo's password")
		mo := mustLogin(t, e, "mo@example.com", "mo's password")
		if r := e.Do("GET", "/admin/v1/audit", nil, bearer(mo.AccessToken)...); r.Status != 403 {
			t.Fatalf("a user read the audit log: %d", r.Status)
		}
		if r := e.Do("GET", "/admin/v1/audit", nil); r.Status != 401 {
			t.Fatalf("anyone read the audit log: %d", r.Status)
		}
	})
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
