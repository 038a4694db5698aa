package server_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAnAPIKeyCannotChangeThePassword: a machine's key changes no person's
// password, even with the current one in the body (403 session_required,
// as for factor changes), and the refusal changes nothing: the password
// stands, no session ends, no failure is counted.
func TestAnAPIKeyCannotChangeThePassword(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	signUp(t, e, "sam@example.com", "sam's password")
	session := enrolDoors["cashdesk"].signIn(t, e, "sam@example.com", "sam's password")
	r := e.Do("POST", "/api/v2/api-keys", map[string]any{"name": "till"}, session...)
	if r.Status != 201 {
		t.Fatalf("key: %d %s", r.Status, r.Body)
	}
	secret := r.Map(t)["key"].(string)
	change := map[string]any{"current_password": "sam's password", "new_password": "sam's new password"}
	for _, cred := range [][]string{{"X-API-Key", secret}, bearer(secret)} {
		r := e.Do("POST", "/api/v2/password", change, append(cred, "Accept", "application/json")...)
		if r.Status != 403 || errorCode(t, r) != "session_required" {
			t.Fatalf("password change with an API key (%s): %d %s", cred[0], r.Status, r.Body)
		}
	}
	if r := e.Do("GET", "/api/v2/profile", nil, session...); r.Status != 200 {
		t.Fatalf("the refused change ended the session: %d %s", r.Status, r.Body)
	}
	mustLogin(t, e, "sam@example.com", "sam's password")
	if ev := auditEvents(t, e, "&type=password.changed"); len(ev) != 0 {
		t.Fatalf("password.changed rows: %v", ev)
	}
	// The signed-in owner still changes it.
	if r := e.Do("POST", "/api/v2/password", change, session...); r.Status != 204 {
		t.Fatalf("password change from a session: %d %s", r.Status, r.Body)
	}
}
