package server_test

import (
	"testing"

	"github.com/gatehouse/gatehouse/internal/testenv"
)

// TestAPasswordThatIsTheAccountsAddressIsRefusedAtEveryDoor: sign-up, the
// mailed reset, the cashdesk's password change and the admin API refuse
// the account's own address (any case) or its local part as the new
// password with 400 weak_password on field password, in each door's
// error shape, and the refusal changes nothing.
func TestAPasswordThatIsTheAccountsAddressIsRefusedAtEveryDoor(t *testing.T) {
	e := newEnv(t, testenv.SQLite, nil)
	weak := func(what string, r *testenv.Response) {
		t.Helper()
		if r.Status != 400 {
			t.Fatalf("%s: %d %s, want 400", what, r.Status, r.Body)
		}
		if m := r.Map(t); m["error"] != "weak_password" || m["field"] != "password" {
			t.Fatalf("%s: %s, want weak_password on field password", what, r.Body)
		}
	}
	weak("sign-up", e.Do("POST", "/v1/user", map[string]string{"login": "Zoe.Quinn@example.com", "password": "zoe.quinn@EXAMPLE.com"}))
	weak("sign-up, the local part", e.Do("POST", "/v1/user", map[string]string{"login": "zoe.quinn@example.com", "password": "ZOE.QUINN"}))
	if r := loginAs(e, "zoe.quinn@example.com", "zoe.quinn@example.com"); r.Status != 401 {
		t.Fatalf("a refused sign-up made an account: %d %s", r.Status, r.Body)
	}

	signUp(t, e, "zoe.quinn@example.com", "zoe's password")
	e.Do("POST", "/v1/user/password/restore", map[string]string{"email": "zoe.quinn@example.com"})
	token := e.Mail.Next(t, testenv.MailTimeout).Secret(t)
	weak("reset", e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "Zoe.Quinn"}))
	// The refusal left the token unused: it still resets to a fine password.
	if r := e.Do("POST", "/v1/user/password/reset", map[string]string{"token": token, "password": "zoe's new password"}); r.Status != 200 {
		t.Fatalf("the token after the refused reset: %d %s", r.Status, r.Body)
	}
	e.Mail.Next(t, testenv.MailTimeout) // the change notice

	session := enrolDoors["cashdesk"].signIn(t, e, "zoe.quinn@example.com", "zoe's new password")
	weak("cashdesk password", e.Do("POST", "/api/v2/password",
		map[string]string{"current_password": "zoe's new password", "new_password": "zoe.quinn@example.com"}, session...))
	mustLogin(t, e, "zoe.quinn@example.com", "zoe's new password")

	weak("admin create", e.Do("POST", "/admin/v1/users", map[string]any{"email": "yan@example.com", "password": "Yan@Example.com"}, bearer(adminToken)...))
}
